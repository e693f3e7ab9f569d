//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Datagram endpoints over real UDP sockets on 127.0.0.1 and Unix datagram sockets.

#include <boost/tulip/datagram.hpp>

#include <boost/tulip/queue.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/test.hpp>
#include <boost/tulip/timeout.hpp>

#include <boost/system/system_error.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using udp = asio::ip::udp;
using unix_dgram = asio::local::datagram_protocol;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(datagram_suite)

namespace {

// Records every callback; answers each datagram with the same bytes when `echo` is set.
template <class Protocol>
struct recorder : tulip::basic_datagram_protocol<Protocol>
{
    using endpoint = typename Protocol::endpoint;
    using transport_type = tulip::basic_datagram_transport<Protocol>;

    bool echo = false;
    transport_type* transport = nullptr;
    int made = 0;
    int lost_count = 0;
    int pauses = 0;
    int resumes = 0;
    std::exception_ptr lost_error;
    tulip::queue<std::pair<std::string, endpoint>> received;
    tulip::queue<boost::system::error_code> errors;
    tulip::event lost;

    void connection_made(transport_type& t) override
    {
        ++made;
        transport = &t;
    }
    void datagram_received(std::string_view data, const endpoint& from) override
    {
        if (echo)
            transport->sendto(data, from);
        received.put_nowait({std::string(data), from});
    }
    void error_received(boost::system::error_code ec) override { errors.put_nowait(ec); }
    void connection_lost(std::exception_ptr e) override
    {
        ++lost_count;
        lost_error = e;
        lost.set();
    }
    void pause_writing() override { ++pauses; }
    void resume_writing() override { ++resumes; }
};

using udp_recorder = recorder<udp>;
using unix_recorder = recorder<unix_dgram>;

template <class T>
tulip::awaitable<T> next(tulip::queue<T>& q)
{
    co_return co_await tulip::timeout(5s, q.get());
}

// Closes `t` and waits for its single connection_lost.
template <class P, class T>
tulip::awaitable<void> close_and_wait(T& t, P& p)
{
    t->close();
    co_await tulip::timeout(5s, p->lost.wait());
    BOOST_TEST(p->lost_count == 1);
    BOOST_TEST(!p->lost_error);
}

const udp::endpoint loopback_any_port{asio::ip::address_v4::loopback(), 0};

std::string temp_socket_path(const char* tag)
{
    static int n = 0;
    return "/tmp/tulip-dgram-" + std::to_string(::getpid()) + "-" + tag + "-" +
           std::to_string(++n) + ".sock";
}

bool path_exists(const std::string& p)
{
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0;
}

// A Unix datagram socket file nothing is bound to any more (a crashed program's).
void make_stale_unix_socket(const std::string& path)
{
    int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, path.data(), path.size());
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) == 0);
    ::close(fd);
}

// A UDP port on 127.0.0.1 with nothing bound to it (bound once, then released).
unsigned short closed_udp_port(asio::io_context& ioc)
{
    udp::socket s(ioc, loopback_any_port);
    return s.local_endpoint().port();
}

} // namespace

