//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// asio_stream: Asio's and Beast's composed operations over Tulip streams on real TCP and
// Unix sockets (HTTP, WebSocket, async_read_until), cancellation, end of stream, flow
// control and Beast's teardown and close_socket customisations.

#include <boost/tulip/asio_stream.hpp>

#include <boost/tulip/queue.hpp>
#include <boost/tulip/server.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/streams.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/test.hpp>
#include <boost/tulip/transport.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <type_traits>
#include <unistd.h>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using boost::system::error_code;
using namespace std::chrono_literals;

// What makes it an Asio and Beast citizen, checked where a user would rely on it.
static_assert(beast::is_async_read_stream<tulip::asio_stream>::value);
static_assert(beast::is_async_write_stream<tulip::asio_stream>::value);
static_assert(beast::is_async_stream<tulip::asio_stream>::value);
static_assert(std::is_same_v<beast::lowest_layer_type<tulip::asio_stream>, tulip::asio_stream>);
// websocket::stream<asio_stream> takes it by value.
static_assert(std::is_move_constructible_v<tulip::asio_stream>);

BOOST_AUTO_TEST_SUITE(interop_suite)

namespace {

struct connection
{
    tulip::stream_reader reader;
    tulip::stream_writer writer;
};

using connection_queue = tulip::queue<connection>;

tulip::awaitable<void> hand_over(std::shared_ptr<connection_queue> q, tulip::stream_reader r,
                                 tulip::stream_writer w)
{
    q->put_nowait(connection{std::move(r), std::move(w)});
    co_return;
}

// A start_server callback that gives each connection's server side to the test; the
// writer kept in the queue keeps the connection open after the handler returns.
struct hand_over_cb
{
    std::shared_ptr<connection_queue> q;

    tulip::awaitable<void> operator()(tulip::stream_reader r, tulip::stream_writer w) const
    {
        return hand_over(q, std::move(r), std::move(w));
    }
};

struct stream_pair
{
    tulip::server srv;
    tulip::asio_stream client;
    tulip::asio_stream server;
};

tulip::awaitable<stream_pair> tcp_pair()
{
    auto q = std::make_shared<connection_queue>();
    hand_over_cb cb{q};
    tulip::server srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    const unsigned short port = srv.sockets().front().port();
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", port);
    connection c = co_await q->get();
    co_return stream_pair{std::move(srv), tulip::asio_stream(r, w),
                          tulip::asio_stream(c.reader, c.writer)};
}

std::filesystem::path socket_path()
{
    return std::filesystem::temp_directory_path() /
           ("tulip-interop-" + std::to_string(::getpid()) + ".sock");
}

tulip::awaitable<stream_pair> unix_pair()
{
    auto q = std::make_shared<connection_queue>();
    hand_over_cb cb{q};
    const auto path = socket_path();
    tulip::server srv = co_await tulip::start_unix_server(cb, path);
    auto [r, w] = co_await tulip::open_unix_connection(path);
    connection c = co_await q->get();
    co_return stream_pair{std::move(srv), tulip::asio_stream(r, w),
                          tulip::asio_stream(c.reader, c.writer)};
}

// Both ends closed and gone, the server closed: nothing left for the runner to find.
tulip::awaitable<void> close_all(stream_pair& p)
{
    p.client.close();
    p.server.close();
    co_await p.client.writer().wait_closed(asio::as_tuple(asio::deferred));
    co_await p.server.writer().wait_closed(asio::as_tuple(asio::deferred));
    p.srv.close();
    co_await p.srv.wait_closed();
}

// A Beast HTTP server loop: answers each request with its target and body, until the
// client's end of stream. Returns the number of requests answered.
tulip::awaitable<int> serve_http(tulip::asio_stream& s)
{
    beast::flat_buffer buffer;
    int served = 0;
    for (;;) {
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(s, buffer, req, asio::as_tuple(asio::deferred));
        if (ec == http::error::end_of_stream)
            co_return served;
        if (ec)
            throw boost::system::system_error(ec);
        http::response<http::string_body> res(http::status::ok, req.version());
        res.body() = std::string(req.target()) + ":" + req.body();
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        co_await http::async_write(s, res, asio::deferred);
        ++served;
    }
}

tulip::awaitable<void> http_exchange(stream_pair& p)
{
    auto server = tulip::create_task(serve_http(p.server));
    beast::flat_buffer buffer;
    // A small request, then one whose body is beyond the reader's limit and the writer's
    // high-water mark, both ways, on the same connection.
    const std::string big(300 * 1024, 'x');
    const std::string bodies[] = {"ping", big};
    for (const std::string& body : bodies) {
        http::request<http::string_body> req(http::verb::post, "/echo", 11);
        req.set(http::field::host, "localhost");
        req.body() = body;
        req.prepare_payload();
        co_await http::async_write(p.client, req, asio::deferred);
        http::response<http::string_body> res;
        co_await http::async_read(p.client, buffer, res, asio::deferred);
        BOOST_TEST(res.result() == http::status::ok);
        BOOST_TEST((res.body() == "/echo:" + body));
    }
    // The client's end of stream is the server's http::error::end_of_stream.
    p.client.writer().write_eof();
    const int served = co_await server.wait();
    BOOST_TEST(served == 2);
    co_await close_all(p);
}

} // namespace

