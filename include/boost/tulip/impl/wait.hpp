//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_WAIT_HPP
#define BOOST_TULIP_IMPL_WAIT_HPP

#include <boost/tulip/detail/multi_wait.hpp>
#include <boost/tulip/detail/shielded_wait.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

namespace boost::tulip {
namespace detail {

constexpr multi_wait_mode wait_mode(return_when w) noexcept
{
    switch (w) {
    case return_when::first_completed:
        return multi_wait_mode::first_completed;
    case return_when::first_exception:
        return multi_wait_mode::first_exception;
    case return_when::all_completed:
        break;
    }
    return multi_wait_mode::all_completed;
}

template <class T>
awaitable<wait_result<task<T>>> wait_tasks(std::vector<task<T>> tasks, return_when when,
                                           std::optional<clock::time_point> deadline)
{
    if (!tasks.empty())
        co_await wait_children(wait_mode(when), tasks, deadline);
    wait_result<task<T>> r;
    for (auto& t : tasks)
        (t.done() ? r.done : r.pending).push_back(std::move(t));
    co_return r;
}

template <class T>
awaitable<T> shielded_wait(task<T> t)
{
    boost::intrusive_ptr<future_base> st(t.get_state());
    if (!st->done()) {
        const bool interrupted =
            co_await boost::asio::async_initiate<const boost::asio::deferred_t&, void(bool)>(
                initiate_shielded_wait{}, boost::asio::deferred, st, true);
        if (interrupted) // the waiter was cancelled; the task runs on
            std::rethrow_exception(interrupted_wait(awaiting_task()));
    }
    co_return t.result();
}

} // namespace detail

template <class T>
awaitable<wait_result<task<T>>> wait(std::vector<task<T>> tasks, return_when when,
                                     std::optional<duration> timeout)
{
    detail::check_children(tasks, "wait");
    return detail::wait_tasks(std::move(tasks), when,
                              timeout ? std::optional(detail::deadline_after(*timeout))
                                      : std::nullopt);
}

template <detail::awaitable_operation A>
awaitable<wait_result<task<detail::operation_value_t<A>>>>
wait(std::vector<A> children, return_when when, std::optional<duration> timeout,
     const boost::source_location& where)
{
    return detail::wait_tasks(detail::to_tasks(children, where), when,
                              timeout ? std::optional(detail::deadline_after(*timeout))
                                      : std::nullopt);
}

template <class T>
awaitable<T> shield(task<T> t)
{
    detail::check_child(t.get_state(), "shield");
    // Marked now, so that run() waits for it even if the shield is never awaited.
    static_cast<detail::task_base*>(t.get_state())->mark_shielded();
    return detail::shielded_wait(std::move(t));
}

template <detail::awaitable_operation A>
awaitable<detail::operation_value_t<A>> shield(A&& work, const boost::source_location& where)
{
    return shield(detail::to_task(std::move(work), where));
}

} // namespace boost::tulip

#endif
