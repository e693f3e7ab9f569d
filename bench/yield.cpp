//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Benchmark `yield`: give the loop a turn and resume (asyncio `await asyncio.sleep(0)`).
//
//   tulip          co_await tulip::sleep(0s)                       (default token: deferred)
//   asio           co_await asio::post(ex, asio::use_awaitable)
//   asio_deferred  co_await asio::post(ex, asio::deferred)
//   asio_reactor   the `asio` loop on an io_context whose reactor is in use (one idle
//                  steady_timer exists, as in any program with a socket or a timer;
//                  Tulip's loop always has its timer). For information: Asio then
//                  polls epoll once per handler when only one handler is ready.
//
// ns per yield, median of R repetitions, impls interleaved.
// Usage: yield [--reps R] [--n N] [--wall]

#include <boost/tulip/run.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
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

tulip::awaitable<double> tulip_yield(long n)
{
    const double t0 = now_ns();
    for (long i = 0; i < n; ++i)
        co_await tulip::sleep(std::chrono::seconds(0));
    co_return elapsed_ns(t0) / n;
}

asio::awaitable<double> asio_yield(long n)
{
    auto ex = co_await asio::this_coro::executor;
    const double t0 = now_ns();
    for (long i = 0; i < n; ++i)
        co_await asio::post(ex, asio::use_awaitable);
    co_return elapsed_ns(t0) / n;
}

asio::awaitable<double> asio_yield_deferred(long n)
{
    auto ex = co_await asio::this_coro::executor;
    const double t0 = now_ns();
    for (long i = 0; i < n; ++i)
        co_await asio::post(ex, asio::deferred);
    co_return elapsed_ns(t0) / n;
}

} // namespace

int main(int argc, char** argv)
{
    const long reps = arg_long(argc, argv, "--reps", 5);
    const long n = arg_long(argc, argv, "--n", 1000000);

    tulip::run_options ro;
    ro.handle_sigint = false;
    tulip::runner r(ro);
    asio::io_context ioc(1);
    asio::io_context ioc_reactor(1);
    asio::steady_timer idle_timer(ioc_reactor); // initialises the reactor

    (void)r.run(tulip_yield(n / 10)); // warm-up
    (void)run_asio(ioc, asio_yield(n / 10));
    measure_medians(reps, [&](medians& m) {
        m.add("yield", "tulip", r.run(tulip_yield(n)));
        m.add("yield", "asio", run_asio(ioc, asio_yield(n)));
        m.add("yield", "asio_deferred", run_asio(ioc, asio_yield_deferred(n)));
        m.add("yield", "asio_reactor", run_asio(ioc_reactor, asio_yield(n)));
    });
    return 0;
}
