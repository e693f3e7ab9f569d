//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// call_soon_threadsafe wake-up latency: another thread schedules a callback on an idle
// loop (blocked waiting for work); the figure is the wall-clock time from just before the
// call to the callback's first instruction on the loop's thread, in ns (median of R
// repetitions of the mean over N wake-ups). The thread waits for each callback to have
// run, then lets the loop go idle again, before the next.
// Usage: call_soon_threadsafe [--reps R] [--n N]

#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/sync.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "bench_common.hpp"

namespace tulip = boost::tulip;

namespace {

using namespace bench;

double measure(tulip::runner& r, long n)
{
    tulip::event_loop& loop = r.get_loop();
    std::atomic<double> total{0};
    std::atomic<long> seen{0};
    std::atomic<bool> started{false};
    tulip::event* finished = nullptr; // the loop's, set on the loop's thread
    std::thread other([&] {
        while (!started.load())
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        for (long i = 0; i < n; ++i) {
            // Let the loop block in its wait first: the latency of waking an idle loop.
            std::this_thread::sleep_for(std::chrono::microseconds(50));
            const double t0 = wall_ns();
            loop.call_soon_threadsafe([&, t0] {
                total.store(total.load(std::memory_order_relaxed) + (wall_ns() - t0),
                            std::memory_order_relaxed);
                seen.fetch_add(1, std::memory_order_release);
            });
            while (seen.load(std::memory_order_acquire) <= i)
                std::this_thread::yield();
        }
        loop.call_soon_threadsafe([&] { finished->set(); });
    });
    auto wait = [&]() -> tulip::awaitable<void> {
        tulip::event ev; // nothing else runs: the loop blocks waiting for the other thread
        finished = &ev;
        started = true;
        co_await ev.wait();
    };
    r.run(wait());
    other.join();
    return total.load() / n;
}

} // namespace

int main(int argc, char** argv)
{
    const long reps = arg_long(argc, argv, "--reps", 5);
    const long n = arg_long(argc, argv, "--n", 2000);
    tulip::run_options ro;
    ro.handle_sigint = false;
    tulip::runner r(ro);
    (void)measure(r, n / 10);
    measure_medians(reps,
                    [&](medians& m) { m.add("call_soon_threadsafe", "tulip", measure(r, n)); });
    return 0;
}
