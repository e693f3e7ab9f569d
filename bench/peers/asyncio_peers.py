#!/usr/bin/python3
#
# Copyright (c) 2026 The Boost.Tulip authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
"""CPython asyncio / uvloop peers of the Tulip benchmarks (bench/*.cpp).

Usage: asyncio_peers.py CASE [--loop asyncio|uvloop] [--reps R]

CASE is one of spawn_join, context_var, yield, generator_yield, sleep_fanout,
idle_task_memory, gather_fanout, queue_pingpong, lock_contention (the names of the C++ benchmark programs). Prints JSON lines like the
C++ programs:
  {"bench":"spawn_join","impl":"uvloop","metric":"ns_per_op","value":123.4,"unit":"ns"}
with the median of R repetitions. Per-op figures are thread CPU time
(time.thread_time_ns), like the C++ programs. context_var does not depend on the loop:
it reports impl "cpython" (and ignores --loop).
If uvloop cannot be imported, a note goes to stderr and nothing is printed.
"""

import argparse
import asyncio
import contextvars
import gc
import json
import statistics
import sys
import time
import tracemalloc

cpu_ns = time.thread_time_ns


def emit(bench, impl, metric, value, unit):
    print(json.dumps({"bench": bench, "impl": impl, "metric": metric,
                      "value": float("%.4g" % value), "unit": unit},
                     separators=(",", ":")), flush=True)


def new_loop(kind):
    if kind == "uvloop":
        import uvloop
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def run_on(kind, coro):
    loop = new_loop(kind)
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


# ---- spawn_join ------------------------------------------------------------------------

async def child():
    return 1


async def spawn_join_loop(n):
    create_task = asyncio.get_running_loop().create_task
    s = 0
    t0 = cpu_ns()
    for _ in range(n):
        s += await create_task(child())
    return (cpu_ns() - t0) / n


async def spawn_join_batch(n):
    create_task = asyncio.get_running_loop().create_task
    s = 0
    t0 = cpu_ns()
    tasks = [create_task(child()) for _ in range(n)]
    for t in tasks:
        s += await t
    return (cpu_ns() - t0) / n


def case_spawn_join(kind, reps):
    run_on(kind, spawn_join_batch(10000))  # warm-up
    loop_v, batch_v = [], []
    for _ in range(reps):
        loop_v.append(run_on(kind, spawn_join_loop(50000)))
        batch_v.append(run_on(kind, spawn_join_batch(100000)))
    emit("spawn_join", kind, "ns_per_op", statistics.median(loop_v), "ns")
    emit("spawn_join_batch", kind, "ns_per_op", statistics.median(batch_v), "ns")


# ---- context variables (same setup as bench/context_var.cpp) ---------------------------

var_a = contextvars.ContextVar("a", default=0)
var_b = contextvars.ContextVar("b", default=0)
var_c = contextvars.ContextVar("c", default=0)


