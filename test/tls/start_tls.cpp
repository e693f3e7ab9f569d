//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// TLS upgrades: stream_writer::start_tls in place and async_start_tls. The pipelined
// and injection cases use a client driven through OpenSSL memory BIOs, so that the
// STARTTLS command and what follows it leave in one segment, deterministically.

#include "helpers.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

using namespace tls_test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(tls_start_tls)

namespace {

// A ClientHello this large (a private extension of ~64 KiB) is several TLS records and
// more than Asio's engine buffer (17 KiB) takes at once.
constexpr unsigned big_extension_type = 65000;
std::vector<unsigned char> big_extension(64500, 0x5a);

int add_big_extension(SSL*, unsigned, unsigned, const unsigned char** out, size_t* outlen, X509*,
                      size_t, int*, void*)
{
    *out = big_extension.data();
    *outlen = big_extension.size();
    return 1;
}

// A blocking TLS client on a thread, driving OpenSSL through memory BIOs: it sends
// `prefix` and its ClientHello in one send(), expects `reply_line` in plaintext, then
// completes the handshake and round-trips "ping\n". Returns what happened.
struct bio_client_result
{
    std::size_t hello_size = 0;
    std::string plaintext_reply;
    bool handshake_ok = false;
    std::string echoed;
    std::string error;
};

bio_client_result run_bio_client(std::uint16_t port, std::string prefix, bool big_hello)
{
    bio_client_result res;
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, cert("ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (big_hello)
        SSL_CTX_add_custom_ext(ctx, big_extension_type, SSL_EXT_CLIENT_HELLO, &add_big_extension,
                               nullptr, nullptr, nullptr, nullptr);
    SSL* ssl = SSL_new(ctx);
    BIO* rbio = BIO_new(BIO_s_mem());
    BIO* wbio = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, rbio, wbio);
    SSL_set_connect_state(ssl);
    SSL_set_tlsext_host_name(ssl, "localhost");
    SSL_set1_host(ssl, "localhost");

    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    auto flush = [&] {
        char buf[65536];
        int n;
        while ((n = BIO_read(wbio, buf, sizeof buf)) > 0)
            ::send(fd, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL);
    };
    std::string in;
    auto recv_more = [&]() -> bool {
        char buf[65536];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return false;
        in.append(buf, static_cast<std::size_t>(n));
        return true;
    };
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        res.error = "connect";
    } else {
        SSL_do_handshake(ssl); // writes the ClientHello into wbio
        std::string hello(static_cast<std::size_t>(BIO_ctrl_pending(wbio)), '\0');
        BIO_read(wbio, hello.data(), static_cast<int>(hello.size()));
        res.hello_size = hello.size();
        std::string first = prefix + hello;
        ::send(fd, first.data(), first.size(), MSG_NOSIGNAL);
        // The server's plaintext reply line, then TLS.
        while (in.find("\r\n") == std::string::npos && recv_more()) {
        }
        auto eol = in.find("\r\n");
        if (eol != std::string::npos) {
            res.plaintext_reply = in.substr(0, eol + 2);
            in.erase(0, eol + 2);
        }
        for (;;) {
            if (!in.empty()) {
                BIO_write(rbio, in.data(), static_cast<int>(in.size()));
                in.clear();
            }
            int r = SSL_do_handshake(ssl);
            flush();
            if (r == 1) {
                res.handshake_ok = true;
                break;
            }
            if (SSL_get_error(ssl, r) != SSL_ERROR_WANT_READ || !recv_more()) {
                res.error = "handshake failed";
                break;
            }
        }
        if (res.handshake_ok) {
            SSL_write(ssl, "ping\n", 5);
            flush();
            char buf[256];
            for (;;) {
                int n = SSL_read(ssl, buf, sizeof buf);
                if (n > 0) {
                    res.echoed.append(buf, static_cast<std::size_t>(n));
                    if (res.echoed.find('\n') != std::string::npos)
                        break;
                    continue;
                }
                flush();
                if (SSL_get_error(ssl, n) != SSL_ERROR_WANT_READ || !recv_more())
                    break;
                BIO_write(rbio, in.data(), static_cast<int>(in.size()));
                in.clear();
            }
        } else {
            // What the server still sends: it must not be an answer to injected text.
            while (recv_more()) {
            }
            res.echoed = in;
        }
    }
    ::close(fd);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return res;
}

