//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_COMBINATOR_HPP
#define BOOST_TULIP_DETAIL_COMBINATOR_HPP

#include <boost/tulip/detail/awaitable_traits.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/awaitable.hpp>

#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace boost::tulip::detail {

// What the combinators accept: a task handle (any value category), or work that
// `as_awaitable` turns into an `awaitable<T>` (an awaitable or an asynchronous
// operation, as an rvalue), wrapped in a task on the running loop when a task is needed.
template <class A>
inline constexpr bool is_task_v = false;
template <class T>
inline constexpr bool is_task_v<task<T>> = true;

template <class A>
concept task_or_awaitable = is_task_v<std::remove_cvref_t<A>> || awaitable_operation<A>;

// Empty for anything else, so that an overload taking other arguments is not an error.
template <class A>
struct task_value
{};
template <awaitable_operation A>
struct task_value<A>
{
    using type = operation_value_t<A>;
};
template <class T>
struct task_value<task<T>>
{
    using type = T;
};

// What a task of `A` gives, or `co_await` of the awaitable `A` turns into.
template <class A>
using value_type_of = typename task_value<std::remove_cvref_t<A>>::type;

// `void` stands as std::monostate in tuples, vectors and optionals.
template <class T>
using value_or_monostate = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// A task the combinator made for a child awaitable: drawn beneath the calling task in
// task trees (as asyncio's call graph shows gather's children under its caller).
template <awaitable_operation A>
task<operation_value_t<A>> to_task(A&& work, const boost::source_location& where)
{
    auto t = create_task(as_awaitable(std::move(work)), task_options{}, where);
    static_cast<task_base*>(t.get_state())->parent = current.task;
    return t;
}

template <class T>
task<T> to_task(const task<T>& t, const boost::source_location&) noexcept
{
    return t;
}

// The work wrapped in tasks on the running loop, in order (it is moved from).
template <awaitable_operation A>
std::vector<task<operation_value_t<A>>> to_tasks(std::vector<A>& children,
                                                 const boost::source_location& where)
{
    std::vector<task<operation_value_t<A>>> tasks;
    tasks.reserve(children.size());
    for (auto& c : children)
        tasks.push_back(to_task(std::move(c), where));
    return tasks;
}

// `t.wait()` for a task, else the awaitable the work is turned into: what the timeouts
// run in the calling task.
template <task_or_awaitable A>
awaitable<value_type_of<A>> wait_or_await(A&& work)
{
    if constexpr (is_task_v<std::remove_cvref_t<A>>)
        return work.wait();
    else
        return as_awaitable(std::move(work));
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
