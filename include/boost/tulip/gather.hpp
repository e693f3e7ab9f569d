//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_GATHER_HPP
#define BOOST_TULIP_GATHER_HPP

#include <boost/tulip/detail/combinator.hpp>
#include <boost/tulip/task.hpp>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <exception>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

namespace boost::tulip {

// tag::outline[]
/// `T`, or `std::monostate` for `void`: what a `void` task contributes to a result.
template <class T>
using void_as_monostate_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

/// One slot of `gather_settled`: the value, or the exception (a `cancelled_error` for a
/// child that ended cancelled). `value()` rethrows the exception.
template <class T>
using settled_result = boost::system::result<T, std::exception_ptr>;

/** Runs tasks concurrently and waits for all of them (asyncio `gather`).

    Each argument is a `task<T>` (any value category), or work as an rvalue: an
    `awaitable<T>` or an asynchronous operation with a completion token still to give
    (`tulip::sleep(1s)`, `ev.wait()`, `timer.async_wait(asio::deferred)`), which is
    scheduled as a new task on the running loop when `gather` is called, in argument
    order. An operation's `T` is what `co_await` on it gives (an `error_code` is thrown
    as `boost::system::system_error`, as `asio::use_awaitable` does). The result is a
    tuple of the results in argument order, `void` as `std::monostate`. With no
    argument, it completes at once with an empty tuple.

    The first child to fail (or to end cancelled) makes the operation throw its exception
    at once; the other children keep running, and their own exceptions are marked
    retrieved (asyncio). Use `gather_settled` to get every outcome.

    @par Completion Signature
    Awaited with `co_await`: returns the tuple, or throws the first child's exception.

    @par Per-Operation Cancellation
    Cancelling the awaiting task cancels every child that is not done (a task is asked to
    cancel, with the awaiter's cancel message). The awaiter then gets a `cancelled_error`
    when the first child ends cancelled; if every child finishes anyway, it still gets
    the cancellation (asyncio).

    @throws invalid_state_error (from the call) for an empty handle or a task of another loop.
    @throws no_running_loop if an awaitable is passed outside a running loop.
*/
template <class... A>
    requires(detail::task_or_awaitable<A>&&...)
[[nodiscard]] awaitable<std::tuple<void_as_monostate_t<detail::value_type_of<A>>...>>
gather(A&&... children);

/** `gather` over a vector of tasks: the results in the vector's order (a `void` task
    gives `std::monostate`, so the size of the result is always the number of tasks).
    An empty vector completes at once. */
template <class T>
[[nodiscard]] awaitable<std::vector<void_as_monostate_t<T>>> gather(std::vector<task<T>> tasks);

/// `gather` over a vector of awaitables (or of asynchronous operations of one type), each
/// scheduled as a task when `gather` is called.
template <detail::awaitable_operation A>
[[nodiscard]] awaitable<std::vector<void_as_monostate_t<detail::operation_value_t<A>>>>
gather(std::vector<A> children, const boost::source_location& where = BOOST_CURRENT_LOCATION);

/** Waits for every child and returns every outcome (asyncio `gather(...,
    return_exceptions=True)`): a tuple of `settled_result<T>` in argument order. A child
    that failed gives its exception, one that ended cancelled a `cancelled_error`; the
    operation itself never throws a child's exception.

    @par Completion Signature
    Awaited with `co_await`: returns the tuple once every child is done.

    @par Per-Operation Cancellation
    Cancelling the awaiting task cancels every child that is not done; the awaiter gets
    a `cancelled_error` once every child is done.
*/
template <class... A>
    requires(detail::task_or_awaitable<A>&&...)
[[nodiscard]] awaitable<std::tuple<settled_result<detail::value_type_of<A>>...>>
gather_settled(A&&... children);

/// `gather_settled` over a vector of tasks.
template <class T>
[[nodiscard]] awaitable<std::vector<settled_result<T>>> gather_settled(std::vector<task<T>> tasks);

/// `gather_settled` over a vector of awaitables (or operations), each scheduled as a task.
template <detail::awaitable_operation A>
[[nodiscard]] awaitable<std::vector<settled_result<detail::operation_value_t<A>>>>
gather_settled(std::vector<A> children,
               const boost::source_location& where = BOOST_CURRENT_LOCATION);
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/gather.hpp>

#endif
