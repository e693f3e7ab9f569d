//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Socket transports on real sockets (127.0.0.1 and Unix sockets): what a protocol sees
// and what the peer receives.

#include <boost/tulip/debug.hpp>
#include <boost/tulip/detail/socket_transport.hpp>
#include <boost/tulip/exception_group.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/timeout.hpp>
#include <boost/tulip/transport.hpp>

#include <boost/tulip/test.hpp>

#include "../common/net.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(transport_suite)

namespace {

// A protocol that records what it is told.
struct recorder : tulip::protocol
{
    tulip::transport* t = nullptr;
    std::string data;
    int made = 0, lost = 0, eofs = 0, paused = 0, resumed = 0;
    std::exception_ptr lost_exc;
    bool keep_open_on_eof = false;
    bool echo = false;
    bool pause_on_made = false;
    tulip::event changed;

    void connection_made(tulip::transport& tr) override
    {
        t = &tr;
        ++made;
        if (pause_on_made)
            tr.pause_reading();
        changed.set();
    }
    void data_received(std::string_view d) override
    {
        data += d;
        if (echo)
            t->write(d);
        changed.set();
    }
    bool eof_received() override
    {
        ++eofs;
        changed.set();
        return keep_open_on_eof;
    }
    void connection_lost(std::exception_ptr e) override
    {
        ++lost;
        lost_exc = e;
        changed.set();
    }
    // The code of the system_error the connection was lost with; empty after a clean end.
    boost::system::error_code lost_code() const
    {
        try {
            if (lost_exc)
                std::rethrow_exception(lost_exc);
        } catch (const boost::system::system_error& e) {
            return e.code();
        }
        return {};
    }
    void pause_writing() override { ++paused; }
    void resume_writing() override
    {
        ++resumed;
        changed.set();
    }

    tulip::awaitable<void> until_impl(std::function<bool()> pred)
    {
        while (!pred()) {
            changed.clear();
            co_await changed.wait();
        }
    }
    // Waits (at most 10 s) until `pred()` holds.
    tulip::awaitable<void> until(std::function<bool()> pred)
    {
        auto w = until_impl(std::move(pred));
        co_await tulip::timeout(10s, std::move(w));
    }
};

// Awaits `cond` on `p`'s callbacks; the predicate is bound before the co_await (g++ 12).
#define UNTIL(p, cond)                                                                             \
    do {                                                                                           \
        auto until_ = (p)->until([&] { return cond; });                                            \
        co_await std::move(until_);                                                                \
    } while (0)

struct tcp_pair
{
    tcp::socket peer;
    std::shared_ptr<recorder> proto;
    std::shared_ptr<tulip::transport> transport;
};

// A transport on the accepted end of a loopback connection, and the raw client socket.
tulip::awaitable<tcp_pair> make_pair(std::shared_ptr<recorder> proto)
{
    auto [peer, server] = co_await net_test::loopback_pair();
    auto t =
        tulip::detail::make_socket_transport(tulip::get_running_loop(), std::move(server), proto);
    UNTIL(proto, proto->made == 1);
    co_return tcp_pair{std::move(peer), std::move(proto), std::move(t)};
}

// Reads until EOF; the error that ended the read (eof for a clean end).
template <class Socket>
tulip::awaitable<std::pair<std::string, boost::system::error_code>> read_all(Socket& s)
{
    std::string out;
    char buf[65536];
    for (;;) {
        auto [ec, n] =
            co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
        out.append(buf, n);
        if (ec)
            co_return std::pair{std::move(out), ec};
    }
}

// Waits (at most 1 s) until the kernel holds no unread input for `t`'s socket: the
// transport has taken it (or the bound passed).
tulip::awaitable<void> kernel_queue_read(tulip::transport& t)
{
    const int fd = *t.get_extra_info<int>("socket");
    for (int i = 0; i < 1000; ++i) {
        int queued = -1;
        ::ioctl(fd, FIONREAD, &queued);
        if (queued == 0)
            co_return;
        co_await tulip::sleep(1ms);
    }
}

// A pair whose transport has received "x" (so it waits with receives from then on), then
// was paused; the peer then sent `bytes`, and the kernel's queue has been read: the
// transport's receive holds what it took.
tulip::awaitable<tcp_pair> paused_after_a_receive(std::shared_ptr<recorder> proto,
                                                  std::string_view bytes)
{
    auto pr = co_await make_pair(proto);
    co_await asio::async_write(pr.peer, asio::buffer("x", 1), asio::use_awaitable);
    UNTIL(proto, proto->data == "x");
    pr.transport->pause_reading();
    co_await asio::async_write(pr.peer, asio::buffer(bytes), asio::use_awaitable);
    co_await kernel_queue_read(*pr.transport);
    co_return pr;
}

// What detail::release_socket hands over, set by the handler() given to it.
struct released_socket
{
    tcp::socket socket{tulip::get_running_loop().get_io_context()};
    std::string handed;
    bool released = false;

    auto handler(recorder& proto)
    {
        return [this, &proto](tcp::socket s, std::string bytes) {
            socket = std::move(s);
            handed = std::move(bytes);
            released = true;
            proto.changed.set();
        };
    }
};

std::string pattern(std::size_t n)
{
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    return s;
}

} // namespace

