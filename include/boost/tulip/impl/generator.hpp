//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_GENERATOR_HPP
#define BOOST_TULIP_IMPL_GENERATOR_HPP

#include <boost/tulip/detail/suspended_op.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

namespace boost::tulip {
namespace detail {

// Reports an error of a generator closed by the loop to the running loop's handler.
void report_generator_close_error(std::exception_ptr e) noexcept;

// A step of the body on the caller's thread of execution, in a coroutine frame of its
// own: asend(), athrow(), and next() while another awaitable of next() is outstanding.
template <class T, class Send>
awaitable<std::optional<T>> resume_generator(generator_ref<generator_promise<T, Send>> g,
                                             std::exception_ptr inject, send_slot<Send> sent)
{
    auto& p = *g;
    switch (p.state) {
    case generator_state::running:
        throw_generator_running("next");
    case generator_state::finished:
        if (inject)
            std::rethrow_exception(inject);
        co_return std::nullopt;
    case generator_state::created:
        if (inject) {
            // Thrown before the first step: the body never runs (Python's throw()).
            p.state = generator_state::finished;
            std::rethrow_exception(inject);
        }
        if constexpr (!std::is_void_v<Send>)
            if (sent.value)
                throw invalid_state_error("async_generator::asend: the generator has not "
                                          "started; start it with next()");
        p.first_iteration();
        break;
    case generator_state::suspended:
        p.inject = std::move(inject);
        if constexpr (!std::is_void_v<Send>)
            p.sent.value = std::move(sent.value);
        break;
    }
    p.state = generator_state::running;
    co_await resume_body<generator_promise<T, Send>>{&p};
    if (p.state == generator_state::finished) {
        if (p.error)
            std::rethrow_exception(std::exchange(p.error, nullptr));
        co_return std::nullopt;
    }
    co_return std::move(p.value);
}

inline bool is_generator_exit(const std::exception_ptr& e) noexcept
{
    try {
        std::rethrow_exception(e);
    } catch (const generator_exit&) {
        return true;
    } catch (...) {
        return false;
    }
}

template <class P>
awaitable<void> close_generator(generator_ref<P> g)
{
    auto& p = *g;
    switch (p.state) {
    case generator_state::running:
        throw_generator_running("aclose");
    case generator_state::created:
        p.state = generator_state::finished;
        co_return;
    case generator_state::finished:
        co_return;
    case generator_state::suspended:
        break;
    }
    p.closing = true;
    p.inject = std::make_exception_ptr(generator_exit{});
    p.state = generator_state::running;
    co_await resume_body<P>{&p};
    if (p.state == generator_state::suspended) {
        // It yielded again after its first yield while closing got the error: it stays
        // stopped there, and its frame (with the locals) goes with the last reference.
        p.state = generator_state::finished;
        p.unregister();
        throw invalid_state_error(
            "async_generator ignored generator_exit: it yielded again while being closed");
    }
    if (std::exception_ptr e = std::exchange(p.error, nullptr); e && !is_generator_exit(e))
        std::rethrow_exception(e);
}

template <class P>
awaitable<void> close_for_loop(generator_ref<P> g)
{
    // Closed by a finalizer task or by shutdown_asyncgens, whichever comes first.
    if (g->state != generator_state::suspended)
        co_return;
    std::exception_ptr e;
    try {
        co_await close_generator(g);
    } catch (...) {
        e = std::current_exception();
    }
    // A cancellation (run() cancelling the finalizer task at shutdown) is not an error
    // to report, as in asyncio (CancelledError is not an Exception): the task ends
    // cancelled.
    if (e && is_cancellation(e))
        std::rethrow_exception(e);
    if (e)
        report_generator_close_error(e);
}

// Awaits `f(args...)` whether it returns a value or an awaitable of one.
template <class F, class... Args>
using call_value_t = awaitable_value_t<std::invoke_result_t<F&, Args...>>;

// The executor a body started by async_next() runs on.
template <class Handler>
auto next_executor(const Handler& h, event_loop* fallback)
{
    using assoc = boost::asio::associated_executor<Handler, boost::asio::system_executor>;
    if constexpr (std::is_same_v<typename assoc::type, boost::asio::system_executor>) {
        event_loop* loop = current.loop ? current.loop : fallback;
        if (!loop)
            throw no_running_loop();
        return loop->get_executor();
    } else {
        return assoc::get(h);
    }
}

// The step of async_next() on a coroutine thread of its own. Asio's default makes a
// cancelled thread throw at every later co_await; Tulip's rule (as inside a task) is that
// the cancellation reaches the operation the body is suspended in, once, and the body's
// cleanup may still await.
template <class T, class Send>
awaitable<std::optional<T>> next_on_own_thread(generator_ref<generator_promise<T, Send>> g)
{
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    // Bound first: no aggregate temporary in a co_await full-expression (g++ 12).
    auto step = resume_generator<T, Send>(std::move(g), nullptr, {});
    co_return co_await std::move(step);
}

template <class T, class Send>
struct initiate_next
{
    template <class Handler>
    void operator()(Handler&& handler, generator_ref<generator_promise<T, Send>> g) const
    {
        event_loop* loop = current.loop ? current.loop : g->loop;
        if (loop && !runs_on_loop(handler, *loop)) {
            // The body runs on the loop; only the outcome goes to the handler's executor.
            using handler_type = std::decay_t<Handler>;
            boost::asio::co_spawn(loop->get_executor(), next_on_own_thread<T, Send>(std::move(g)),
                                  on_loop_then_handler<handler_type>{
                                      handler_type(static_cast<Handler&&>(handler)), loop});
            return;
        }
        auto ex = next_executor(handler, g->loop);
        boost::asio::co_spawn(ex, next_on_own_thread<T, Send>(std::move(g)),
                              static_cast<Handler&&>(handler));
    }
};

} // namespace detail

template <class T, class Send>
async_generator<T, Send>::async_generator(async_generator&& other) noexcept
    : p_(std::exchange(other.p_, nullptr))
{}

template <class T, class Send>
async_generator<T, Send>& async_generator<T, Send>::operator=(async_generator&& other) noexcept
{
    if (this != &other) {
        promise_type* old = std::exchange(p_, std::exchange(other.p_, nullptr));
        if (old)
            old->release();
    }
    return *this;
}

template <class T, class Send>
async_generator<T, Send>::~async_generator()
{
    static_assert(std::is_object_v<T> && !std::is_array_v<T>,
                  "async_generator<T>: T must be an object type");
    if (p_)
        p_->release();
}

template <class T, class Send>
detail::generator_ref<typename async_generator<T, Send>::promise_type>
async_generator<T, Send>::ref() const
{
    if (!p_)
        throw invalid_state_error("async_generator: empty handle");
    return detail::generator_ref<promise_type>(p_);
}

template <class T, class Send>
awaitable<std::optional<T>> async_generator<T, Send>::next()
{
    if (p_ && p_->step_free())
        return p_->arm_step();
    return detail::resume_generator<T, Send>(ref(), nullptr, {});
}

template <class T, class Send>
template <class S>
    requires(!std::is_void_v<S>)
awaitable<std::optional<T>> async_generator<T, Send>::asend(std::type_identity_t<S> v)
{
    detail::send_slot<Send> s;
    s.value.emplace(std::move(v));
    return detail::resume_generator<T, Send>(ref(), nullptr, std::move(s));
}

template <class T, class Send>
awaitable<std::optional<T>> async_generator<T, Send>::athrow(std::exception_ptr e)
{
    if (!e)
        throw std::invalid_argument("async_generator::athrow: null exception_ptr");
    return detail::resume_generator<T, Send>(ref(), std::move(e), {});
}

template <class T, class Send>
template <class E>
    requires(!std::same_as<std::decay_t<E>, std::exception_ptr>)
awaitable<std::optional<T>> async_generator<T, Send>::athrow(E e)
{
    return athrow(std::make_exception_ptr(std::move(e)));
}

template <class T, class Send>
awaitable<void> async_generator<T, Send>::aclose()
{
    return detail::close_generator(ref());
}

template <class T, class Send>
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(std::exception_ptr, std::optional<T>))
              CompletionToken>
