//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_TASK_GROUP_HPP
#define BOOST_TULIP_IMPL_TASK_GROUP_HPP

namespace boost::tulip {

namespace detail {

struct task_group_access
{
    static task_group make(std::shared_ptr<task_group_state> st) noexcept
    {
        return task_group(std::move(st));
    }
};

// A child that must wait for a concurrency slot before its body starts.
template <class T>
awaitable<T> gated_child(future<void> gate, awaitable<T> body)
{
    // Cancelled while waiting: the gate is cancelled with it, and this throws.
    co_await wait_described(gate, awaiting_group_slot, nullptr);
    throw_if_cancel_pending();
    co_return co_await std::move(body);
}

template <class F>
awaitable<void> delayed_call(duration delay, F f)
{
    co_await sleep(delay);
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>)
        f();
    else
        co_await f();
}

} // namespace detail

template <detail::awaitable_operation A>
task<detail::operation_value_t<A>> task_group::create_task(A&& work, task_options opts,
                                                           const boost::source_location& where)
{
    using T = detail::operation_value_t<A>;
    awaitable<T> coro = detail::as_awaitable(std::move(work));
    if (!st_)
        throw invalid_state_error("task_group::create_task: empty task group handle");
    st_->check_open("task_group::create_task");
    event_loop& loop = st_->loop();
    auto adm = st_->admit(true);
    task<T> t;
    try {
        if (adm.gate)
            t = detail::spawn_task(loop, detail::gated_child<T>(adm.gate, std::move(coro)), opts,
                                   where);
        else
            t = detail::spawn_task(loop, std::move(coro), opts, where);
    } catch (...) {
        st_->cancel_admission(adm);
        throw;
    }
    st_->track(t, std::move(adm));
    return t;
}

template <class F>
    requires std::invocable<F&> any_task task_group::call_later(duration delay, F f,
                                                                const boost::source_location& where)
    {
        if (!st_)
            throw invalid_state_error("task_group::call_later: empty task group handle");
        st_->check_open("task_group::call_later");
        event_loop& loop = st_->loop();
        auto adm = st_->admit(false);
        any_task t = detail::spawn_task(loop, detail::delayed_call<F>(delay, std::move(f)),
                                        task_options{.name = "call_later"}, where);
        st_->track(t, std::move(adm));
        return t;
    }

template <class Body>
auto with_task_group(Body body, task_group_options opts)
    -> awaitable<detail::awaitable_value_t<std::invoke_result_t<Body&, task_group&>>>
    requires task_group_body<Body>
    {
        using R = detail::awaitable_value_t<std::invoke_result_t<Body&, task_group&>>;
        static_assert(std::is_void_v<R> || std::is_default_constructible_v<R>,
                      "with_task_group: the body's result type must be default constructible "
                      "(returned when task_group::cancel() stops the body); use std::optional<T>");

        // The parent is the task whose coroutine awaits (found from its executor); a plain
        // Asio coroutine gets a task of its own to be the parent.
        auto ex = co_await boost::asio::this_coro::executor;
        detail::task_base* parent = detail::task_of_executor(ex);
        if (!parent) {
            if constexpr (std::is_void_v<R>) {
                co_await detail::in_own_task(ex, with_task_group(std::move(body), opts),
                                             "with_task_group");
                co_return;
            } else {
                co_return co_await detail::in_own_task(ex, with_task_group(std::move(body), opts),
                                                       "with_task_group");
            }
        }
        auto st = detail::task_group_state::enter(parent, opts.max_concurrency);
        task_group tg = detail::task_group_access::make(st);
        std::exception_ptr body_error;
        if constexpr (std::is_void_v<R>) {
            try {
                co_await body(tg);
            } catch (...) {
                body_error = std::current_exception();
            }
            co_await st->exit(std::move(body_error));
        } else {
            std::optional<R> value;
            try {
                value.emplace(co_await body(tg));
            } catch (...) {
                body_error = std::current_exception();
            }
            co_await st->exit(std::move(body_error));
            // Returning normally after the body threw means the group's own cancel() stopped
            // it (every other outcome is rethrown by exit()).
            if (!value)
                co_return R{};
            co_return std::move(*value);
        }
    }

} // namespace boost::tulip

#endif
