//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_ASYNC_WITH_HPP
#define BOOST_TULIP_ASYNC_WITH_HPP

#include <boost/tulip/detail/awaitable_traits.hpp>
#include <boost/tulip/exception_group.hpp>
#include <boost/tulip/generator.hpp>

#include <concepts>
#include <exception>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace boost::tulip {

namespace detail {
template <class X>
struct is_async_generator : std::false_type
{};
template <class T, class S>
struct is_async_generator<async_generator<T, S>> : std::true_type
{};
template <class F, class... Args>
using body_result_t = awaitable_value_t<std::invoke_result_t<F&, Args...>>;
} // namespace detail

// tag::outline[]
/// A body for `async_with`: called with `Arg&`, returns an `awaitable<R>`.
template <class F, class Arg>
concept async_with_body =
    std::invocable<F&, Arg&> && detail::is_awaitable_v<std::invoke_result_t<F&, Arg&>>;

/// An object with an awaitable `async_close()` or `aclose()` (`async with obj`,
/// `contextlib.aclosing`).
template <class C>
concept async_closeable = requires(C& c)
{
    c.async_close();
}
|| requires(C& c)
{
    c.aclose();
};

/** `async with cm() as v: body` for a context manager written as a generator
    (`@asynccontextmanager`).

    Runs `cm` to its single `co_yield`, calls `body(value)`, then resumes `cm` so that the
    code after its `co_yield` (the exit) runs. If the body throws, the exception is thrown
    into `cm` at its `co_yield` (`athrow`): it propagates unless `cm` handles it; if `cm`
    swallows it (catches and returns), `async_with` returns normally, with a
    value-initialised `R` when the body has a result.

    @code
    async_generator<session> login(std::string user)
    {
        session s = co_await connect(user);
        std::exception_ptr e;
        try { co_yield s; } catch (...) { e = std::current_exception(); }
        co_await s.logout();            // runs however the body ended
        if (e) std::rethrow_exception(e);
    }
    co_await async_with(login("ann"), [](session& s) -> awaitable<void> { ... });
    @endcode

    @returns what `body` returns.
    @throws invalid_state_error if `cm` finishes without yielding ("generator didn't
            yield"), or yields a second time ("generator didn't stop"; `cm` is then
            closed).
    @throws what the body or `cm` threw.
*/
template <class T, class S, class Body>
    requires async_with_body<Body, T>
[[nodiscard]] awaitable<detail::body_result_t<Body, T&>> async_with(async_generator<T, S> cm,
                                                                    Body body);

/** `async with obj: body` for an object with `async_close()` or `aclose()`: calls
    `body(obj)`, then awaits `obj.async_close()` (else `obj.aclose()`) whether the body
    returned or threw; the body's exception wins over a close error. `obj` is held by
    reference if it is an lvalue, else moved in. */
template <class Obj, class Body>
    requires(!detail::is_async_generator<std::remove_cvref_t<Obj>>::value)
&&async_closeable<std::remove_cvref_t<Obj>>&&
    async_with_body<Body, std::remove_reference_t<Obj>> [[nodiscard]] awaitable<
        detail::body_result_t<Body, std::remove_reference_t<Obj>&>>
    async_with(Obj&& obj, Body body);

/** `async with await A.create() as a: body`: awaits the factory's result, then as above.
    The object is not closed if the factory throws. */
template <class Obj, class Body>
    requires async_closeable<Obj> && async_with_body<Body, Obj>
[[nodiscard]] awaitable<detail::body_result_t<Body, Obj&>> async_with(awaitable<Obj> factory,
                                                                      Body body);

/** A stack of asynchronous exits, unwound in reverse order by `aclose()`
    (`contextlib.AsyncExitStack`).

    Every exit runs even when earlier ones throw. After unwinding, `aclose()` rethrows the
    only exception as itself, or, when several exits threw, an `exception_group` holding
    them all in the order they were raised. Unlike Python, an exception is not passed on
    to the exits that run after it: each context is exited as if its body succeeded.
    Destroying a stack that still holds exits drops them without awaiting anything (a
    context entered with `enter_async_context` is then closed by the loop, as any
    abandoned generator). A stack belongs to its loop's thread.
*/
class async_exit_stack
{
public:
    async_exit_stack() = default;
    async_exit_stack(async_exit_stack&&) noexcept = default;
    async_exit_stack& operator=(async_exit_stack&&) noexcept = default;
    ~async_exit_stack() = default;

    /** Pushes `f(args...)`, a callable returning an awaitable, to be awaited at unwind
        (`push_async_callback`). The arguments are stored by value. */
    template <class F, class... Args>
        requires std::invocable<F&, Args&...> &&
            detail::is_awaitable_v<std::invoke_result_t<F&, Args&...>>
    void push_async_callback(F f, Args... args);

    /** Runs `cm` to its `co_yield`, pushes its exit, and returns the yielded value
        (`enter_async_context`). At unwind, `cm` is resumed and must finish.
        @throws invalid_state_error if `cm` finishes without yielding. */
    template <class T, class S>
    [[nodiscard]] awaitable<T> enter_async_context(async_generator<T, S> cm);

    /** Unwinds every exit in reverse order (see the class comment). The stack is empty
        afterwards and may be reused. */
    [[nodiscard]] awaitable<void> aclose();

    /// The number of exits pushed and not yet unwound.
    std::size_t size() const noexcept { return exits_.size(); }
    // end::outline[]

private:
    struct exit_base
    {
        virtual ~exit_base() = default;
        virtual awaitable<void> run() = 0;
    };
    template <class F>
    struct exit_fn final : exit_base
    {
        explicit exit_fn(F f)
            : f(std::move(f))
        {}
        awaitable<void> run() override { return f(); }
        F f;
    };
    template <class F>
    void push_exit(F f)
    {
        exits_.push_back(std::make_unique<exit_fn<F>>(std::move(f)));
    }

    std::vector<std::unique_ptr<exit_base>> exits_;
    // tag::outline[]
};
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/async_with.hpp>

#endif