BOOST_TULIP_TEST_CASE(udp_echo_between_two_tulip_endpoints)
{
    auto make = [] { return std::make_shared<udp_recorder>(); };
    auto [server_t, server] = co_await tulip::create_datagram_endpoint(make, loopback_any_port);
    server->echo = true;
    BOOST_TEST(server->made == 1);
    auto server_ep = server_t->get_extra_info<udp::endpoint>("sockname");
    BOOST_REQUIRE(server_ep.has_value());
    BOOST_TEST(server_ep->port() != 0);
    BOOST_TEST(!server_t->get_extra_info<udp::endpoint>("peername"));
    BOOST_TEST(server_t->get_extra_info<int>("socket").value_or(-1) >= 0);

    // A connected client: sendto(data) goes to the peer.
    auto [client_t, client] =
        co_await tulip::create_datagram_endpoint(make, udp::endpoint(), *server_ep);
    BOOST_TEST(client->made == 1);
    BOOST_TEST((client_t->get_extra_info<udp::endpoint>("peername") == server_ep));
    client_t->sendto("hello");
    client_t->sendto(std::string_view("world"), *server_ep);
    auto [d1, from1] = co_await next(client->received);
    auto [d2, from2] = co_await next(client->received);
    BOOST_TEST(d1 == "hello");
    BOOST_TEST(d2 == "world");
    BOOST_TEST(from1 == *server_ep);
    auto [s1, s1from] = co_await next(server->received);
    BOOST_TEST(s1 == "hello");
    BOOST_TEST((s1from == client_t->get_extra_info<udp::endpoint>("sockname")));
    co_await next(server->received);

    // An unconnected one, sending binary bytes as a span.
    auto [free_t, free_p] = co_await tulip::create_datagram_endpoint(make, loopback_any_port);
    const std::byte bytes[] = {std::byte{0}, std::byte{0xff}, std::byte{'x'}};
    free_t->sendto(std::span<const std::byte>(bytes), *server_ep);
    auto [d3, from3] = co_await next(free_p->received);
    BOOST_TEST(d3 == std::string("\0\xffx", 3));

    BOOST_TEST(client->errors.empty());
    co_await close_and_wait(client_t, client);
    co_await close_and_wait(free_t, free_p);
    co_await close_and_wait(server_t, server);
}

BOOST_TULIP_TEST_CASE(udp_empty_datagram_round_trip)
{
    auto make = [] { return std::make_shared<udp_recorder>(); };
    auto [server_t, server] = co_await tulip::create_datagram_endpoint(make, loopback_any_port);
    server->echo = true;
    auto server_ep = *server_t->get_extra_info<udp::endpoint>("sockname");
    auto [client_t, client] = co_await tulip::create_datagram_endpoint(make, loopback_any_port);
    client_t->sendto("", server_ep);
    client_t->sendto("after", server_ep);
    auto [d1, f1] = co_await next(client->received);
    auto [d2, f2] = co_await next(client->received);
    BOOST_TEST(d1.empty());
    BOOST_TEST(d2 == "after");
    co_await close_and_wait(client_t, client);
    co_await close_and_wait(server_t, server);
}

// A peer Tulip did not write: Python's socket module echoing on 127.0.0.1.
BOOST_TULIP_TEST_CASE_REALTIME(udp_exchange_with_a_python_echo_peer)
{
    const char* script = "python3 -c \"import socket,sys\n"
                         "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                         "s.bind(('127.0.0.1',0)); s.settimeout(10)\n"
                         "print(s.getsockname()[1]); sys.stdout.flush()\n"
                         "while True:\n"
                         "    d,a=s.recvfrom(65536)\n"
                         "    if d==b'quit': break\n"
                         "    s.sendto(d[::-1],a)\n\"";
    FILE* py = ::popen(script, "r");
    BOOST_REQUIRE(py);
    char line[32] = {};
    BOOST_REQUIRE(std::fgets(line, sizeof line, py));
    udp::endpoint peer(asio::ip::address_v4::loopback(),
                       static_cast<unsigned short>(std::stoi(line)));

    auto make = [] { return std::make_shared<udp_recorder>(); };
    auto [t, p] = co_await tulip::create_datagram_endpoint(make, loopback_any_port, peer);
    t->sendto("abc");
    t->sendto("");
    auto [d1, f1] = co_await next(p->received);
    auto [d2, f2] = co_await next(p->received);
    BOOST_TEST(d1 == "cba");
    BOOST_TEST(d2.empty());
    BOOST_TEST(f1 == peer);
    t->sendto("quit");
    co_await close_and_wait(t, p);
    BOOST_TEST(::pclose(py) == 0);
}