BOOST_TULIP_TEST_CASE(beast_http_request_and_response_over_tcp_streams)
{
    stream_pair p = co_await tcp_pair();
    co_await http_exchange(p);
}

BOOST_TULIP_TEST_CASE(beast_http_request_and_response_over_unix_socket_streams)
{
    stream_pair p = co_await unix_pair();
    co_await http_exchange(p);
}

BOOST_TULIP_TEST_CASE(async_read_until_gets_what_the_reader_buffered_first)
{
    stream_pair p = co_await tcp_pair();
    p.client.writer().write("HELLO\nline one\nline two\n");
    // The protocol reads its first line with the reader, then hands over to Asio.
    std::string first = co_await p.server.reader().readline();
    BOOST_TEST(first == "HELLO\n");
    std::string data;
    std::size_t n =
        co_await asio::async_read_until(p.server, asio::dynamic_buffer(data), "\n", asio::deferred);
    BOOST_TEST(data.substr(0, n) == "line one\n");
    data.erase(0, n);
    n = co_await asio::async_read_until(p.server, asio::dynamic_buffer(data), "\n", asio::deferred);
    BOOST_TEST(data.substr(0, n) == "line two\n");
    // And Asio's writes arrive whole at the reader of the other end.
    const std::string reply(100 * 1024, 'r');
    co_await asio::async_write(p.server, asio::buffer(reply), asio::deferred);
    std::string got = co_await p.client.reader().readexactly(reply.size());
    BOOST_TEST((got == reply));
    co_await close_all(p);
}

BOOST_TULIP_TEST_CASE(cancelled_async_read_some_leaves_the_bytes_for_the_next_read)
{
    stream_pair p = co_await tcp_pair();
    char buf[16];
    const asio::cancellation_type types[] = {asio::cancellation_type::terminal,
                                             asio::cancellation_type::partial,
                                             asio::cancellation_type::total};
    for (auto type : types) {
        asio::cancellation_signal sig;
        auto read = tulip::create_task(p.server.async_read_some(
            asio::buffer(buf),
            asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable))));
        co_await tulip::sleep(0s); // the read task runs up to its wait
        BOOST_TEST(!read.done());
        sig.emit(type);
        auto [ec, n] = co_await read.wait();
        BOOST_TEST((ec == asio::error::operation_aborted));
        BOOST_TEST(n == 0u);
    }
    // Cancelled by the task's cancel(), as a timeout or a task group would.
    auto read = tulip::create_task(p.server.async_read_some(asio::buffer(buf), asio::deferred));
    co_await tulip::sleep(0s);
    read.cancel();
    bool cancelled = false;
    try {
        co_await read.wait();
    } catch (const std::exception& e) {
        cancelled = tulip::is_cancellation(e);
    }
    BOOST_TEST(cancelled);

    p.client.writer().write("abc");
    std::size_t n = co_await p.server.async_read_some(asio::buffer(buf), asio::deferred);
    BOOST_TEST(std::string(buf, n) == "abc");
    co_await close_all(p);
}

