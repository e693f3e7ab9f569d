//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_HANDLER_LOOP_HPP
#define BOOST_TULIP_DETAIL_HANDLER_LOOP_HPP

#include <boost/tulip/detail/task_base.hpp>
#include <boost/tulip/event_loop.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/system_executor.hpp>

#include <type_traits>

namespace boost::tulip::detail {

template <class Inner>
class basic_task_executor;

// The loop already attached to `ctx`, if any.
event_loop* attached_loop(boost::asio::execution_context& ctx);

// An io_context executor, or a type derived from one (`executor_with_default<E>` of
// `as_default_on`), found by the derived-to-base conversion of a pointer.
template <class Allocator, std::uintptr_t Bits>
std::true_type derives_from_io_context_executor(
    const boost::asio::io_context::basic_executor_type<Allocator, Bits>*);
std::false_type derives_from_io_context_executor(const void*);

template <class T>
struct is_io_context_executor
    : decltype(derives_from_io_context_executor(static_cast<const T*>(nullptr)))
{};

template <class T>
struct is_strand : std::false_type
{};
template <class Inner>
struct is_strand<boost::asio::strand<Inner>> : std::true_type
{};

template <class T>
struct is_task_executor : std::false_type
{};
template <class Inner>
struct is_task_executor<basic_task_executor<Inner>> : std::true_type
{};

// The io_context behind an executor, when its type tells (an io_context executor, a
// task's executor, or a polymorphic executor holding one of them).
template <class Executor>
boost::asio::io_context* io_context_of(const Executor& ex) noexcept
{
    if constexpr (is_io_context_executor<Executor>::value) {
        return &ex.context();
    } else if constexpr (is_task_executor<Executor>::value) {
        event_loop* l = ex.task()->loop_if_open();
        return l ? &l->get_io_context() : nullptr;
    } else if constexpr (is_strand<Executor>::value) {
        return io_context_of(ex.get_inner_executor());
    } else if constexpr (requires { ex.target_type(); }) {
        using ioc_executor = boost::asio::io_context::executor_type;
        if (auto* e = ex.template target<ioc_executor>())
            return &e->context();
        if (auto* e = ex.template target<basic_task_executor<ioc_executor>>())
            return io_context_of(*e);
        if (auto* e = ex.template target<boost::asio::strand<ioc_executor>>())
            return io_context_of(*e);
        if (auto* e = ex.template target<basic_task_executor<boost::asio::any_io_executor>>())
            return io_context_of(*e);
        return nullptr;
    } else {
        return nullptr;
    }
}

// The loop serving an executor's context, attaching one to an io_context on first use;
// null if the executor does not belong to an io_context.
template <class Executor>
event_loop* loop_of_executor(const Executor& ex)
{
    boost::asio::execution_context& ctx = boost::asio::query(ex, boost::asio::execution::context);
    if (event_loop* l = current.loop;
        l && static_cast<boost::asio::execution_context*>(&l->get_io_context()) == &ctx)
        return l;
    if (event_loop* l = attached_loop(ctx))
        return l;
    if (boost::asio::io_context* ioc = io_context_of(ex))
        return &get_event_loop(*ioc);
    return nullptr;
}

// The loop an operation runs on: the running loop of the thread that starts it (a handler
// bound elsewhere, to another io_context or use_future's, only receives the completion),
// else, in plain Asio code, the loop of the handler's associated executor.
template <class Handler>
event_loop& loop_for_handler(const Handler& h)
{
    if (event_loop* l = current.loop)
        return *l;
    using executor = boost::asio::associated_executor_t<Handler, boost::asio::system_executor>;
    if constexpr (!std::is_same_v<executor, boost::asio::system_executor>) {
        if (event_loop* l = loop_of_executor(boost::asio::get_associated_executor(h)))
            return *l;
    }
    throw no_running_loop();
}

} // namespace boost::tulip::detail

#endif
