//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Benchmark `sleep_fanout`: N (100k) concurrent tasks each sleep 1 ms, then finish.
// Total wall-clock seconds from the first creation until every task is done.
//
//   tulip  N x create_task(co_await tulip::sleep(1ms)), then the main task awaits each
//   asio   N x co_spawn(ex, coroutine { steady_timer t(ex, 1ms); co_await
//          t.async_wait(use_awaitable); }, completion handler counting down); the
//          io_context's run() returns when all are done
//
// Each repetition uses a fresh runner / io_context. Also reports CPU seconds.
// Usage: sleep_fanout [--reps R] [--n N]

#include <boost/tulip/run.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/co_spawn.hpp>
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
#include <vector>

#include "bench_common.hpp"

namespace asio = boost::asio;
namespace tulip = boost::tulip;

namespace {

using namespace bench;

long finished = 0;

tulip::awaitable<void> tulip_sleeper()
{
    co_await tulip::sleep(std::chrono::milliseconds(1));
    ++finished;
}

tulip::awaitable<void> tulip_fanout(long n)
{
    std::vector<tulip::task<void>> tasks;
    tasks.reserve(n);
    for (long i = 0; i < n; ++i)
        tasks.push_back(tulip::create_task(tulip_sleeper()));
    for (auto& t : tasks)
        co_await t.wait();
}

asio::awaitable<void> asio_sleeper()
{
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(1));
    co_await t.async_wait(asio::use_awaitable);
    ++finished;
}

struct result
{
    double wall_s, cpu_s;
};

result measure_tulip(long n)
{
    finished = 0;
    const double w0 = wall_ns(), c0 = cpu_ns();
    {
        tulip::run_options ro;
        ro.handle_sigint = false;
        tulip::runner r(ro);
        r.run(tulip_fanout(n));
    }
    result res{(wall_ns() - w0) / 1e9, (cpu_ns() - c0) / 1e9};
    if (finished != n)
        std::fprintf(stderr, "sleep_fanout: tulip finished %ld of %ld\n", finished, n);
    return res;
}

result measure_asio(long n)
{
    finished = 0;
    const double w0 = wall_ns(), c0 = cpu_ns();
    {
        asio::io_context ioc(1);
        long remaining = n;
        for (long i = 0; i < n; ++i)
            asio::co_spawn(ioc, asio_sleeper(), [&](std::exception_ptr e) {
                if (e)
                    std::rethrow_exception(e);
                --remaining;
            });
        ioc.run();
        if (remaining != 0)
            std::fprintf(stderr, "sleep_fanout: asio left %ld\n", remaining);
    }
    result res{(wall_ns() - w0) / 1e9, (cpu_ns() - c0) / 1e9};
    if (finished != n)
        std::fprintf(stderr, "sleep_fanout: asio finished %ld of %ld\n", finished, n);
    return res;
}

} // namespace

int main(int argc, char** argv)
{
    const long reps = arg_long(argc, argv, "--reps", 5);
    const long n = arg_long(argc, argv, "--n", 100000);

    std::vector<double> tw, tc, aw, ac;
    measure_tulip(n / 10); // warm-up
    measure_asio(n / 10);
    for (long rep = 0; rep < reps; ++rep) {
        auto t = measure_tulip(n);
        tw.push_back(t.wall_s);
        tc.push_back(t.cpu_s);
        auto a = measure_asio(n);
        aw.push_back(a.wall_s);
        ac.push_back(a.cpu_s);
    }
    emit("sleep_fanout", "tulip", "seconds", median(tw), "s");
    emit("sleep_fanout", "asio", "seconds", median(aw), "s");
    emit("sleep_fanout_cpu", "tulip", "seconds", median(tc), "s");
    emit("sleep_fanout_cpu", "asio", "seconds", median(ac), "s");
    return 0;
}