BOOST_TULIP_TEST_CASE(protocol_echo_round_trip_and_peer_close_ends_connection_cleanly)
{
    auto proto = std::make_shared<recorder>();
    proto->echo = true;
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& t = pr.transport;
    auto& p = proto;
    co_await asio::async_write(peer, asio::buffer("hello, tulip", 12), asio::use_awaitable);
    char buf[12];
    co_await asio::async_read(peer, asio::buffer(buf), asio::use_awaitable);
    BOOST_TEST(std::string(buf, 12) == "hello, tulip");
    peer.shutdown(tcp::socket::shutdown_send);
    UNTIL(p, p->lost == 1);
    BOOST_TEST(p->eofs == 1);
    BOOST_TEST(!p->lost_exc);
    BOOST_TEST(t->is_closing());
    auto [rest, ec] = co_await read_all(peer);
    BOOST_TEST(rest.empty());
    BOOST_TEST(ec == asio::error::eof);
}

BOOST_TULIP_TEST_CASE(write_beyond_kernel_buffer_pauses_then_resumes_and_delivers_every_byte)
{
    auto proto = std::make_shared<recorder>();
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& t = pr.transport;
    auto& p = proto;
    const std::string all = pattern(16 * 1024 * 1024);
    for (std::size_t off = 0; off < all.size(); off += 65536)
        t->write(std::string_view(all).substr(off, 65536));
    BOOST_TEST(p->paused == 1);
    BOOST_TEST(t->get_write_buffer_size() > 0u);
    std::string got(all.size(), '\0');
    co_await asio::async_read(peer, asio::buffer(got), asio::use_awaitable);
    BOOST_TEST((got == all));
    UNTIL(p, p->resumed == 1);
    BOOST_TEST(t->get_write_buffer_size() == 0u);
    t->close();
    UNTIL(p, p->lost == 1);
}

// asyncio's marks: high 64 KiB and low a quarter of high; given only low, high is four
// times it; low above high is refused and changes nothing. Lowering the high mark under
// what is buffered pauses the protocol at once; it resumes when the buffer is down to low.
BOOST_TULIP_TEST_CASE(write_buffer_limits_follow_asyncio_and_a_lowered_high_mark_pauses_at_once)
{
    using limits = std::pair<std::size_t, std::size_t>;
    auto proto = std::make_shared<recorder>();
    auto pr = co_await make_pair(proto);
    auto& t = pr.transport;
    BOOST_TEST((t->get_write_buffer_limits() == limits(16 * 1024, 64 * 1024)));
    t->set_write_buffer_limits(std::nullopt, 1000);
    BOOST_TEST((t->get_write_buffer_limits() == limits(1000, 4000)));
    t->set_write_buffer_limits(100);
    BOOST_TEST((t->get_write_buffer_limits() == limits(25, 100)));
    BOOST_CHECK_THROW(t->set_write_buffer_limits(10, 20), std::invalid_argument);
    BOOST_TEST((t->get_write_buffer_limits() == limits(25, 100)));

    t->set_write_buffer_limits(64 * 1024 * 1024, 1024);
    const std::string all = pattern(32 * 1024 * 1024);
    for (std::size_t off = 0; off < all.size(); off += 65536)
        t->write(std::string_view(all).substr(off, 65536));
    BOOST_TEST(t->get_write_buffer_size() > 4096u); // the kernel's buffers are full
    BOOST_TEST(proto->paused == 0);
    t->set_write_buffer_limits(4096, 1024);
    BOOST_TEST(proto->paused == 1);
    std::string got(all.size(), '\0');
    co_await asio::async_read(pr.peer, asio::buffer(got), asio::use_awaitable);
    BOOST_TEST((got == all));
    UNTIL(proto, proto->resumed == 1);
    BOOST_TEST(proto->paused == 1);
    t->close();
    UNTIL(proto, proto->lost == 1);
}

BOOST_TULIP_TEST_CASE(peer_reset_reports_the_error_and_the_next_write_throws_it)
{
    auto proto = std::make_shared<recorder>();
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& t = pr.transport;
    auto& p = proto;
    peer.set_option(asio::socket_base::linger(true, 0));
    peer.close();
    UNTIL(p, p->lost == 1);
    BOOST_REQUIRE(p->lost_exc);
    BOOST_TEST(p->lost_code() == asio::error::connection_reset);
    BOOST_TEST(t->is_closing());
    try {
        t->write("late");
        BOOST_FAIL("write after a reset did not throw");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST(e.code() == asio::error::connection_reset);
    }
}

BOOST_TULIP_TEST_CASE(write_after_close_throws_invalid_state_and_sends_nothing)
{
    auto proto = std::make_shared<recorder>();
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& t = pr.transport;
    auto& p = proto;
    t->write("before");
    t->close();
    BOOST_CHECK_THROW(t->write("after"), tulip::invalid_state_error);
    BOOST_CHECK_THROW(t->write_eof(), tulip::invalid_state_error);
    t->close();               // idempotent
    BOOST_TEST(p->lost == 0); // never from inside close()
    auto [got, ec] = co_await read_all(peer);
    BOOST_TEST(got == "before");
    BOOST_TEST(ec == asio::error::eof);
    peer.close();
    UNTIL(p, p->lost == 1);
    BOOST_TEST(!p->lost_exc);
}

BOOST_TULIP_TEST_CASE(close_with_unread_peer_input_still_delivers_our_last_bytes)
{
    auto proto = std::make_shared<recorder>();
    proto->pause_on_made = true; // the peer's bytes stay unread in our kernel buffer
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& t = pr.transport;
    auto& p = proto;
    const std::string in = pattern(256 * 1024);
    auto sender =
        tulip::create_task(asio::async_write(peer, asio::buffer(in), asio::use_awaitable));
    const std::string out = pattern(2 * 1024 * 1024);
    t->write(out);
    t->close();
    auto [got, ec] = co_await read_all(peer);
    BOOST_TEST(ec == asio::error::eof); // not connection_reset
    BOOST_TEST(got.size() == out.size());
    BOOST_TEST((got == out));
    co_await sender.wait();
    peer.close();
    UNTIL(p, p->lost == 1);
    BOOST_TEST(!p->lost_exc);
    BOOST_TEST(p->data.empty());
}