tulip::awaitable<bio_client_result> bio_client(std::uint16_t port, std::string prefix,
                                               bool big_hello)
{
    // Polled: the case's deadlock check cannot see a thread that will set a future.
    std::atomic<bool> finished{false};
    bio_client_result r;
    std::thread th([&] {
        r = run_bio_client(port, prefix, big_hello);
        finished = true;
    });
    while (!finished)
        co_await tulip::sleep(5ms);
    th.join();
    co_return r;
}

// The server side of a STARTTLS exchange: one command line, "220", then start_tls and an
// echo of lines. Records what it saw.
struct starttls_server
{
    ssl::context ctx = server_context();
    std::vector<std::string> commands;
    boost::system::error_code upgrade_error;
    bool upgraded = false;
    tulip::event finished;

    tulip::awaitable<void> handle(tulip::stream_reader r, tulip::stream_writer w)
    {
        std::string cmd = co_await r.readline();
        commands.push_back(cmd);
        w.write("220 go ahead\r\n");
        tulip::tls_options o;
        o.server_side = true;
        o.handshake_timeout = 5s;
        try {
            co_await w.start_tls(ctx, o);
            upgraded = true;
            BOOST_TEST(*w.get_extra_info<std::string>("version") == "TLSv1.3");
            for (;;) {
                std::string line = co_await r.readline();
                if (line.empty())
                    break;
                commands.push_back(line);
                w.write(line);
                co_await w.drain();
            }
        } catch (const boost::system::system_error& e) {
            upgrade_error = e.code();
        }
        finished.set();
    }
};

} // namespace

