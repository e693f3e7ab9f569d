//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_TASK_THREAD_HPP
#define BOOST_TULIP_DETAIL_TASK_THREAD_HPP

// A task's coroutine runs as an Asio "awaitable thread" that Tulip launches itself
// instead of through co_spawn: the task's own bottom frame is the thread's entry point,
// so there is no co_spawn entry frame, completion handler, cancellation proxy or initial
// dispatch on top of it.
//
// This is the only place tasks use asio::detail (awaitable_thread_entry_point,
// awaitable_thread), as co_spawn does in boost/asio/impl/co_spawn.hpp. Checked on
// Boost 1.81 (Asio 1.26); a new Boost version must be checked against
// boost/asio/impl/awaitable.hpp (awaitable_thread's constructor and launch()).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_state.hpp>

#include <utility>

namespace boost::tulip::detail {

// The type of a coroutine that can be the bottom frame of a thread on `Executor`: it
// may co_await any boost::asio::awaitable<T, Executor>.
template <class Executor>
using thread_entry =
    boost::asio::awaitable<boost::asio::detail::awaitable_thread_entry_point, Executor>;

// Runs `entry` at once, up to its first suspension, as a new thread of execution on
// `ex`; the thread owns its frames from then on and frees them when `entry` returns (in
// this call if it never suspends). Operations the thread starts are cancelled through
// `state`, itself connected to `parent` (what `this_coro::reset_cancellation_state`
// reconnects to). Call it where the thread's first step may run: on `ex`.
template <class Executor>
void launch_thread(thread_entry<Executor> entry, const Executor& ex,
                   boost::asio::cancellation_slot parent, boost::asio::cancellation_state state)
{
    boost::asio::detail::awaitable_thread<Executor>(std::move(entry), ex, parent, state).launch();
}

} // namespace boost::tulip::detail

#endif
