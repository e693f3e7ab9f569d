//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_GENERATOR_HPP
#define BOOST_TULIP_GENERATOR_HPP

#include <boost/tulip/detail/awaitable_traits.hpp>
#include <boost/tulip/detail/generator_frame.hpp>
#include <boost/tulip/error.hpp>
#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <concepts>
#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <vector>

namespace boost::tulip {

namespace detail {
// The body behind async_generator's converting constructor (impl/generator.hpp).
template <class T, class Send, class U, class S>
async_generator<T, Send> convert_values(async_generator<U, S> source);
} // namespace detail

// tag::outline[]
/** Thrown into an async generator's body at its `co_yield` by `aclose()` (Python's
    GeneratorExit).

    Deliberately not a `std::exception` (GeneratorExit is not an `Exception` either): a
    body's `catch (const std::exception&)` does not swallow it. A body may catch it (or
    `catch (...)`), leave the handler, `co_await` its cleanup and rethrow it, or simply
    return; yielding again is an error.
*/
class generator_exit
{
public:
    const char* what() const noexcept { return "generator_exit"; }
};

/** An asynchronous generator (PEP 525): a coroutine whose body may `co_yield` values of
    type `T` and `co_await` everything an `asio::awaitable` body can (Tulip operations,
    Asio operations with `use_awaitable` or `deferred`, other `awaitable<U>`s).

    @code
    async_generator<int> ticker(duration delay, int to)
    {
        for (int i = 0; i < to; ++i) { co_yield i; co_await sleep(delay); }
    }
    auto gen = ticker(10ms, 5);
    while (auto v = co_await gen.next()) use(*v);
    @endcode

    - Lazy: the body starts at the first `next()` (or `asend`, `athrow`, `aclose`).
    - The body runs in the consumer: each step runs on the awaiting coroutine's thread of
      execution, so it sees the consumer task's context variables and executor, and
      cancelling the consumer while it awaits `next()` delivers the cancellation inside
      the body at its current suspension point.
    - One step at a time: `next()`, `asend()`, `athrow()` or `aclose()` while another is in
      progress throws `invalid_state_error` (asyncio's "already running").
    - The handle is move-only and owns the body. Dropping a generator suspended at a
      `co_yield` has the loop close it (asyncio's finalizer hook: a task runs `aclose()`,
      errors go to the loop's exception handler); `run()` closes those still left with
      `event_loop::shutdown_asyncgens()`. Destructors of the body's locals always run.

    `Send` (default `T`) is the type `asend()` takes: a `co_yield` expression gives
    `std::optional<Send>`, the sent value, or empty after `next()` (a body that does not
    use it just ignores it). `Send = void` drops `asend()` and the slot for the value.
    `T` must be an object type.
*/
template <class T, class Send = T>
class [[nodiscard]] async_generator
{
public:
    using value_type = T;
    using send_type = Send;
    using promise_type = detail::generator_promise<T, Send>;

    /// An empty handle (for assigning to later).
    async_generator() noexcept = default;
    async_generator(async_generator&& other) noexcept;
    async_generator& operator=(async_generator&& other) noexcept;

    /** Takes over a generator of `U` and yields its values converted to `T`, so that
        `async_generator<any_task> g = as_completed(tasks_of_int);` compiles. The
        conversion is one more generator layer around `other`; closing this one closes
        `other`. An empty `other` gives an empty handle. */
    template <class U, class S>
        requires(!std::same_as<async_generator<U, S>, async_generator> && std::convertible_to<U, T>)
    async_generator(async_generator<U, S>&& other)
    {
        if (other)
            *this = detail::convert_values<T, Send>(std::move(other));
    }
    /// Drops the body: see the class comment for a generator suspended at a `co_yield`.
    ~async_generator();

    /** Runs the body to its next `co_yield` (asyncio `anext`).
        @returns the yielded value, or an empty optional once the body has finished (and
                 on every later call).
        @throws what the body threw (once; later calls return empty).
        @throws invalid_state_error if another step is in progress. */
    [[nodiscard]] awaitable<std::optional<T>> next();

    /** Resumes the body with `v` as the value of its `co_yield` expression, and runs it to
        the next one (asyncio `asend`).
        @throws invalid_state_error if the body has not started yet (start it with
                `next()`: there is no `co_yield` to receive the value), or if another step
                is in progress. */
    template <class S = Send>
        requires(!std::is_void_v<S>)
    [[nodiscard]] awaitable<std::optional<T>> asend(std::type_identity_t<S> v);

