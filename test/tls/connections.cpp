//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// TLS from the first byte: the `ssl` options of connections and servers, with OpenSSL's
// own s_server and s_client as peers, and the faults of issue 10 sec. 3.

#include "helpers.hpp"

#include <openssl/x509.h>

#include <chrono>

using namespace tls_test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(tls_connections)

namespace {

tulip::awaitable<void> echo_lines(tulip::stream_reader r, tulip::stream_writer w)
{
    for (;;) {
        std::string line = co_await r.readline();
        if (line.empty() || line == "quit\n")
            break;
        w.write(line);
        co_await w.drain();
    }
}

tulip::connection_options tls_client(const ssl::context& ctx)
{
    tulip::connection_options o;
    o.ssl = &ctx;
    o.ssl_handshake_timeout = 10s;
    o.ssl_shutdown_timeout = 2s;
    return o;
}

} // namespace

BOOST_TULIP_TEST_CASE_REALTIME(client_talks_to_openssl_s_server)
{
    auto ctx = client_context();
    s_server peer("-cert " + cert("server.pem") + " -key " + cert("server.key") + " -rev");
    auto o = tls_client(ctx);
    o.server_hostname = "localhost";
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", peer.port, o);
    BOOST_TEST(*w.get_extra_info<std::string>("version") == "TLSv1.3");
    BOOST_TEST(!w.get_extra_info<std::string>("cipher")->empty());
    BOOST_TEST(w.get_extra_info<SSL*>("ssl_object").value() != nullptr);
    // "peercert" is the certificate's DER bytes (asyncio's getpeercert(binary_form=True)).
    std::string der = w.get_extra_info<std::string>("peercert").value();
    auto* p = reinterpret_cast<const unsigned char*>(der.data());
    X509* peer_cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    BOOST_REQUIRE(peer_cert);
    char cn[64] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer_cert), NID_commonName, cn, sizeof cn);
    X509_free(peer_cert);
    BOOST_TEST(std::string(cn) == "localhost");
    BOOST_TEST(w.get_extra_info<tcp::endpoint>("peername")->port() == peer.port);
    BOOST_TEST(!w.can_write_eof());
    w.write("hello tulip\n");
    std::string line = co_await r.readline();
    BOOST_TEST(line == "pilut olleh\n"); // s_server -rev reverses each line
    w.close();
    co_await w.wait_closed();
}

BOOST_TULIP_TEST_CASE_REALTIME(the_ip_address_is_verified_without_server_hostname)
{
    auto ctx = client_context();
    s_server peer("-cert " + cert("server.pem") + " -key " + cert("server.key") + " -rev");
    auto o = tls_client(ctx);
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", peer.port, o);
    w.write("ab\n");
    std::string line = co_await r.readline();
    BOOST_TEST(line == "ba\n");
    w.close();
    co_await w.wait_closed();
}

BOOST_TULIP_TEST_CASE_REALTIME(an_expired_certificate_is_refused_with_a_clear_error)
{
    auto ctx = client_context();
    s_server peer("-cert " + cert("expired.pem") + " -key " + cert("expired.key") + " -rev");
    auto o = tls_client(ctx);
    o.server_hostname = "localhost";
    boost::system::error_code ec;
    std::string what;
    try {
        auto c = co_await tulip::open_connection("127.0.0.1", peer.port, o);
        (void)c;
    } catch (const boost::system::system_error& e) {
        ec = e.code();
        what = e.what();
    }
    BOOST_TEST(ec.value() == X509_V_ERR_CERT_HAS_EXPIRED);
    BOOST_TEST((ec.category() == tulip::tls_verify_category()));
    BOOST_TEST(what.find("certificate has expired") != std::string::npos, what);
}

BOOST_TULIP_TEST_CASE_REALTIME(a_certificate_for_another_host_is_refused_with_a_clear_error)
{
    auto ctx = client_context();
    s_server peer("-cert " + cert("wronghost.pem") + " -key " + cert("wronghost.key") + " -rev");
    auto o = tls_client(ctx);
    o.server_hostname = "localhost";
    boost::system::error_code ec;
    std::string what;
    try {
        auto c = co_await tulip::open_connection("127.0.0.1", peer.port, o);
        (void)c;
    } catch (const boost::system::system_error& e) {
        ec = e.code();
        what = e.what();
    }
    BOOST_TEST(ec.value() == X509_V_ERR_HOSTNAME_MISMATCH);
    BOOST_TEST(what.find("hostname mismatch") != std::string::npos, what);
}