// eerimoq/asyncudp#12: the ICMP "port unreachable" of a connected UDP socket.
BOOST_TULIP_TEST_CASE(connected_udp_to_closed_port_reports_refused_and_keeps_working)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    udp::endpoint target(asio::ip::address_v4::loopback(), closed_udp_port(ioc));
    auto make = [] { return std::make_shared<udp_recorder>(); };
    auto [t, p] = co_await tulip::create_datagram_endpoint(make, udp::endpoint(), target);
    t->sendto("nobody there"); // no throw: the refusal comes back later
    auto ec = co_await next(p->errors);
    BOOST_TEST(ec == asio::error::connection_refused);
    BOOST_TEST(!t->is_closing());

    // Someone listens now: the same endpoint reaches it and gets the answer.
    auto [srv_t, srv] = co_await tulip::create_datagram_endpoint(make, target);
    srv->echo = true;
    t->sendto("ping");
    auto [d, from] = co_await next(p->received);
    BOOST_TEST(d == "ping");
    BOOST_TEST(from == target);
    BOOST_TEST(p->lost_count == 0);
    co_await close_and_wait(srv_t, srv);
    co_await close_and_wait(t, p);
}

BOOST_TULIP_TEST_CASE(udp_bind_to_an_address_in_use_throws)
{
    auto make = [] { return std::make_shared<udp_recorder>(); };
    auto [t, p] = co_await tulip::create_datagram_endpoint(make, loopback_any_port);
    auto ep = *t->get_extra_info<udp::endpoint>("sockname");
    bool thrown = false;
    try {
        auto second = co_await tulip::create_datagram_endpoint(make, ep);
    } catch (const boost::system::system_error& e) {
        thrown = e.code() == asio::error::address_in_use;
    }
    BOOST_TEST(thrown);
    // reuse_port on both lets two endpoints share a port.
    auto [a_t, a] = co_await tulip::create_datagram_endpoint(make, loopback_any_port,
                                                             udp::endpoint(), {.reuse_port = true});
    auto shared = *a_t->get_extra_info<udp::endpoint>("sockname");
    auto [b_t, b] = co_await tulip::create_datagram_endpoint(make, shared, udp::endpoint(),
                                                             {.reuse_port = true});
    BOOST_TEST((b_t->get_extra_info<udp::endpoint>("sockname") == shared));
    co_await close_and_wait(a_t, a);
    co_await close_and_wait(b_t, b);
    co_await close_and_wait(t, p);
}

BOOST_TULIP_TEST_CASE(factory_exception_comes_out_of_the_await)
{
    auto make = []() -> std::shared_ptr<udp_recorder> { throw std::runtime_error("factory"); };
    bool thrown = false;
    try {
        auto r = co_await tulip::create_datagram_endpoint(make, loopback_any_port);
    } catch (const std::runtime_error& e) {
        thrown = std::string(e.what()) == "factory";
    }
    BOOST_TEST(thrown);
}

BOOST_TULIP_TEST_CASE(close_calls_connection_lost_once_and_later_sendto_throws)
{
    auto make = [] { return std::make_shared<udp_recorder>(); };
    auto [t, p] = co_await tulip::create_datagram_endpoint(make, loopback_any_port);
    auto ep = *t->get_extra_info<udp::endpoint>("sockname");
    t->close();
    t->close();
    BOOST_TEST(t->is_closing());
    BOOST_TEST(p->lost_count == 0); // from the loop, never inside close()
    t->abort();
    BOOST_CHECK_THROW(t->sendto("late", ep), tulip::invalid_state_error);
    co_await tulip::timeout(5s, p->lost.wait());
    co_await tulip::sleep(10ms); // a second connection_lost would have come by now
    BOOST_TEST(p->lost_count == 1);
    BOOST_TEST(!p->lost_error);
    BOOST_TEST(!t->get_protocol()); // the protocol is let go once told
    BOOST_TEST(!t->get_extra_info<int>("socket"));

    // abort() alone: the same single notification.
    auto [t2, p2] = co_await tulip::create_datagram_endpoint(make, loopback_any_port);
    t2->abort();
    t2->abort();
    co_await tulip::timeout(5s, p2->lost.wait());
    co_await tulip::sleep(10ms);
    BOOST_TEST(p2->lost_count == 1);
}

