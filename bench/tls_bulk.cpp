//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// tls_bulk: MB/s for 64 MiB sent over TLS 1.3 on loopback, by a Tulip stream writer
// (start_server with server_options::ssl, 64 KiB writes with drain) and by a raw Asio
// ssl::stream (async_write of 64 KiB chunks). The receiver is the same raw Asio
// ssl::stream client for both, on the same thread; the median of 5 runs is reported.
//
//   tls_bulk CERT KEY
//
#include "bench_common.hpp"

#include <boost/tulip.hpp>
#include <boost/tulip/tls.hpp>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <string>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t total = 64u << 20;
constexpr std::size_t chunk = 64u << 10;

// Connects, handshakes and reads `total` bytes; returns the seconds from the first
// byte's request to the last byte.
tulip::awaitable<double> receive(std::uint16_t port, ssl::context& cctx)
{
    auto ex = co_await asio::this_coro::executor;
    ssl::stream<tcp::socket> s(ex, cctx);
    co_await s.next_layer().async_connect({asio::ip::address_v4::loopback(), port},
                                          asio::use_awaitable);
    s.next_layer().set_option(tcp::no_delay(true));
    co_await s.async_handshake(ssl::stream_base::client, asio::use_awaitable);
    std::vector<char> buf(chunk);
    std::size_t got = 0;
    double t0 = bench::wall_ns();
    // The sender starts on connect; the first byte's arrival starts the clock closely
    // enough (the handshake is done before the timed loop).
    while (got < total) {
        std::size_t n = co_await s.async_read_some(asio::buffer(buf), asio::use_awaitable);
        got += n;
    }
    double t1 = bench::wall_ns();
    boost::system::error_code ec;
    s.next_layer().close(ec);
    co_return (t1 - t0) / 1e9;
}

tulip::awaitable<void> tulip_sender(tulip::stream_reader r, tulip::stream_writer w)
{
    std::string data(chunk, 'x');
    for (std::size_t sent = 0; sent < total; sent += chunk) {
        w.write(data);
        co_await w.drain();
    }
    try {
        std::string rest = co_await r.read(); // until the receiver goes
    } catch (const std::exception&) {
        // the receiver closes without close_notify: stream_truncated
    }
    if (auto* t = w.transport())
        t->abort();
}

tulip::awaitable<void> asio_sender(tcp::acceptor& acc, ssl::context& sctx)
{
    tcp::socket sock = co_await acc.async_accept(asio::use_awaitable);
    sock.set_option(tcp::no_delay(true));
    ssl::stream<tcp::socket> s(std::move(sock), sctx);
    co_await s.async_handshake(ssl::stream_base::server, asio::use_awaitable);
    std::string data(chunk, 'x');
    for (std::size_t sent = 0; sent < total; sent += chunk)
        co_await asio::async_write(s, asio::buffer(data), asio::use_awaitable);
    char b;
    auto [ec, n] =
        co_await s.async_read_some(asio::buffer(&b, 1), asio::as_tuple(asio::use_awaitable));
    (void)ec;
    (void)n;
}

tulip::awaitable<void> main_task(const char* cert, const char* key, int reps)
{
    ssl::context sctx(ssl::context::tls_server);
    sctx.use_certificate_chain_file(cert);
    sctx.use_private_key_file(key, ssl::context::pem);
    ssl::context cctx(ssl::context::tls_client);
    std::vector<double> tulip_s, asio_s;
    tulip::server_options so;
    so.ssl = &sctx;
    auto srv = co_await tulip::start_server(tulip_sender, "127.0.0.1", 0, so);
    auto tport = srv.sockets().front().port();
    auto ex = co_await asio::this_coro::executor;
    tcp::acceptor acc(ex, {asio::ip::address_v4::loopback(), 0});
    auto aport = acc.local_endpoint().port();
    for (int i = 0; i < reps; ++i) {
        double t = co_await receive(tport, cctx);
        tulip_s.push_back(t);
        auto sender = asio_sender(acc, sctx);
        auto task = tulip::create_task(std::move(sender));
        t = co_await receive(aport, cctx);
        asio_s.push_back(t);
        co_await task.wait();
    }
    const double mb = static_cast<double>(total) / 1e6;
    bench::emit("tls_bulk", "tulip", "mb_per_s", mb / bench::median(tulip_s), "MB/s");
    bench::emit("tls_bulk", "asio", "mb_per_s", mb / bench::median(asio_s), "MB/s");
    srv.close();
    co_await srv.wait_closed();
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: tls_bulk CERT KEY [reps]\n");
        return 2;
    }
    int reps = argc > 3 ? std::atoi(argv[3]) : 5;
    tulip::run(main_task(argv[1], argv[2], reps));
    return 0;
}