// cpython#142352: the ClientHello arrives in the segment of the STARTTLS command (here 64
// KiB of it): the reader's buffered bytes go to the TLS engine, the handshake succeeds.
BOOST_TULIP_TEST_CASE_REALTIME(a_pipelined_64k_client_hello_is_not_lost)
{
    starttls_server s;
    auto cb = [&s](tulip::stream_reader r, tulip::stream_writer w) {
        return s.handle(std::move(r), std::move(w));
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    auto res = co_await bio_client(first_endpoint(srv).port(), "STARTTLS\r\n", true);
    BOOST_TEST(res.hello_size > 64000u);
    BOOST_TEST(res.plaintext_reply == "220 go ahead\r\n");
    BOOST_TEST(res.handshake_ok, res.error);
    BOOST_TEST(res.echoed == "ping\n");
    co_await s.finished.wait();
    BOOST_TEST(s.upgraded);
    BOOST_REQUIRE(s.commands.size() == 2u);
    BOOST_TEST(s.commands[0] == "STARTTLS\r\n");
    BOOST_TEST(s.commands[1] == "ping\n");
    srv.close();
    co_await srv.wait_closed();
}

// CVE-2011-0411: plaintext sent after STARTTLS in the same segment goes to the TLS
// engine, which refuses it; the application never reads it as a command.
BOOST_TULIP_TEST_CASE_REALTIME(plaintext_after_starttls_is_never_executed)
{
    starttls_server s;
    auto cb = [&s](tulip::stream_reader r, tulip::stream_writer w) {
        return s.handle(std::move(r), std::move(w));
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    auto ep = first_endpoint(srv);
    tcp::socket c(co_await asio::this_coro::executor);
    co_await c.async_connect(ep, asio::use_awaitable);
    std::string inject = "STARTTLS\r\nRCPT TO:<victim@example.com>\r\n";
    co_await asio::async_write(c, asio::buffer(inject), asio::use_awaitable);
    std::string got;
    char buf[4096];
    for (;;) {
        auto [ec, n] =
            co_await c.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
        got.append(buf, n);
        if (ec)
            break;
    }
    co_await s.finished.wait();
    BOOST_TEST(!s.upgraded);
    BOOST_TEST(!!s.upgrade_error);
    BOOST_TEST(s.commands.size() == 1u); // only STARTTLS
    BOOST_TEST(got.rfind("220 go ahead\r\n", 0) == 0, got);
    BOOST_TEST(got.find("RCPT") == std::string::npos, got);
    srv.close();
    co_await srv.wait_closed();
}

// Both ends upgrade in place; a read waiting in another task makes start_tls fail and
// leaves the plain connection working.
BOOST_TULIP_TEST_CASE_REALTIME(both_ends_upgrade_in_place_and_a_pending_read_is_refused)
{
    starttls_server s;
    auto cb = [&s](tulip::stream_reader r, tulip::stream_writer w) {
        return s.handle(std::move(r), std::move(w));
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", first_endpoint(srv).port());
    auto cctx = client_context();
    tulip::tls_options o;
    o.server_hostname = "localhost";
    o.handshake_timeout = 5s;

    auto& reader = r; // clang 14 does not capture structured bindings
    auto reading = [&reader]() -> tulip::awaitable<std::string> {
        co_return co_await reader.readline();
    };
    auto reader_fn = reading;
    auto pending = tulip::create_task(reader_fn());
    co_await tulip::sleep(10ms); // the read now waits
    bool refused = false;
    try {
        co_await w.start_tls(cctx, o);
    } catch (const tulip::invalid_state_error&) {
        refused = true;
    }
    BOOST_TEST(refused);
    w.write("STARTTLS\r\n"); // still plain, still working
    std::string reply = co_await pending.wait();
    BOOST_TEST(reply == "220 go ahead\r\n");
    // A client that verifies the server names whom it expects, or is refused before
    // anything changes (asyncio: "check_hostname requires server_hostname"): a chain
    // checked against no name would accept any certificate the CA ever signed.
    tulip::tls_options unnamed = o;
    unnamed.server_hostname = {};
    boost::system::error_code noname;
    try {
        co_await w.start_tls(cctx, unnamed);
    } catch (const boost::system::system_error& e) {
        noname = e.code();
    }
    BOOST_TEST((noname == tulip::error::server_hostname_required));
    // Written right before the upgrade: flushed first.
    co_await w.start_tls(cctx, o);
    BOOST_TEST(*w.get_extra_info<std::string>("version") == "TLSv1.3");
    BOOST_TEST(w.get_extra_info<SSL*>("ssl_object").value() != nullptr);
    w.write("secret\n");
    std::string back = co_await r.readline();
    BOOST_TEST(back == "secret\n");
    w.close();
    co_await w.wait_closed();
    co_await s.finished.wait();
    BOOST_TEST(s.upgraded);
    srv.close();
    co_await srv.wait_closed();
}

// The Asio-level operation refuses a verifying client without a name, before the
// handshake and outside the initiating function; with verify_none no name is needed.
BOOST_TULIP_TEST_CASE_REALTIME(async_start_tls_refuses_a_verifying_client_without_a_name)
{
    auto ex = co_await asio::this_coro::executor;
    tcp::acceptor acc(ex, {asio::ip::address_v4::loopback(), 0});
    tcp::socket c(ex);
    co_await c.async_connect(acc.local_endpoint(), asio::use_awaitable);
    tcp::socket peer = co_await acc.async_accept(asio::use_awaitable);
    auto cctx = client_context();
    tulip::tls_options o;
    o.handshake_timeout = 5s;
    bool completed = false;
    boost::system::error_code got;
    tulip::async_start_tls(std::move(c), cctx, o, [&](boost::system::error_code ec, auto) {
        completed = true;
        got = ec;
    });
    BOOST_TEST(!completed); // never inside the initiating function
    for (int i = 0; i < 10 && !completed; ++i)
        co_await tulip::sleep(0s);
    BOOST_TEST(completed);
    BOOST_TEST((got == tulip::error::server_hostname_required));
    BOOST_TEST(got.message().find("server_hostname") != std::string::npos);
    // Nothing was sent: the peer sees no ClientHello, only the socket's close.
    char b;
    auto [ec, n] =
        co_await peer.async_read_some(asio::buffer(&b, 1), asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(n == 0u);
    BOOST_TEST((ec == asio::error::eof));
}

// The Asio-level operation with 64 KiB of early bytes: the server read the command and
// the ClientHello with the plain socket, and hands the rest to async_start_tls.
BOOST_TULIP_TEST_CASE_REALTIME(async_start_tls_takes_64k_of_initial_data)
{
    auto sctx = server_context();
    auto ex = co_await asio::this_coro::executor;
    tcp::acceptor acc(ex, {asio::ip::address_v4::loopback(), 0});
    auto port = acc.local_endpoint().port();
    std::atomic<bool> finished{false};
    bio_client_result res;
    std::thread th([&] {
        res = run_bio_client(port, "STARTTLS\r\n", true);
        finished = true;
    });
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    // Everything the client sent before our reply: the command and its ClientHello.
    std::string early;
    char buf[65536];
    // Up to the end of the ClientHello: TLS records (5-byte headers) carrying one
    // handshake message whose length is in its 4-byte header.
    auto complete = [&early] {
        std::size_t off = 10, payload = 0, need = 0;
        while (off + 5 <= early.size()) {
            auto u = [&](std::size_t i) { return static_cast<unsigned char>(early[i]); };
            std::size_t len = u(off + 3) << 8 | u(off + 4);
            if (off + 5 + len > early.size())
                return false;
            if (payload == 0)
                need = 4 + (u(off + 6) << 16 | u(off + 7) << 8 | u(off + 8));
            payload += len;
            off += 5 + len;
        }
        return need != 0 && payload >= need;
    };
    for (;;) {
        std::size_t n = co_await s.async_read_some(asio::buffer(buf), asio::use_awaitable);
        early.append(buf, n);
        if (complete())
            break;
    }
    BOOST_TEST(early.size() > 64000u);
    BOOST_TEST(early.rfind("STARTTLS\r\n", 0) == 0);
    co_await asio::async_write(s, asio::buffer(std::string("220 go ahead\r\n")),
                               asio::use_awaitable);
    tulip::tls_options o;
    o.server_side = true;
    o.handshake_timeout = 5s;
    o.initial_data = asio::buffer(early.data() + 10, early.size() - 10);
    std::exception_ptr failed;
    try {
        auto tls = co_await tulip::async_start_tls(std::move(s), sctx, o);
        std::size_t n = co_await tls.async_read_some(asio::buffer(buf), asio::use_awaitable);
        BOOST_TEST(std::string(buf, n) == "ping\n");
        co_await asio::async_write(tls, asio::buffer(buf, n), asio::use_awaitable);
    } catch (...) {
        failed = std::current_exception();
    }
    while (!finished)
        co_await tulip::sleep(5ms);
    th.join();
    if (failed)
        std::rethrow_exception(failed);
    BOOST_TEST(res.handshake_ok, res.error);
    BOOST_TEST(res.echoed == "ping\n");
}

// asio_stream runs over the TLS transport: Beast HTTP after an upgrade in place, on both
// ends.
BOOST_TULIP_TEST_CASE_REALTIME(beast_http_runs_after_start_tls)
{
    namespace http = boost::beast::http;
    auto sctx = server_context();
    auto cctx = client_context();
    auto handler = [&sctx](tulip::stream_reader r,
                           tulip::stream_writer w) -> tulip::awaitable<void> {
        std::string cmd = co_await r.readline();
        w.write("220 go ahead\r\n");
        tulip::tls_options o;
        o.server_side = true;
        co_await w.start_tls(sctx, o);
        tulip::asio_stream stream(r, w);
        boost::beast::flat_buffer buf;
        http::request<http::string_body> req;
        co_await http::async_read(stream, buf, req, asio::use_awaitable);
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.body() = "over TLS: " + std::string(req.target());
        res.prepare_payload();
        co_await http::async_write(stream, res, asio::use_awaitable);
        w.close();
        co_await w.wait_closed();
    };
    auto srv = co_await tulip::start_server(handler, "127.0.0.1", 0);
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", first_endpoint(srv).port());
    w.write("STARTTLS\r\n");
    std::string reply = co_await r.readline();
    BOOST_TEST(reply == "220 go ahead\r\n");
    tulip::tls_options o;
    o.server_hostname = "localhost";
    co_await w.start_tls(cctx, o);
    tulip::asio_stream stream(r, w);
    http::request<http::string_body> req{http::verb::get, "/upgraded", 11};
    req.set(http::field::host, "localhost");
    co_await http::async_write(stream, req, asio::use_awaitable);
    boost::beast::flat_buffer buf;
    http::response<http::string_body> res;
    co_await http::async_read(stream, buf, res, asio::use_awaitable);
    BOOST_TEST(res.body() == "over TLS: /upgraded");
    w.close();
    co_await w.wait_closed();
    srv.close();
    co_await srv.wait_closed();
}

// A server connection upgraded in place is followed to its TLS transport: after the
// handler hands its writer to another task and returns, close_clients closes the TLS
// transport (close_notify, a clean end of stream for the client), not the plain one the
// socket was taken from, and wait_closed waits for it.
BOOST_TULIP_TEST_CASE_REALTIME(close_clients_reaches_a_connection_upgraded_in_place)
{
    auto sctx = server_context();
    std::vector<tulip::task<void>> kept;
    auto cb = [&](tulip::stream_reader r, tulip::stream_writer w) -> tulip::awaitable<void> {
        std::string cmd = co_await r.readline();
        w.write("220 go ahead\r\n");
        tulip::tls_options so;
        so.server_side = true;
        so.handshake_timeout = 5s;
        co_await w.start_tls(sctx, so);
        w.write("ready\n");
        kept.push_back(tulip::create_task(net_test::hold_until_end(std::move(r), std::move(w))));
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", first_endpoint(srv).port());
    auto cctx = client_context();
    tulip::tls_options o;
    o.server_hostname = "localhost";
    o.handshake_timeout = 5s;
    w.write("STARTTLS\r\n");
    BOOST_TEST(co_await r.readline() == "220 go ahead\r\n");
    co_await w.start_tls(cctx, o);
    BOOST_TEST(co_await r.readline() == "ready\n");
    BOOST_TEST_REQUIRE(kept.size() == 1u);
    co_await close_clients_ends_a_kept_connection(srv, r, kept[0]);
}

namespace {

// The server's side of the plaintext exchange: the client's STARTTLS, then the go-ahead;
// the options for the server's handshake.
tulip::awaitable<tulip::tls_options> agree_to_starttls(tulip::stream_reader& r,
                                                       tulip::stream_writer& w)
{
    std::string cmd = co_await r.readline();
    BOOST_TEST(cmd == "STARTTLS\r\n");
    w.write("220 go ahead\r\n");
    tulip::tls_options so;
    so.server_side = true;
    co_return so;
}

// A server connection in the middle of an in-place upgrade (its socket out of the plain
// transport, the TLS handshake not done) is still the server's: close_clients or
// abort_clients stops the handshake, the handler's start_tls fails with
// operation_aborted, the client's socket ends, and wait_closed waits for the handler. The
// client asks for STARTTLS and then sends `stall` (nothing, or a partial ClientHello) and
// no more. The handshake timeout is the default (60 s): only close_clients can end it
// within the tests' 5 s bounds.
tulip::awaitable<void> pending_in_place_handshake_is_ended(bool abort, std::string stall)
{
    auto sctx = server_context();
    tulip::event upgrading, ended;
    boost::system::error_code upgrade_error;
    auto cb = [&](tulip::stream_reader r, tulip::stream_writer w) -> tulip::awaitable<void> {
        tulip::tls_options so = co_await agree_to_starttls(r, w);
        upgrading.set();
        try {
            co_await w.start_tls(sctx, so);
        } catch (const boost::system::system_error& e) {
            upgrade_error = e.code();
        }
        ended.set();
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    tcp::socket c = co_await net_test::connect_to(first_endpoint(srv));
    std::string reply = co_await net_test::round_trip(c, "STARTTLS\r\n");
    BOOST_TEST(reply == "220 go ahead\r\n");
    co_await upgrading.wait(); // the handler has gone into start_tls
    if (!stall.empty())
        co_await asio::async_write(c, asio::buffer(stall), asio::use_awaitable);
    // The handler's connection keeps wait_closed waiting (checked after 100 ms).
    auto waiter = co_await net_test::close_and_start_waiting(srv);
    BOOST_TEST(!ended.is_set()); // the handshake is still waiting for the client
    if (abort)
        srv.abort_clients();
    else
        srv.close_clients();
    co_await tulip::timeout(5s, ended.wait());
    BOOST_TEST(upgrade_error == asio::error::operation_aborted, upgrade_error.message());
    boost::system::error_code end = co_await net_test::read_end(c);
    BOOST_TEST((end == asio::error::eof || end == asio::error::connection_reset), end.message());
    co_await tulip::timeout(5s, waiter.wait());
}

} // namespace

BOOST_TULIP_TEST_CASE_REALTIME(close_clients_ends_a_connection_waiting_for_its_client_hello)
{
    co_await pending_in_place_handshake_is_ended(false, "");
}

BOOST_TULIP_TEST_CASE_REALTIME(abort_clients_ends_a_connection_stalled_in_its_client_hello)
{
    // A TLS handshake record header announcing 512 bytes, then the first three of them.
    co_await pending_in_place_handshake_is_ended(
        true, std::string("\x16\x03\x01\x02\x00\x01\x00\x01", 8));
}

// close_clients in the loop turn where start_tls takes the socket out of the plain
// transport: that hand-over completes from the loop, before the handshake exists, and
// the handshake is stopped once it does.
BOOST_TULIP_TEST_CASE_REALTIME(close_clients_in_the_same_turn_as_start_tls_ends_the_upgrade)
{
    auto sctx = server_context();
    tulip::event ended;
    boost::system::error_code upgrade_error;
    tulip::server* srvp = nullptr;
    auto cb = [&](tulip::stream_reader r, tulip::stream_writer w) -> tulip::awaitable<void> {
        tulip::tls_options so = co_await agree_to_starttls(r, w);
        auto upgrade = w.start_tls(sctx, so);
        // Eager: start_tls runs up to its first suspension, the socket on its way out.
        auto t = tulip::create_task(std::move(upgrade), tulip::task_options{.eager = true});
        srvp->close_clients();
        try {
            co_await t.wait();
        } catch (const boost::system::system_error& e) {
            upgrade_error = e.code();
        }
        ended.set();
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    srvp = &srv;
    tcp::socket c = co_await net_test::connect_to(first_endpoint(srv));
    std::string reply = co_await net_test::round_trip(c, "STARTTLS\r\n");
    BOOST_TEST(reply == "220 go ahead\r\n");
    co_await tulip::timeout(5s, ended.wait());
    BOOST_TEST(upgrade_error == asio::error::operation_aborted, upgrade_error.message());
    boost::system::error_code end = co_await net_test::read_end(c);
    BOOST_TEST((end == asio::error::eof || end == asio::error::connection_reset), end.message());
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
}

BOOST_AUTO_TEST_SUITE_END()