BOOST_TULIP_TEST_CASE(sendto_another_address_on_a_connected_endpoint_throws)
{
    auto make = [] { return std::make_shared<udp_recorder>(); };
    auto [s_t, s] = co_await tulip::create_datagram_endpoint(make, loopback_any_port);
    auto ep = *s_t->get_extra_info<udp::endpoint>("sockname");
    auto [c_t, c] = co_await tulip::create_datagram_endpoint(make, udp::endpoint(), ep);
    udp::endpoint other(asio::ip::address_v4::loopback(),
                        static_cast<unsigned short>(ep.port() + 1));
    BOOST_CHECK_THROW(c_t->sendto("x", other), std::invalid_argument);
    BOOST_CHECK_THROW(s_t->sendto("x"), std::invalid_argument); // unconnected, no address
    co_await close_and_wait(c_t, c);
    co_await close_and_wait(s_t, s);
}

BOOST_TULIP_TEST_CASE(datagram_socket_is_close_on_exec)
{
    auto make = [] { return std::make_shared<udp_recorder>(); };
    auto [t, p] = co_await tulip::create_datagram_endpoint(make, loopback_any_port);
    int fd = *t->get_extra_info<int>("socket");
    BOOST_TEST((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    // A child does not have it.
    std::string cmd = "python3 -c 'import os; os.fstat(" + std::to_string(fd) + ")' 2>/dev/null";
    BOOST_TEST(std::system(cmd.c_str()) != 0);
    // The control: a descriptor without the flag is seen by the child.
    int dup = ::fcntl(fd, F_DUPFD, 100);
    std::string control =
        "python3 -c 'import os; os.fstat(" + std::to_string(dup) + ")' 2>/dev/null";
    BOOST_TEST(std::system(control.c_str()) == 0);
    ::close(dup);

    auto path = temp_socket_path("cloexec");
    auto make_unix = [] { return std::make_shared<unix_recorder>(); };
    auto [u, up] = co_await tulip::create_datagram_endpoint(make_unix, unix_dgram::endpoint(path));
    BOOST_TEST((::fcntl(*u->get_extra_info<int>("socket"), F_GETFD) & FD_CLOEXEC) != 0);
    co_await close_and_wait(u, up);
    co_await close_and_wait(t, p);
}

BOOST_TULIP_TEST_CASE(unix_datagram_echo_and_an_autobound_client_gets_answers)
{
    auto path = temp_socket_path("echo");
    auto make = [] { return std::make_shared<unix_recorder>(); };
    auto [s_t, s] = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(path));
    s->echo = true;
    BOOST_TEST(path_exists(path));
    // No local path: the client is autobound, so the server can answer it.
    auto [c_t, c] = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(),
                                                             unix_dgram::endpoint(path));
    c_t->sendto("over unix");
    c_t->sendto("");
    auto [d1, f1] = co_await next(c->received);
    auto [d2, f2] = co_await next(c->received);
    BOOST_TEST(d1 == "over unix");
    BOOST_TEST(d2.empty());
    BOOST_TEST(f1.path() == path);
    co_await close_and_wait(c_t, c);
    co_await close_and_wait(s_t, s);
    BOOST_TEST(!path_exists(path)); // removed on close
}

