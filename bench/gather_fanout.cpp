//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Benchmark `gather_fanout`: gather of N trivial children (each `co_return i`), ns per
// child, including making the tasks and collecting the results in order.
//
// Impls (measured in the same process, repetitions interleaved):
//   tulip         co_await tulip::gather(std::vector<awaitable<int>>{...})  (asyncio's
//                 gather(*[f(i) for i in range(n)]): each awaitable becomes a task)
//   tulip_tasks   the tasks made first with create_task, then gather(std::vector<task<int>>)
//   asio          raw Asio: co_spawn each child with a completion handler that stores its
//                 result and counts down; the parent waits for the count to reach zero
//                 (a steady_timer used as an event)
//   asio_parallel_group  raw Asio: experimental::make_parallel_group over a vector of
//                 co_spawn(..., deferred) operations, wait_for_all, awaited once
//
// Usage: gather_fanout [--reps R] [--n N]
// Output: JSON lines on stdout; the median of R repetitions.

#include <boost/tulip/gather.hpp>
#include <boost/tulip/run.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <exception>
#include <vector>

#include "bench_common.hpp"

namespace asio = boost::asio;
namespace tulip = boost::tulip;

namespace {

using namespace bench;

long sink = 0;

tulip::awaitable<int> child(int i)
{
    co_return i;
}

tulip::awaitable<double> tulip_gather(long n)
{
    const double t0 = now_ns();
    std::vector<tulip::awaitable<int>> children;
    children.reserve(n);
    for (long i = 0; i < n; ++i)
        children.push_back(child(static_cast<int>(i)));
    const std::vector<int> r = co_await tulip::gather(std::move(children));
    const double ns = elapsed_ns(t0) / n;
    sink += r.back();
    co_return ns;
}

tulip::awaitable<double> tulip_gather_tasks(long n)
{
    const double t0 = now_ns();
    std::vector<tulip::task<int>> tasks;
    tasks.reserve(n);
    for (long i = 0; i < n; ++i)
        tasks.push_back(tulip::create_task(child(static_cast<int>(i))));
    const std::vector<int> r = co_await tulip::gather(std::move(tasks));
    const double ns = elapsed_ns(t0) / n;
    sink += r.back();
    co_return ns;
}

asio::awaitable<double> asio_counter(long n)
{
    auto ex = co_await asio::this_coro::executor;
    const double t0 = now_ns();
    std::vector<int> results(n);
    asio::steady_timer done(ex, asio::steady_timer::time_point::max());
    long remaining = n;
    for (long i = 0; i < n; ++i)
        asio::co_spawn(ex, child(static_cast<int>(i)), [&, i](std::exception_ptr e, int v) {
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
    const double ns = elapsed_ns(t0) / n;
    sink += results.back();
    co_return ns;
}

asio::awaitable<double> asio_parallel_group(long n)
{
    auto ex = co_await asio::this_coro::executor;
    const double t0 = now_ns();
    using op_type = decltype(asio::co_spawn(ex, child(0), asio::deferred));
    std::vector<op_type> ops;
    ops.reserve(n);
    for (long i = 0; i < n; ++i)
        ops.push_back(asio::co_spawn(ex, child(static_cast<int>(i)), asio::deferred));
    auto [order, errors, values] =
        co_await asio::experimental::make_parallel_group(std::move(ops))
            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    const double ns = elapsed_ns(t0) / n;
    sink += values.back() + static_cast<long>(order.size() + errors.size());
    co_return ns;
}

} // namespace

int main(int argc, char** argv)
{
    const long reps = arg_long(argc, argv, "--reps", 5);
    const long n = arg_long(argc, argv, "--n", 100000);

    tulip::run_options ro;
    ro.handle_sigint = false;
    tulip::runner r(ro);
    asio::io_context ioc(1);

    // Warm-up (allocator pools, page faults), not reported.
    r.run(tulip_gather(n));
    (void)run_asio(ioc, asio_counter(n));
    (void)run_asio(ioc, asio_parallel_group(n));
    measure_medians(reps, [&](medians& m) {
        m.add("gather_fanout", "tulip", r.run(tulip_gather(n)));
        m.add("gather_fanout", "tulip_tasks", r.run(tulip_gather_tasks(n)));
        m.add("gather_fanout", "asio", run_asio(ioc, asio_counter(n)));
        m.add("gather_fanout", "asio_parallel_group", run_asio(ioc, asio_parallel_group(n)));
    });
    if (sink == 42)
        std::puts("");
    return 0;
}
