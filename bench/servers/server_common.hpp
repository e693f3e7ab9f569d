//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// What the C++ echo servers of `tcp_echo` and `idle_connection_memory` share: their
// command line, the port announcement bench/run waits for, the descriptor limit and the
// idle-memory reading.
//
// Contract of every echo server program (C++ here; bench/peers/echo_server.py follows it
// but for `--idle`):
//
//   echo_server_IMPL [--port P] [--idle N] [--buffer B]
//
// (`--buffer`: the size of a per-connection read buffer, for the servers that have one)
//
// - listens on 127.0.0.1:P (P = 0: a free port) with a backlog of 4096, sets TCP_NODELAY
//   on each accepted connection, then prints `port <bound port>` as its first stdout line;
// - echoes every byte it reads back to its sender, one task or coroutine per connection,
//   until the peer closes or resets the connection; it runs until it is killed;
// - with `--idle N` it accepts N connections, waits until each one's handler is suspended
//   in its first read, prints one JSON line
//   {"bench":"idle_connection_memory","impl":IMPL,"metric":"bytes_per_connection",...}
//   (heap in use, mallinfo2, after minus before the first accept, divided by N) and
//   exits, which closes the connections;
// - raises its soft RLIMIT_NOFILE to the hard limit.
//
// Slots, pending Tulip's streams (issue 9): bench/servers/tulip.cpp (impl `tulip`:
// `start_server`, each connection's task reading with the stream reader and writing back
// with `write` + `drain`) and bench/servers/tulip_protocol.cpp (impl `tulip_protocol`: a
// protocol whose `data_received` writes to its transport), each following this contract
// (`--idle` for `tulip`). CMakeLists builds any servers/NAME.cpp as echo_server_NAME, and
// bench/run runs them once built.

#ifndef BOOST_TULIP_BENCH_SERVER_COMMON_HPP
#define BOOST_TULIP_BENCH_SERVER_COMMON_HPP

#include "../bench_common.hpp"

#include <cstdio>
#include <sys/resource.h>

namespace bench {

struct server_args
{
    unsigned short port = 0;
    long idle = 0;       // 0: echo mode
    long buffer = 65536; // read buffer per connection (bytes)
};

inline server_args parse_server_args(int argc, char** argv)
{
    server_args a;
    a.port = static_cast<unsigned short>(arg_long(argc, argv, "--port", 0));
    a.idle = arg_long(argc, argv, "--idle", 0);
    a.buffer = arg_long(argc, argv, "--buffer", a.buffer);
    return a;
}

// 10,000 idle connections need more descriptors than the usual soft limit of 1024.
inline void raise_nofile_limit()
{
    rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// The line bench/run waits for before it sends load.
inline void announce_port(unsigned short port)
{
    std::printf("port %u\n", static_cast<unsigned>(port));
    std::fflush(stdout);
}

} // namespace bench

#endif
