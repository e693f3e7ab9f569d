//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Shared by the tests of servers and connections (test/integration, test/stress,
// test/tls): plain Asio clients, a server's first endpoint, external commands on a
// thread, and the capture of the loop's reports. Included as "../common/net.hpp".

#ifndef BOOST_TULIP_TEST_COMMON_NET_HPP
#define BOOST_TULIP_TEST_COMMON_NET_HPP

#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/server.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/timeout.hpp>

#include <boost/tulip/test.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace net_test {

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// The first bound endpoint of a TCP server (port 0 servers: the chosen port).
inline tcp::endpoint first_endpoint(const tulip::server& srv)
{
    auto eps = srv.sockets();
    BOOST_REQUIRE(!eps.empty());
    return eps.front();
}

// Two connected plain Asio sockets on 127.0.0.1: `client` and the `server` end its
// connection was accepted as. With `small_buffers` both ends' kernel buffers are small
// (64 KiB asked), so that a sender whose peer does not read blocks early.
struct tcp_pair
{
    tcp::socket client;
    tcp::socket server;
};

inline tulip::awaitable<tcp_pair> loopback_pair(bool small_buffers = false)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    if (small_buffers)
        acceptor.set_option(asio::socket_base::receive_buffer_size(64 * 1024));
    tcp::socket client(ioc);
    client.open(tcp::v4());
    if (small_buffers)
        client.set_option(asio::socket_base::send_buffer_size(64 * 1024));
    auto accept = tulip::create_task(acceptor.async_accept(asio::use_awaitable));
    co_await client.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
    tcp::socket server = co_await accept.wait();
    co_return tcp_pair{std::move(client), std::move(server)};
}

// A plain Asio client connected to `ep` (a peer Tulip did not make).
inline tulip::awaitable<tcp::socket> connect_to(tcp::endpoint ep)
{
    tcp::socket s(co_await asio::this_coro::executor);
    co_await s.async_connect(ep, asio::use_awaitable);
    co_return s;
}

// One line (with its '\n') from a plain socket.
inline tulip::awaitable<std::string> read_line(tcp::socket& s)
{
    asio::streambuf buf;
    std::size_t n = co_await asio::async_read_until(s, buf, '\n', asio::use_awaitable);
    std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n);
    co_return line;
}

// Sends `line` and reads the line that comes back.
inline tulip::awaitable<std::string> round_trip(tcp::socket& s, std::string line)
{
    co_await asio::async_write(s, asio::buffer(line), asio::use_awaitable);
    co_return co_await read_line(s);
}

// How a plain client's connection ends when the server ends it: `eof` after a graceful
// close, `connection_reset` after an abort (TCP). Bounded by 5 s.
template <class Socket>
tulip::awaitable<boost::system::error_code> read_end(Socket& s)
{
    using namespace std::chrono_literals;
    char byte;
    auto [ec, n] = co_await tulip::timeout(
        5s, asio::async_read(s, asio::buffer(&byte, 1), asio::as_tuple(asio::deferred)));
    (void)n;
    co_return ec;
}

// Closes `srv` and starts its wait_closed, which open connections must keep waiting:
// checked after 100 ms. Returns the waiting task (close the clients, then await it).
inline tulip::awaitable<tulip::task<void>> close_and_start_waiting(tulip::server srv)
{
    using namespace std::chrono_literals;
    srv.close();
    auto waiter = tulip::create_task(srv.wait_closed());
    co_await tulip::sleep(100ms);
    BOOST_TEST(!waiter.done());
    co_return waiter;
}

// A stream connection kept in a task of its own after its handler returned: reads until
// the connection ends, holding the writer meanwhile.
inline tulip::awaitable<void> hold_until_end(tulip::stream_reader r, tulip::stream_writer w)
{
    std::string rest = co_await r.read();
    (void)rest;
    (void)w;
}

// The descriptors this process has open.
inline std::size_t open_descriptors()
{
    std::size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd"))
        ++n;
    return n;
}

// Runs a shell command on a thread (the loop goes on) and returns its output followed by
// "exit=" and its status as pclose gives it.
inline tulip::awaitable<std::string> run_command(std::string cmd)
{
    auto& loop = tulip::get_running_loop();
    auto done = loop.create_future<std::string>();
    std::thread th([&loop, &done, cmd] {
        std::string out;
        if (FILE* p = ::popen(cmd.c_str(), "r")) {
            char buf[4096];
            std::size_t n;
            while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
                out.append(buf, n);
            out += "exit=" + std::to_string(::pclose(p));
        }
        loop.call_soon_threadsafe([&done, out] { done.set_result(out); });
    });
    std::exception_ptr e;
    std::string out;
    try {
        out = co_await done.wait();
    } catch (...) {
        e = std::current_exception();
    }
    th.join();
    if (e)
        std::rethrow_exception(e);
    co_return out;
}

// What the loop's exception handler received.
struct captured_reports
{
    std::vector<std::string> messages;
    std::vector<std::exception_ptr> exceptions;
};

// Replaces the runner's handler (which fails the case) for a case that expects reports.
inline void capture_reports(captured_reports& into)
{
    tulip::get_running_loop().set_exception_handler(
        [&into](tulip::event_loop&, const tulip::exception_context& c) {
            into.messages.push_back(c.message);
            into.exceptions.push_back(c.exception);
        });
}

} // namespace net_test

#endif
