//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_ASYNC_WITH_HPP
#define BOOST_TULIP_IMPL_ASYNC_WITH_HPP

#include <functional>
#include <optional>
#include <tuple>

namespace boost::tulip {
namespace detail {

// The result of a body whose exception the context manager swallowed.
template <class R>
R swallowed_result(const std::exception_ptr& e)
{
    if constexpr (std::is_void_v<R>)
        return;
    else if constexpr (std::is_default_constructible_v<R>)
        return R{};
    else
        std::rethrow_exception(e); // no value to give: the exception stands
}

template <class R>
struct body_outcome
{
    std::optional<R> value;
    R take() { return std::move(*value); }
};
template <>
struct body_outcome<void>
{
    void take() {}
};

// Runs the body, keeping its exception (co_await is not allowed in a catch block).
template <class R, class Body, class Arg>
awaitable<std::exception_ptr> run_body(body_outcome<R>& out, Body& body, Arg& arg)
{
    try {
        if constexpr (std::is_void_v<R>)
            co_await std::invoke(body, arg);
        else
            out.value.emplace(co_await std::invoke(body, arg));
    } catch (...) {
        co_return std::current_exception();
    }
    co_return nullptr;
}

template <class C>
awaitable<void> close_object(C& c)
{
    if constexpr (requires { c.async_close(); })
        co_await c.async_close();
    else
        co_await c.aclose();
}

// Held is `X&` for an lvalue (kept by reference), `X` for an rvalue (moved in).
template <class Held, class Body>
awaitable<body_result_t<Body, std::remove_reference_t<Held>&>> async_with_object(Held obj,
                                                                                 Body body)
{
    using R = body_result_t<Body, std::remove_reference_t<Held>&>;
    std::remove_reference_t<Held>& o = obj;
    body_outcome<R> out;
    std::exception_ptr e = co_await run_body<R>(out, body, o);
    if (e) {
        try {
            co_await close_object(o);
        } catch (...) {
            // The body's exception wins.
        }
        std::rethrow_exception(e);
    }
    co_await close_object(o);
    co_return out.take();
}

} // namespace detail

template <class T, class S, class Body>
    requires async_with_body<Body, T> awaitable<detail::body_result_t<Body, T&>>
    async_with(async_generator<T, S> cm, Body body)
    {
        using R = detail::body_result_t<Body, T&>;
        std::optional<T> v = co_await cm.next();
        if (!v)
            throw invalid_state_error("async_with: the context manager finished without yielding "
                                      "(generator didn't yield)");
        detail::body_outcome<R> out;
        std::exception_ptr e = co_await detail::run_body<R>(out, body, *v);
        if (!e) {
            // The exit: the code after the co_yield.
            std::optional<T> again = co_await cm.next();
            if (again) {
                co_await cm.aclose();
                throw invalid_state_error(
                    "async_with: the context manager yielded twice (generator didn't stop)");
            }
            co_return out.take();
        }
        // The body threw: the context manager gets the exception at its co_yield. It either
        // propagates (athrow rethrows it, or what cm raised instead) or is swallowed.
        std::optional<T> again = co_await cm.athrow(e);
        if (again) {
            co_await cm.aclose();
            throw invalid_state_error(
                "async_with: the context manager yielded after athrow() (generator didn't stop)");
        }
        co_return detail::swallowed_result<R>(e);
    }

template <class Obj, class Body>
    requires(!detail::is_async_generator<std::remove_cvref_t<Obj>>::value)
&&async_closeable<std::remove_cvref_t<Obj>>&& async_with_body<Body, std::remove_reference_t<Obj>>
    awaitable<detail::body_result_t<Body, std::remove_reference_t<Obj>&>> async_with(Obj&& obj,
                                                                                     Body body)
{
    return detail::async_with_object<Obj, Body>(static_cast<Obj&&>(obj), std::move(body));
}

template <class Obj, class Body>
    requires async_closeable<Obj> && async_with_body<Body, Obj>
        awaitable<detail::body_result_t<Body, Obj&>> async_with(awaitable<Obj> factory, Body body)
    {
        Obj o = co_await std::move(factory);
        co_return co_await detail::async_with_object<Obj&, Body>(o, std::move(body));
    }

template <class F, class... Args>
    requires std::invocable<F&, Args&...> &&
        detail::is_awaitable_v<std::invoke_result_t<F&, Args&...>>
void async_exit_stack::push_async_callback(F f, Args... args)
{
    push_exit([f = std::move(f),
               args = std::make_tuple(std::move(args)...)]() mutable -> awaitable<void> {
        co_await std::apply(f, args);
    });
}

template <class T, class S>
awaitable<T> async_exit_stack::enter_async_context(async_generator<T, S> cm)
{
    std::optional<T> v = co_await cm.next();
    if (!v)
        throw invalid_state_error("async_exit_stack::enter_async_context: the context manager "
                                  "finished without yielding (generator didn't yield)");
    push_exit([cm = std::move(cm)]() mutable -> awaitable<void> {
        std::optional<T> again = co_await cm.next();
        if (again) {
            co_await cm.aclose();
            throw invalid_state_error("async_exit_stack: a context manager yielded twice "
                                      "(generator didn't stop)");
        }
    });
    co_return std::move(*v);
}

} // namespace boost::tulip

#endif