BOOST_TULIP_TEST_CASE(the_lingering_close_ends_after_its_bound_when_the_peer_never_closes)
{
    // A peer that keeps sending and never closes: close() reads and drops its input for
    // the bounded time (1 s), then closes anyway; our last bytes and FIN arrive first.
    auto proto = std::make_shared<recorder>();
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& t = pr.transport;
    auto& p = proto;
    auto& loop = tulip::get_running_loop();
    bool stop = false;
    auto flood = tulip::create_task([](tcp::socket& s, bool& stop) -> tulip::awaitable<void> {
        const std::string chunk(4096, 'x');
        while (!stop) {
            auto [ec, n] = co_await asio::async_write(s, asio::buffer(chunk),
                                                      asio::as_tuple(asio::use_awaitable));
            if (ec)
                co_return;
            co_await tulip::sleep(1ms);
        }
    }(peer, stop));
    t->write("last words");
    const auto start = loop.time();
    t->close();
    char buf[10];
    co_await asio::async_read(peer, asio::buffer(buf), asio::use_awaitable);
    BOOST_TEST(std::string_view(buf, 10) == "last words");
    UNTIL(p, p->lost == 1);
    const auto lingered = loop.time() - start;
    stop = true;
    co_await flood.wait();
    BOOST_TEST(!p->lost_exc);
    BOOST_TEST(lingered >= 1s);
    BOOST_TEST(lingered < 5s);
}

BOOST_TULIP_TEST_CASE(abort_makes_the_peer_see_a_reset)
{
    auto proto = std::make_shared<recorder>();
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& t = pr.transport;
    auto& p = proto;
    t->write("dropped?");
    t->abort();
    BOOST_TEST(t->is_closing());
    BOOST_CHECK_THROW(t->write("x"), tulip::invalid_state_error);
    auto [got, ec] = co_await read_all(peer);
    BOOST_TEST(ec == asio::error::connection_reset);
    UNTIL(p, p->lost == 1);
    BOOST_TEST(!p->lost_exc);
}

BOOST_TULIP_TEST_CASE(eof_received_true_keeps_the_connection_open_for_writing)
{
    auto proto = std::make_shared<recorder>();
    proto->keep_open_on_eof = true;
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& t = pr.transport;
    auto& p = proto;
    co_await asio::async_write(peer, asio::buffer("question", 8), asio::use_awaitable);
    peer.shutdown(tcp::socket::shutdown_send);
    UNTIL(p, p->eofs == 1);
    BOOST_TEST(p->data == "question");
    BOOST_TEST(!t->is_closing());
    t->write("answer");
    t->close();
    auto [got, ec] = co_await read_all(peer);
    BOOST_TEST(got == "answer");
    BOOST_TEST(ec == asio::error::eof);
    UNTIL(p, p->lost == 1);
    BOOST_TEST(!p->lost_exc);
}

BOOST_TULIP_TEST_CASE(write_eof_reaches_the_peer_as_eof_and_reading_goes_on)
{
    auto proto = std::make_shared<recorder>();
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& t = pr.transport;
    auto& p = proto;
    BOOST_TEST(t->can_write_eof());
    t->write("bye");
    t->write_eof();
    BOOST_CHECK_THROW(t->write("more"), tulip::invalid_state_error);
    auto [got, ec] = co_await read_all(peer);
    BOOST_TEST(got == "bye");
    BOOST_TEST(ec == asio::error::eof);
    co_await asio::async_write(peer, asio::buffer("still here", 10), asio::use_awaitable);
    UNTIL(p, p->data.size() == 10);
    BOOST_TEST(p->data == "still here");
    peer.close();
    UNTIL(p, p->lost == 1);
    BOOST_TEST(!p->lost_exc);
}

BOOST_TULIP_TEST_CASE(write_to_a_closed_unix_peer_does_not_raise_sigpipe)
{
    auto& loop = tulip::get_running_loop();
    auto old = std::signal(SIGPIPE, SIG_DFL);
    asio::local::stream_protocol::socket a(loop.get_io_context()), b(loop.get_io_context());
    asio::local::connect_pair(a, b);
    auto proto = std::make_shared<recorder>();
    proto->pause_on_made = true; // the loss comes from the write, not a read
    auto t = tulip::detail::make_socket_transport(loop, std::move(a), proto);
    UNTIL(proto, proto->made == 1);
    b.close();
    t->write("into the void"); // EPIPE: with SIGPIPE at SIG_DFL, a send without
                               // MSG_NOSIGNAL would end the process here
    UNTIL(proto, proto->lost == 1);
    std::signal(SIGPIPE, old);
    BOOST_REQUIRE(proto->lost_exc);
    BOOST_TEST(proto->lost_code() == asio::error::broken_pipe);
    BOOST_CHECK_THROW(t->write("x"), boost::system::system_error);
}

BOOST_TULIP_TEST_CASE(transport_socket_is_close_on_exec_and_extra_info_names_the_ends)
{
    auto proto = std::make_shared<recorder>();
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& t = pr.transport;
    auto& p = proto;
    auto fd = t->get_extra_info<int>("socket");
    BOOST_REQUIRE(fd);
    BOOST_TEST((::fcntl(*fd, F_GETFD) & FD_CLOEXEC) != 0);
    BOOST_TEST((t->get_extra_info<tcp::endpoint>("peername") == peer.local_endpoint()));
    BOOST_TEST((t->get_extra_info<tcp::endpoint>("sockname") == peer.remote_endpoint()));
    BOOST_TEST(!t->get_extra_info<int>("peername"));
    BOOST_TEST(!t->get_extra_info<int>("no such thing"));
    t->close();
    UNTIL(p, p->lost == 1);
}

