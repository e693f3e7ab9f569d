//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The contextvars example of asyncio's documentation, in Tulip: each connection's task
// runs in its own copy of the context, so a variable set by one handler is seen by the
// functions it calls and by no other connection.
//
//     client_addr_var = contextvars.ContextVar('client_addr')
//
//     def render_goodbye():
//         client_addr = client_addr_var.get()
//         return f'Good bye, client @ {client_addr}\r\n'.encode()
//
//     async def handle_request(reader, writer):
//         addr = writer.transport.get_extra_info('socket').getpeername()
//         client_addr_var.set(addr)
//         async for line in reader:
//             if not line.strip():
//                 break
//         writer.write(render_goodbye())
//         writer.close()
//
//     srv = await asyncio.start_server(handle_request, '127.0.0.1', 8081)
//
// Three clients talk to it at once, each printing its goodbye.

#include <boost/tulip.hpp>

#include <iostream>
#include <string>
#include <vector>

namespace tulip = boost::tulip;

namespace {

tulip::context_var<std::string> client_addr_var{"client_addr"};

std::string render_goodbye()
{
    return "Good bye, client @ " + client_addr_var.get() + "\r\n";
}

tulip::awaitable<void> handle_request(tulip::stream_reader reader, tulip::stream_writer writer)
{
    auto peer = writer.get_extra_info<boost::asio::ip::tcp::endpoint>("peername");
    auto tok =
        client_addr_var.set(peer->address().to_string() + ":" + std::to_string(peer->port()));
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty() || line == "\r\n" || line == "\n")
            break;
    }
    writer.write(render_goodbye());
    writer.close();
    co_await writer.wait_closed();
}

tulip::awaitable<std::string> client(unsigned short port, std::string name)
{
    auto [reader, writer] = co_await tulip::open_connection("127.0.0.1", port);
    writer.write("Hello, I am " + name + "\r\n");
    writer.write("\r\n");
    co_await writer.drain();
    std::string reply = co_await reader.readline();
    auto local = writer.get_extra_info<boost::asio::ip::tcp::endpoint>("sockname");
    writer.close();
    const std::string expected = "Good bye, client @ " + local->address().to_string() + ":" +
                                 std::to_string(local->port()) + "\r\n";
    if (reply != expected)
        throw std::runtime_error(name + " got " + reply);
    co_return name + " <- " + reply.substr(0, reply.size() - 2);
}

tulip::awaitable<int> main_task()
{
    auto srv = co_await tulip::start_server(handle_request, "127.0.0.1", 0);
    const auto port = srv.sockets().front().port();
    auto replies =
        co_await tulip::gather(client(port, "ann"), client(port, "bob"), client(port, "cyd"));
    std::apply([](const auto&... r) { ((std::cout << r << '\n'), ...); }, replies);
    srv.close();
    co_await srv.wait_closed();
    co_return 0;
}

} // namespace

int main()
{
    return tulip::run(main_task());
}
