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
    /// Virtual clock with autojump: when nothing is ready to run, time jumps to the next
    /// timer, so `sleep(1h)` takes microseconds. False for real time.
    bool virtual_clock = true;
    /// Real (wall-clock) time a case may take.
    std::chrono::steady_clock::duration timeout = std::chrono::seconds(60);
    /// Loop time a virtual-clock case may span (catches endless timer loops early).
    duration virtual_limit = std::chrono::hours(24 * 365);
    /// How long an idle case with no timer waits for an outside event (a socket, a
    /// thread) before it is declared deadlocked.
    std::chrono::steady_clock::duration idle_grace = std::chrono::seconds(1);
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

} // namespace boost::tulip::test

#define BOOST_TULIP_DETAIL_TEST_CASE(name, options)                                          \
    static ::boost::asio::awaitable<void> name##_tulip_body();                               \
    BOOST_AUTO_TEST_CASE(name)                                                               \
    {                                                                                        \
        ::boost::tulip::test::run_case(&name##_tulip_body, options);                         \
    }                                                                                        \
    static ::boost::asio::awaitable<void> name##_tulip_body()

// tag::outline[]
/// A Boost.Test case whose body is a coroutine, run on a fresh loop with a virtual clock.
#define BOOST_TULIP_TEST_CASE(name)                                                          \
    BOOST_TULIP_DETAIL_TEST_CASE(name, ::boost::tulip::test::case_options{})

/// The same on the real clock (for subprocesses, threads and timing-sensitive I/O).
#define BOOST_TULIP_TEST_CASE_REALTIME(name)                                                 \
    BOOST_TULIP_DETAIL_TEST_CASE(name,                                                       \
                                 ::boost::tulip::test::case_options{.virtual_clock = false})
// end::outline[]

#endif