BOOST_TULIP_TEST_CASE(bytes_arriving_while_reading_is_paused_are_delivered_after_resume)
{
    auto proto = std::make_shared<recorder>();
    proto->pause_on_made = true;
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& t = pr.transport;
    auto& p = proto;
    BOOST_TEST(!t->is_reading());
    t->pause_reading(); // idempotent
    co_await asio::async_write(peer, asio::buffer("while paused", 12), asio::use_awaitable);
    // Until the bytes are in our kernel buffer, then a few loop rounds: the reactor sees
    // their arrival while no read is pending (its registration is edge-triggered), and
    // resume_reading must still deliver them.
    pollfd pfd{*t->get_extra_info<int>("socket"), POLLIN, 0};
    BOOST_REQUIRE(::poll(&pfd, 1, 10000) == 1);
    for (int i = 0; i < 3; ++i)
        co_await tulip::sleep(0s);
    BOOST_TEST(p->data.empty());
    t->resume_reading();
    t->resume_reading(); // idempotent
    BOOST_TEST(t->is_reading());
    UNTIL(p, p->data == "while paused");
    t->close();
    UNTIL(p, p->lost == 1);
}

namespace {

// A buffered_protocol echoing what it receives, in its own 7-byte buffer (so that a
// message takes several reads).
struct buffered_echo : tulip::buffered_protocol
{
    tulip::transport* t = nullptr;
    char buf[7];
    std::string seen;
    int lost = 0;
    tulip::event changed;

    void connection_made(tulip::transport& tr) override { t = &tr; }
    asio::mutable_buffer get_buffer(std::size_t) override { return asio::buffer(buf); }
    void buffer_updated(std::size_t n) override
    {
        seen.append(buf, n);
        t->write(std::string_view(buf, n));
    }
    void connection_lost(std::exception_ptr) override
    {
        ++lost;
        changed.set();
    }
};

} // namespace

BOOST_TULIP_TEST_CASE(buffered_protocol_receives_into_its_own_buffer)
{
    auto& loop = tulip::get_running_loop();
    auto& ioc = loop.get_io_context();
    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    tcp::socket peer(ioc);
    auto accept = tulip::create_task(acceptor.async_accept(asio::use_awaitable));
    co_await peer.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
    tcp::socket server = co_await accept.wait();
    auto proto = std::make_shared<buffered_echo>();
    auto t = tulip::detail::make_socket_transport(loop, std::move(server), proto);
    const std::string msg = pattern(100000);
    co_await asio::async_write(peer, asio::buffer(msg), asio::use_awaitable);
    std::string back(msg.size(), '\0');
    co_await asio::async_read(peer, asio::buffer(back), asio::use_awaitable);
    BOOST_TEST((back == msg));
    BOOST_TEST((proto->seen == msg));
    peer.close();
    while (proto->lost == 0) {
        proto->changed.clear();
        co_await proto->changed.wait();
    }
}

namespace {

struct throws_on_data : recorder
{
    void data_received(std::string_view) override { throw std::runtime_error("protocol bug"); }
};

} // namespace

BOOST_TULIP_TEST_CASE(a_callback_that_throws_is_reported_and_aborts_the_connection)
{
    auto& loop = tulip::get_running_loop();
    auto saved = loop.get_exception_handler();
    std::vector<std::string> reported;
    loop.set_exception_handler([&](tulip::event_loop&, const tulip::exception_context& c) {
        try {
            std::rethrow_exception(c.exception);
        } catch (const std::runtime_error& e) {
            reported.push_back(e.what());
        }
    });
    auto proto = std::make_shared<throws_on_data>();
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& p = proto;
    co_await asio::async_write(peer, asio::buffer("boom", 4), asio::use_awaitable);
    UNTIL(p, p->lost == 1);
    loop.set_exception_handler(saved);
    BOOST_TEST(reported == std::vector<std::string>{"protocol bug"});
    BOOST_TEST(static_cast<bool>(p->lost_exc)); // the callback's exception
    auto [got, ec] = co_await read_all(peer);
    BOOST_TEST(ec == asio::error::connection_reset);
}

// ---- client connections ------------------------------------------------------------------

namespace {

// A port nothing listens on (bound, then released).
std::uint16_t closed_port(asio::io_context& ioc, const tcp::endpoint& where)
{
    tcp::acceptor a(ioc, where);
    return a.local_endpoint().port();
}

// A listener whose accept queue is full: connecting to it hangs (the SYN is dropped).
struct full_listener
{
    tcp::acceptor acceptor;
    tcp::socket filler;

    explicit full_listener(asio::io_context& ioc)
        : acceptor(ioc)
        , filler(ioc)
    {
        acceptor.open(tcp::v4());
        acceptor.bind({asio::ip::address_v4::loopback(), 0});
        acceptor.listen(0);
        filler.connect(acceptor.local_endpoint()); // takes the one place in the queue
    }
};

auto make_recorder()
{
    return std::make_shared<recorder>();
}

// `create_connection` to endpoints resolved already (the name-to-addresses step is the
// system's): the order of the attempts is the test's.
auto connect_to(std::vector<tcp::endpoint> eps, const tulip::connection_options& opts = {})
{
    tulip::detail::connect_target target{false, "test", "0", std::move(eps)};
    return tulip::detail::start_connect(&make_recorder, std::move(target), opts,
                                        tulip::awaitable_token);
}

} // namespace

