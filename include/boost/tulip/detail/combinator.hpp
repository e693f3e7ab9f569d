//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_COMBINATOR_HPP
#define BOOST_TULIP_DETAIL_COMBINATOR_HPP

#include <boost/tulip/task.hpp>

#include <boost/asio/awaitable.hpp>

#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace boost::tulip::detail {

// What the combinators accept: a task handle, or an awaitable (wrapped in a task on the
// running loop when a task is needed).
template <class T>
struct task_traits
{
    static constexpr bool is_task = false;
    static constexpr bool is_awaitable = false;
};

template <class T>
struct task_traits<task<T>>
{
    static constexpr bool is_task = true;
    static constexpr bool is_awaitable = false;
    using value_type = T;
};

template <class T, class Executor>
struct task_traits<boost::asio::awaitable<T, Executor>>
{
    static constexpr bool is_task = false;
    static constexpr bool is_awaitable = std::is_same_v<Executor, boost::asio::any_io_executor>;
    using value_type = T;
};

// A task handle (any value category) or an awaitable passed by value (rvalue).
template <class A>
concept task_or_awaitable = task_traits<std::remove_cvref_t<A>>::is_task ||
    (task_traits<std::remove_cvref_t<A>>::is_awaitable && !std::is_lvalue_reference_v<A>);

template <class A>
using value_type_of = typename task_traits<std::remove_cvref_t<A>>::value_type;

// `void` stands as std::monostate in tuples, vectors and optionals.
template <class T>
using value_or_monostate = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class T>
task<T> to_task(boost::asio::awaitable<T>&& a, const boost::source_location& where)
{
    return create_task(std::move(a), task_options{}, where);
}

template <class T>
task<T> to_task(const task<T>& t, const boost::source_location&) noexcept
{
    return t;
}

// The awaitables wrapped in tasks on the running loop, in order (they are moved from).
template <class T>
std::vector<task<T>> to_tasks(std::vector<boost::asio::awaitable<T>>& children,
                              const boost::source_location& where)
{
    std::vector<task<T>> tasks;
    tasks.reserve(children.size());
    for (auto& c : children)
        tasks.push_back(to_task(std::move(c), where));
    return tasks;
}

// Now plus `d` on the loop's clock, saturating.
inline clock::time_point deadline_after(duration d) noexcept
{
    const clock::time_point now = clock::now();
    if (d > duration::zero() && d > clock::time_point::max() - now)
        return clock::time_point::max();
    return now + d;
}

// The result of a done task, void as std::monostate. Throws its exception.
template <class T>
value_or_monostate<T> take_result(const task<T>& t)
{
    if constexpr (std::is_void_v<T>) {
        t.result();
        return {};
    } else {
        return t.result();
    }
}

} // namespace boost::tulip::detail

#endif
