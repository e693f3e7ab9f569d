//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// A WebSocket echo server: Beast's `websocket::stream` over `asio_stream`, the Asio
// stream made of a Tulip connection's reader and writer. Each message comes back as it
// came (text or binary); the close handshake ends in `async_teardown` for asio_stream
// (half-close, wait for the client's end, close). Ctrl-C (SIGINT) stops the server.
//
//   websocket_echo [port]     (port 0 or none: an ephemeral port, printed)
//   python3 -m websockets ws://127.0.0.1:PORT/

#include <boost/tulip/asio_stream.hpp>
#include <boost/tulip/error.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/server.hpp>
#include <boost/tulip/streams.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

tulip::awaitable<void> echo(tulip::stream_reader reader, tulip::stream_writer writer)
{
    websocket::stream<tulip::asio_stream> ws(tulip::asio_stream(reader, writer));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(asio::use_awaitable);
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await ws.async_read(buffer, asio::as_tuple(asio::use_awaitable));
        if (ec == websocket::error::closed)
            break; // the client closed; the handshake and teardown are done
        if (ec)
            throw boost::system::system_error(ec);
        ws.text(ws.got_text());
        co_await ws.async_write(buffer.data(), asio::use_awaitable);
        buffer.consume(n);
    }
    co_await writer.wait_closed();
}

tulip::awaitable<void> serve(unsigned short port)
{
    auto srv = co_await tulip::start_server(echo, "127.0.0.1", port);
    std::printf("serving ws://127.0.0.1:%u/\n", unsigned(srv.sockets().front().port()));
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
            std::fprintf(stderr, "websocket_echo: %s\n", e.what());
            return 1;
        }
        std::printf("stopped\n");
    }
    return 0;
}
