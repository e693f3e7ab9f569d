//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/test.hpp>

#include "outstanding_work.hpp"

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <csignal>
#include <sstream>

namespace boost::tulip {
namespace detail {
std::string format_exception_context(const exception_context& c);
} // namespace detail

namespace test {

namespace {

using steady = std::chrono::steady_clock;

// How long one real-time wait lasts at most. Loop time is brought up to real time after
// each wait, so a handler that ends a wait sees loop time lag real time by up to this.
constexpr steady::duration wait_slice = std::chrono::milliseconds(10);

std::string seconds(steady::duration d)
{
    std::ostringstream os;
    os << std::chrono::duration<double>(d).count() << " s";
    return os.str();
}

} // namespace

long detail::foreign_work(event_loop& loop)
{
    // Tracked task executors: co_spawn's guards for each task and for each coroutine a
    // task spawns (awaitable operators, parallel groups), and handler work of operations
    // a task awaits. A coroutine waiting on I/O is held by the I/O operation's own count.
    long n = outstanding_work(loop.get_io_context()) -
             tulip::detail::loop_tasks(loop).work().load(std::memory_order_relaxed);
    if (n <= 0)
        return n;
    // Each watched signal (a user's handler, a library watch) keeps one signal_set wait
    // pending. It waits for an outside event as an unset tulip::event does, so it does
    // not hold the clock.
    return n - static_cast<long>(tulip::detail::loop_signals(loop).size());
}

namespace {

// One round of the loop: run what is ready; if nothing is, jump virtual time, or wait in
// real time for outstanding work or the next timer. Returns false when nothing at all can
// happen any more (a deadlock).
bool step(boost::asio::io_context& ioc, event_loop& loop, const case_options& opts,
          steady::time_point real_deadline)
{
    std::size_t n = ioc.poll();
    if (ioc.stopped())
        ioc.restart();
    if (n)
        return true;
    const auto next = tulip::detail::loop_timers(loop).next_deadline();
    // A real-clock case waits for its next timer whatever else is outstanding.
    const bool foreign = (opts.virtual_clock || !next) && detail::foreign_work(loop) > 0;
    if (opts.virtual_clock && next && !foreign) {
        tulip::detail::loop_timers(loop).advance_to(*next);
        return true;
    }
    if (!next && !foreign) {
        // Nothing Asio knows of can wake the loop: only an outside event that holds no
        // work (a thread posting without a work guard), if the case allows for one.
        if (opts.idle_grace <= steady::duration::zero())
            return false;
        n = ioc.run_one_for(opts.idle_grace);
        if (ioc.stopped())
            ioc.restart();
        return n != 0;
    }
    // Wait in real time for the outstanding work, or until the next timer is due. On the
    // virtual clock, loop time follows real time meanwhile.
    auto wait = std::min(wait_slice, real_deadline - steady::now());
    if (next)
        wait = std::min<steady::duration>(
            wait,
            *next - loop.time() +
                (opts.virtual_clock ? steady::duration::zero() : std::chrono::milliseconds(1)));
    wait = std::max(wait, steady::duration::zero());
    const auto before = steady::now();
    ioc.run_one_for(wait);
    if (ioc.stopped())
        ioc.restart();
    if (opts.virtual_clock)
        tulip::detail::loop_timers(loop).advance_to(loop.time() + (steady::now() - before));
    return true;
}

} // namespace

case_result run_case_report(awaitable<void> (*body)(), const case_options& opts)
{
    case_result result;
    auto& failures = result.failures;
    {
        boost::asio::io_context ioc(1);
        event_loop& loop = get_event_loop(ioc);
        if (opts.virtual_clock)
            tulip::detail::loop_timers(loop).use_virtual_clock();
        loop.set_exception_handler([&failures](event_loop&, const exception_context& c) {
            failures.push_back("the loop's exception handler was called: " +
                               tulip::detail::format_exception_context(c));
        });
        tulip::detail::drive_scope driving(loop);

        const auto real_deadline = steady::now() + opts.timeout;
        const auto virtual_start = loop.time();
        any_task main = create_task(ioc, body(), task_options{.name = "test"});
        while (!main.done()) {
            if (steady::now() > real_deadline) {
                failures.push_back("timed out after " + seconds(opts.timeout) + "; tasks:\n" +
                                   format_task_tree(loop));
                break;
            }
            if (opts.virtual_clock && loop.time() - virtual_start > opts.virtual_limit) {
                failures.push_back("virtual time ran past the case's limit; tasks:\n" +
                                   format_task_tree(loop));
                break;
            }
            if (!step(ioc, loop, opts, real_deadline) && !main.done()) {
                failures.push_back(
                    "deadlock: no task can make progress: none is ready, no timer is pending "
                    "and no I/O or other work is outstanding on the io_context (a thread "
                    "that will wake the loop must hold a work guard on it); tasks:\n" +
                    format_task_tree(loop));
                break;
            }
        }

        if (main.done()) {
            if (main.cancelled())
                result.exception =
                    std::make_exception_ptr(cancelled_error("test task was cancelled"));
            else
                result.exception = main.exception();
            if (auto left = all_tasks(loop); !left.empty())
                failures.push_back("the test left " + std::to_string(left.size()) +
                                   " task(s) unfinished:\n" + format_task_tree(loop));
            if (auto n = loop.pending_callbacks())
                failures.push_back("the test left " + std::to_string(n) + " callback(s) scheduled");
            else if (tulip::detail::loop_timers(loop).next_deadline())
                failures.push_back("the test left timers pending");
        }

        // Clean up: cancel what is left and let it finish, briefly.
        auto left = all_tasks(loop);
        for (auto& t : left)
            t.cancel("test case ended");
        const auto cleanup_deadline = steady::now() + std::chrono::seconds(5);
        while (std::any_of(left.begin(), left.end(), [](const any_task& t) { return !t.done(); }) &&
               steady::now() < cleanup_deadline)
            if (!step(ioc, loop, opts, cleanup_deadline))
                break;
        for (auto& t : left)
            if (t.done() && !t.cancelled())
                if (auto e = t.exception())
                    failures.push_back("a leftover task failed: " +
                                       tulip::detail::format_exception_context({"", e, t}));
        main = any_task();
    }
    return result;
}

void run_case(awaitable<void> (*body)(), const case_options& opts)
{
    case_result r = run_case_report(body, opts);
    for (const auto& f : r.failures)
        BOOST_ERROR(f);
    if (r.exception)
        std::rethrow_exception(r.exception);
}

} // namespace test
} // namespace boost::tulip
