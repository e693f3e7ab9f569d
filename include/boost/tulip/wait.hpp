//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_WAIT_HPP
#define BOOST_TULIP_WAIT_HPP

#include <boost/tulip/detail/combinator.hpp>
#include <boost/tulip/task.hpp>

#include <boost/assert/source_location.hpp>

#include <optional>
#include <vector>

namespace boost::tulip {

// tag::outline[]
/// When `wait` returns (asyncio's FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED).
enum class return_when
{
    /// As soon as any task is done (finished, failed or cancelled).
    first_completed,
    /// As soon as any task fails with an exception that is not a cancellation, or when
    /// all are done.
    first_exception,
    /// When every task is done.
    all_completed
};

/// What `wait` returns: the tasks that are done and those still pending, each in the
/// order they were given.
template <class Task = any_task>
struct wait_result
{
    std::vector<Task> done;
    std::vector<Task> pending;
};

/** Waits for tasks until `when` is met or `timeout` passes (asyncio `wait`).

    Nothing is cancelled: on timeout the unfinished tasks are returned in `pending` and
    keep running. Results and exceptions stay in the tasks (`result()`, `exception()`);
    `first_exception` marks the exception it saw retrieved. An empty vector completes at
    once with an empty result. The deadline is taken when `wait` is called.

    @par Completion Signature
    Awaited with `co_await`: returns the `wait_result`; never throws a task's exception.

    @par Per-Operation Cancellation
    Cancelling the awaiting task makes it throw a `cancelled_error` at once; the tasks
    are left running (asyncio).

    @throws invalid_state_error for an empty handle or a task of another loop.
*/
template <class T>
[[nodiscard]] awaitable<wait_result<task<T>>> wait(std::vector<task<T>> tasks,
                                                   return_when when = return_when::all_completed,
                                                   std::optional<duration> timeout = std::nullopt);

/// `wait` over awaitables (or asynchronous operations of one type, such as
/// `tulip::sleep(1s)`), each scheduled as a task when `wait` is called; the tasks are
/// returned in the result.
template <detail::awaitable_operation A>
[[nodiscard]] awaitable<wait_result<task<detail::operation_value_t<A>>>>
wait(std::vector<A> children, return_when when = return_when::all_completed,
     std::optional<duration> timeout = std::nullopt,
     const boost::source_location& where = BOOST_CURRENT_LOCATION);

/** Waits for a task without letting a cancellation of the waiter reach it (asyncio
    `shield`).

    If the awaiting task is cancelled, it gets a `cancelled_error` at once while the
    inner task keeps running: the loop still holds it, and `run()` (and `runner::close`)
    do not cancel a shielded task at shutdown but wait for it to finish. A shielded task
    cancelled directly (`t.cancel()`) still ends cancelled, and its awaiter gets that
    cancellation. An exception of an orphaned shielded task that no one retrieves is
    reported to the loop's exception handler, as for any task.

    @par Completion Signature
    Awaited with `co_await`: returns the task's result or rethrows its exception.

    @par Per-Operation Cancellation
    `terminal`, `partial` and `total` end the wait with `cancelled_error` (the awaiter's
    cancel message); the task is not touched.
*/
template <class T>
[[nodiscard]] awaitable<T> shield(task<T> t);

/** Schedules `work` as a task on the running loop, then `shield`s it. `work` is an
    `awaitable<T>` or an asynchronous operation with a completion token still to give
    (`q.put(x)`, `tulip::sleep(1s)`, `sock.async_write_some(buf, asio::deferred)`), as an
    rvalue; `T` is what `co_await` on it gives. */
template <detail::awaitable_operation A>
[[nodiscard]] awaitable<detail::operation_value_t<A>>
shield(A&& work, const boost::source_location& where = BOOST_CURRENT_LOCATION);
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/wait.hpp>

#endif