BOOST_TULIP_TEST_CASE_REALTIME(server_serves_openssl_s_client)
{
    auto ctx = server_context();
    tulip::server_options so;
    so.ssl = &ctx;
    auto srv = co_await tulip::start_server(echo_lines, "127.0.0.1", 0, so);
    auto port = first_endpoint(srv).port();
    std::string out = co_await run_command(
        "printf 'one\\ntwo\\nquit\\n' | timeout 30 openssl s_client -connect 127.0.0.1:" +
        std::to_string(port) + " -CAfile " + cert("ca.pem") +
        " -servername localhost -verify_return_error -brief -ign_eof 2>&1");
    BOOST_TEST(out.find("Verification: OK") != std::string::npos, out);
    BOOST_TEST(out.find("Protocol version: TLSv1.3") != std::string::npos, out);
    BOOST_TEST(out.find("one\ntwo\n") != std::string::npos, out);
    BOOST_TEST(out.find("exit=0") != std::string::npos, out);
    srv.close();
    co_await srv.wait_closed();
}

BOOST_TULIP_TEST_CASE_REALTIME(tulip_client_and_server_over_tcp_and_unix_sockets)
{
    auto sctx = server_context();
    auto cctx = client_context();
    tulip::server_options so;
    so.ssl = &sctx;
    auto srv = co_await tulip::start_server(echo_lines, "127.0.0.1", 0, so);
    auto o = tls_client(cctx);
    o.server_hostname = "localhost";
    {
        auto [r, w] = co_await tulip::open_connection("127.0.0.1", first_endpoint(srv).port(), o);
        // More than the write buffer's high-water mark and more than a record: flow
        // control and record splitting.
        std::string line(3000, 'x');
        line += '\n';
        for (int i = 0; i < 100; ++i)
            w.write(line);
        BOOST_TEST(w.transport()->get_write_buffer_size() > 0u);
        co_await w.drain();
        std::size_t back = 0;
        for (int i = 0; i < 100; ++i) {
            std::string got = co_await r.readline();
            back += got.size();
        }
        BOOST_TEST(back == 100 * line.size());
        BOOST_CHECK_THROW(w.write_eof(), tulip::invalid_state_error);
    }
    auto path = std::filesystem::temp_directory_path() /
                ("tulip-tls-" + std::to_string(::getpid()) + ".sock");
    auto usrv = co_await tulip::start_unix_server(echo_lines, path, so);
    {
        auto [r, w] = co_await tulip::open_unix_connection(path, o);
        w.write("over unix\n");
        std::string line = co_await r.readline();
        BOOST_TEST(line == "over unix\n");
        BOOST_TEST(*w.get_extra_info<std::string>("version") == "TLSv1.3");
    }
    // A Unix connection names no host: TLS needs the name to verify (as asyncio).
    auto bare = tls_client(cctx);
    BOOST_CHECK_THROW((void)tulip::open_unix_connection(path, bare), std::invalid_argument);
    srv.close();
    usrv.close();
    co_await srv.wait_closed();
    co_await usrv.wait_closed();
}

// Closing sends close_notify: the peer reads a clean end of stream. A peer that drops
// the connection without close_notify gives stream_truncated.
BOOST_TULIP_TEST_CASE_REALTIME(close_notify_and_a_truncated_stream)
{
    auto sctx = server_context();
    auto cctx = client_context();
    tulip::event got;
    std::string seen;
    boost::system::error_code seen_ec;
    auto cb = [&](tulip::stream_reader r, tulip::stream_writer w) -> tulip::awaitable<void> {
        try {
            std::string all = co_await r.read();
            seen = all;
        } catch (const boost::system::system_error& e) {
            seen_ec = e.code();
        }
        got.set();
        (void)w;
    };
    tulip::server_options so;
    so.ssl = &sctx;
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0, so);
    auto o = tls_client(cctx);
    o.server_hostname = "localhost";
    {
        auto [r, w] = co_await tulip::open_connection("127.0.0.1", first_endpoint(srv).port(), o);
        w.write("bye");
        w.close();
        co_await w.wait_closed();
    }
    co_await got.wait();
    BOOST_TEST(seen == "bye");
    BOOST_TEST(!seen_ec);
    got.clear();
    {
        auto [r, w] = co_await tulip::open_connection("127.0.0.1", first_endpoint(srv).port(), o);
        w.write("cut");
        co_await w.drain();
        w.transport()->abort(); // an RST, no close_notify
    }
    co_await got.wait();
    BOOST_TEST(
        (seen_ec == ssl::error::stream_truncated || seen_ec == asio::error::connection_reset),
        seen_ec.message());
    srv.close();
    co_await srv.wait_closed();
}