auto async_generator<T, Send>::async_next(CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, void(std::exception_ptr, std::optional<T>)>(
        detail::initiate_next<T, Send>{}, token, ref());
}

template <class T, class Send>
bool async_generator<T, Send>::done() const noexcept
{
    return p_ && p_->state == detail::generator_state::finished;
}

template <class T, class Send>
bool async_generator<T, Send>::running() const noexcept
{
    return p_ && p_->state == detail::generator_state::running;
}

// --- comprehension helpers ------------------------------------------------------------

template <class T, class Send>
awaitable<std::vector<T>> collect(async_generator<T, Send> gen)
{
    std::vector<T> out;
    while (auto v = co_await gen.next())
        out.push_back(std::move(*v));
    co_return out;
}

namespace detail {
// The body of filter/transform/take: on leaving early (generator_exit, an error of the
// consumer's own, or a cancellation), the source is closed before the exception goes on.
template <class T, class Send>
awaitable<void> close_source_then_rethrow(async_generator<T, Send>& gen, std::exception_ptr e)
{
    co_await gen.aclose();
    if (e)
        std::rethrow_exception(e);
}
} // namespace detail

template <class T, class Send, class Pred>
async_generator<T> filter(async_generator<T, Send> gen, Pred pred)
{
    std::exception_ptr e;
    try {
        while (auto v = co_await gen.next()) {
            bool keep;
            if constexpr (detail::is_awaitable_v<std::invoke_result_t<Pred&, const T&>>)
                keep = co_await std::invoke(pred, std::as_const(*v));
            else
                keep = std::invoke(pred, std::as_const(*v));
            if (keep)
                co_yield std::move(*v);
        }
    } catch (...) {
        e = std::current_exception();
    }
    co_await detail::close_source_then_rethrow(gen, e);
}

