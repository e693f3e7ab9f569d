//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Benchmarks of context variables, run inside a Tulip task whose context holds three
// variables (the same setup as the CPython peer in peers/asyncio_peers.py):
//
//   context_var_get       v.get() of a variable set in the current context  (ns per get)
//   context_var_get_alt   a.get() and b.get() alternately (defeats the one-entry lookup
//                         cache; ns per get; for information)
//   context_var_set        (void)v.set(i); the token is dropped       (ns per set)
//   context_var_set_reset  auto tok = v.set(i); v.reset(tok);         (ns per set+reset pair)
//   context_copy          tulip::copy_context()                       (ns per copy)
//
// No raw-Asio peer exists (Asio has no context variables); the peer is CPython's
// contextvars. Usage: context_var [--reps R] [--n N]

#include <boost/tulip/context.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/io_context.hpp>

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

template <class T>
inline void do_not_optimize(const T& v)
{
    asm volatile("" : : "r,m"(v) : "memory");
}

tulip::context_var<int> var_a{"a", 0};
tulip::context_var<int> var_b{"b", 0};
tulip::context_var<int> var_c{"c", 0};

struct results
{
    double get, get_alt, set_reset, set_only, copy;
};

tulip::awaitable<results> measure(long n)
{
    // Three variables set in this task's context.
    (void)var_a.set(1);
    (void)var_b.set(2);
    (void)var_c.set(3);
    results r{};

    double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        int v = var_b.get();
        do_not_optimize(v);
    }
    r.get = elapsed_ns(t0) / n;

    t0 = now_ns();
    for (long i = 0; i < n; i += 2) {
        int v = var_a.get();
        do_not_optimize(v);
        int w = var_b.get();
        do_not_optimize(w);
    }
    r.get_alt = elapsed_ns(t0) / n;

    const long m = n / 10;
    t0 = now_ns();
    for (long i = 0; i < m; ++i) {
        auto tok = var_b.set(static_cast<int>(i));
        do_not_optimize(tok);
        var_b.reset(tok);
    }
    r.set_reset = elapsed_ns(t0) / m;

    t0 = now_ns();
    for (long i = 0; i < m; ++i) {
        auto tok = var_b.set(static_cast<int>(i));
        do_not_optimize(tok);
    }
    r.set_only = elapsed_ns(t0) / m;

    t0 = now_ns();
    for (long i = 0; i < m; ++i) {
        auto c = tulip::copy_context();
        do_not_optimize(c);
    }
    r.copy = elapsed_ns(t0) / m;
    co_return r;
}

} // namespace

int main(int argc, char** argv)
{
    const long reps = arg_long(argc, argv, "--reps", 5);
    const long n = arg_long(argc, argv, "--n", 20000000);

    tulip::run_options ro;
    ro.handle_sigint = false;
    tulip::runner r(ro);
    (void)r.run(measure(n / 10)); // warm-up
    measure_medians(reps, [&](medians& m) {
        const results x = r.run(measure(n));
        m.add("context_var_get", "tulip", x.get);
        m.add("context_var_get_alt", "tulip", x.get_alt);
        m.add("context_var_set", "tulip", x.set_only);
        m.add("context_var_set_reset", "tulip", x.set_reset);
        m.add("context_copy", "tulip", x.copy);
    });
    return 0;
}
