//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// A short tour of Tulip: tasks, cancellation, context variables and timers.

#include <boost/tulip.hpp>

#include <iostream>
#include <string>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

// Each task sees its own value: a task starts with a copy of its creator's context.
tulip::context_var<std::string> request_id{"request_id", "-"};

void log(const std::string& what)
{
    auto& loop = tulip::get_running_loop();
    static const auto start = loop.time();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(loop.time() - start).count();
    auto task = tulip::current_task(); // empty in a loop callback
    std::cout << "[" << ms / 10 * 10 << " ms] [" << (task ? task.get_name() : "callback") << " "
              << request_id.get() << "] " << what << "\n";
}

tulip::awaitable<int> handle_request(std::string id, std::chrono::milliseconds work)
{
    auto token = request_id.set(id); // invisible to the creator and to sibling tasks
    log("started, working for " + std::to_string(work.count()) + " ms");
    co_await tulip::sleep(work);
    log("done");
    co_return static_cast<int>(work.count());
}

tulip::awaitable<void> slow_job()
{
    std::exception_ptr cancelled;
    try {
        log("slow job started");
        co_await tulip::sleep(10s);
    } catch (const std::exception& e) {
        if (!tulip::is_cancellation(e))
            throw;
        cancelled = std::current_exception();
    }
    // C++ forbids co_await in a catch block: clean up after it, then rethrow.
    log("slow job cancelled; cleaning up");
    co_await tulip::sleep(20ms);
    log("slow job cleanup finished");
    std::rethrow_exception(cancelled);
}

tulip::awaitable<int> tour()
{
    log("hello from the main task");

    // Tasks run concurrently; the creator keeps going until it awaits.
    auto a = tulip::create_task(handle_request("req-a", 60ms), {.name = "handler-a"});
    auto b = tulip::create_task(handle_request("req-b", 30ms), {.name = "handler-b"});
    log("created two tasks; awaiting them");
    int total = co_await a.wait() + co_await b.wait();
    log("both handlers finished, total work " + std::to_string(total) + " ms");

    // Timers: a callback on the loop, in the context of its caller.
    auto token = request_id.set("timer-demo");
    tulip::call_later(10ms, [] { log("call_later callback ran"); });
    co_await tulip::sleep(20ms);
    request_id.reset(token);

    // Cancellation: delivered once, at the task's suspension point.
    auto job = tulip::create_task(slow_job(), {.name = "slow-job"});
    co_await tulip::sleep(30ms);
    log("cancelling the slow job");
    job.cancel("no longer needed");
    try {
        co_await job.wait();
    } catch (const tulip::cancelled_error& e) {
        log(std::string("the slow job ended cancelled: ") + e.message());
    }
    log("tasks still running: " + std::to_string(tulip::all_tasks().size() - 1));
    co_return total;
}

int main()
{
    int total = tulip::run(tour());
    std::cout << "tour finished, total = " << total << "\n";
    return total == 90 ? 0 : 1;
}
