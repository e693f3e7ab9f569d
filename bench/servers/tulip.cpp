//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Echo server `tulip` of the `tcp_echo` and `idle_connection_memory` benchmarks: Tulip's
// streams as a user would write the asyncio echo server, `start_server` with one task per
// connection reading with `reader.read(n)` (n = `--buffer`, default 64 KiB, the most one
// read returns) and writing back with `write` + `drain`; one thread. Command line and
// output: see server_common.hpp.

#include "server_common.hpp"

#include <boost/tulip/run.hpp>
#include <boost/tulip/server.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/streams.hpp>

#include <cstddef>
#include <exception>
#include <string>

namespace tulip = boost::tulip;

namespace {

long reading = 0; // connections whose handler has started its first read
std::ptrdiff_t read_size = 65536;

tulip::awaitable<void> echo(tulip::stream_reader reader, tulip::stream_writer writer)
{
    ++reading;
    try {
        for (;;) {
            std::string data = co_await reader.read(read_size);
            if (data.empty())
                break;
            writer.write(data);
            co_await writer.drain();
        }
    } catch (const std::exception&) {
        // a reset: the connection is over
    }
}

tulip::awaitable<void> serve(bench::server_args args)
{
    read_size = args.buffer;
    tulip::server_options opts;
    opts.backlog = 4096;
    const double before = bench::heap_in_use();
    tulip::server srv = co_await tulip::start_server(&echo, "127.0.0.1", args.port, opts);
    bench::announce_port(srv.sockets().at(0).port());
    if (args.idle == 0) {
        co_await srv.serve_forever();
        co_return;
    }
    // Idle mode: every connection's handler starts, then suspends in its first read.
    while (reading < args.idle)
        co_await tulip::sleep(std::chrono::milliseconds(1));
    co_await tulip::sleep(std::chrono::milliseconds(0));
    const double after = bench::heap_in_use();
    bench::emit("idle_connection_memory", "tulip", "bytes_per_connection",
                (after - before) / static_cast<double>(args.idle), "B");
    std::fflush(stdout);
    std::_Exit(0); // closing 10,000 connections gracefully is not what is measured
}

} // namespace

int main(int argc, char** argv)
{
    const bench::server_args args = bench::parse_server_args(argc, argv);
    bench::raise_nofile_limit();
    tulip::run(serve(args));
    return 0;
}
