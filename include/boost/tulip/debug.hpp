//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DEBUG_HPP
#define BOOST_TULIP_DEBUG_HPP

#include <boost/tulip/event_loop.hpp>

#include <iosfwd>
#include <string>
#include <typeinfo>

namespace boost::tulip {

// tag::outline[]
/** Draws every unfinished task of `loop` as a tree: each task with its name, what it
    awaits (as far as Tulip knows: a sleep, a task, a future, or an Asio operation) and,
    beneath it, the task it awaits. Like Python 3.14's `asyncio pstree`. */
std::string format_task_tree(event_loop& loop);
/// `format_task_tree(get_running_loop())`.
std::string format_task_tree();
/// Writes `format_task_tree(loop)` to `os`.
void print_task_tree(event_loop& loop, std::ostream& os);
/// Writes the running loop's task tree to stderr.
void print_task_tree();
// end::outline[]

namespace detail {
// Debug mode: reports through the loop's exception handler a plain callback (a
// callback_node of dynamic type `node`) that ran from `start` until now on the loop's
// clock, if that is longer than slow_callback_duration.
void report_if_slow(event_loop& loop, clock::time_point start, const std::type_info& node);
// `d` in seconds for people: "0.3s", "2s", "1.25s".
std::string format_seconds(duration d);
} // namespace detail

} // namespace boost::tulip

#endif
