//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_SYNC_WAITER_HPP
#define BOOST_TULIP_DETAIL_SYNC_WAITER_HPP

// event_loop.hpp first: the detail headers rely on it being complete.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/detail/handler_loop.hpp>
#include <boost/tulip/detail/suspended_op.hpp>
#include <boost/tulip/detail/thread_state.hpp>
#include <boost/tulip/error.hpp>

#include <boost/asio/error.hpp>

#include <cstddef>
#include <string>
#include <thread>
#include <utility>

namespace boost::tulip::detail {

class sync_object;

// A suspended operation of a primitive (lock acquire, event wait, queue get, ...), linked
// in one of the primitive's FIFOs. Once a primitive chooses it (it gets the lock, the
// permit, the item) or fails it, `complete` schedules its handler and frees it at once,
// so a cancellation arriving afterwards cannot reach it.
struct sync_waiter : op_node
{
    sync_object* owner = nullptr; // whose cancel_waiter the cancellation calls
    unsigned char tag = 0;        // which of the owner's lists holds it

    // The owner takes it out and completes it as cancelled (or, for a condition waiter,
    // does what the condition decides).
    template <class Op>
    void on_cancel(Op&);
};

// What every primitive shares: its name for error messages, the loop it is bound to
// (asyncio's _LoopBoundMixin: the loop of first use), cancellation of its waiters. A bound
// primitive is linked in its loop's list: when the loop's io_context shuts down (destroyed
// with waiters pending), their waiters are freed without being invoked while the context
// can still take the work their handlers post on destruction.
class sync_object
{
public:
    explicit sync_object(const char* kind) noexcept
        : kind_(kind)
    {}
    sync_object(const sync_object&) = delete;
    sync_object& operator=(const sync_object&) = delete;

    // The slot handler of `w` fired: take it out and complete it as cancelled (or, for
    // a condition waiter, what the condition decides).
    virtual void cancel_waiter(sync_waiter* w) = 0;

    const char* kind() const noexcept { return kind_; }
    event_loop* bound_loop() const noexcept { return loop_; }

protected:
    ~sync_object();

    // For an operation's start: binds to `l` on first use, or says why it cannot run.
    boost::system::error_code bind_for_op(event_loop& l) noexcept
    {
        if (loop_ == &l) [[likely]]
            return {};
        if (l.is_closed())
            return error::loop_closed;
        if (loop_)
            return error::invalid_state;
        try {
            bind_slow(l);
        } catch (...) {
            return error::invalid_state;
        }
        return {};
    }

    // Binds to `l` on first use; throws invalid_state_error for another loop.
    void bind(event_loop& l)
    {
        if (loop_ != &l) [[unlikely]]
            bind_slow(l);
    }

    // For synchronous members: throws if called from another loop or thread.
    void check_thread() const
    {
        if (loop_ && current.loop != loop_) [[unlikely]]
            check_thread_slow();
    }

    // Frees the waiters without invoking them (the io_context is shutting down).
    virtual void abandon_waiters() noexcept = 0;
    // Posts operation_aborted to the waiters (the object is being destroyed).
    virtual void fail_waiters_on_destroy() noexcept = 0;

    // Call from the most derived destructor, while the waiter lists still exist.
    void unbind() noexcept;

    [[noreturn]] void throw_state(const char* what) const;

private:
    friend void abandon_primitives(sync_object*& head) noexcept;

    void bind_slow(event_loop& l);
    void check_thread_slow() const;
    void link(sync_object*& head) noexcept;
    void unlink(sync_object*& head) noexcept;

    const char* kind_;
    event_loop* loop_ = nullptr; // set while linked in the loop's list
    std::thread::id thread_{};
    sync_object* reg_prev_ = nullptr;
    sync_object* reg_next_ = nullptr;
};

// A primitive whose waiters wait in one FIFO (all but the queues): a cancelled waiter
// leaves it and completes with operation_aborted.
class fifo_sync_object : public sync_object
{
public:
    using sync_object::sync_object;

