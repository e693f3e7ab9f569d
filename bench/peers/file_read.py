#!/usr/bin/python3
#
# Copyright (c) 2026 The Boost.Tulip authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
"""The asyncio peer of bench/file_read.cpp: aiofiles' model (each read of a buffered
file runs in the loop's default executor), written with asyncio.to_thread since Debian
has no aiofiles package. Reads PATH to the end in 64 KiB reads; prints the median MB/s
of R repetitions as a JSON line (impl "asyncio").

Usage: file_read.py PATH [--reps R]
"""

import asyncio
import json
import statistics
import sys
import time

CHUNK = 64 * 1024


async def one(path):
    f = await asyncio.to_thread(open, path, "rb")
    t0 = time.perf_counter()
    got = 0
    while True:
        b = await asyncio.to_thread(f.read, CHUNK)
        if not b:
            break
        got += len(b)
    dt = time.perf_counter() - t0
    await asyncio.to_thread(f.close)
    return got / dt / 1e6


def main():
    path = sys.argv[1]
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 5
    values = [asyncio.run(one(path)) for _ in range(reps)]
    print(json.dumps({"bench": "file_read", "impl": "asyncio", "metric": "mb_per_s",
                      "value": float("%.4g" % statistics.median(values)), "unit": "MB/s"},
                     separators=(",", ":")), flush=True)


main()