BOOST_TULIP_TEST_CASE(create_connection_to_a_closed_port_throws_connection_refused)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    auto port = closed_port(ioc, {asio::ip::address_v4::loopback(), 0});
    try {
        co_await tulip::create_connection(&make_recorder, "127.0.0.1", port);
        BOOST_FAIL("connected to a closed port");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST(e.code() == asio::error::connection_refused);
    }
}

BOOST_TULIP_TEST_CASE(create_connection_runs_the_protocol_and_connection_made_has_run)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    auto accept = tulip::create_task(acceptor.async_accept(asio::use_awaitable));
    auto [t, p] = co_await tulip::create_connection(&make_recorder, "127.0.0.1",
                                                    acceptor.local_endpoint().port());
    BOOST_TEST(p->made == 1);
    BOOST_TEST(p->t == t.get());
    tcp::socket peer = co_await accept.wait();
    t->write("from the client");
    char buf[15];
    co_await asio::async_read(peer, asio::buffer(buf), asio::use_awaitable);
    BOOST_TEST(std::string(buf, 15) == "from the client");
    auto fd = t->get_extra_info<int>("socket");
    BOOST_TEST((::fcntl(*fd, F_GETFD) & FD_CLOEXEC) != 0);
    peer.close();
    auto pp = p;
    UNTIL(pp, pp->lost == 1);
}

BOOST_TULIP_TEST_CASE(every_resolved_address_is_tried_in_order)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0}); // IPv4 only
    auto accept = tulip::create_task(acceptor.async_accept(asio::use_awaitable));
    tcp::endpoint v6(asio::ip::address_v6::loopback(), acceptor.local_endpoint().port());
    std::vector<tcp::endpoint> eps{v6, acceptor.local_endpoint()}; // a local: g++ 12
    auto [t, p] = co_await connect_to(eps);
    BOOST_TEST((t->get_extra_info<tcp::endpoint>("peername") == acceptor.local_endpoint()));
    tcp::socket peer = co_await accept.wait();
    t->close();
    auto pp = p;
    UNTIL(pp, pp->lost == 1);
}

BOOST_TULIP_TEST_CASE(a_name_with_several_addresses_connects_to_the_one_that_listens)
{
    // "localhost" resolves to ::1 and 127.0.0.1 on many systems (to 127.0.0.1 alone on
    // others: every_resolved_address_is_tried_in_order covers the order without a name);
    // with only an IPv4 listener, an attempt to ::1 is refused and the next one connects.
    auto& ioc = tulip::get_running_loop().get_io_context();
    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    auto accept = tulip::create_task(acceptor.async_accept(asio::use_awaitable));
    auto [t, p] = co_await tulip::create_connection(&make_recorder, "localhost",
                                                    acceptor.local_endpoint().port());
    BOOST_TEST((t->get_extra_info<tcp::endpoint>("peername") == acceptor.local_endpoint()));
    tcp::socket peer = co_await accept.wait();
    t->close();
    auto pp = p;
    UNTIL(pp, pp->lost == 1);
}

BOOST_TULIP_TEST_CASE(all_attempts_failing_differently_throw_an_exception_group)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    auto port = closed_port(ioc, {asio::ip::address_v4::loopback(), 0});
    tcp::endpoint v4(asio::ip::address_v4::loopback(), port);
    tcp::endpoint v6(asio::ip::address_v6::loopback(), port);
    std::vector<tcp::endpoint> eps{v6, v4}; // a local: g++ 12
    // Both refused: one code, one system_error.
    try {
        co_await connect_to(eps);
        BOOST_FAIL("connected");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST(e.code() == asio::error::connection_refused);
    }
    // An IPv4 local address cannot serve the IPv6 attempt: two different failures.
    tulip::connection_options opts;
    opts.local_addr = tcp::endpoint(asio::ip::address_v4::loopback(), 0);
    try {
        co_await connect_to(eps, opts);
        BOOST_FAIL("connected");
    } catch (const tulip::exception_group& g) {
        BOOST_REQUIRE(g.exceptions().size() == 2u);
        try {
            std::rethrow_exception(g.exceptions()[0]);
        } catch (const boost::system::system_error& e) {
            BOOST_TEST(e.code() == asio::error::address_family_not_supported);
        }
        try {
            std::rethrow_exception(g.exceptions()[1]);
        } catch (const boost::system::system_error& e) {
            BOOST_TEST(e.code() == asio::error::connection_refused);
        }
    }
}

BOOST_TULIP_TEST_CASE(interleave_alternates_the_address_families)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    auto port = closed_port(ioc, {asio::ip::address_v4::loopback(), 0});
    tcp::endpoint v4(asio::ip::address_v4::loopback(), port);
    tcp::endpoint v6(asio::ip::address_v6::loopback(), port);
    // An IPv4 local address makes each IPv6 attempt fail at once with its own code, so
    // the order of the failures is the order of the attempts.
    tulip::connection_options opts;
    opts.local_addr = tcp::endpoint(asio::ip::address_v4::loopback(), 0);
    opts.interleave = 1;
    std::vector<tcp::endpoint> eps{v6, v6, v4};
    std::vector<boost::system::error_code> order;
    try {
        co_await connect_to(eps, opts);
    } catch (const tulip::exception_group& g) {
        for (const auto& e : g.exceptions()) {
            try {
                std::rethrow_exception(e);
            } catch (const boost::system::system_error& se) {
                order.push_back(se.code());
            }
        }
    }
    const boost::system::error_code afns = asio::error::address_family_not_supported;
    const boost::system::error_code refused = asio::error::connection_refused;
    BOOST_TEST((order == std::vector<boost::system::error_code>{afns, refused, afns}));
}

