//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_GATHER_HPP
#define BOOST_TULIP_IMPL_GATHER_HPP

#include <boost/tulip/detail/multi_wait.hpp>

#include <array>
#include <optional>

namespace boost::tulip {
namespace detail {

template <bool Settled, class T>
using gather_slot_t = std::conditional_t<Settled, settled_result<T>, void_as_monostate_t<T>>;

// A done child's slot. For gather, every child succeeded by now.
template <bool Settled, class T>
gather_slot_t<Settled, T> gather_slot(const task<T>& t)
{
    if constexpr (Settled) {
        if (std::exception_ptr e = t.get_state()->outcome())
            return settled_result<T>(boost::system::in_place_error, std::move(e));
        if constexpr (std::is_void_v<T>)
            return settled_result<T>();
        else
            return settled_result<T>(boost::system::in_place_value, t.result());
    } else {
        return take_result(t);
    }
}

constexpr multi_wait_mode gather_mode(bool settled) noexcept
{
    return settled ? multi_wait_mode::gather_settled : multi_wait_mode::gather;
}

template <bool Settled, class T>
awaitable<std::vector<gather_slot_t<Settled, T>>> gather_vector(std::vector<task<T>> tasks)
{
    if (!tasks.empty())
        co_await wait_children(gather_mode(Settled), tasks, std::nullopt);
    std::vector<gather_slot_t<Settled, T>> out;
    out.reserve(tasks.size());
    for (const auto& t : tasks)
        out.push_back(gather_slot<Settled>(t));
    co_return out;
}

template <bool Settled, class... T>
awaitable<std::tuple<gather_slot_t<Settled, T>...>> gather_tuple(std::tuple<task<T>...> tasks)
{
    if constexpr (sizeof...(T) > 0) {
        const auto states = std::apply(
            [](const auto&... t) {
                return std::array<future_base*, sizeof...(T)>{t.get_state()...};
            },
            tasks);
        co_await wait_children(gather_mode(Settled), states, std::nullopt);
    }
    co_return std::apply(
        [](const auto&... t) {
            return std::tuple<gather_slot_t<Settled, T>...>(gather_slot<Settled>(t)...);
        },
        tasks);
}

// Checks the task arguments, then schedules the awaitables, in argument order.
template <bool Settled, class... A>
auto gather_args(const char* what, A&&... children)
{
    (
        [&] {
            if constexpr (is_task_v<std::remove_cvref_t<A>>)
                check_child(children.get_state(), what);
        }(),
        ...);
    // The variadic form cannot take its caller's location (no default argument follows a
    // pack): its children are shown with none rather than with this header's.
    const boost::source_location where;
    return gather_tuple<Settled>(
        std::tuple<task<value_type_of<A>>...>{to_task(static_cast<A&&>(children), where)...});
}

template <bool Settled, class A>
auto gather_awaitables(std::vector<A>& children, const boost::source_location& where)
{
    return gather_vector<Settled>(to_tasks(children, where));
}

} // namespace detail

template <class... A>
    requires(detail::task_or_awaitable<A>&&...)
awaitable<std::tuple<void_as_monostate_t<detail::value_type_of<A>>...>> gather(A&&... children)
{
    return detail::gather_args<false>("gather", static_cast<A&&>(children)...);
}

template <class T>
awaitable<std::vector<void_as_monostate_t<T>>> gather(std::vector<task<T>> tasks)
{
    detail::check_children(tasks, "gather");
    return detail::gather_vector<false>(std::move(tasks));
}

template <detail::awaitable_operation A>
awaitable<std::vector<void_as_monostate_t<detail::operation_value_t<A>>>>
gather(std::vector<A> children, const boost::source_location& where)
{
    return detail::gather_awaitables<false>(children, where);
}

template <class... A>
    requires(detail::task_or_awaitable<A>&&...)
awaitable<std::tuple<settled_result<detail::value_type_of<A>>...>> gather_settled(A&&... children)
{
    return detail::gather_args<true>("gather_settled", static_cast<A&&>(children)...);
}

template <class T>
awaitable<std::vector<settled_result<T>>> gather_settled(std::vector<task<T>> tasks)
{
    detail::check_children(tasks, "gather_settled");
    return detail::gather_vector<true>(std::move(tasks));
}

template <detail::awaitable_operation A>
awaitable<std::vector<settled_result<detail::operation_value_t<A>>>>
gather_settled(std::vector<A> children, const boost::source_location& where)
{
    return detail::gather_awaitables<true>(children, where);
}

} // namespace boost::tulip

#endif