def cv_measure(n):
    var_a.set(1)
    var_b.set(2)
    var_c.set(3)
    get_a, get_b = var_a.get, var_b.get
    set_b, reset_b = var_b.set, var_b.reset
    copy = contextvars.copy_context
    # Loops unrolled 10x so that the interpreter's loop costs as little as possible.
    r = range(n // 10)
    t0 = cpu_ns()
    for _ in r:
        get_b(); get_b(); get_b(); get_b(); get_b()
        get_b(); get_b(); get_b(); get_b(); get_b()
    get = (cpu_ns() - t0) / n
    t0 = cpu_ns()
    for _ in r:
        get_a(); get_b(); get_a(); get_b(); get_a()
        get_b(); get_a(); get_b(); get_a(); get_b()
    get_alt = (cpu_ns() - t0) / n
    m = n // 10
    r = range(m // 10)
    t0 = cpu_ns()
    for i in r:
        reset_b(set_b(i)); reset_b(set_b(i)); reset_b(set_b(i)); reset_b(set_b(i))
        reset_b(set_b(i)); reset_b(set_b(i)); reset_b(set_b(i)); reset_b(set_b(i))
        reset_b(set_b(i)); reset_b(set_b(i))
    set_reset = (cpu_ns() - t0) / m
    t0 = cpu_ns()
    for i in r:
        set_b(i); set_b(i); set_b(i); set_b(i); set_b(i)
        set_b(i); set_b(i); set_b(i); set_b(i); set_b(i)
    set_only = (cpu_ns() - t0) / m
    t0 = cpu_ns()
    for _ in r:
        copy(); copy(); copy(); copy(); copy()
        copy(); copy(); copy(); copy(); copy()
    copy_t = (cpu_ns() - t0) / m
    return get, get_alt, set_only, set_reset, copy_t


def case_context_var(kind, reps):
    # Run inside a fresh context, as a task would.
    rows = [contextvars.Context().run(cv_measure, 2000000) for _ in range(reps)]
    names = ["context_var_get", "context_var_get_alt", "context_var_set",
             "context_var_set_reset", "context_copy"]
    for i, name in enumerate(names):
        emit(name, "cpython", "ns_per_op", statistics.median(r[i] for r in rows), "ns")


# ---- yield -----------------------------------------------------------------------------

async def yield_loop(n):
    sleep = asyncio.sleep
    t0 = cpu_ns()
    for _ in range(n):
        await sleep(0)
    return (cpu_ns() - t0) / n


def case_yield(kind, reps):
    run_on(kind, yield_loop(10000))
    v = [run_on(kind, yield_loop(200000)) for _ in range(reps)]
    emit("yield", kind, "ns_per_op", statistics.median(v), "ns")


# ---- generator_yield -------------------------------------------------------------------

async def numbers(n):
    for i in range(n):
        yield i


async def generator_consume(n):
    total = 0
    t0 = cpu_ns()
    async for v in numbers(n):
        total += v
    return (cpu_ns() - t0) / n


def case_generator_yield(kind, reps):
    run_on(kind, generator_consume(10000))
    v = [run_on(kind, generator_consume(200000)) for _ in range(reps)]
    emit("generator_yield", kind, "ns_per_op", statistics.median(v), "ns")


# ---- sleep_fanout ----------------------------------------------------------------------

async def sleeper():
    await asyncio.sleep(0.001)


async def fanout(n):
    create_task = asyncio.get_running_loop().create_task
    tasks = [create_task(sleeper()) for _ in range(n)]
    for t in tasks:
        await t


def case_sleep_fanout(kind, reps, n=100000):
    run_on(kind, fanout(n // 10))
    wall, cpu = [], []
    for _ in range(reps):
        w0, c0 = time.perf_counter(), time.process_time()
        run_on(kind, fanout(n))
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    emit("sleep_fanout", kind, "seconds", statistics.median(wall), "s")
    emit("sleep_fanout_cpu", kind, "seconds", statistics.median(cpu), "s")


# ---- idle_task_memory ------------------------------------------------------------------

async def idle_measure(n):
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    suspended = 0

    async def idle():
        nonlocal suspended
        suspended += 1
        await fut

    tasks = [None] * n
    await asyncio.sleep(0)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        tasks[i] = loop.create_task(idle())
    while suspended < n:
        await asyncio.sleep(0)
    await asyncio.sleep(0)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    fut.set_result(None)
    for t in tasks:
        await t
    return (after - before) / n


# ---- gather_fanout ---------------------------------------------------------------------

async def gather_child(i):
    return i


async def gather_measure(n):
    t0 = cpu_ns()
    r = await asyncio.gather(*[gather_child(i) for i in range(n)])
    ns = (cpu_ns() - t0) / n
    assert r[-1] == n - 1
    return ns


def case_gather_fanout(kind, reps, n=100000):
    run_on(kind, gather_measure(n // 10))
    v = [run_on(kind, gather_measure(n)) for _ in range(reps)]
    emit("gather_fanout", kind, "ns_per_op", statistics.median(v), "ns")


def case_idle_task_memory(kind, reps, n=100000):
    v = [run_on(kind, idle_measure(n)) for _ in range(reps)]
    emit("idle_task_memory", kind, "bytes_per_task", statistics.median(v), "B")


# ---- queue_pingpong (same setup as bench/queue_pingpong.cpp) ----------------------------

async def pingpong(n, maxsize=0):
    q1, q2 = asyncio.Queue(maxsize), asyncio.Queue(maxsize)

    async def pong():
        get, put = q1.get, q2.put
        for _ in range(n):
            v = await get()
            await put(v + 1)

    t = asyncio.get_running_loop().create_task(pong())
    put, get = q1.put, q2.get
    s = 0
    t0 = cpu_ns()
    for i in range(n):
        await put(i)
        s += await get()
    ns = (cpu_ns() - t0) / n
    await t
    return ns


def case_queue_pingpong(kind, reps):
    run_on(kind, pingpong(5000))
    v = [run_on(kind, pingpong(50000)) for _ in range(reps)]
    emit("queue_pingpong", kind, "ns_per_op", statistics.median(v), "ns")


# ---- lock_contention (same setup as bench/lock_contention.cpp) --------------------------

async def contention(tasks, k):
    lock = asyncio.Lock()
    sleep = asyncio.sleep
    counter = 0

    async def worker():
        nonlocal counter
        for _ in range(k):
            async with lock:
                await sleep(0)
                counter += 1

    create_task = asyncio.get_running_loop().create_task
    t0 = cpu_ns()
    ts = [create_task(worker()) for _ in range(tasks)]
    for t in ts:
        await t
    return (cpu_ns() - t0) / (tasks * k)


async def uncontended(n):
    lock = asyncio.Lock()
    t0 = cpu_ns()
    for _ in range(n):
        async with lock:
            pass
    return (cpu_ns() - t0) / n


def case_lock_contention(kind, reps):
    run_on(kind, contention(100, 50))
    c = [run_on(kind, contention(100, 500)) for _ in range(reps)]
    u = [run_on(kind, uncontended(100000)) for _ in range(reps)]
    emit("lock_contention", kind, "ns_per_op", statistics.median(c), "ns")
    emit("lock_uncontended", kind, "ns_per_op", statistics.median(u), "ns")


# ---- to_thread / call_soon_threadsafe (thread bridges) -------------------------------------
# Wall-clock time: two threads wake each other, so one thread's CPU time leaves most of it
# out (as in bench/to_thread.cpp and bench/call_soon_threadsafe.cpp).

def _noop():
    return 1


async def to_thread_loop(n):
    # The default executor with 4 workers, as the C++ side uses.
    import concurrent.futures
    loop = asyncio.get_running_loop()
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(4))
    t0 = time.perf_counter_ns()
    for _ in range(n):
        await asyncio.to_thread(_noop)
    return (time.perf_counter_ns() - t0) / n


def case_to_thread(kind, reps):
    run_on(kind, to_thread_loop(1000))
    v = [run_on(kind, to_thread_loop(10000)) for _ in range(reps)]
    emit("to_thread", kind, "ns_per_op", statistics.median(v), "ns")


async def wakeup_latency(n):
    import threading
    loop = asyncio.get_running_loop()
    finished = asyncio.Event()
    total = [0]
    seen = threading.Semaphore(0)

    def other():
        for _ in range(n):
            time.sleep(50e-6)  # let the loop block in its wait first
            t0 = time.perf_counter_ns()

            def cb(t0=t0):
                total[0] += time.perf_counter_ns() - t0
                seen.release()
            loop.call_soon_threadsafe(cb)
            seen.acquire()
        loop.call_soon_threadsafe(finished.set)

    t = threading.Thread(target=other)
    t.start()
    await finished.wait()
    t.join()
    return total[0] / n


def case_call_soon_threadsafe(kind, reps):
    run_on(kind, wakeup_latency(200))
    v = [run_on(kind, wakeup_latency(2000)) for _ in range(reps)]
    emit("call_soon_threadsafe", kind, "ns_per_op", statistics.median(v), "ns")


CASES = {
    "to_thread": case_to_thread,
    "call_soon_threadsafe": case_call_soon_threadsafe,
    "spawn_join": case_spawn_join,
    "context_var": case_context_var,
    "yield": case_yield,
    "generator_yield": case_generator_yield,
    "sleep_fanout": case_sleep_fanout,
    "idle_task_memory": case_idle_task_memory,
    "gather_fanout": case_gather_fanout,
    "queue_pingpong": case_queue_pingpong,
    "lock_contention": case_lock_contention,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    ap.add_argument("--reps", type=int, default=None)
    args = ap.parse_args()
    if args.loop == "uvloop":
        try:
            import uvloop  # noqa: F401
        except ImportError as e:
            print("asyncio_peers.py: uvloop not available (%s); skipping %s/uvloop"
                  % (e, args.case), file=sys.stderr)
            return 0
    default_reps = {"idle_task_memory": 1, "sleep_fanout": 1}.get(args.case, 3)
    CASES[args.case](args.loop, args.reps or default_reps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