// The race of a cancellation with arriving bytes: the bytes the peer sent just before
// each cancellation are either in that read's result or in a later read, never lost.
BOOST_TULIP_TEST_CASE(async_read_some_cancelled_as_bytes_arrive_loses_none)
{
    stream_pair p = co_await tcp_pair();
    std::string sent, received;
    char buf[64];
    int aborted = 0;
    for (int i = 0; i < 50; ++i) {
        asio::cancellation_signal sig;
        auto read = tulip::create_task(p.server.async_read_some(
            asio::buffer(buf),
            asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable))));
        co_await tulip::sleep(0s);
        const std::string chunk = std::to_string(i) + ",";
        p.client.writer().write(chunk);
        sent += chunk;
        if (i % 2 == 0)
            co_await tulip::sleep(0s); // sometimes the bytes may win the race
        sig.emit(asio::cancellation_type::terminal);
        auto [ec, n] = co_await read.wait();
        if (ec == asio::error::operation_aborted)
            ++aborted;
        else
            BOOST_TEST_REQUIRE(!ec);
        received.append(buf, n);
    }
    BOOST_TEST(aborted > 0);
    while (received.size() < sent.size()) {
        std::size_t n = co_await p.server.async_read_some(asio::buffer(buf), asio::deferred);
        received.append(buf, n);
    }
    BOOST_TEST(received == sent);
    co_await close_all(p);
}

BOOST_TULIP_TEST_CASE(async_read_some_reports_end_of_stream_as_asio_error_eof)
{
    stream_pair p = co_await tcp_pair();
    char buf[16];
    // An empty buffer completes at once with 0, as a socket's read does.
    auto [ec0, n0] =
        co_await p.server.async_read_some(asio::mutable_buffer(), asio::as_tuple(asio::deferred));
    BOOST_TEST(!ec0);
    BOOST_TEST(n0 == 0u);
    p.client.writer().write("last");
    p.client.writer().write_eof();
    auto [ec1, n1] =
        co_await p.server.async_read_some(asio::buffer(buf), asio::as_tuple(asio::deferred));
    BOOST_TEST(!ec1);
    BOOST_TEST(std::string(buf, n1) == "last");
    auto [ec2, n2] =
        co_await p.server.async_read_some(asio::buffer(buf), asio::as_tuple(asio::deferred));
    BOOST_TEST((ec2 == asio::error::eof));
    BOOST_TEST(n2 == 0u);
    // Beast sees it as the end of an HTTP stream.
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    auto [ec3, n3] =
        co_await http::async_read(p.server, buffer, req, asio::as_tuple(asio::deferred));
    BOOST_TEST((ec3 == http::error::end_of_stream));
    co_await close_all(p);
}