    void cancel_waiter(sync_waiter* w) override
    {
        waiters_.remove(w);
        w->complete(boost::asio::error::operation_aborted, delivery::posted);
    }

protected:
    ~fifo_sync_object() = default;

    void abandon_waiters() noexcept override { waiters_.destroy_all(); }
    void fail_waiters_on_destroy() noexcept override
    {
        waiters_.complete_all(boost::asio::error::operation_aborted, delivery::posted);
    }

    counted_op_list waiters_;
};

inline void sync_object::link(sync_object*& head) noexcept
{
    reg_prev_ = nullptr;
    reg_next_ = head;
    if (head)
        head->reg_prev_ = this;
    head = this;
}

inline void sync_object::unlink(sync_object*& head) noexcept
{
    if (reg_prev_)
        reg_prev_->reg_next_ = reg_next_;
    else
        head = reg_next_;
    if (reg_next_)
        reg_next_->reg_prev_ = reg_prev_;
    reg_prev_ = reg_next_ = nullptr;
}

// The loop's io_context shuts down: every primitive bound to it lets go of the loop and
// frees its waiters without invoking them.
inline void abandon_primitives(sync_object*& head) noexcept
{
    while (sync_object* p = head) {
        p->unlink(head);
        p->loop_ = nullptr;
        p->abandon_waiters();
    }
}

inline void sync_object::bind_slow(event_loop& l)
{
    if (loop_) {
        throw invalid_state_error(std::string(kind_) +
                                  " is bound to another event loop (primitives are loop-local: "
                                  "use it only from the loop of its first use)");
    }
    if (l.is_closed())
        throw invalid_state_error(std::string(kind_) + ": the event loop is closed");
    link(loop_primitives(l));
    loop_ = &l;
    thread_ = std::this_thread::get_id();
}

inline void sync_object::check_thread_slow() const
{
    // No running loop here: plain Asio code on the loop's own thread is fine.
    if (current.loop == nullptr && std::this_thread::get_id() == thread_)
        return;
    throw invalid_state_error(std::string(kind_) +
                              " used from another event loop or thread (primitives are "
                              "loop-local: use call_soon_threadsafe to reach its loop)");
}

inline void sync_object::throw_state(const char* what) const
{
    throw invalid_state_error(std::string(kind_) + ": " + what);
}

inline void sync_object::unbind() noexcept
{
    if (loop_) {
        unlink(loop_primitives(*loop_));
        if (!loop_->is_closed())
            fail_waiters_on_destroy();
        else
            abandon_waiters();
        loop_ = nullptr;
    }
}

inline sync_object::~sync_object() = default;

// Suspends an operation of `owner`: queues a `Waiter` (made from `a...`) holding the
// handler at the back of `list` (`tag` says which of the owner's lists it is) and installs
// its cancellation handler; `what` on `owner` is what the awaiting task is shown to await.
template <class Waiter, class Completion, class Handler, class... A>
void enqueue_waiter(sync_object& owner, counted_op_list& list, unsigned char tag,
                    const await_desc& what, event_loop& loop, Handler&& handler, A&&... a)
{
    using handler_type = std::decay_t<Handler>;
    auto* op = new suspended_op<handler_type, Waiter, Completion>(
        loop, handler_type(static_cast<Handler&&>(handler)), static_cast<A&&>(a)...);
    op->owner = &owner;
    op->tag = tag;
    list.push_back(op);
    op->arm(what, &owner);
}

template <class Op>
void sync_waiter::on_cancel(Op&)
{
    // The owner completes the waiter, which clears the slot and destroys the handler
    // running this: nothing may touch it afterwards.
    owner->cancel_waiter(this);
}

// Waiter data for operations that complete with an error_code only.
struct plain_waiter : sync_waiter
{};

} // namespace boost::tulip::detail

#endif
