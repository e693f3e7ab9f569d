//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_TIMEOUT_HPP
#define BOOST_TULIP_TIMEOUT_HPP

#include <boost/tulip/detail/combinator.hpp>
#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/task.hpp>

#include <optional>
#include <type_traits>
#include <variant>

namespace boost::tulip {

// tag::outline[]
/** Runs `a` in the calling task with a deadline of `d` from now (asyncio `timeout`).

    `a` is what one would `co_await`, as an rvalue: an `awaitable<T>`, or an asynchronous
    operation with its completion token still to give, such as a Tulip operation with its
    default token (`tulip::sleep(10s)`, `ev.wait()`, `q.get()`) or an Asio one made with
    `asio::deferred` (`sock.async_read_some(buf, asio::deferred)`); `T` is then what
    `co_await` on it gives (an `error_code` is thrown as `boost::system::system_error`, as
    `asio::use_awaitable` does). A `task<T>` (any value category) is awaited with `t.wait()`: on
    expiry the wait is cancelled, which cancels the task, as awaiting a task does.

    No task is created: `a` runs inside the current task. The deadline is taken when
    `timeout` is called. When it passes before `a` is done, the current task is
    cancelled (`cancel()`); when that cancellation comes out of `a`, it is undone
    (`uncancel()`) and turned into `timeout_error`, but only if the task's `cancelling()`
    count is then back where it was on entry, i.e. no one else asked to cancel the task
    meanwhile. A foreign cancellation (an outer `timeout`, a `task_group`, a direct
    `cancel()`) is thrown on untouched. If `a` finishes (or swallows the cancellation)
    despite the expiry, its result is returned. A deadline already passed on entry
    cancels `a` at its first suspension.

    @par Completion Signature
    Awaited with `co_await`: returns what `a` returns, rethrows what it throws, or
    throws `timeout_error` on its own expiry.

    @par Per-Operation Cancellation
    A cancellation of the calling task reaches `a` as usual and is rethrown unchanged.

    In a plain `asio::co_spawn` coroutine (no Tulip task), `a` runs as a task of its own
    on the coroutine's executor, which the coroutine's cancellation slot cancels.

    @throws invalid_state_error (when awaited) in a coroutine whose executor does not
    belong to an io_context.
*/
template <detail::task_or_awaitable A>
[[nodiscard]] awaitable<detail::value_type_of<A>> timeout(duration d, A&& a);

/// `timeout` with an absolute deadline on the loop's clock (asyncio `timeout_at`).
template <detail::task_or_awaitable A>
[[nodiscard]] awaitable<detail::value_type_of<A>> timeout_at(clock::time_point when, A&& a);

/** Waits for `a` for at most `d` (asyncio `wait_for`).

    It is `timeout(d, a)`, for an awaitable or an operation as there: `a` runs in the
    calling task, and `timeout_error`
    is thrown only after `a` has finished unwinding from the cancellation, so a
    cancellation of the calling task is never hidden (cpython#86296).

    @par Completion Signature
    Awaited with `co_await`: returns what `a` returns, or throws `timeout_error`.

    @par Per-Operation Cancellation
    As `timeout`.
*/
template <detail::awaitable_operation A>
[[nodiscard]] awaitable<detail::operation_value_t<A>> wait_for(A&& a, duration d);

/** Waits for a task for at most `d` (asyncio `wait_for(task)`): on expiry the task is
    cancelled, and `timeout_error` is thrown once the task is done. If the task
    finishes despite the cancellation, its result is returned. A cancellation of the
    calling task cancels the task too (as awaiting a task does) and is rethrown. */
template <class T>
[[nodiscard]] awaitable<T> wait_for(task<T> t, duration d);

/** Runs `a` in the calling task; if the deadline `d` from now passes first, `a` is
    cancelled and the result is empty (Trio's `move_on_after`). Same rules as
    `timeout`: only its own expiry is absorbed, a foreign cancellation propagates.
    `a` is an awaitable, an operation or a task, as for `timeout`.
    For `T = void` the result is `std::optional<std::monostate>`, which is engaged if `a`
    completed (so `if (auto done = co_await move_on_after(1s, work()))` reads the same
    for both; with g++ 12, do not put the `co_await` itself in the condition: that
    crashes when it throws).

    @par Completion Signature
    Awaited with `co_await`: `std::optional` holding what `a` returned, empty on expiry.

    @par Per-Operation Cancellation
    As `timeout`.
*/
template <detail::task_or_awaitable A>
[[nodiscard]] awaitable<std::optional<detail::value_or_monostate<detail::value_type_of<A>>>>
move_on_after(duration d, A&& a);

/// `move_on_after` with an absolute deadline on the loop's clock (Trio's `move_on_at`).
template <detail::task_or_awaitable A>
[[nodiscard]] awaitable<std::optional<detail::value_or_monostate<detail::value_type_of<A>>>>
move_on_at(clock::time_point when, A&& a);
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/timeout.hpp>

#endif
