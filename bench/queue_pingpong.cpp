//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Benchmark `queue_pingpong`: two tasks exchange one int at a time through two queues
// (ping puts on q1 and gets from q2; pong gets from q1 and puts on q2). ns per round trip.
//
// Impls (measured in the same process, repetitions interleaved):
//   tulip          tulip::queue<int> (unbounded), default tokens: co_await q.put(v),
//                  co_await q.get()
//   tulip_bounded  the same with queue<int>(1)
//   asio           raw Asio: two experimental::channel<void(error_code, int)> of capacity 1,
//                  async_send/async_receive with use_awaitable, two co_spawned coroutines
//   asio_deferred  the same with asio::deferred
//
// Usage: queue_pingpong [--reps R] [--n N] [--wall]
// Output: JSON lines on stdout; the median of R repetitions.

#include <boost/tulip/queue.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/experimental/channel.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <vector>

#include "bench_common.hpp"

namespace asio = boost::asio;
namespace tulip = boost::tulip;

namespace {

using namespace bench;

long sink = 0;

// ---- Tulip ------------------------------------------------------------------------------

tulip::awaitable<void> tulip_pong(tulip::queue<int>& in, tulip::queue<int>& out, long n)
{
    for (long i = 0; i < n; ++i) {
        int v = co_await in.get();
        co_await out.put(v + 1);
    }
}

tulip::awaitable<double> tulip_pingpong(long n, std::size_t maxsize)
{
    tulip::queue<int> q1(maxsize), q2(maxsize);
    auto pong = tulip::create_task(tulip_pong(q1, q2, n));
    long sum = 0;
    const double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        co_await q1.put(static_cast<int>(i));
        sum += co_await q2.get();
    }
    const double ns = elapsed_ns(t0) / n;
    co_await pong.wait();
    sink += sum;
    co_return ns;
}

// ---- raw Asio ---------------------------------------------------------------------------

using channel = asio::experimental::channel<void(boost::system::error_code, int)>;

template <class Token>
asio::awaitable<void> asio_pong(channel& in, channel& out, long n, Token tok)
{
    for (long i = 0; i < n; ++i) {
        int v = co_await in.async_receive(tok);
        co_await out.async_send(boost::system::error_code{}, v + 1, tok);
    }
}

template <class Token>
asio::awaitable<double> asio_pingpong(long n, Token tok)
{
    auto ex = co_await asio::this_coro::executor;
    channel c1(ex, 1), c2(ex, 1);
    bool pong_done = false;
    asio::co_spawn(ex, asio_pong(c1, c2, n, tok), [&](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e);
        pong_done = true;
    });
    long sum = 0;
    const double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        co_await c1.async_send(boost::system::error_code{}, static_cast<int>(i), tok);
        sum += co_await c2.async_receive(tok);
    }
    const double ns = elapsed_ns(t0) / n;
    while (!pong_done)
        co_await asio::post(ex, asio::use_awaitable);
    sink += sum;
    co_return ns;
}

} // namespace

int main(int argc, char** argv)
{
    const long reps = arg_long(argc, argv, "--reps", 5);
    const long n = arg_long(argc, argv, "--n", 200000);

    tulip::run_options ro;
    ro.handle_sigint = false;
    tulip::runner r(ro);
    asio::io_context ioc(1);

    // Warm-up (allocator pools, page faults), not reported.
    r.run(tulip_pingpong(n / 10, 0));
    (void)run_asio(ioc, asio_pingpong(n / 10, asio::use_awaitable));
    measure_medians(reps, [&](medians& m) {
        m.add("queue_pingpong", "tulip", r.run(tulip_pingpong(n, 0)));
        m.add("queue_pingpong", "tulip_bounded", r.run(tulip_pingpong(n, 1)));
        m.add("queue_pingpong", "asio", run_asio(ioc, asio_pingpong(n, asio::use_awaitable)));
        m.add("queue_pingpong", "asio_deferred", run_asio(ioc, asio_pingpong(n, asio::deferred)));
    });
    if (sink == 42)
        std::puts("");
    return 0;
}
