//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Benchmark `lock_contention`: 100 tasks share one lock; each, K times, acquires it,
// yields to the loop while holding it (sleep(0)), and releases it. ns per
// acquire/release pair (total time / (tasks * K)), which includes the yield.
//
//   lock_contention        tulip::lock, co_await l.acquire() (guard), tulip::sleep(0s)
//   lock_uncontended       one task, acquire + release with no yield (the fast path)
//
// Impls: tulip only (the Python peers are in bench/peers/asyncio_peers.py); `yield`
// (bench/yield.cpp) gives the cost of the sleep(0) alone.
//
// Usage: lock_contention [--reps R] [--tasks T] [--k K] [--wall]

#include <boost/tulip/run.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/task.hpp>

#include <chrono>
#include <vector>

#include "bench_common.hpp"

namespace asio = boost::asio;
namespace tulip = boost::tulip;

namespace {

using namespace bench;

long sink = 0;

tulip::awaitable<void> worker(tulip::lock& l, long k, long& counter)
{
    for (long i = 0; i < k; ++i) {
        auto g = co_await l.acquire();
        co_await tulip::sleep(std::chrono::seconds(0));
        ++counter;
    }
}

tulip::awaitable<double> contention(long tasks, long k)
{
    tulip::lock l;
    long counter = 0;
    std::vector<tulip::task<void>> ts;
    ts.reserve(tasks);
    const double t0 = now_ns();
    for (long i = 0; i < tasks; ++i)
        ts.push_back(tulip::create_task(worker(l, k, counter)));
    for (auto& t : ts)
        co_await t.wait();
    const double ns = elapsed_ns(t0) / static_cast<double>(tasks * k);
    sink += counter;
    co_return ns;
}

tulip::awaitable<double> uncontended(long n)
{
    tulip::lock l;
    const double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        auto g = co_await l.acquire();
        sink += l.locked();
    }
    co_return elapsed_ns(t0) / n;
}

} // namespace

int main(int argc, char** argv)
{
    const long reps = arg_long(argc, argv, "--reps", 5);
    const long tasks = arg_long(argc, argv, "--tasks", 100);
    const long k = arg_long(argc, argv, "--k", 2000);

    tulip::run_options ro;
    ro.handle_sigint = false;
    tulip::runner r(ro);

    r.run(contention(tasks, k / 10)); // warm-up
    measure_medians(reps, [&](medians& m) {
        m.add("lock_contention", "tulip", r.run(contention(tasks, k)));
        m.add("lock_uncontended", "tulip", r.run(uncontended(tasks * k)));
    });
    if (sink == 42)
        std::puts("");
    return 0;
}
