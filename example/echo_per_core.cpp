//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The echo server on every core: run_per_core starts one loop per thread, each with its
// own listener on the same port (SO_REUSEPORT), so the kernel spreads the connections
// and the loops share nothing. Ctrl-C cancels every loop's main task.
//   echo_per_core [port (0: any)] [loops (0: one per hardware thread)]
// It prints "serving on 127.0.0.1:<port> with <n> loops" once every loop listens.

#include <boost/tulip.hpp>

#include <atomic>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

namespace {

tulip::awaitable<void> echo(tulip::stream_reader reader, tulip::stream_writer writer)
{
    for (;;) {
        std::string data = co_await reader.read(64 * 1024);
        if (data.empty())
            break;
        writer.write(data);
        co_await writer.drain();
    }
}

} // namespace

int main(int argc, char** argv)
{
    const auto wanted = static_cast<unsigned short>(argc > 1 ? std::stoi(argv[1]) : 0);
    std::size_t n = argc > 2 ? std::stoul(argv[2]) : 0;
    if (n == 0)
        n = std::max(1u, std::thread::hardware_concurrency());

    std::atomic<unsigned short> port{wanted};
    std::atomic<std::size_t> listening{0};
    std::mutex out;
    auto serve = [&](std::size_t i) -> tulip::awaitable<void> {
        tulip::server_options opts;
        opts.reuse_port = true;
        // With port 0, loop 0 picks the port and the others join it.
        if (i != 0)
            while (port.load() == 0)
                co_await tulip::sleep(1ms);
        auto srv = co_await tulip::start_server(echo, "127.0.0.1", port.load(), opts);
        port = srv.sockets().front().port();
        if (++listening == n) {
            std::lock_guard lock(out);
            std::cout << "serving on 127.0.0.1:" << port.load() << " with " << n << " loops"
                      << std::endl;
        }
        co_await srv.serve_forever();
    };
    try {
        tulip::run_per_core(n, serve);
    } catch (const std::exception& e) {
        if (!tulip::is_cancellation(e))
            throw;
        std::cout << "stopped" << std::endl; // SIGINT
    }
    return 0;
}
