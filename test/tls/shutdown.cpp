//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// TLS transports still open when their io_context is destroyed: they end without
// callbacks or close_notify, and their sockets, SSL objects and protocols are freed
// (LeakSanitizer checks it under clang-asan).

#include "helpers.hpp"

#include <chrono>
#include <memory>

using namespace tls_test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(tls_shutdown)

BOOST_AUTO_TEST_CASE(open_tls_transports_are_closed_and_freed_with_their_io_context)
{
    std::weak_ptr<tulip::transport> client, served;
    int lost = 0;
    const std::size_t fds_before = net_test::open_descriptors();
    {
        auto sctx = server_context();
        auto cctx = client_context();
        asio::io_context ioc;
        bool ready = false;
        auto body = [&]() -> tulip::awaitable<void> {
            tulip::event never, up;
            auto cb = [&](tulip::stream_reader r,
                          tulip::stream_writer w) -> tulip::awaitable<void> {
                served = w.transport()->shared_from_this();
                up.set();
                co_await never.wait(); // the handler holds its connection open
                (void)r;
            };
            tulip::server_options so;
            so.ssl = &sctx;
            auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0, so);
            tulip::connection_options o;
            o.ssl = &cctx;
            o.server_hostname = "localhost";
            auto [r, w] =
                co_await tulip::open_connection("127.0.0.1", first_endpoint(srv).port(), o);
            client = w.transport()->shared_from_this();
            co_await up.wait();
            w.write("bytes in flight\n");
            ready = true;
            ioc.stop(); // nothing more runs: the io_context goes as it is now
            co_await never.wait();
            ++lost; // never reached
        };
        auto task = tulip::create_task(ioc, body());
        for (int i = 0; i < 1000 && !ready; ++i)
            ioc.run_for(10ms);
        BOOST_REQUIRE(ready);
    }
    BOOST_TEST(lost == 0);
    BOOST_TEST(client.expired());
    BOOST_TEST(served.expired());
    BOOST_TEST(net_test::open_descriptors() == fds_before);
}

// The same with a server connection in the middle of an in-place upgrade: its handler
// waits in start_tls for a ClientHello that never comes when the io_context goes. The
// handshake, the connection's streams and its socket are freed, and start_tls never
// completes.
BOOST_AUTO_TEST_CASE(a_pending_in_place_upgrade_is_freed_with_its_io_context)
{
    std::weak_ptr<tulip::transport> plain;
    int completed = 0;
    const std::size_t fds_before = net_test::open_descriptors();
    {
        auto sctx = server_context();
        asio::io_context ioc;
        bool ready = false;
        auto body = [&]() -> tulip::awaitable<void> {
            tulip::event never, upgrading;
            auto cb = [&](tulip::stream_reader r,
                          tulip::stream_writer w) -> tulip::awaitable<void> {
                std::string cmd = co_await r.readline();
                w.write("220 go ahead\r\n");
                plain = w.transport()->shared_from_this();
                tulip::tls_options o;
                o.server_side = true;
                upgrading.set();
                try {
                    co_await w.start_tls(sctx, o);
                } catch (...) {
                }
                ++completed; // never reached
            };
            auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
            tcp::socket c = co_await net_test::connect_to(first_endpoint(srv));
            std::string reply = co_await net_test::round_trip(c, "STARTTLS\r\n");
            BOOST_TEST(reply == "220 go ahead\r\n");
            co_await upgrading.wait();
            co_await tulip::sleep(10ms); // the handshake waits for the ClientHello
            ready = true;
            ioc.stop(); // nothing more runs: the io_context goes as it is now
            co_await never.wait();
        };
        auto task = tulip::create_task(ioc, body());
        for (int i = 0; i < 1000 && !ready; ++i)
            ioc.run_for(10ms);
        BOOST_REQUIRE(ready);
    }
    BOOST_TEST(completed == 0);
    BOOST_TEST(plain.expired());
    BOOST_TEST(net_test::open_descriptors() == fds_before);
}

BOOST_AUTO_TEST_SUITE_END()
