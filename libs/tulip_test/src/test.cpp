//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/test.hpp>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <sstream>

namespace boost::tulip {
namespace detail {
std::string format_exception_context(const exception_context& c);
} // namespace detail

namespace test {

namespace {

using steady = std::chrono::steady_clock;
using detail::loop_access;

std::string seconds(steady::duration d)
{
    std::ostringstream os;
    os << std::chrono::duration<double>(d).count() << " s";
    return os.str();
}

// One round of the loop: run what is ready; if nothing is, jump virtual time or wait a
// little for an outside event. Returns false when nothing at all can happen.
bool step(boost::asio::io_context& ioc, event_loop& loop, const case_options& opts,
          steady::duration idle_wait)
{
    std::size_t n = ioc.poll();
    if (ioc.stopped())
        ioc.restart();
    if (n)
        return true;
    auto next = loop_access::next_deadline(loop);
    if (opts.virtual_clock && next)
    {
        loop_access::advance_to(loop, *next);
        return true;
    }
    if (next)  // real clock: wait for the timer (or anything else)
        idle_wait = std::min<steady::duration>(idle_wait, *next - loop.time() +
                                                              std::chrono::milliseconds(1));
    n = ioc.run_one_for(std::max<steady::duration>(idle_wait, steady::duration::zero()));
    if (ioc.stopped())
        ioc.restart();
    return n != 0 || next.has_value();
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
            loop_access::use_virtual_clock(loop);
        loop.set_exception_handler([&failures](event_loop&, const exception_context& c) {
            failures.push_back("the loop's exception handler was called: " +
                               detail::format_exception_context(c));
        });
        detail::drive_scope driving(loop);

        const auto real_deadline = steady::now() + opts.timeout;
        const auto virtual_start = loop.time();
        any_task main = create_task(ioc, body(), task_options{.name = "test"});
        while (!main.done())
        {
            if (steady::now() > real_deadline)
            {
                failures.push_back("timed out after " + seconds(opts.timeout) +
                                   "; tasks:\n" + format_task_tree(loop));
                break;
            }
            if (opts.virtual_clock && loop.time() - virtual_start > opts.virtual_limit)
            {
                failures.push_back("virtual time ran past the case's limit; tasks:\n" +
                                   format_task_tree(loop));
                break;
            }
            if (!step(ioc, loop, opts, opts.idle_grace) && !main.done())
            {
                failures.push_back("deadlock: no task can make progress and nothing "
                                   "outside the loop woke it; tasks:\n" +
                                   format_task_tree(loop));
                break;
            }
        }

        if (main.done())
        {
            if (main.cancelled())
                result.exception = std::make_exception_ptr(cancelled_error("test task was cancelled"));
            else
                result.exception = main.exception();
            if (auto left = all_tasks(loop); !left.empty())
                failures.push_back("the test left " + std::to_string(left.size()) +
                                   " task(s) unfinished:\n" + format_task_tree(loop));
            if (auto n = loop.pending_callbacks())
                failures.push_back("the test left " + std::to_string(n) +
                                   " callback(s) scheduled");
            else if (loop_access::next_deadline(loop))
                failures.push_back("the test left timers pending");
        }

        // Clean up: cancel what is left and let it finish, briefly.
        auto left = all_tasks(loop);
        for (auto& t : left)
            t.cancel("test case ended");
        const auto cleanup_deadline = steady::now() + std::chrono::seconds(5);
        while (std::any_of(left.begin(), left.end(), [](const any_task& t) { return !t.done(); }) &&
               steady::now() < cleanup_deadline)
            if (!step(ioc, loop, opts, std::chrono::milliseconds(100)))
                break;
        for (auto& t : left)
            if (t.done() && !t.cancelled())
                if (auto e = t.exception())
                    failures.push_back("a leftover task failed: " +
                                       detail::format_exception_context({"", e, t}));
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
