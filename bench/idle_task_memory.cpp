//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Benchmark `idle_task_memory`: heap bytes per suspended task, with N (100k) tasks
// waiting at once. Heap in use is glibc's mallinfo2() (uordblks + hblkhd), read before
// the tasks are created and after every one of them has reached its suspension point;
// the difference is divided by N. Handle vectors are reserved before the first reading.
//
//   tulip        create_task(coroutine { co_await fut.wait(); }) on one tulip::future<void>
//   tulip_sleep  create_task(coroutine { co_await tulip::sleep(1h); })
//   asio         co_spawn(ex, coroutine { steady_timer t(ex, 1h); co_await
//                t.async_wait(use_awaitable); }, detached)
//
// Usage: idle_task_memory [--reps R] [--n N]

#include <boost/tulip/future.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <memory>
#include <vector>

#include <malloc.h>

#include "bench_common.hpp"

namespace asio = boost::asio;
namespace tulip = boost::tulip;

namespace {

using namespace bench;

long suspended = 0;

tulip::awaitable<void> tulip_idle_future(tulip::future<void> fut)
{
    ++suspended;
    co_await fut.wait();
}

tulip::awaitable<void> tulip_idle_sleep()
{
    ++suspended;
    co_await tulip::sleep(std::chrono::hours(1));
}

tulip::awaitable<double> tulip_measure(long n, bool use_sleep)
{
    suspended = 0;
    auto fut = tulip::get_running_loop().create_future<void>();
    std::vector<tulip::task<void>> tasks;
    tasks.reserve(n);
    // Let the loop settle (its own first allocations) before the baseline.
    co_await tulip::sleep(std::chrono::seconds(0));
    const double before = heap_in_use();
    for (long i = 0; i < n; ++i)
        tasks.push_back(
            tulip::create_task(use_sleep ? tulip_idle_sleep() : tulip_idle_future(fut)));
    // Every task runs its first step and suspends.
    while (suspended < n)
        co_await tulip::sleep(std::chrono::seconds(0));
    co_await tulip::sleep(std::chrono::seconds(0));
    const double after = heap_in_use();
    if (use_sleep)
        for (auto& t : tasks)
            t.cancel();
    else
        fut.set_result();
    for (auto& t : tasks) {
        try {
            co_await t.wait();
        } catch (const std::exception&) {
            // the cancellations of tulip_sleep
        }
    }
    co_return (after - before) / n;
}

double measure_tulip(long n, bool use_sleep)
{
    tulip::run_options ro;
    ro.handle_sigint = false;
    tulip::runner r(ro);
    return r.run(tulip_measure(n, use_sleep));
}

asio::awaitable<void> asio_idle()
{
    ++suspended;
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
    co_await t.async_wait(asio::use_awaitable);
}

double measure_asio(long n)
{
    suspended = 0;
    double result;
    {
        asio::io_context ioc(1);
        {
            // Initialise the reactor and timer queue before the baseline.
            asio::steady_timer warm(ioc, std::chrono::seconds(0));
            warm.wait();
        }
        const double before = heap_in_use();
        for (long i = 0; i < n; ++i)
            asio::co_spawn(ioc, asio_idle(), asio::detached);
        while (suspended < n)
            ioc.poll();
        ioc.poll();
        const double after = heap_in_use();
        result = (after - before) / n;
        ioc.stop();
    } // the io_context destroys the suspended coroutines
    return result;
}

} // namespace

int main(int argc, char** argv)
{
    const long reps = arg_long(argc, argv, "--reps", 3);
    const long n = arg_long(argc, argv, "--n", 100000);

    std::vector<double> t, ts, a;
    for (long rep = 0; rep < reps; ++rep) {
        t.push_back(measure_tulip(n, false));
        ts.push_back(measure_tulip(n, true));
        a.push_back(measure_asio(n));
    }
    emit("idle_task_memory", "tulip", "bytes_per_task", median(t), "B");
    emit("idle_task_memory", "tulip_sleep", "bytes_per_task", median(ts), "B");
    emit("idle_task_memory", "asio", "bytes_per_task", median(a), "B");
    return 0;
}
