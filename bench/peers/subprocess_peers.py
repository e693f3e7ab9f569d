#!/usr/bin/python3
#
# Copyright (c) 2026 The Boost.Tulip authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
"""CPython asyncio / uvloop peers of bench/subprocess_spawn.cpp.

Usage: subprocess_peers.py [--loop asyncio|uvloop] [--reps R] [--n N]

Starts `true` (looked up in PATH) with asyncio.create_subprocess_exec and awaits
Process.wait(), N times, one at a time; prints the median over R repetitions of the
CPU time per spawn-and-wait (this process, every thread, plus the reaped children, as
bench/subprocess_spawn.cpp measures it) as a JSON line:
  {"bench":"subprocess_spawn","impl":"asyncio","metric":"ns_per_op","value":...,"unit":"ns"}
and the wall-clock time as bench "subprocess_spawn_wall", and this process's CPU time
alone as "subprocess_spawn_parent_cpu".
If uvloop cannot be imported, a note goes to stderr and nothing is printed.
"""

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time


def emit(bench, impl, metric, value, unit):
    print(json.dumps({"bench": bench, "impl": impl, "metric": metric,
                      "value": float("%.4g" % value), "unit": unit},
                     separators=(",", ":")), flush=True)


def total_cpu_ns():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time_ns() + (ru.ru_utime + ru.ru_stime) * 1e9


async def spawn_loop(n):
    c0 = total_cpu_ns()
    p0 = time.process_time_ns()
    t0 = time.perf_counter_ns()
    for _ in range(n):
        p = await asyncio.create_subprocess_exec("true")
        if await p.wait() != 0:
            raise RuntimeError("true failed")
    return ((total_cpu_ns() - c0) / n, (time.perf_counter_ns() - t0) / n,
            (time.process_time_ns() - p0) / n)


def run_on(kind, coro):
    if kind == "uvloop":
        import uvloop
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()
    if args.loop == "uvloop":
        try:
            import uvloop  # noqa: F401
        except ImportError as e:
            print("subprocess_peers.py: uvloop not available (%s); skipping" % e,
                  file=sys.stderr)
            return 0
    run_on(args.loop, spawn_loop(5))  # warm-up
    values = [run_on(args.loop, spawn_loop(args.n)) for _ in range(args.reps)]
    emit("subprocess_spawn", args.loop, "ns_per_op",
         statistics.median(v[0] for v in values), "ns")
    emit("subprocess_spawn_wall", args.loop, "ns_per_op",
         statistics.median(v[1] for v in values), "ns")
    emit("subprocess_spawn_parent_cpu", args.loop, "ns_per_op",
         statistics.median(v[2] for v in values), "ns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