namespace detail {
template <class T, class Send, class F, class U>
async_generator<U> transform_impl(async_generator<T, Send> gen, F f)
{
    std::exception_ptr e;
    try {
        while (auto v = co_await gen.next()) {
            if constexpr (is_awaitable_v<std::invoke_result_t<F&, T&&>>) {
                U u = co_await std::invoke(f, std::move(*v));
                co_yield std::move(u);
            } else {
                co_yield std::invoke(f, std::move(*v));
            }
        }
    } catch (...) {
        e = std::current_exception();
    }
    co_await close_source_then_rethrow(gen, e);
}
} // namespace detail

template <class T, class Send, class F>
auto transform(async_generator<T, Send> gen, F f)
{
    using U = std::remove_cvref_t<detail::call_value_t<F, T&&>>;
    return detail::transform_impl<T, Send, F, U>(std::move(gen), std::move(f));
}

namespace detail {
template <class T, class Send, class U, class S>
async_generator<T, Send> convert_values(async_generator<U, S> source)
{
    std::exception_ptr e;
    try {
        while (auto v = co_await source.next())
            co_yield T(std::move(*v));
    } catch (...) {
        e = std::current_exception();
    }
    co_await close_source_then_rethrow(source, e);
}
} // namespace detail

template <class T, class Send>
async_generator<T> take(async_generator<T, Send> gen, std::size_t n)
{
    std::exception_ptr e;
    try {
        for (std::size_t i = 0; i < n; ++i) {
            auto v = co_await gen.next();
            if (!v)
                break;
            co_yield std::move(*v);
        }
    } catch (...) {
        e = std::current_exception();
    }
    co_await detail::close_source_then_rethrow(gen, e);
}

} // namespace boost::tulip

#endif
