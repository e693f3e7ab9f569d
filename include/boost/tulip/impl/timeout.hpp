//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_TIMEOUT_HPP
#define BOOST_TULIP_IMPL_TIMEOUT_HPP

#include <boost/tulip/detail/combinator.hpp>
#include <boost/tulip/detail/shielded_wait.hpp>
#include <boost/tulip/detail/task_base.hpp>
#include <boost/tulip/detail/thread_state.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <exception>
#include <utility>

namespace boost::tulip {
namespace detail {

// The bookkeeping of one `timeout` around an await in the current task (asyncio's
// Timeout context manager): a loop timer that cancels the task, and the cancelling()
// count on entry, to tell its own expiry from anyone else's cancellation.
class timeout_scope
{
public:
    timeout_scope(task_base* t, clock::time_point when)
        : task_(t)
    {
        entry_ = task_->cancelling();
        entry_pending_ = task_->cancel_pending();
        // A deadline already passed fires on the next loop iteration (asyncio: call_soon).
        timer_ = task_->loop().call_at(when, [this] { expire(); });
    }
    ~timeout_scope() { timer_.cancel(); }
    timeout_scope(const timeout_scope&) = delete;
    timeout_scope& operator=(const timeout_scope&) = delete;

    // Leaves the scope once the awaitable is done, with `e` (null if it returned). True
    // if `e` is the cancellation caused by this scope's own expiry.
    bool leave(const std::exception_ptr& e) noexcept
    {
        timer_.cancel(); // an expiry after the work finished is ignored
        if (!expired_)
            return false;
        expired_ = false;
        if (task_->uncancel() > entry_)
            return false; // someone else asked to cancel too: theirs to handle
        // Only this expiry was requested and it was never delivered (the work finished
        // while the task was runnable): nothing is owed to anyone.
        if (!entry_pending_)
            task_->take_pending_cancel();
        return e && is_cancellation(e);
    }

private:
    void expire()
    {
        expired_ = true;
        task_->cancel({});
    }

    task_base* task_;
    timer_handle timer_;
    int entry_ = 0;
    bool entry_pending_ = false;
    bool expired_ = false;
};

// Runs `a` under a timeout_scope. Returns the value (`std::monostate` for void), or
// nothing on its own expiry; rethrows anything else. The task to cancel is the one whose
// coroutine awaits (found from its executor); a plain Asio coroutine gets a task of its
// own for the purpose.
template <class T>
awaitable<std::optional<value_or_monostate<T>>> run_with_deadline(clock::time_point when,
                                                                  awaitable<T> a, const char* what)
{
    auto ex = co_await boost::asio::this_coro::executor;
    task_base* self = task_of_executor(ex);
    if (!self)
        co_return co_await in_own_task(ex, run_with_deadline(when, std::move(a), what), what);
    timeout_scope scope(self, when);
    std::optional<value_or_monostate<T>> v;
    std::exception_ptr e;
    try {
        if constexpr (std::is_void_v<T>) {
            co_await std::move(a);
            v.emplace();
        } else {
            v.emplace(co_await std::move(a));
        }
    } catch (...) {
        e = std::current_exception();
    }
    if (scope.leave(e))
        co_return std::nullopt;
    if (e)
        std::rethrow_exception(e);
    co_return v;
}

template <class T>
awaitable<T> timeout_impl(clock::time_point when, awaitable<T> a, const char* what)
{
    auto v = co_await run_with_deadline(when, std::move(a), what);
    if (!v)
        throw timeout_error();
    if constexpr (!std::is_void_v<T>)
        co_return std::move(*v);
}

template <class T>
awaitable<T> wait_for_task(task<T> t, clock::time_point when)
{
    std::optional<std::optional<value_or_monostate<T>>> v;
    std::exception_ptr e;
    try {
        v.emplace(co_await run_with_deadline(when, t.wait(), "wait_for"));
    } catch (...) {
        e = std::current_exception();
    }
    if (!t.done()) {
        // The wait ended without the task being done (a cancellation that came while
        // the caller was runnable interrupts the wait only): cancel it and let it finish.
        t.cancel();
        co_await wait_until_done(boost::intrusive_ptr<future_base>(t.get_state()));
    }
    if (e)
        std::rethrow_exception(e);
    if (!*v)
        throw timeout_error();
    if constexpr (!std::is_void_v<T>)
        co_return std::move(**v);
}

} // namespace detail

template <detail::task_or_awaitable A>
awaitable<detail::value_type_of<A>> timeout(duration d, A&& a)
{
    return detail::timeout_impl(detail::deadline_after(d),
                                detail::wait_or_await(static_cast<A&&>(a)), "timeout");
}

template <detail::task_or_awaitable A>
awaitable<detail::value_type_of<A>> timeout_at(clock::time_point when, A&& a)
{
    return detail::timeout_impl(when, detail::wait_or_await(static_cast<A&&>(a)), "timeout_at");
}

template <detail::awaitable_operation A>
awaitable<detail::operation_value_t<A>> wait_for(A&& a, duration d)
{
    return detail::timeout_impl(detail::deadline_after(d), detail::as_awaitable(std::move(a)),
                                "wait_for");
}

template <class T>
awaitable<T> wait_for(task<T> t, duration d)
{
    return detail::wait_for_task(std::move(t), detail::deadline_after(d));
}

template <detail::task_or_awaitable A>
awaitable<std::optional<detail::value_or_monostate<detail::value_type_of<A>>>>
move_on_after(duration d, A&& a)
{
    return detail::run_with_deadline(detail::deadline_after(d),
                                     detail::wait_or_await(static_cast<A&&>(a)), "move_on_after");
}

template <detail::task_or_awaitable A>
awaitable<std::optional<detail::value_or_monostate<detail::value_type_of<A>>>>
move_on_at(clock::time_point when, A&& a)
{
    return detail::run_with_deadline(when, detail::wait_or_await(static_cast<A&&>(a)),
                                     "move_on_at");
}

} // namespace boost::tulip

#endif