BOOST_TULIP_TEST_CASE(local_addr_is_bound_before_connecting)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    auto accept = tulip::create_task(acceptor.async_accept(asio::use_awaitable));
    auto local_port = closed_port(ioc, {asio::ip::address_v4::loopback(), 0});
    tulip::connection_options opts;
    opts.local_addr = tcp::endpoint(asio::ip::address_v4::loopback(), local_port);
    auto [t, p] = co_await tulip::create_connection(&make_recorder, "127.0.0.1",
                                                    acceptor.local_endpoint().port(), opts);
    tcp::socket peer = co_await accept.wait();
    BOOST_TEST(peer.remote_endpoint().port() == local_port);
    BOOST_TEST((t->get_extra_info<tcp::endpoint>("sockname") == *opts.local_addr));
    t->close();
    auto pp = p;
    UNTIL(pp, pp->lost == 1);
}

BOOST_TULIP_TEST_CASE(cancelling_a_pending_connection_stops_it_and_the_task_tree_shows_it)
{
    auto& loop = tulip::get_running_loop();
    full_listener hang(loop.get_io_context());
    auto port = hang.acceptor.local_endpoint().port();
    auto connecting =
        tulip::create_task(tulip::create_connection(&make_recorder, "127.0.0.1", port));
    // Until the task is suspended in the connection attempt.
    std::string tree;
    for (int i = 0; i < 1000 && tree.find("connecting to") == std::string::npos; ++i) {
        co_await tulip::sleep(0s);
        tree = tulip::format_task_tree(loop);
    }
    BOOST_TEST(tree.find("connecting to 127.0.0.1:" + std::to_string(port)) != std::string::npos,
               tree);
    BOOST_TEST(!connecting.done());
    connecting.cancel();
    BOOST_CHECK_THROW(co_await connecting.wait(), tulip::cancelled_error);
}

BOOST_TULIP_TEST_CASE(happy_eyeballs_starts_the_next_attempt_when_one_hangs)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    full_listener hang(ioc);
    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    auto accept = tulip::create_task(acceptor.async_accept(asio::use_awaitable));
    tulip::connection_options opts;
    opts.happy_eyeballs_delay = 50ms;
    std::vector<tcp::endpoint> eps{hang.acceptor.local_endpoint(), acceptor.local_endpoint()};
    auto [t, p] = co_await tulip::timeout(10s, connect_to(eps, opts));
    BOOST_TEST((t->get_extra_info<tcp::endpoint>("peername") == acceptor.local_endpoint()));
    tcp::socket peer = co_await accept.wait();
    t->close();
    auto pp = p;
    UNTIL(pp, pp->lost == 1);
}

BOOST_TULIP_TEST_CASE(create_unix_connection_to_an_asio_acceptor)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    auto path = std::filesystem::temp_directory_path() /
                ("tulip-transport-" + std::to_string(::getpid()) + ".sock");
    std::filesystem::remove(path);
    using unix_stream = asio::local::stream_protocol;
    unix_stream::acceptor acceptor(ioc, unix_stream::endpoint(path.native()));
    auto accept = tulip::create_task(acceptor.async_accept(asio::use_awaitable));
    auto [t, p] = co_await tulip::create_unix_connection(&make_recorder, path);
    unix_stream::socket peer = co_await accept.wait();
    co_await asio::async_write(peer, asio::buffer("over unix", 9), asio::use_awaitable);
    auto pp = p;
    UNTIL(pp, pp->data == "over unix");
    t->write_eof();
    auto [got, ec] = co_await read_all(peer);
    BOOST_TEST(ec == asio::error::eof);
    auto fd = t->get_extra_info<int>("socket");
    BOOST_TEST((::fcntl(*fd, F_GETFD) & FD_CLOEXEC) != 0);
    peer.close();
    UNTIL(pp, pp->lost == 1);
    std::filesystem::remove(path);
    try {
        co_await tulip::create_unix_connection(&make_recorder, path);
        BOOST_FAIL("connected to a removed socket");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST(e.code() == boost::system::errc::no_such_file_or_directory);
    }
}

BOOST_TULIP_TEST_CASE(connect_accepted_socket_runs_the_protocol_on_a_socket_made_elsewhere)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    tcp::socket peer(ioc);
    auto accept = tulip::create_task(acceptor.async_accept(asio::use_awaitable));
    co_await peer.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
    tcp::socket accepted = co_await accept.wait();
    auto [t, p] = co_await tulip::connect_accepted_socket(&make_recorder, std::move(accepted));
    BOOST_TEST(p->made == 1);
    co_await asio::async_write(peer, asio::buffer("accepted", 8), asio::use_awaitable);
    auto pp = p;
    UNTIL(pp, pp->data == "accepted");
    t->close();
    UNTIL(pp, pp->lost == 1);
}

BOOST_TULIP_TEST_CASE(a_tls_context_in_plain_create_connection_is_refused)
{
    int not_a_context = 0;
    tulip::connection_options opts;
    opts.ssl = reinterpret_cast<const asio::ssl::context*>(&not_a_context);
    BOOST_CHECK_THROW((void)tulip::create_connection(&make_recorder, "127.0.0.1", 1, opts),
                      std::invalid_argument);
    co_return;
}

