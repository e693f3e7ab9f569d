//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Echo server `asio` of the `tcp_echo` and `idle_connection_memory` benchmarks: raw Asio
// as a user would write it, one `co_spawn`ed coroutine per connection, reading with
// `async_read_some` into its own buffer (`--buffer`, default 64 KiB, on the heap) and
// writing back what it read with `async_write`, both with `use_awaitable`; one thread.
// Command line and output: see server_common.hpp.

#include "server_common.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cstddef>
#include <exception>
#include <memory>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

long reading = 0; // connections whose coroutine has started its first read

asio::awaitable<void> echo(tcp::socket sock, std::size_t buffer_size)
{
    std::unique_ptr<char[]> buf(new char[buffer_size]);
    ++reading;
    try {
        for (;;) {
            std::size_t n = co_await sock.async_read_some(asio::buffer(buf.get(), buffer_size),
                                                          asio::use_awaitable);
            co_await asio::async_write(sock, asio::buffer(buf.get(), n), asio::use_awaitable);
        }
    } catch (const std::exception&) {
        // end of file or reset: the connection is over
    }
}

asio::awaitable<void> accept_loop(asio::io_context& ioc, tcp::acceptor& acceptor,
                                  bench::server_args args, double heap_before)
{
    auto ex = co_await asio::this_coro::executor;
    long accepted = 0;
    for (;;) {
        tcp::socket sock = co_await acceptor.async_accept(asio::use_awaitable);
        sock.set_option(tcp::no_delay(true));
        asio::co_spawn(ex, echo(std::move(sock), static_cast<std::size_t>(args.buffer)),
                       asio::detached);
        if (args.idle > 0 && ++accepted == args.idle)
            break;
    }
    // Idle mode: every connection's coroutine starts, then suspends in its read.
    while (reading < args.idle)
        co_await asio::post(ex, asio::use_awaitable);
    co_await asio::post(ex, asio::use_awaitable);
    const double after = bench::heap_in_use();
    bench::emit("idle_connection_memory", "asio", "bytes_per_connection",
                (after - heap_before) / static_cast<double>(args.idle), "B");
    ioc.stop();
}

} // namespace

int main(int argc, char** argv)
{
    const bench::server_args args = bench::parse_server_args(argc, argv);
    bench::raise_nofile_limit();

    asio::io_context ioc(1);
    tcp::acceptor acceptor(ioc);
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), args.port);
    acceptor.open(ep.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(4096);
    {
        // Initialise the reactor and the timer queue before the baseline.
        asio::steady_timer warm(ioc, std::chrono::seconds(0));
        warm.wait();
    }
    const double before = bench::heap_in_use();
    asio::co_spawn(ioc, accept_loop(ioc, acceptor, args, before), [](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e);
    });
    bench::announce_port(acceptor.local_endpoint().port());
    ioc.run();
    return 0;
}
