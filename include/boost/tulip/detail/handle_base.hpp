//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_HANDLE_BASE_HPP
#define BOOST_TULIP_DETAIL_HANDLE_BASE_HPP

#include <boost/tulip/detail/wait_op.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>

#include <concepts>
#include <type_traits>

namespace boost::tulip {

/// Identifies a done callback, for `remove_done_callback`.
using callback_id = std::uint64_t;

namespace detail {

template <class T>
struct wait_signature_of
{
    using type = void(std::exception_ptr, T);
};
template <>
struct wait_signature_of<void>
{
    using type = void(std::exception_ptr);
};
template <class T>
using wait_signature = typename wait_signature_of<T>::type;

// What future<T> and task<T> share: the asyncio.Future API over a shared state.
// State is the concrete state type (future_state<T> or task_state<T>).
template <class T, class State, class Self>
class handle_base
{
public:
    // tag::outline[]
    /// Whether the outcome is set (a result, an exception, or cancelled).
    bool done() const noexcept { return st_->done(); }
    /// Whether it ended cancelled.
    bool cancelled() const noexcept { return st_->cancelled(); }

    /** The result. For a move-only `T` it can be taken once.
        @throws invalid_state_error if not done yet (or a move-only result was taken).
        @throws cancelled_error if cancelled (with the cancel message).
        @throws the stored exception if it failed.
    */
    T result() const;

    /** The exception it failed with, or null if it succeeded.
        @throws invalid_state_error if not done yet; cancelled_error if cancelled.
    */
    std::exception_ptr exception() const { return st_->exception(); }

    /** Calls `f(handle)` (or `f()`) on a later loop iteration once done, in the context
        current now. If already done, it is scheduled at once. Returns an id for
        `remove_done_callback`. */
    template <class F>
    callback_id add_done_callback(F f) const;

    /// Removes every done callback added with `id`; returns how many were removed.
    std::size_t remove_done_callback(callback_id id) const noexcept
    {
        return st_->remove_done_callback(id);
    }

    /// The loop this belongs to. @throws invalid_state_error if that loop is gone.
    event_loop& get_loop() const { return st_->loop(); }

    /** Waits until done (asyncio `await fut`).

        @par Completion Signature
        `void(std::exception_ptr, T)` (`void(std::exception_ptr)` for `T = void`): the
        exception (a `cancelled_error` if cancelled), else the result. `T` must be default
        constructible here; `wait()` has no such need.

        @par Per-Operation Cancellation
        `terminal`, `partial` and `total`: cancels what is awaited (asyncio's rule: a
        future is cancelled at once, a task is asked to cancel); the operation then
        completes with its outcome.
    */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(wait_signature<T>)
                  CompletionToken = boost::asio::deferred_t>
    auto async_wait(CompletionToken&& token = CompletionToken{}) const;

    /** `co_await h.wait()` returns the result or rethrows (asyncio `await`), with the
        cancellation rule of `async_wait`. */
    boost::asio::awaitable<T> wait() const;

    /// False for an empty handle.
    explicit operator bool() const noexcept { return st_ != nullptr; }
    /// Whether two handles refer to the same task or future.
    friend bool operator==(const handle_base& a, const handle_base& b) noexcept
    {
        return a.st_ == b.st_;
    }
    // end::outline[]

    /// The shared state, for library code.
    future_base* get_state() const noexcept { return st_.get(); }

protected:
    handle_base() noexcept = default;
    explicit handle_base(boost::intrusive_ptr<future_base> st) noexcept
        : st_(std::move(st))
    {}

    State& state() const noexcept { return static_cast<State&>(*st_); }

    boost::intrusive_ptr<future_base> st_;
};

template <class T, class State, class Self>
T handle_base<T, State, Self>::result() const
{
    st_->check_result();
    if constexpr (!std::is_void_v<T>)
        return state().take();
}

template <class T, class State, class Self>
template <class F>
callback_id handle_base<T, State, Self>::add_done_callback(F f) const
{
    return st_->add_done_callback([f = std::move(f)](future_base& b) mutable {
        if constexpr (std::is_invocable_v<F&, const Self&>)
            f(Self(boost::intrusive_ptr<future_base>(&b)));
        else
            f();
    });
}

template <class T, class State, class Self>
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(wait_signature<T>) CompletionToken>
auto handle_base<T, State, Self>::async_wait(CompletionToken&& token) const
{
    return boost::asio::async_initiate<CompletionToken, wait_signature<T>>(
        initiate_wait<future_waiter, outcome_completion<T, State>>{}, token, st_, true);
}

template <class T, class State, class Self>
boost::asio::awaitable<T> handle_base<T, State, Self>::wait() const
{
    return wait_until_done<T, State>(frame_wait_room(st_));
}

} // namespace detail
} // namespace boost::tulip

#endif
