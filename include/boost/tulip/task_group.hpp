//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_TASK_GROUP_HPP
#define BOOST_TULIP_TASK_GROUP_HPP

#include <boost/tulip/detail/awaitable_traits.hpp>
#include <boost/tulip/detail/task_group_state.hpp>
#include <boost/tulip/exception_group.hpp>
#include <boost/tulip/future.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/assert/source_location.hpp>

#include <concepts>
#include <cstddef>
#include <memory>
#include <type_traits>

namespace boost::tulip {

class task_group;

namespace detail {
struct task_group_access;
} // namespace detail

// tag::outline[]
/** Options of `with_task_group`.

    Trivially copyable, like `task_options` (g++ 12 destroys an aggregate temporary
    twice in a full-expression that also contains a `co_await`).
*/
struct task_group_options
{
    /// At most this many children run at once; the others wait, in creation order, for
    /// a running child to finish. 0: no limit. `call_later` callbacks are not limited.
    std::size_t max_concurrency = 0;
};

static_assert(std::is_trivially_copyable_v<task_group_options>);

/// A callable that `with_task_group` can run as its body: `body(tg)` returns an
/// `awaitable<R>` (`R` may be `void`).
template <class Body>
concept task_group_body = std::invocable<Body&, task_group&> &&
    std::same_as<std::invoke_result_t<Body&, task_group&>,
                 awaitable<detail::awaitable_value_t<std::invoke_result_t<Body&, task_group&>>>>;

/** The handle of a running task group (asyncio.TaskGroup), given to the body of
    `with_task_group`.

    It is a cheap shared handle: copies (e.g. captured by value in a child) refer to the
    same group, and using one after the group has finished throws
    `invalid_state_error` instead of touching freed memory. Loop thread only.
*/
class task_group
{
public:
    /** Starts `coro` as a child task of the group (a Tulip task like any other: it can be
        awaited, cancelled and named, and appears in task trees).

        `coro` is an `awaitable<T>`, or an asynchronous operation with its completion
        token still to give (`q.get()`, `tulip::sleep(1s)`, `timer.async_wait(asio::deferred)`),
        as an rvalue; the task's `T` is what `co_await` on it gives.

        The group waits for it before `with_task_group` returns. If it fails with an
        exception that is not a cancellation, the group cancels every other child and the
        body, and `with_task_group` throws an `exception_group` with that exception. A
        child that ends cancelled is not an error.

        With `max_concurrency` N > 0, if N children are running, the new task waits
        (FIFO) for a slot before `coro` starts; it counts in `size()` meanwhile, and if
        it is cancelled before getting a slot, `coro` never runs.

        @throws invalid_state_error if the group is shutting down (a child failed, the
        body failed or was cancelled, or `cancel()` was called) or has finished.
    */
    template <detail::awaitable_operation A>
    task<detail::operation_value_t<A>>
    create_task(A&& coro, task_options opts = {},
                const boost::source_location& where = BOOST_CURRENT_LOCATION);

    /** Calls `f()` after `delay`, within the group's lifetime (asyncio `loop.call_later`
        with the group's guarantees).

        The call runs in a child task of its own, named "call_later" and never limited by
        `max_concurrency`, so:
        - the group waits for it: `with_task_group` does not return before the callback
          has run (or was cancelled);
        - `cancel()` on the returned task, `task_group::cancel()` and a failure in the
          group cancel it before it runs;
        - if `f()` throws, it is a failing child: the siblings and the body are cancelled
          and the exception ends up in the `exception_group`.
        If `f()` returns an `awaitable`, it is awaited in that task.

        @throws invalid_state_error like `create_task`.
    */
    template <class F>
        requires std::invocable<F&>
            any_task call_later(duration delay, F f,
                                const boost::source_location& where = BOOST_CURRENT_LOCATION);

    /** Stops the group without an error (beyond asyncio 3.13; cpython#108951): cancels
        every child not yet done and the body if it is still running, and makes later
        `create_task` calls throw. `with_task_group` then returns normally once
        everything has finished, unless a child had already failed (then it throws the
        `exception_group` as usual), or the task is also being cancelled from outside
        (then the cancellation propagates). Does nothing once the group is finished.
        May be called from the body, a child, or any code on the loop's thread. */
    void cancel();

    /// The number of children not yet done (including those waiting for a slot and
    /// pending `call_later` calls).
    std::size_t size() const noexcept;

    /// True once `cancel()` was called, or a child or the body failed: no new children.
    bool shutting_down() const noexcept;

private:
    friend struct detail::task_group_access;

    explicit task_group(std::shared_ptr<detail::task_group_state> st) noexcept
        : st_(std::move(st))
    {}

    std::shared_ptr<detail::task_group_state> st_;
};

/** Runs `body(tg)` in the calling task with a new task group `tg`, and returns when the
    body and every child of the group are done (`async with asyncio.TaskGroup() as tg`,
    Python 3.11-3.13 semantics).

    - The first child that fails with an exception that is not a cancellation cancels
      the other children and the body (the calling task is cancelled, and the group
      undoes that cancel when it exits, so `current_task().cancelling()` is back where it
      was). Then an `exception_group` ("unhandled errors in a task group") is thrown
      holding every non-cancellation exception: the children's in the order they
      finished, then the body's own.
    - If the body throws, the children are cancelled and the exception is in the group.
    - Cancelling the calling task cancels the body and every child, and the cancellation
      propagates out once they are done; it is never swallowed, also with groups nested
      in each other or in `timeout` (cpython#116720, #155433): if an `exception_group` is
      thrown while such a cancellation is pending, the cancellation is re-armed and
      arrives at the task's next suspension.
    - `tg.cancel()` ends the group without an error. Then `with_task_group` returns the
      body's value if it returned one before it was cancelled, else `R{}` (so a non-void
      `R` must be default constructible; use `std::optional<T>` to tell the cases apart).

    @par Completion Signature
    An `awaitable<R>`: `co_await` it in a Tulip task, or in a plain `asio::co_spawn`
    coroutine, where the group runs in a task of its own on the coroutine's executor
    (the coroutine's cancellation slot cancels it). It throws `invalid_state_error` in a
    coroutine whose executor does not belong to an io_context.

    @par Per-Operation Cancellation
    The awaitable runs in the calling task: cancelling that task cancels the group as
    described above.
*/
template <class Body>
[[nodiscard]] auto with_task_group(Body body, task_group_options opts = {})
    -> awaitable<detail::awaitable_value_t<std::invoke_result_t<Body&, task_group&>>>
    requires task_group_body<Body>;
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/task_group.hpp>

#endif