// A TLS server counts a connection by its transport too: a handler that hands its writer
// to another task and returns leaves a connection that wait_closed waits for and that
// close_clients closes (with close_notify: the client reads a clean end of stream).
BOOST_TULIP_TEST_CASE_REALTIME(close_clients_reaches_a_tls_writer_kept_after_the_handler)
{
    auto sctx = server_context();
    auto cctx = client_context();
    std::vector<tulip::task<void>> kept;
    auto cb = [&](tulip::stream_reader r, tulip::stream_writer w) -> tulip::awaitable<void> {
        w.write("hello\n");
        kept.push_back(tulip::create_task(net_test::hold_until_end(std::move(r), std::move(w))));
        co_return;
    };
    tulip::server_options so;
    so.ssl = &sctx;
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0, so);
    auto o = tls_client(cctx);
    o.server_hostname = "localhost";
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", first_endpoint(srv).port(), o);
    BOOST_TEST(co_await r.readline() == "hello\n");
    BOOST_TEST_REQUIRE(kept.size() == 1u);
    co_await close_clients_ends_a_kept_connection(srv, r, kept[0]);
}

// A peer that never answers close_notify (TLS 1.3 allows it): close() ends after
// ssl_shutdown_timeout, not never.
BOOST_TULIP_TEST_CASE_REALTIME(close_waits_at_most_the_shutdown_timeout)
{
    auto sctx = server_context();
    auto cctx = client_context();
    tcp::acceptor acc(co_await asio::this_coro::executor, {asio::ip::address_v4::loopback(), 0});
    auto o = tls_client(cctx);
    o.server_hostname = "localhost";
    o.ssl_shutdown_timeout = 300ms;
    auto peer_task = [&]() -> tulip::awaitable<ssl::stream<tcp::socket>> {
        tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
        ssl::stream<tcp::socket> st(std::move(s), sctx);
        co_await st.async_handshake(ssl::stream_base::server, asio::use_awaitable);
        co_return st; // and then never reads again
    };
    auto peer_fn = peer_task;
    auto peer = tulip::create_task(peer_fn());
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", acc.local_endpoint().port(), o);
    auto held = co_await peer.wait();
    auto t0 = std::chrono::steady_clock::now();
    w.close();
    co_await w.wait_closed();
    auto elapsed = std::chrono::steady_clock::now() - t0;
    BOOST_TEST((elapsed >= 250ms));
    BOOST_TEST((elapsed < 5s));
}

BOOST_TULIP_TEST_CASE_REALTIME(a_silent_client_times_out_and_garbage_fails_at_once)
{
    captured_reports reports;
    capture_reports(reports);
    auto sctx = server_context();
    int handlers = 0;
    auto cb = [&](tulip::stream_reader, tulip::stream_writer) -> tulip::awaitable<void> {
        ++handlers;
        co_return;
    };
    tulip::server_options so;
    so.ssl = &sctx;
    so.ssl_handshake_timeout = 400ms;
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0, so);
    auto ep = first_endpoint(srv);
    auto ex = co_await asio::this_coro::executor;

    // Garbage instead of a ClientHello: refused at once, the connection closed.
    tcp::socket garbage(ex);
    co_await garbage.async_connect(ep, asio::use_awaitable);
    auto t0 = std::chrono::steady_clock::now();
    co_await asio::async_write(garbage, asio::buffer(std::string("GET / HTTP/1.0\r\n\r\n")),
                               asio::use_awaitable);
    char buf[512];
    auto [ec1, n1] =
        co_await garbage.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    (void)n1;
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 300ms));
    BOOST_TEST((!!ec1 || n1 > 0)); // an alert, then the end

    // A client that never speaks: closed after the handshake timeout.
    tcp::socket silent(ex);
    co_await silent.async_connect(ep, asio::use_awaitable);
    t0 = std::chrono::steady_clock::now();
    auto [ec2, n2] =
        co_await silent.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    (void)n2;
    auto waited = std::chrono::steady_clock::now() - t0;
    BOOST_TEST(ec2 == asio::error::eof);
    BOOST_TEST((waited >= 350ms));
    BOOST_TEST((waited < 5s));

    // A peer that closes in the middle of its handshake.
    tcp::socket half(ex);
    co_await half.async_connect(ep, asio::use_awaitable);
    const unsigned char partial[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc};
    co_await asio::async_write(half, asio::buffer(partial), asio::use_awaitable);
    half.close();

    while (reports.messages.size() < 3)
        co_await tulip::sleep(10ms);
    BOOST_TEST(handlers == 0);
    for (auto& m : reports.messages)
        BOOST_TEST(m.rfind("TLS handshake failed with 127.0.0.1:", 0) == 0, m);
    std::vector<boost::system::error_code> codes;
    for (auto& e : reports.exceptions)
        codes.push_back(code_of(e));
    BOOST_TEST(std::count(codes.begin(), codes.end(), asio::error::timed_out) == 1);
    srv.close();
    co_await srv.wait_closed();
}

