//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_CALLBACK_NODE_HPP
#define BOOST_TULIP_DETAIL_CALLBACK_NODE_HPP

#include <boost/tulip/context.hpp>
#include <boost/tulip/detail/timer_node.hpp>

#include <boost/smart_ptr/intrusive_ptr.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace boost::tulip {
class event_loop;
namespace detail {

// A callback scheduled by call_soon, call_later or a done callback. Shared by the loop
// (queue or timer heap) and the user's handle, which may live on another thread
// (call_soon_threadsafe): hence the atomic count, and an atomic state so that a cancel
// from another thread and the loop's run agree on which of them came first.
class callback_node : public timer_node
{
public:
    enum state_type : std::uint8_t
    {
        pending,
        done, // ran (or is running)
        was_cancelled,
    };

    callback_node() = default;
    callback_node(const callback_node&) = delete;
    callback_node& operator=(const callback_node&) = delete;
    virtual ~callback_node() = default;

    // Runs the callback unless cancelled, in its context, reporting its exception. Loop
    // thread only; drops the callable either way.
    void run() noexcept;
    // Prevents the run; false if it already ran or was cancelled. Any thread for a
    // call_soon_threadsafe node (the loop's run drops the callable on its own thread);
    // the loop's thread otherwise.
    bool cancel() noexcept;
    // Marks a node that will never run (the loop shut down with it queued); any thread.
    void abandon() noexcept;
    bool cancelled_before_run() const noexcept
    {
        return state.load(std::memory_order_acquire) == was_cancelled;
    }

    void fire() override;
    void release() noexcept override;

    mutable std::atomic<std::size_t> refs{0};
    std::atomic<state_type> state{pending};
    event_loop* loop = nullptr;
    context ctx;
    std::chrono::steady_clock::time_point when{};
    bool in_heap = false;    // loop thread only
    bool threadsafe = false; // set before the node is published

private:
    virtual void invoke() = 0;
    virtual void discard() noexcept = 0;
};

template <class F>
class callback_node_impl final : public callback_node
{
public:
    template <class G>
    explicit callback_node_impl(G&& g)
        : f_(static_cast<G&&>(g))
    {}

private:
    void invoke() override { f_.value()(); }
    // Drops the callable early (asyncio clears a cancelled handle's callback).
    void discard() noexcept override { f_.reset(); }

    std::optional<F> f_;
};

inline void intrusive_ptr_add_ref(const callback_node* p) noexcept
{
    p->refs.fetch_add(1, std::memory_order_relaxed);
}

inline void intrusive_ptr_release(const callback_node* p) noexcept
{
    if (p->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
        delete p;
}

} // namespace detail
} // namespace boost::tulip

#endif
