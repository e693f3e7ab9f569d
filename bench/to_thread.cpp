//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// to_thread round trip: from the loop to a pool thread, run a trivial function there,
// and back to the awaiting coroutine; wall-clock ns per round trip (threads wake each
// other, so the loop thread's CPU time alone would leave most of it out). Median of R
// repetitions, impls interleaved.
//   tulip: co_await tulip::to_thread(f) on the loop's default executor (4 threads)
//   asio:  raw Asio, co_await asio::post(pool, use_awaitable) to a 4-thread pool: the
//          coroutine resumes on its io_context, so it is the same round trip
// Usage: to_thread [--reps R] [--n N]

#include <boost/tulip/run.hpp>
#include <boost/tulip/threads.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>

#include "bench_common.hpp"

namespace asio = boost::asio;
namespace tulip = boost::tulip;

namespace {

using namespace bench;

constexpr std::size_t pool_threads = 4;
std::atomic<long> sink{0};

tulip::awaitable<double> tulip_round_trips(long n)
{
    auto f = [] { return sink.fetch_add(1, std::memory_order_relaxed); };
    const double t0 = wall_ns();
    for (long i = 0; i < n; ++i)
        (void)co_await tulip::to_thread(f);
    co_return (wall_ns() - t0) / n;
}

asio::awaitable<double> asio_round_trips(asio::thread_pool& pool, long n)
{
    const double t0 = wall_ns();
    for (long i = 0; i < n; ++i) {
        co_await asio::post(pool, asio::use_awaitable);
        sink.fetch_add(1, std::memory_order_relaxed); // on the pool's thread, as f is
    }
    co_return (wall_ns() - t0) / n;
}

} // namespace

int main(int argc, char** argv)
{
    const long reps = arg_long(argc, argv, "--reps", 5);
    const long n = arg_long(argc, argv, "--n", 20000);

    tulip::run_options ro;
    ro.handle_sigint = false;
    tulip::runner r(ro);
    r.get_loop().set_default_executor(pool_threads);
    asio::io_context ioc(1);
    asio::thread_pool pool(pool_threads);

    (void)r.run(tulip_round_trips(n / 10)); // warm-up, and the pool's threads
    (void)run_asio(ioc, asio_round_trips(pool, n / 10));
    measure_medians(reps, [&](medians& m) {
        m.add("to_thread", "tulip", r.run(tulip_round_trips(n)));
        m.add("to_thread", "asio", run_asio(ioc, asio_round_trips(pool, n)));
    });
    pool.join();
    return 0;
}
