//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// tls_handshake: new TLS 1.3 connections per second (full handshakes, no resumption)
// against a Tulip server (start_server with server_options::ssl), a raw Asio
// ssl::stream server and `openssl s_server` (given by port), driven by the same client:
// raw Asio on its own thread, `conns` connections in sequence, each a handshake, one
// byte from the server, a close. The servers run on their own thread (Tulip and Asio)
// or process (openssl).
//
//   tls_handshake CERT KEY [seconds] [--openssl PORT]
//
#include "bench_common.hpp"

#include <boost/tulip.hpp>
#include <boost/tulip/tls.hpp>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <atomic>
#include <string>
#include <thread>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {

// Handshakes in a loop for `seconds`; returns connections per second.
double drive(std::uint16_t port, double seconds, bool expect_byte)
{
    asio::io_context ioc;
    ssl::context cctx(ssl::context::tls_client);
    SSL_CTX_set_session_cache_mode(cctx.native_handle(), SSL_SESS_CACHE_OFF);
    // TLS 1.3 only (not with SSL_OP_NO_TLSv1_2: OpenSSL 3.0 then fails the handshake
    // with "no suitable signature algorithm").
    SSL_CTX_set_min_proto_version(cctx.native_handle(), TLS1_3_VERSION);
    std::size_t n = 0;
    double t0 = bench::wall_ns();
    double end = t0 + seconds * 1e9;
    while (bench::wall_ns() < end) {
        ssl::stream<tcp::socket> s(ioc, cctx);
        s.next_layer().connect({asio::ip::address_v4::loopback(), port});
        s.handshake(ssl::stream_base::client);
        if (expect_byte) {
            char b;
            s.read_some(asio::buffer(&b, 1));
        }
        boost::system::error_code ec;
        s.next_layer().close(ec);
        ++n;
    }
    return static_cast<double>(n) / ((bench::wall_ns() - t0) / 1e9);
}

tulip::awaitable<void> tulip_handler(tulip::stream_reader, tulip::stream_writer w)
{
    w.write("x");
    co_await w.drain();
    if (auto* t = w.transport())
        t->abort(); // the client closes without close_notify anyway
}

asio::awaitable<void> asio_session(tcp::socket sock, ssl::context& ctx)
{
    try {
        ssl::stream<tcp::socket> s(std::move(sock), ctx);
        co_await s.async_handshake(ssl::stream_base::server, asio::use_awaitable);
        char b = 'x';
        co_await asio::async_write(s, asio::buffer(&b, 1), asio::use_awaitable);
    } catch (const std::exception&) {
    }
}

asio::awaitable<void> asio_server(tcp::acceptor& acc, ssl::context& ctx)
{
    for (;;) {
        auto [ec, sock] = co_await acc.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec)
            co_return;
        sock.set_option(tcp::no_delay(true));
        asio::co_spawn(acc.get_executor(), asio_session(std::move(sock), ctx), asio::detached);
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: tls_handshake CERT KEY [seconds] [--openssl PORT]\n");
        return 2;
    }
    double seconds = argc > 3 && argv[3][0] != '-' ? std::atof(argv[3]) : 3.0;
    long openssl_port = bench::arg_long(argc, argv, "--openssl", 0);
    ssl::context sctx(ssl::context::tls_server);
    sctx.use_certificate_chain_file(argv[1]);
    sctx.use_private_key_file(argv[2], ssl::context::pem);
    SSL_CTX_set_session_cache_mode(sctx.native_handle(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(sctx.native_handle(), 0);

    // Tulip, on its own thread.
    {
        std::atomic<unsigned> port{0};
        std::atomic<bool> stop{false};
        std::thread th([&] {
            tulip::run([&]() -> tulip::awaitable<void> {
                tulip::server_options so;
                so.ssl = &sctx;
                so.backlog = 1024;
                auto srv = co_await tulip::start_server(tulip_handler, "127.0.0.1", 0, so);
                port = srv.sockets().front().port();
                while (!stop)
                    co_await tulip::sleep(std::chrono::milliseconds(20));
                srv.close();
                srv.abort_clients();
                co_await srv.wait_closed();
            }());
        });
        while (!port)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        double r = drive(static_cast<std::uint16_t>(port.load()), seconds, true);
        stop = true;
        th.join();
        bench::emit("tls_handshake", "tulip", "conn_per_s", r, "conn/s");
    }
    // Raw Asio, on its own thread.
    {
        asio::io_context ioc;
        tcp::acceptor acc(ioc, {asio::ip::address_v4::loopback(), 0});
        auto port = acc.local_endpoint().port();
        asio::co_spawn(ioc, asio_server(acc, sctx), asio::detached);
        std::thread th([&] { ioc.run(); });
        double r = drive(port, seconds, true);
        asio::post(ioc, [&] {
            acc.close();
            ioc.stop();
        });
        th.join();
        bench::emit("tls_handshake", "asio", "conn_per_s", r, "conn/s");
    }
    if (openssl_port) {
        double r = drive(static_cast<std::uint16_t>(openssl_port), seconds, false);
        bench::emit("tls_handshake", "openssl", "conn_per_s", r, "conn/s");
    }
    return 0;
}