BOOST_TULIP_TEST_CASE(async_write_some_waits_for_the_writer_to_drain)
{
    stream_pair p = co_await tcp_pair();
    tulip::transport* t = p.server.writer().transport();
    BOOST_TEST_REQUIRE(t != nullptr);
    const auto [low, high] = t->get_write_buffer_limits();
    const std::string data(8 * 1024 * 1024, 'd');
    auto write = tulip::create_task(
        asio::async_write(p.server, asio::buffer(data), asio::as_tuple(asio::use_awaitable)));
    // The peer reads slowly: the writer's buffer never holds more than the high-water mark
    // plus one async_write_some, whatever the size of the async_write.
    std::size_t got = 0;
    std::size_t most = 0;
    while (got < data.size()) {
        std::string chunk = co_await p.client.reader().read(64 * 1024);
        BOOST_TEST_REQUIRE(!chunk.empty());
        got += chunk.size();
        most = std::max(most, t->get_write_buffer_size());
    }
    BOOST_TEST(most <= high + 64 * 1024);
    (void)low;
    auto [ec, n] = co_await write.wait();
    BOOST_TEST(!ec);
    BOOST_TEST(n == data.size());
    co_await close_all(p);
}

BOOST_TULIP_TEST_CASE(async_write_some_after_close_fails_with_invalid_state)
{
    stream_pair p = co_await tcp_pair();
    p.client.close();
    auto [ec, n] =
        co_await p.client.async_write_some(asio::buffer("late", 4), asio::as_tuple(asio::deferred));
    BOOST_TEST((ec == tulip::error::invalid_state));
    BOOST_TEST(n == 0u);
    co_await close_all(p);
}

namespace {

tulip::awaitable<std::string> websocket_server(tulip::asio_stream s)
{
    websocket::stream<tulip::asio_stream> ws(std::move(s));
    co_await ws.async_accept(asio::deferred);
    beast::flat_buffer buffer;
    std::string last;
    for (;;) {
        auto [ec, n] = co_await ws.async_read(buffer, asio::as_tuple(asio::deferred));
        if (ec == websocket::error::closed)
            co_return last;
        if (ec)
            throw boost::system::system_error(ec);
        last = beast::buffers_to_string(buffer.data());
        ws.text(ws.got_text());
        co_await ws.async_write(buffer.data(), asio::deferred);
        buffer.consume(n);
    }
}

} // namespace

BOOST_TULIP_TEST_CASE(websocket_echo_and_close_handshake_over_asio_stream)
{
    stream_pair p = co_await tcp_pair();
    tulip::stream_writer server_writer = p.server.writer();
    tulip::stream_writer client_writer = p.client.writer();
    auto server = tulip::create_task(websocket_server(std::move(p.server)));

    websocket::stream<tulip::asio_stream> ws(std::move(p.client));
    co_await ws.async_handshake("localhost", "/", asio::deferred);
    beast::flat_buffer buffer;
    const std::string messages[] = {"hello", std::string(200 * 1024, 'w')};
    for (const std::string& msg : messages) {
        co_await ws.async_write(asio::buffer(msg), asio::deferred);
        co_await ws.async_read(buffer, asio::deferred);
        BOOST_TEST(ws.got_text());
        BOOST_TEST((beast::buffers_to_string(buffer.data()) == msg));
        buffer.consume(buffer.size());
    }
    // The close handshake, then async_teardown on both sides: the server half-closes,
    // the client reads to that end and closes; both connections end cleanly.
    co_await ws.async_close(websocket::close_code::normal, asio::deferred);
    std::string last = co_await server.wait();
    BOOST_TEST((last == std::string(200 * 1024, 'w')));
    co_await client_writer.wait_closed();
    co_await server_writer.wait_closed();
    p.srv.close();
    co_await p.srv.wait_closed();
}

BOOST_TULIP_TEST_CASE(beast_close_socket_ends_a_pending_read)
{
    stream_pair p = co_await tcp_pair();
    char buf[16];
    auto read = tulip::create_task(
        p.server.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable)));
    co_await tulip::sleep(0s);
    BOOST_TEST(!read.done());
    // What Beast does on a timeout: the read ends at once although the peer is silent.
    beast::close_socket(beast::get_lowest_layer(p.server));
    auto [ec, n] = co_await read.wait();
    BOOST_TEST(ec.failed());
    BOOST_TEST(n == 0u);
    co_await close_all(p);
}

BOOST_AUTO_TEST_SUITE_END()