BOOST_TULIP_TEST_CASE_REALTIME(create_connection_talks_to_a_python_echo_peer)
{
    // A peer Tulip did not write: python3's socket module, echoing one connection.
    const char* script = "import socket,signal,sys\n"
                         "signal.alarm(30)\n"
                         "l=socket.socket(); l.bind(('127.0.0.1',0)); l.listen(1)\n"
                         "print(l.getsockname()[1], flush=True)\n"
                         "c,_=l.accept()\n"
                         "while True:\n"
                         "    d=c.recv(65536)\n"
                         "    if not d: break\n"
                         "    c.sendall(d)\n"
                         "c.close()\n";
    std::string cmd = "python3 -c \"" + std::string(script) + "\"";
    FILE* py = ::popen(cmd.c_str(), "r");
    BOOST_REQUIRE(py);
    char line[32] = {};
    BOOST_REQUIRE(std::fgets(line, sizeof line, py)); // the peer is listening
    auto port = static_cast<std::uint16_t>(std::stoi(line));
    auto [t, p] = co_await tulip::create_connection(&make_recorder, "127.0.0.1", port);
    const std::string msg = pattern(300000);
    t->write(msg);
    auto pp = p;
    UNTIL(pp, pp->data.size() >= msg.size());
    BOOST_TEST((pp->data == msg));
    t->write_eof();
    UNTIL(pp, pp->lost == 1); // python closes after our EOF
    BOOST_TEST(!pp->lost_exc);
    BOOST_TEST(::pclose(py) == 0);
}

// ---- descriptor transports (pipes) ------------------------------------------------------

namespace {

// A pipe whose ends are close-on-exec; `read_end` and `write_end` are taken by the test.
struct pipe_fds
{
    int read_end = -1, write_end = -1;
    pipe_fds()
    {
        int fds[2];
        BOOST_REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        read_end = fds[0];
        write_end = fds[1];
    }
};

bool is_cloexec(int fd)
{
    return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

} // namespace

BOOST_TULIP_TEST_CASE(a_read_only_pipe_transport_delivers_bytes_then_eof_and_refuses_writes)
{
    auto& loop = tulip::get_running_loop();
    pipe_fds fds;
    auto proto = std::make_shared<recorder>();
    auto t = tulip::detail::make_descriptor_transport(
        loop, asio::posix::stream_descriptor(loop.get_io_context(), fds.read_end), proto,
        tulip::detail::transport_direction::read_only);
    UNTIL(proto, proto->made == 1);
    BOOST_TEST(t->get_extra_info<int>("fd").value_or(-1) == fds.read_end);
    BOOST_TEST(is_cloexec(fds.read_end));
    BOOST_TEST(t->receives_synchronously());
    BOOST_TEST(!t->can_write_eof());
    BOOST_CHECK_THROW(t->write("x"), tulip::invalid_state_error);

    const std::string msg = pattern(200000); // more than a pipe's 64 KiB
    std::thread writer([&] {
        std::size_t off = 0;
        while (off < msg.size()) {
            ssize_t n = ::write(fds.write_end, msg.data() + off, msg.size() - off);
            if (n <= 0)
                break;
            off += static_cast<std::size_t>(n);
        }
        ::close(fds.write_end);
    });
    UNTIL(proto, proto->lost == 1);
    writer.join();
    BOOST_TEST((proto->data == msg));
    BOOST_TEST(proto->eofs == 1);
    BOOST_TEST(!proto->lost_exc); // a clean end of file
}

BOOST_TULIP_TEST_CASE(a_write_only_pipe_transport_buffers_pauses_and_ends_with_write_eof)
{
    auto& loop = tulip::get_running_loop();
    pipe_fds fds;
    auto proto = std::make_shared<recorder>();
    auto t = tulip::detail::make_descriptor_transport(
        loop, asio::posix::stream_descriptor(loop.get_io_context(), fds.write_end), proto,
        tulip::detail::transport_direction::write_only);
    UNTIL(proto, proto->made == 1);
    BOOST_TEST(t->can_write_eof());
    BOOST_TEST(!t->is_reading());

    // Nobody reads yet: the kernel takes a pipe's worth, the rest is buffered and the
    // protocol is told to pause.
    const std::string msg = pattern(1 << 20);
    t->write(msg);
    BOOST_TEST(t->get_write_buffer_size() > 0u);
    BOOST_TEST(proto->paused == 1);
    t->write_eof(); // sent once the buffer drains

    std::string got;
    std::thread reader([&] {
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(fds.read_end, buf, sizeof buf);
            if (n <= 0)
                break;
            got.append(buf, static_cast<std::size_t>(n));
        }
        ::close(fds.read_end);
    });
    UNTIL(proto, proto->lost == 1);
    reader.join(); // ended by the end of file write_eof sent
    BOOST_TEST(proto->resumed == 1);
    BOOST_TEST(!proto->lost_exc);
    BOOST_TEST((got == msg));
}

BOOST_TULIP_TEST_CASE(a_write_only_pipe_transport_reports_its_reader_gone_without_a_write)
{
    auto& loop = tulip::get_running_loop();
    pipe_fds fds;
    auto proto = std::make_shared<recorder>();
    auto t = tulip::detail::make_descriptor_transport(
        loop, asio::posix::stream_descriptor(loop.get_io_context(), fds.write_end), proto,
        tulip::detail::transport_direction::write_only);
    UNTIL(proto, proto->made == 1);
    ::close(fds.read_end);
    UNTIL(proto, proto->lost == 1);
    BOOST_REQUIRE(proto->lost_exc);
    BOOST_TEST(proto->lost_code() == asio::error::broken_pipe);
    // The loss is kept: a later write throws it (asyncio#248), it does not raise SIGPIPE.
    BOOST_CHECK_THROW(t->write("late"), boost::system::system_error);
}

