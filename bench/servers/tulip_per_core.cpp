//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Echo server of the `tcp_echo_per_core` benchmark: the `tulip` echo server (streams,
// one task per connection) on `--loops N` loops by run_per_core, each with its own
// listener on the same port (SO_REUSEPORT). Command line and output: see
// server_common.hpp, plus `--loops`.

#include "server_common.hpp"

#include <boost/tulip/run.hpp>
#include <boost/tulip/server.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/streams.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <string>

namespace tulip = boost::tulip;

namespace {

std::ptrdiff_t read_size = 65536;

tulip::awaitable<void> echo(tulip::stream_reader reader, tulip::stream_writer writer)
{
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

} // namespace

int main(int argc, char** argv)
{
    const bench::server_args args = bench::parse_server_args(argc, argv);
    const auto loops = static_cast<std::size_t>(bench::arg_long(argc, argv, "--loops", 2));
    read_size = args.buffer;
    bench::raise_nofile_limit();
    std::atomic<unsigned short> port{args.port};
    std::atomic<std::size_t> listening{0};
    auto serve = [&](std::size_t i) -> tulip::awaitable<void> {
        tulip::server_options opts;
        opts.backlog = 4096;
        opts.reuse_port = true;
        if (i != 0) // loop 0 picks the port, the others join it
            while (port.load() == 0)
                co_await tulip::sleep(std::chrono::milliseconds(1));
        tulip::server srv = co_await tulip::start_server(&echo, "127.0.0.1", port.load(), opts);
        port = srv.sockets().at(0).port();
        if (++listening == loops)
            bench::announce_port(port.load());
        co_await srv.serve_forever();
    };
    tulip::run_options ro;
    ro.handle_sigint = false;
    tulip::run_per_core(loops, serve, ro);
    return 0;
}