// cpython#78320: a socket file a crashed program left behind does not block the bind.
BOOST_TULIP_TEST_CASE(unix_stale_socket_file_is_removed_before_bind)
{
    auto path = temp_socket_path("stale");
    make_stale_unix_socket(path);
    BOOST_TEST(path_exists(path));
    auto make = [] { return std::make_shared<unix_recorder>(); };
    auto [t, p] = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(path));
    BOOST_TEST(t->get_extra_info<unix_dgram::endpoint>("sockname")->path() == path);
    co_await close_and_wait(t, p);
    BOOST_TEST(!path_exists(path));
}

BOOST_TULIP_TEST_CASE(unix_path_of_a_live_socket_or_a_regular_file_is_not_taken)
{
    auto make = [] { return std::make_shared<unix_recorder>(); };
    // A regular file: left alone, the bind fails.
    auto file = temp_socket_path("file");
    std::ofstream(file) << "keep me";
    bool thrown = false;
    try {
        auto r = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(file));
    } catch (const boost::system::system_error& e) {
        thrown = e.code() == asio::error::address_in_use;
    }
    BOOST_TEST(thrown);
    std::string content;
    std::ifstream(file) >> content;
    BOOST_TEST(content == "keep");
    ::unlink(file.c_str());

    // A live endpoint's path: not stolen, and the live one still receives.
    auto path = temp_socket_path("live");
    auto [live_t, live] =
        co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(path));
    thrown = false;
    try {
        auto r = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(path));
    } catch (const boost::system::system_error& e) {
        thrown = e.code() == asio::error::address_in_use;
    }
    BOOST_TEST(thrown);
    auto [c_t, c] = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(),
                                                             unix_dgram::endpoint(path));
    c_t->sendto("still mine");
    auto [d, f] = co_await next(live->received);
    BOOST_TEST(d == "still mine");
    co_await close_and_wait(c_t, c);
    co_await close_and_wait(live_t, live);
    BOOST_TEST(!path_exists(path));
}

BOOST_TULIP_TEST_CASE(unix_socket_file_replaced_after_bind_is_not_removed_on_close)
{
    auto path = temp_socket_path("replaced");
    auto make = [] { return std::make_shared<unix_recorder>(); };
    auto [t, p] = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(path));
    ::unlink(path.c_str());
    make_stale_unix_socket(path); // someone else's file now
    co_await close_and_wait(t, p);
    BOOST_TEST(path_exists(path));
    ::unlink(path.c_str());
}

// The receiver's queue fills (Unix datagrams push back on the sender): sendto queues what
// would block, pauses the protocol, and every datagram arrives, in order.
BOOST_TULIP_TEST_CASE(unix_send_flood_is_queued_and_fully_delivered_in_order)
{
    for (bool connected : {true, false}) {
        auto path = temp_socket_path("flood");
        auto make = [] { return std::make_shared<unix_recorder>(); };
        auto [r_t, r] = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(path));
        unix_dgram::endpoint remote =
            connected ? unix_dgram::endpoint(path) : unix_dgram::endpoint();
        auto [s_t, s] =
            co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(), remote);
        constexpr int n = 2000;
        const std::string payload(1000, 'x');
        for (int i = 0; i < n; ++i) {
            std::string d = std::to_string(i) + ":" + payload;
            if (connected)
                s_t->sendto(d);
            else
                s_t->sendto(d, unix_dgram::endpoint(path));
        }
        // The receiver has not run yet: the kernel took a few, the rest is queued.
        BOOST_TEST(s_t->get_write_buffer_size() > 64u * 1024);
        for (int i = 0; i < n; ++i) {
            auto [d, from] = co_await next(r->received);
            BOOST_TEST_REQUIRE(d == std::to_string(i) + ":" + payload);
        }
        BOOST_TEST(s_t->get_write_buffer_size() == 0u);
        BOOST_TEST(s->pauses == 1);
        BOOST_TEST(s->resumes == 1);
        BOOST_TEST(s->errors.empty());
        co_await close_and_wait(s_t, s);
        co_await close_and_wait(r_t, r);
    }
}

