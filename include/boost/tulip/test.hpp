//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_TEST_HPP
#define BOOST_TULIP_TEST_HPP

// Boost.Test integration (link Boost::tulip_test).

#include <boost/tulip.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <string>
#include <vector>

namespace boost::tulip::test {

// tag::outline[]
/// How a test case runs.
struct case_options
{
    /// Virtual clock with autojump: when nothing is ready to run and no I/O or other work
    /// is outstanding on the io_context, time jumps to the next timer, so `sleep(1h)` takes
    /// microseconds; while such work is outstanding, time follows the real clock. False
    /// for real time.
    bool virtual_clock = true;
    /// Real (wall-clock) time a case may take.
    std::chrono::steady_clock::duration timeout = std::chrono::seconds(60);
    /// Loop time a virtual-clock case may span (catches endless timer loops early).
    duration virtual_limit = std::chrono::hours(24 * 365);
    /// How long a case with nothing ready, no timer and no outstanding work waits for an
    /// outside event that holds no work (a thread posting without a work guard) before it
    /// is declared deadlocked. Zero: a deadlock fails at once.
    std::chrono::steady_clock::duration idle_grace = std::chrono::steady_clock::duration::zero();
};

/// What a case did wrong, and the exception its body ended with (if any).
struct case_result
{
    std::vector<std::string> failures;
    std::exception_ptr exception;
};

/** Runs `body` as a task named "test" on a fresh loop and reports every failure: the
    body deadlocked (nothing can ever wake it), exceeded its timeout, left tasks, callbacks
    or timers behind, or the loop's exception handler was called. Failures that concern
    tasks include the task tree. Leftover tasks are cancelled and awaited before return. */
case_result run_case_report(awaitable<void> (*body)(), const case_options& opts = {});

/// `run_case_report`, turning each failure into a Boost.Test error and rethrowing the
/// body's exception.
void run_case(awaitable<void> (*body)(), const case_options& opts = {});
// end::outline[]

namespace detail {
/** Work outstanding on the loop's io_context beyond what Tulip itself holds (suspended
    tasks, signal handlers): I/O in flight, Asio timers, work guards, plain `co_spawn`
    coroutines. It holds the virtual clock. Exact only between handlers, not from inside
    a task. */
long foreign_work(event_loop& loop);
} // namespace detail

} // namespace boost::tulip::test

#define BOOST_TULIP_DETAIL_TEST_CASE(name, options)                                                \
    static ::boost::asio::awaitable<void> name##_tulip_body();                                     \
    BOOST_AUTO_TEST_CASE(name)                                                                     \
    {                                                                                              \
        ::boost::tulip::test::run_case(&name##_tulip_body, options);                               \
    }                                                                                              \
    static ::boost::asio::awaitable<void> name##_tulip_body()

// tag::outline[]
/// A Boost.Test case whose body is a coroutine, run on a fresh loop with a virtual clock.
#define BOOST_TULIP_TEST_CASE(name)                                                                \
    BOOST_TULIP_DETAIL_TEST_CASE(name, ::boost::tulip::test::case_options{})

/// The same on the real clock (for subprocesses, threads and timing-sensitive I/O).
#define BOOST_TULIP_TEST_CASE_REALTIME(name)                                                       \
    BOOST_TULIP_DETAIL_TEST_CASE(name, ::boost::tulip::test::case_options{.virtual_clock = false})
// end::outline[]

#endif
