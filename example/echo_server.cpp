//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// asyncio's TCP echo server and tcp_echo_client, in Tulip:
//
//     async def handle_echo(reader, writer):
//         data = await reader.read(100)
//         writer.write(data)
//         await writer.drain()
//         writer.close()
//         await writer.wait_closed()
//
//     async def tcp_echo_client(message, port):
//         reader, writer = await asyncio.open_connection('127.0.0.1', port)
//         writer.write(message.encode())
//         await writer.drain()
//         data = await reader.read(100)
//         print(f'Received: {data.decode()!r}')
//         writer.close()
//         await writer.wait_closed()
//
// The server listens on an ephemeral port (0) so that the example runs anywhere; the
// client talks to it, then the server closes.

#include <boost/tulip.hpp>

#include <iostream>
#include <string>

namespace tulip = boost::tulip;

namespace {

tulip::awaitable<void> handle_echo(tulip::stream_reader reader, tulip::stream_writer writer)
{
    std::string data = co_await reader.read(100);
    auto peer = writer.get_extra_info<boost::asio::ip::tcp::endpoint>("peername");
    std::cout << "Server received " << data.size() << " bytes from " << peer->address() << '\n';
    writer.write(data);
    co_await writer.drain();
    writer.close();
    co_await writer.wait_closed();
}

tulip::awaitable<void> tcp_echo_client(std::string message, unsigned short port)
{
    auto [reader, writer] = co_await tulip::open_connection("127.0.0.1", port);
    std::cout << "Send: " << message << '\n';
    writer.write(message);
    co_await writer.drain();
    std::string data = co_await reader.read(100);
    std::cout << "Received: " << data << '\n';
    writer.close();
    co_await writer.wait_closed();
}

tulip::awaitable<int> main_task()
{
    auto srv = co_await tulip::start_server(handle_echo, "127.0.0.1", 0);
    const auto port = srv.sockets().front().port();
    std::cout << "Serving on 127.0.0.1:" << port << '\n';
    co_await tcp_echo_client("Hello World!", port);
    srv.close();
    co_await srv.wait_closed();
    co_return 0;
}

} // namespace

int main()
{
    return tulip::run(main_task());
}
