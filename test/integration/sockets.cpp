//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Tasks over raw Asio sockets on 127.0.0.1: cancellation of a pending read, and the
// per-connection context variable pattern with real connections.

#include <boost/tulip/task.hpp>

#include "../common/net.hpp"

#include <boost/tulip/test.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <map>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(sockets_suite)

namespace {

tulip::context_var<std::string> client_addr_var{"client_addr"};

// Deep inside a connection's call tree, with no parameter passing.
std::string render_goodbye()
{
    return "Good bye, client @ " + client_addr_var.get() + "\n";
}

tulip::awaitable<void> handle_connection(tcp::socket s)
{
    auto peer = s.remote_endpoint();
    auto tok = client_addr_var.set(peer.address().to_string() + ":" + std::to_string(peer.port()));
    asio::streambuf buf;
    co_await asio::async_read_until(s, buf, '\n', asio::use_awaitable);
    co_await tulip::sleep(1ms); // let the other connections interleave
    std::string reply = render_goodbye();
    co_await asio::async_write(s, asio::buffer(reply), asio::use_awaitable);
}

} // namespace

// On the virtual clock: the pending reads hold it (the runner's rule for I/O in flight).
BOOST_TULIP_TEST_CASE(cancel_delivered_into_pending_socket_read_and_socket_stays_usable)
{
    auto [client, server] = co_await net_test::loopback_pair();
    bool cancelled = false;
    // Set just before each read: the reader is suspended in that read once this task
    // runs again.
    tulip::event reading, reading_again;
    auto reader =
        tulip::create_task([](tcp::socket& s, bool& cancelled, tulip::event& reading,
                              tulip::event& reading_again) -> tulip::awaitable<std::string> {
            char byte = 0;
            try {
                reading.set();
                co_await asio::async_read(s, asio::buffer(&byte, 1), asio::use_awaitable);
            } catch (const boost::system::system_error& e) {
                cancelled = tulip::is_cancellation(e);
            }
            // After the cancellation was delivered, I/O on the same socket works again.
            std::string line(5, '\0');
            reading_again.set();
            co_await asio::async_read(s, asio::buffer(line), asio::use_awaitable);
            co_return line;
        }(server, cancelled, reading, reading_again));
    co_await reading.wait();
    BOOST_TEST(!reader.done());
    BOOST_TEST(reader.cancel());
    co_await reading_again.wait();
    BOOST_TEST(cancelled);
    co_await asio::async_write(client, asio::buffer(std::string("hello")), asio::use_awaitable);
    BOOST_TEST(co_await reader.wait() == "hello");
    BOOST_TEST(reader.cancelling() == 1);
}

BOOST_TULIP_TEST_CASE(client_addr_var_each_connection_task_sees_its_own_peer)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    const auto endpoint = acceptor.local_endpoint();
    constexpr int n = 5;

    auto server = tulip::create_task(
        [](tcp::acceptor& a) -> tulip::awaitable<void> {
            std::vector<tulip::any_task> connections;
            for (int i = 0; i < n; ++i)
                connections.push_back(tulip::create_task(
                    handle_connection(co_await a.async_accept(asio::use_awaitable))));
            for (auto& c : connections)
                co_await c.wait();
        }(acceptor),
        {.name = "server"});

    std::vector<tcp::socket> clients;
    std::map<std::string, std::string> expected; // local endpoint -> reply
    for (int i = 0; i < n; ++i) {
        tcp::socket c(ioc);
        co_await c.async_connect(endpoint, asio::use_awaitable);
        auto local = c.local_endpoint();
        std::string addr = local.address().to_string() + ":" + std::to_string(local.port());
        expected[addr] = "Good bye, client @ " + addr + "\n";
        clients.push_back(std::move(c));
    }
    // Send in reverse order, so handlers run interleaved and out of accept order.
    for (auto it = clients.rbegin(); it != clients.rend(); ++it)
        co_await asio::async_write(*it, asio::buffer(std::string("hi\n")), asio::use_awaitable);
    for (auto& c : clients) {
        asio::streambuf buf;
        std::size_t len = co_await asio::async_read_until(c, buf, '\n', asio::use_awaitable);
        std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + len);
        auto local = c.local_endpoint();
        BOOST_TEST(line ==
                   expected[local.address().to_string() + ":" + std::to_string(local.port())]);
    }
    co_await server.wait();
    // Each handler's value stayed in its own task: the test task never set one.
    BOOST_TEST(client_addr_var.get("unset") == "unset");
}

BOOST_AUTO_TEST_SUITE_END()