BOOST_TULIP_TEST_CASE_REALTIME(a_burst_of_stalled_handshakes_costs_only_their_connections)
{
    captured_reports reports;
    capture_reports(reports);
    auto sctx = server_context();
    auto cctx = client_context();
    tulip::server_options so;
    so.ssl = &sctx;
    so.ssl_handshake_timeout = 1500ms;
    so.backlog = 200;
    auto srv = co_await tulip::start_server(echo_lines, "127.0.0.1", 0, so);
    auto ep = first_endpoint(srv);
    auto ex = co_await asio::this_coro::executor;
    std::vector<tcp::socket> stalled;
    for (int i = 0; i < 100; ++i) {
        stalled.emplace_back(ex);
        co_await stalled.back().async_connect(ep, asio::use_awaitable);
    }
    // A good client is served while the 100 wait.
    auto t0 = std::chrono::steady_clock::now();
    auto o = tls_client(cctx);
    o.server_hostname = "localhost";
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", ep.port(), o);
    w.write("served\n");
    std::string line = co_await r.readline();
    BOOST_TEST(line == "served\n");
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 1s));
    // Then every stalled one is closed after its timeout and reported.
    for (auto& s : stalled) {
        char b;
        auto [ec, n] =
            co_await s.async_read_some(asio::buffer(&b, 1), asio::as_tuple(asio::use_awaitable));
        (void)n;
        BOOST_TEST(ec == asio::error::eof);
    }
    while (reports.messages.size() < 100)
        co_await tulip::sleep(10ms);
    BOOST_TEST(reports.messages.size() == 100u);
    w.write("still\n");
    line = co_await r.readline();
    BOOST_TEST(line == "still\n");
    w.close();
    co_await w.wait_closed();
    srv.close();
    co_await srv.wait_closed();
}

BOOST_TULIP_TEST_CASE_REALTIME(a_handshake_that_never_finishes_fails_after_its_timeout_or_cancel)
{
    auto cctx = client_context();
    tcp::acceptor acc(co_await asio::this_coro::executor, {asio::ip::address_v4::loopback(), 0});
    auto o = tls_client(cctx);
    o.server_hostname = "localhost";
    o.ssl_handshake_timeout = 300ms;
    boost::system::error_code ec;
    try {
        auto c = co_await tulip::open_connection("127.0.0.1", acc.local_endpoint().port(), o);
        (void)c;
    } catch (const boost::system::system_error& e) {
        ec = e.code();
    }
    BOOST_TEST(ec == asio::error::timed_out);
    // Cancelled while the handshake waits: operation_aborted, no transport left behind.
    o.ssl_handshake_timeout = 30s;
    auto connect = [&]() -> tulip::awaitable<void> {
        auto c = co_await tulip::open_connection("127.0.0.1", acc.local_endpoint().port(), o);
        (void)c;
    };
    auto conn = connect;
    auto task = tulip::create_task(conn());
    co_await tulip::sleep(100ms);
    task.cancel();
    BOOST_CHECK_THROW(co_await task.wait(), boost::system::system_error);
}

BOOST_AUTO_TEST_SUITE_END()