    /** Throws `e` into the body at its `co_yield`, and runs it to the next one (asyncio
        `athrow`): returns the value it yields next, or empty if it then finishes.
        If the body has not started, it never will (it is finished) and `e` is rethrown;
        on a finished generator `e` is rethrown too. */
    [[nodiscard]] awaitable<std::optional<T>> athrow(std::exception_ptr e);
    /// `athrow(std::make_exception_ptr(e))`.
    template <class E>
        requires(!std::same_as<std::decay_t<E>, std::exception_ptr>)
    [[nodiscard]] awaitable<std::optional<T>> athrow(E e);

    /** Closes the generator (asyncio `aclose`): if it is suspended at a `co_yield`,
        throws `generator_exit` into the body there and runs it to its end. Returns
        normally if the body then returns or throws `generator_exit`.
        A body that has not started never will; a finished one is left alone.
        @throws what the body threw otherwise.
        @throws invalid_state_error if the body yields again (it "ignored
                generator_exit"): the `co_yield` itself throws that error inside the
                body, so the body unwinds and its locals are destroyed; a body that
                swallows it and yields once more is stopped at that second `co_yield`
                (finished; its locals go with the last handle); or if another step is
                in progress. */
    [[nodiscard]] awaitable<void> aclose();

    /** `next()` as a universal Asio asynchronous operation, for plain Asio code.

        The body runs on a new coroutine thread (`co_spawn`) on the handler's associated
        executor, or on the running loop's executor for a handler with none.

        @par Completion Signature
        `void(std::exception_ptr, std::optional<T>)`: the body's exception, or the
        next value (empty once exhausted). The default token is `use_awaitable` (an
        operation with this signature cannot be awaited through `deferred` in Asio 1.26).

        @par Per-Operation Cancellation
        As `co_spawn`: the handler's cancellation slot is connected to the body's thread,
        so `terminal`, `partial` and `total` reach the operation the body is suspended in.
        As inside a task (and unlike a plain Asio coroutine), later `co_await`s of the
        body are not failed by that cancellation, so its cleanup can await.

        @throws no_running_loop if the handler has no associated executor and no loop is
                running.
    */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(std::exception_ptr, std::optional<T>))
                  CompletionToken = boost::asio::use_awaitable_t<>>
    auto async_next(CompletionToken&& token = CompletionToken{});

    /// Whether the body has finished (returned, thrown or closed). False if empty.
    bool done() const noexcept;
    /// Whether a step is in progress (asyncio `ag_running`).
    bool running() const noexcept;
    /// Whether this handle refers to a generator.
    explicit operator bool() const noexcept { return p_ != nullptr; }
    // end::outline[]

private:
    friend promise_type;
    explicit async_generator(promise_type* p) noexcept
        : p_(p)
    {}
    detail::generator_ref<promise_type> ref() const;

    promise_type* p_ = nullptr;
    // tag::outline[]
};

/** Runs `gen` to its end and returns every value it yields (PEP 530's
    `[x async for x in gen]`). If awaiting is cancelled or the body throws, the exception
    propagates and what was collected is lost. */
template <class T, class Send>
[[nodiscard]] awaitable<std::vector<T>> collect(async_generator<T, Send> gen);

/** The values of `gen` for which `pred(value)` is true (`[x async for x in gen if
    pred(x)]`). `pred` takes `const T&` and returns `bool` or `awaitable<bool>`.
    Closing the result closes `gen`. */
template <class T, class Send, class Pred>
[[nodiscard]] async_generator<T> filter(async_generator<T, Send> gen, Pred pred);

/** `f(value)` for each value of `gen` (`[f(x) async for x in gen]`). `f` takes `T&&`
    and returns `U` or `awaitable<U>`; the result yields `U`. Closing the result closes
    `gen`. */
template <class T, class Send, class F>
[[nodiscard]] auto transform(async_generator<T, Send> gen, F f);

/** The first `n` values of `gen`; then `gen` is closed (its cleanup runs before the
    result finishes). */
template <class T, class Send>
[[nodiscard]] async_generator<T> take(async_generator<T, Send> gen, std::size_t n);
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/generator.hpp>

#endif