// close() sends what is queued before closing.
BOOST_TULIP_TEST_CASE(close_flushes_the_send_queue_first)
{
    auto path = temp_socket_path("closeflush");
    auto make = [] { return std::make_shared<unix_recorder>(); };
    auto [r_t, r] = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(path));
    auto [s_t, s] = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(),
                                                             unix_dgram::endpoint(path));
    constexpr int n = 500;
    for (int i = 0; i < n; ++i)
        s_t->sendto(std::to_string(i));
    BOOST_TEST(s_t->get_write_buffer_size() > 0u);
    s_t->close();
    for (int i = 0; i < n; ++i) {
        auto [d, from] = co_await next(r->received);
        BOOST_TEST_REQUIRE(d == std::to_string(i));
    }
    co_await tulip::timeout(5s, s->lost.wait());
    BOOST_TEST(s->lost_count == 1);
    co_await close_and_wait(r_t, r);
}

BOOST_TULIP_TEST_CASE(unix_datagram_over_64k_is_dropped_with_message_size)
{
    auto path = temp_socket_path("big");
    auto make = [] { return std::make_shared<unix_recorder>(); };
    auto [r_t, r] = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(path));
    auto [s_t, s] = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(),
                                                             unix_dgram::endpoint(path));
    s_t->sendto(std::string(100 * 1024, 'b'));
    s_t->sendto(std::string(64 * 1024, 'c')); // exactly the buffer: delivered whole
    auto ec = co_await next(r->errors);
    BOOST_TEST(ec == asio::error::message_size);
    auto [d, from] = co_await next(r->received);
    BOOST_TEST(d == std::string(64 * 1024, 'c'));
    co_await close_and_wait(s_t, s);
    co_await close_and_wait(r_t, r);
}

// A connected Unix endpoint whose peer went away: errors reach error_received, no
// SIGPIPE, and the endpoint stays open.
BOOST_TULIP_TEST_CASE(unix_peer_gone_is_an_error_not_a_signal)
{
    auto path = temp_socket_path("gone");
    auto make = [] { return std::make_shared<unix_recorder>(); };
    auto [r_t, r] = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(path));
    auto [s_t, s] = co_await tulip::create_datagram_endpoint(make, unix_dgram::endpoint(),
                                                             unix_dgram::endpoint(path));
    co_await close_and_wait(r_t, r);
    s_t->sendto("into the void");
    auto ec = co_await next(s->errors);
    BOOST_TEST(ec.failed());
    BOOST_TEST(!s_t->is_closing());
    BOOST_TEST(s->lost_count == 0);
    co_await close_and_wait(s_t, s);
}

namespace {
struct throwing : udp_recorder
{
    void datagram_received(std::string_view, const udp::endpoint&) override
    {
        throw std::runtime_error("bad protocol");
    }
};
} // namespace

// A callback that throws: the loop's exception handler hears of it and the endpoint is
// aborted (connection_lost, once).
BOOST_TULIP_TEST_CASE(exception_from_a_callback_goes_to_the_handler_and_aborts)
{
    auto& loop = tulip::get_running_loop();
    auto previous = loop.get_exception_handler();
    std::string seen;
    loop.set_exception_handler([&seen](tulip::event_loop&, const tulip::exception_context& c) {
        try {
            std::rethrow_exception(c.exception);
        } catch (const std::runtime_error& e) {
            seen = e.what();
        }
    });
    auto make = [] { return std::make_shared<throwing>(); };
    auto [t, p] = co_await tulip::create_datagram_endpoint(make, loopback_any_port);
    auto ep = *t->get_extra_info<udp::endpoint>("sockname");
    t->sendto("boom", ep);
    co_await tulip::timeout(5s, p->lost.wait());
    loop.set_exception_handler(previous);
    BOOST_TEST(seen == "bad protocol");
    BOOST_TEST(t->is_closing());
    BOOST_TEST(p->lost_count == 1);
}

BOOST_AUTO_TEST_SUITE_END()
