//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// What every bench program shares: clocks, medians, JSON output, arguments.

#ifndef BOOST_TULIP_BENCH_COMMON_HPP
#define BOOST_TULIP_BENCH_COMMON_HPP

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <malloc.h>
#include <vector>

namespace bench {

// Per-op figures use the thread's CPU time (CLOCK_THREAD_CPUTIME_ID): the machine is
// shared, and CPU time leaves out the time the benchmark was not scheduled. `--wall`
// switches to wall-clock time (steady_clock).
inline bool use_wall_clock = false;

inline double wall_ns()
{
    return std::chrono::duration<double, std::nano>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline double cpu_ns()
{
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

inline double now_ns()
{
    if (use_wall_clock)
        return wall_ns();
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

inline double elapsed_ns(double t0)
{
    return now_ns() - t0;
}

inline double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

inline void emit(const char* bench, const char* impl, const char* metric, double value,
                 const char* unit)
{
    std::printf(
        "{\"bench\":\"%s\",\"impl\":\"%s\",\"metric\":\"%s\",\"value\":%.4g,\"unit\":\"%s\"}\n",
        bench, impl, metric, value, unit);
    std::fflush(stdout);
}

// The value after `name`, or `def`; also notes `--wall`.
inline long arg_long(int argc, char** argv, const char* name, long def)
{
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--wall") == 0)
            use_wall_clock = true;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0)
            return std::atol(argv[i + 1]);
    return def;
}

inline double heap_in_use()
{
    struct mallinfo2 mi = mallinfo2();
    return static_cast<double>(mi.uordblks + mi.hblkhd);
}

// Runs a coroutine on `ioc` with plain co_spawn and stores its result.
template <class T>
void run_asio(boost::asio::io_context& ioc, boost::asio::awaitable<T> coro, T& out)
{
    std::exception_ptr err;
    boost::asio::co_spawn(ioc, std::move(coro), [&](std::exception_ptr e, T v) {
        err = e;
        out = v;
    });
    ioc.restart();
    ioc.run();
    if (err)
        std::rethrow_exception(err);
}

// Runs a coroutine on `ioc` with plain co_spawn and returns its result.
template <class T>
T run_asio(boost::asio::io_context& ioc, boost::asio::awaitable<T> coro)
{
    T out{};
    run_asio(ioc, std::move(coro), out);
    return out;
}

// The per-op figures (ns) of a program's series, one per repetition: `add` appends one to
// the series (bench, impl); `emit_all` prints each series' median as ns_per_op, in the
// order the series first appeared.
class medians
{
public:
    void add(const char* bench, const char* impl, double ns)
    {
        for (auto& s : series_) {
            if (std::strcmp(s.bench, bench) == 0 && std::strcmp(s.impl, impl) == 0) {
                s.values.push_back(ns);
                return;
            }
        }
        series_.push_back({bench, impl, {ns}});
    }

    void emit_all() const
    {
        for (const auto& s : series_)
            emit(s.bench, s.impl, "ns_per_op", median(s.values), "ns");
    }

private:
    struct series
    {
        const char* bench;
        const char* impl;
        std::vector<double> values;
    };
    std::vector<series> series_;
};

// Runs `one_rep(m)` `reps` times (each adds one figure to each series of `m`), then
// prints the medians. Interleaving the series in each repetition makes a drift of the
// machine hit them all alike.
template <class F>
void measure_medians(long reps, F&& one_rep)
{
    medians m;
    for (long rep = 0; rep < reps; ++rep)
        one_rep(m);
    m.emit_all();
}

} // namespace bench

#endif
