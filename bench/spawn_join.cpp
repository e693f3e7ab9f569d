//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Benchmark `spawn_join`: create a task whose body returns at once, then await it.
//
//   spawn_join        one at a time: create, await, repeat            (ns per op)
//   spawn_join_batch  create 100k, then await each of them in order   (ns per op)
//
// Impls (measured in the same process, repetitions interleaved):
//   tulip        tulip::create_task(child()) + co_await t.wait()       (lazy task)
//   tulip_eager  the same with task_options{.eager = true}
//   asio         raw Asio: co_await co_spawn(ex, child(), use_awaitable) for the
//                loop; for the batch, co_spawn each child with a completion handler
//                that stores its result and counts down, then wait for the count to
//                reach zero (a steady_timer used as an event).
//   asio_reactor the `asio` code on an io_context whose reactor is in use (one idle
//                steady_timer exists, as in any program with a socket or a timer;
//                Tulip's loop always has its timer), for information.
//
// Usage: spawn_join [--reps R] [--n N] [--batch B]
// Output: JSON lines on stdout; the median of R repetitions.

#include <boost/tulip/run.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
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

long sink = 0;

tulip::awaitable<int> child()
{
    co_return 1;
}

// ---- one at a time --------------------------------------------------------------------

tulip::awaitable<double> tulip_loop(long n, bool eager)
{
    long sum = 0;
    const double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        tulip::task_options opts;
        opts.eager = eager;
        auto t = tulip::create_task(child(), std::move(opts));
        sum += co_await t.wait();
    }
    const double ns = elapsed_ns(t0) / n;
    sink += sum;
    co_return ns;
}

asio::awaitable<double> asio_loop(long n)
{
    auto ex = co_await asio::this_coro::executor;
    long sum = 0;
    const double t0 = now_ns();
    for (long i = 0; i < n; ++i)
        sum += co_await asio::co_spawn(ex, child(), asio::use_awaitable);
    const double ns = elapsed_ns(t0) / n;
    sink += sum;
    co_return ns;
}

// ---- batch ------------------------------------------------------------------------------

tulip::awaitable<double> tulip_batch(long n, bool eager)
{
    std::vector<tulip::task<int>> tasks;
    tasks.reserve(n);
    long sum = 0;
    const double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        tulip::task_options opts;
        opts.eager = eager;
        tasks.push_back(tulip::create_task(child(), std::move(opts)));
    }
    for (auto& t : tasks)
        sum += co_await t.wait();
    const double ns = elapsed_ns(t0) / n;
    sink += sum;
    co_return ns;
}

asio::awaitable<double> asio_batch(long n)
{
    auto ex = co_await asio::this_coro::executor;
    std::vector<int> results(n);
    asio::steady_timer done(ex, asio::steady_timer::time_point::max());
    long remaining = n;
    const double t0 = now_ns();
    for (long i = 0; i < n; ++i)
        asio::co_spawn(ex, child(), [&, i](std::exception_ptr e, int v) {
            if (e)
                std::rethrow_exception(e);
            results[i] = v;
            if (--remaining == 0)
                done.cancel();
        });
    if (remaining != 0) {
        boost::system::error_code ec;
        co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    long sum = 0;
    for (int v : results)
        sum += v;
    const double ns = elapsed_ns(t0) / n;
    sink += sum;
    co_return ns;
}

} // namespace

int main(int argc, char** argv)
{
    const long reps = arg_long(argc, argv, "--reps", 5);
    const long n = arg_long(argc, argv, "--n", 100000);
    const long batch = arg_long(argc, argv, "--batch", 100000);

    tulip::run_options ro;
    ro.handle_sigint = false;
    tulip::runner r(ro);
    asio::io_context ioc(1);
    asio::io_context ioc_reactor(1);
    asio::steady_timer idle_timer(ioc_reactor); // initialises the reactor

    // Warm-up (allocator pools, page faults), not reported.
    r.run(tulip_batch(batch, false));
    (void)run_asio(ioc, asio_batch(batch));
    measure_medians(reps, [&](medians& m) {
        m.add("spawn_join", "tulip", r.run(tulip_loop(n, false)));
        m.add("spawn_join", "tulip_eager", r.run(tulip_loop(n, true)));
        m.add("spawn_join", "asio", run_asio(ioc, asio_loop(n)));
        m.add("spawn_join", "asio_reactor", run_asio(ioc_reactor, asio_loop(n)));
        m.add("spawn_join_batch", "tulip", r.run(tulip_batch(batch, false)));
        m.add("spawn_join_batch", "tulip_eager", r.run(tulip_batch(batch, true)));
        m.add("spawn_join_batch", "asio", run_asio(ioc, asio_batch(batch)));
        m.add("spawn_join_batch", "asio_reactor", run_asio(ioc_reactor, asio_batch(batch)));
    });
    if (sink == 42)
        std::puts("");
    return 0;
}
