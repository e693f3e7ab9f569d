//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Benchmark `generator_yield`: a consumer pulls N ints from an async generator whose body
// yields in a loop (`async for v in gen`).
//
//   tulip  async_generator<int>, `while (auto v = co_await gen.next())`, in a Tulip task
//   asio   asio::experimental::coro<int>, `co_await gen.async_resume(use_awaitable)`
//          inside an asio::awaitable (the way an awaitable consumes a coro)
//   asio_awaitable_call  no generator: one `co_await` of an asio::awaitable<optional<int>>
//          per item, the floor of any API whose next() returns an awaitable
//   The CPython peer is bench/peers/asyncio_peers.py generator_yield.
//
// ns per yielded item, median of R repetitions, impls interleaved.
// Usage: generator_yield [--reps R] [--n N] [--wall]

#include <boost/tulip/generator.hpp>
#include <boost/tulip/run.hpp>

#include <boost/asio/experimental/channel.hpp> // before coro.hpp (asio#1456)
#include <boost/asio/experimental/coro.hpp>
#include <boost/asio/experimental/use_coro.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>
#include <vector>

#include "bench_common.hpp"

namespace asio = boost::asio;
namespace tulip = boost::tulip;

namespace {

using namespace bench;

tulip::async_generator<int> tulip_numbers(long n)
{
    for (long i = 0; i < n; ++i)
        co_yield static_cast<int>(i);
}

tulip::awaitable<double> tulip_consume(long n)
{
    auto gen = tulip_numbers(n);
    long sum = 0;
    const double t0 = now_ns();
    while (auto v = co_await gen.next())
        sum += *v;
    const double per = elapsed_ns(t0) / n;
    if (sum < 0)
        std::abort();
    co_return per;
}

asio::experimental::coro<int> asio_numbers(asio::any_io_executor, long n)
{
    for (long i = 0; i < n; ++i)
        co_yield static_cast<int>(i);
}

asio::awaitable<double> asio_consume(long n)
{
    auto gen = asio_numbers(co_await asio::this_coro::executor, n);
    long sum = 0;
    const double t0 = now_ns();
    while (auto v = co_await gen.async_resume(asio::use_awaitable))
        sum += *v;
    const double per = elapsed_ns(t0) / n;
    if (sum < 0)
        std::abort();
    co_return per;
}

asio::awaitable<std::optional<int>> asio_one(long i, long n)
{
    if (i < n)
        co_return static_cast<int>(i);
    co_return std::nullopt;
}

asio::awaitable<double> asio_call_consume(long n)
{
    long sum = 0;
    long i = 0;
    const double t0 = now_ns();
    while (auto v = co_await asio_one(i++, n))
        sum += *v;
    const double per = elapsed_ns(t0) / n;
    if (sum < 0)
        std::abort();
    co_return per;
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

    (void)r.run(tulip_consume(n / 10)); // warm-up
    (void)run_asio(ioc, asio_consume(n / 10));
    measure_medians(reps, [&](medians& m) {
        m.add("generator_yield", "tulip", r.run(tulip_consume(n)));
        m.add("generator_yield", "asio", run_asio(ioc, asio_consume(n)));
        m.add("generator_yield", "asio_awaitable_call", run_asio(ioc, asio_call_consume(n)));
    });
    return 0;
}