BOOST_TULIP_TEST_CASE(a_two_way_descriptor_transport_cannot_half_close)
{
    auto& loop = tulip::get_running_loop();
    int sv[2];
    BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    auto proto = std::make_shared<recorder>();
    proto->echo = true;
    auto t = tulip::detail::make_descriptor_transport(
        loop, asio::posix::stream_descriptor(loop.get_io_context(), sv[0]), proto,
        tulip::detail::transport_direction::both);
    asio::posix::stream_descriptor peer(loop.get_io_context(), sv[1]);
    UNTIL(proto, proto->made == 1);
    BOOST_TEST(!t->can_write_eof());
    BOOST_CHECK_THROW(t->write_eof(), tulip::invalid_state_error);
    co_await asio::async_write(peer, asio::buffer("ping", 4), asio::use_awaitable);
    char buf[4];
    co_await asio::async_read(peer, asio::buffer(buf), asio::use_awaitable);
    BOOST_TEST(std::string_view(buf, 4) == "ping");
    t->close();
    UNTIL(proto, proto->lost == 1);
    BOOST_TEST(!proto->lost_exc);
}

// The transport waits for input with a receive into its own buffer once it has read
// anything (no epoll_ctl per wait): bytes that receive takes while reading is paused are
// held, delivered after resume_reading, in order, and none is lost.
BOOST_TULIP_TEST_CASE(bytes_received_while_paused_are_delivered_after_resume_in_order)
{
    auto proto = std::make_shared<recorder>();
    auto pr = co_await paused_after_a_receive(proto, "yy");
    auto& peer = pr.peer;
    auto& t = pr.transport;
    // Whether the transport took the bytes from the kernel or left them there, nothing
    // reaches the protocol while it is paused: turn the loop a few times.
    for (int i = 0; i < 10; ++i)
        co_await tulip::sleep(0s);
    BOOST_TEST(proto->data == "x");
    t->resume_reading();
    UNTIL(proto, proto->data == "xyy");
    co_await asio::async_write(peer, asio::buffer("z", 1), asio::use_awaitable);
    UNTIL(proto, proto->data == "xyyz");
    BOOST_TEST(proto->lost == 0);
}

// start_tls in place takes the socket out of a live transport (detail::release_socket).
// Bytes the transport's receive had already taken from the kernel when the release came
// belong to the next owner: they are handed over with the socket, after the ones the
// protocol got, and never to the protocol. Here the receive completes (with "b") before
// the release runs, and its handler is queued behind the release.
BOOST_TULIP_TEST_CASE(released_socket_comes_with_the_bytes_the_transport_had_received)
{
    struct hooked : recorder
    {
        std::function<void(std::string_view)> hook;
        void data_received(std::string_view d) override
        {
            recorder::data_received(d);
            if (hook)
                hook(d);
        }
    };
    auto proto = std::make_shared<hooked>();
    auto pr = co_await make_pair(proto);
    auto& peer = pr.peer;
    auto& t = pr.transport;
    co_await asio::async_write(peer, asio::buffer("x", 1), asio::use_awaitable);
    UNTIL(proto, proto->data == "x"); // the transport waits with receives from now on

    released_socket out;
    const int fd = *t->get_extra_info<int>("socket");
    auto& ex = tulip::get_running_loop().get_io_context();
    proto->hook = [&](std::string_view d) {
        if (d != "a")
            return;
        // "b" is in the kernel before the transport waits again. The transport issues its
        // next receive from the loop (queued now, after this call); Asio tries it at
        // once, so it takes "b" and queues its handler. The release is queued in between.
        asio::write(peer, asio::buffer("b", 1));
        pollfd pfd{fd, POLLIN, 0};
        BOOST_REQUIRE(::poll(&pfd, 1, 5000) == 1);
        asio::post(ex, [&, tr = t] {
            asio::post(ex,
                       [&, tr] { tulip::detail::release_socket<tcp>(*tr, out.handler(*proto)); });
        });
    };
    co_await asio::async_write(peer, asio::buffer("a", 1), asio::use_awaitable);
    UNTIL(proto, out.released);
    BOOST_TEST(proto->data == "xa");
    BOOST_TEST(proto->lost == 0);
    // The race this test is about happened: the receive had taken "b".
    BOOST_TEST(out.handed == "b");
    // Nothing lost, nothing reordered: the socket carries on with the new owner's bytes.
    co_await asio::async_write(peer, asio::buffer("c", 1), asio::use_awaitable);
    std::string rest(2 - std::min<std::size_t>(out.handed.size(), 1), '\0');
    co_await asio::async_read(out.socket, asio::buffer(rest), asio::use_awaitable);
    BOOST_TEST(out.handed + rest == "bc");
}

// The same with reading paused: the bytes the receive took and held go with the socket.
BOOST_TULIP_TEST_CASE(released_socket_comes_with_the_bytes_held_while_paused)
{
    auto proto = std::make_shared<recorder>();
    auto pr = co_await paused_after_a_receive(proto, "held");
    released_socket out;
    tulip::detail::release_socket<tcp>(*pr.transport, out.handler(*proto));
    BOOST_TEST(!out.released); // never inside the call
    UNTIL(proto, out.released);
    co_await asio::async_write(pr.peer, asio::buffer("next", 4), asio::use_awaitable);
    BOOST_TEST(out.handed.size() <= 4);
    std::string more(8 - out.handed.size(), '\0');
    co_await asio::async_read(out.socket, asio::buffer(more), asio::use_awaitable);
    // Whatever the transport had taken comes first, then what the kernel kept.
    BOOST_TEST(out.handed + more == "heldnext");
    BOOST_TEST(proto->data == "x");
    BOOST_TEST(proto->lost == 0);
}

BOOST_AUTO_TEST_SUITE_END()
