//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// A Beast HTTP/1.1 server on Tulip streams: `start_server` accepts, each connection is
// its own task, and `asio_stream` turns the connection's reader and writer into the Asio
// stream that `beast::http::async_read`/`async_write` expect. Keep-alive, pipelining and
// the reader's flow control come with it. Ctrl-C (SIGINT) stops the server.
//
//   http_server [port]        (port 0 or none: an ephemeral port, printed)
//   curl http://127.0.0.1:PORT/hello

#include <boost/tulip/asio_stream.hpp>
#include <boost/tulip/error.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/server.hpp>
#include <boost/tulip/streams.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

http::response<http::string_body> respond(const http::request<http::string_body>& req)
{
    http::response<http::string_body> res;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    res.set(http::field::server, "Boost.Tulip http_server example");
    res.set(http::field::content_type, "text/plain");
    if (req.method() != http::verb::get && req.method() != http::verb::post) {
        res.result(http::status::method_not_allowed);
        res.body() = "only GET and POST\n";
    } else if (req.method() == http::verb::post) {
        res.result(http::status::ok);
        res.body() = req.body(); // echo
    } else if (req.target().starts_with("/hello")) {
        res.result(http::status::ok);
        res.body() = "Hello from Tulip, you asked for " + std::string(req.target()) + "\n";
    } else {
        res.result(http::status::not_found);
        res.body() = "not found: " + std::string(req.target()) + "\n";
    }
    res.prepare_payload();
    return res;
}

// One connection: requests in, responses out, until the client closes or asks to.
tulip::awaitable<void> handle_client(tulip::stream_reader reader, tulip::stream_writer writer)
{
    tulip::asio_stream stream(reader, writer);
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(16 * 1024 * 1024); // Beast's default is 1 MiB
        auto [ec, n] =
            co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (ec == http::error::end_of_stream)
            break; // the client is done
        if (ec)
            throw boost::system::system_error(ec); // goes to the loop's exception handler
        auto res = respond(parser.get());
        co_await http::async_write(stream, res, asio::use_awaitable);
        if (!res.keep_alive())
            break;
    }
    writer.close(); // sends what is buffered, then the end of stream
    co_await writer.wait_closed();
}

tulip::awaitable<void> serve(unsigned short port)
{
    auto srv = co_await tulip::start_server(handle_client, "127.0.0.1", port);
    std::printf("serving http://127.0.0.1:%u/\n", unsigned(srv.sockets().front().port()));
    std::fflush(stdout);
    co_await srv.serve_forever();
}

} // namespace

int main(int argc, char** argv)
{
    const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0);
    try {
        tulip::run(serve(port));
    } catch (const std::exception& e) {
        if (!tulip::is_cancellation(e)) {
            std::fprintf(stderr, "http_server: %s\n", e.what());
            return 1;
        }
        std::printf("stopped\n"); // Ctrl-C cancelled serve_forever
    }
    return 0;
}
