//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// An HTTPS server: Beast HTTP/1.1 over Tulip streams over TLS. `start_server` with
// `server_options::ssl` runs each connection's handshake before its handler starts (a
// stalled or garbage handshake costs only its own connection, and is reported);
// `asio_stream` turns the reader and writer into the Asio stream Beast expects.
//
//   https_server CERT KEY [port]    (port 0 or none: an ephemeral port, printed)
//   curl --cacert CERT https://localhost:PORT/hello
//
#include <boost/tulip.hpp>
#include <boost/tulip/tls.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

namespace {

http::response<http::string_body> respond(const http::request<http::string_body>& req,
                                          const std::string& tls_version)
{
    http::response<http::string_body> res;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    res.set(http::field::server, "Boost.Tulip https_server example");
    res.set(http::field::content_type, "text/plain");
    if (req.method() == http::verb::post) {
        res.result(http::status::ok);
        res.body() = req.body(); // echo
    } else if (req.target().starts_with("/hello")) {
        res.result(http::status::ok);
        res.body() =
            "Hello over " + tls_version + ", you asked for " + std::string(req.target()) + "\n";
    } else {
        res.result(http::status::not_found);
        res.body() = "not found: " + std::string(req.target()) + "\n";
    }
    res.prepare_payload();
    return res;
}

tulip::awaitable<void> handle_client(tulip::stream_reader reader, tulip::stream_writer writer)
{
    const std::string version = writer.get_extra_info<std::string>("version").value_or("?");
    tulip::asio_stream stream(reader, writer);
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(16 * 1024 * 1024);
        auto [ec, n] =
            co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        // A client that closes without close_notify (common for HTTPS clients, whose
        // requests are framed by HTTP) ends the connection as cleanly as one that sends it.
        if (ec == http::error::end_of_stream || ec == ssl::error::stream_truncated)
            break;
        if (ec)
            throw boost::system::system_error(ec);
        auto res = respond(parser.get(), version);
        co_await http::async_write(stream, res, asio::use_awaitable);
        if (!res.keep_alive())
            break;
    }
    writer.close(); // the response, then close_notify (waited for at most 5 s)
    co_await writer.wait_closed();
}

tulip::awaitable<void> serve(const char* cert, const char* key, unsigned short port)
{
    ssl::context ctx(ssl::context::tls_server);
    ctx.use_certificate_chain_file(cert);
    ctx.use_private_key_file(key, ssl::context::pem);
    tulip::server_options o;
    o.ssl = &ctx;
    o.ssl_handshake_timeout = 10s;
    o.ssl_shutdown_timeout = 5s;
    auto srv = co_await tulip::start_server(handle_client, "127.0.0.1", port, o);
    std::printf("serving https://127.0.0.1:%u/\n", unsigned(srv.sockets().front().port()));
    std::fflush(stdout);
    co_await srv.serve_forever();
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: https_server CERT KEY [port]\n");
        return 2;
    }
    const auto port = static_cast<unsigned short>(argc > 3 ? std::atoi(argv[3]) : 0);
    try {
        tulip::run(serve(argv[1], argv[2], port));
    } catch (const std::exception& e) {
        if (!tulip::is_cancellation(e)) {
            std::fprintf(stderr, "https_server: %s\n", e.what());
            return 1;
        }
        std::printf("stopped\n");
    }
    return 0;
}
