//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Echo server `tulip_protocol` of the `tcp_echo` and `idle_connection_memory`
// benchmarks: a protocol whose `data_received` writes what it got to its transport (the
// socket transport: readiness waits, non-blocking reads into the loop's shared receive
// buffer, writes straight to the kernel), as asyncio's and uvloop's `*_protocol`
// servers; the accept loop is a plain Asio coroutine handing each socket to the
// transport, as Tulip's server does. One thread. `--buffer` does not apply (the receive
// buffer is the loop's). Command line and output: see server_common.hpp.

#include "server_common.hpp"

#include <boost/tulip/detail/socket_transport.hpp>
#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/transport.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>

namespace asio = boost::asio;
namespace tulip = boost::tulip;
using asio::ip::tcp;

namespace {

long made = 0; // connections whose protocol has had connection_made

class echo_protocol final : public tulip::protocol
{
public:
    void connection_made(tulip::transport& t) override
    {
        t_ = &t;
        ++made;
    }
    void data_received(std::string_view data) override { t_->write(data); }

private:
    tulip::transport* t_ = nullptr;
};

asio::awaitable<void> accept_loop(asio::io_context& ioc, tcp::acceptor& acceptor,
                                  bench::server_args args, double heap_before)
{
    auto ex = co_await asio::this_coro::executor;
    tulip::event_loop& loop = tulip::get_event_loop(ioc);
    long accepted = 0;
    for (;;) {
        tcp::socket sock = co_await acceptor.async_accept(asio::use_awaitable);
        // TCP_NODELAY and close-on-exec are the transport's.
        tulip::detail::make_socket_transport(loop, std::move(sock),
                                             std::make_shared<echo_protocol>());
        if (args.idle > 0 && ++accepted == args.idle)
            break;
    }
    // Idle mode: every connection's protocol is made and its transport waits to read.
    while (made < args.idle)
        co_await asio::post(ex, asio::use_awaitable);
    co_await asio::post(ex, asio::use_awaitable);
    const double after = bench::heap_in_use();
    bench::emit("idle_connection_memory", "tulip_protocol", "bytes_per_connection",
                (after - heap_before) / static_cast<double>(args.idle), "B");
    ioc.stop();
}

} // namespace

int main(int argc, char** argv)
{
    const bench::server_args args = bench::parse_server_args(argc, argv);
    bench::raise_nofile_limit();

    asio::io_context ioc(1);
    tulip::get_event_loop(ioc);
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
