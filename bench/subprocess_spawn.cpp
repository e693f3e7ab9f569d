//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Benchmark `subprocess_spawn`: start `true` (looked up in PATH) and wait for its exit,
// one at a time.
//
// Impls (same process, repetitions interleaved):
//   tulip        co_await create_subprocess_exec("true", {}) then co_await p.wait()
//   posix_spawn  the floor, for information: posix_spawnp + a blocking waitpid, no loop
// Peers: asyncio and uvloop in bench/peers/subprocess_peers.py (the same loop of
// create_subprocess_exec + wait).
//
// ns_per_op is CPU time per spawn-and-wait: the parent's (every thread: asyncio's child
// watcher runs one per child) plus the children's (getrusage(RUSAGE_CHILDREN): clone,
// exec, exit). On a shared, loaded machine wall-clock time mostly measures how long the
// child and the parent wait for a core; it is reported too, as bench
// `subprocess_spawn_wall`, for information, and so is the parent's CPU time alone
// (`subprocess_spawn_parent_cpu`): the part the library decides, without the child's
// exec, which is the same for every impl.
//
// Usage: subprocess_spawn [--reps R] [--n N]
// Output: JSON lines on stdout; the median of R repetitions.

#include <boost/tulip/run.hpp>
#include <boost/tulip/subprocess.hpp>

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <stdexcept>

#include "bench_common.hpp"

extern char** environ;

namespace tulip = boost::tulip;

namespace {

using namespace bench;

// The CPU time of this process and of its reaped children.
double total_cpu_ns()
{
    rusage ru;
    ::getrusage(RUSAGE_CHILDREN, &ru);
    auto us = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_usec) * 1e3;
    };
    return cpu_ns() + us(ru.ru_utime) + us(ru.ru_stime);
}

struct figures
{
    double cpu;
    double wall;
    double parent;
};

tulip::awaitable<figures> tulip_loop(long n)
{
    const double c0 = total_cpu_ns();
    const double p0 = cpu_ns();
    const double t0 = wall_ns();
    for (long i = 0; i < n; ++i) {
        std::vector<std::string> args;
        auto p = co_await tulip::create_subprocess_exec("true", std::move(args));
        int code = co_await p.wait();
        if (code != 0)
            throw std::runtime_error("true failed");
    }
    const double wall = (wall_ns() - t0) / static_cast<double>(n);
    const double parent = (cpu_ns() - p0) / static_cast<double>(n);
    co_return figures{(total_cpu_ns() - c0) / static_cast<double>(n), wall, parent};
}

figures raw_loop(long n)
{
    char arg0[] = "true";
    char* argv[] = {arg0, nullptr};
    const double c0 = total_cpu_ns();
    const double p0 = cpu_ns();
    const double t0 = wall_ns();
    for (long i = 0; i < n; ++i) {
        pid_t pid;
        if (::posix_spawnp(&pid, "true", nullptr, nullptr, argv, environ) != 0)
            throw std::runtime_error("posix_spawnp failed");
        int status;
        ::waitpid(pid, &status, 0);
    }
    const double wall = (wall_ns() - t0) / static_cast<double>(n);
    const double parent = (cpu_ns() - p0) / static_cast<double>(n);
    return figures{(total_cpu_ns() - c0) / static_cast<double>(n), wall, parent};
}

} // namespace

int main(int argc, char** argv)
{
    const long reps = arg_long(argc, argv, "--reps", 5);
    const long n = arg_long(argc, argv, "--n", 200);

    tulip::run_options ro;
    ro.handle_sigint = false;
    tulip::runner r(ro);

    (void)r.run(tulip_loop(5)); // warm-up, not reported
    measure_medians(reps, [&](medians& m) {
        figures t = r.run(tulip_loop(n));
        figures raw = raw_loop(n);
        m.add("subprocess_spawn", "tulip", t.cpu);
        m.add("subprocess_spawn", "posix_spawn", raw.cpu);
        m.add("subprocess_spawn_wall", "tulip", t.wall);
        m.add("subprocess_spawn_wall", "posix_spawn", raw.wall);
        m.add("subprocess_spawn_parent_cpu", "tulip", t.parent);
        m.add("subprocess_spawn_parent_cpu", "posix_spawn", raw.parent);
    });
    return 0;
}
