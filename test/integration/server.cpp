//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Servers on real sockets (127.0.0.1, ::1, Unix sockets): asyncio peers, per-connection
// context, handler failures, running out of descriptors, closing and waiting.

#include <boost/tulip/server.hpp>

#include "../common/net.hpp"

#include <boost/tulip/async_with.hpp>
#include <boost/tulip/debug.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/test.hpp>
#include <boost/tulip/timeout.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using local_socket = asio::local::stream_protocol::socket;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(server_suite)

using net_test::capture_reports;
using net_test::captured_reports;
using net_test::close_and_start_waiting;
using net_test::connect_to;
using net_test::first_endpoint;
using net_test::open_descriptors;
using net_test::read_end;
using net_test::read_line;
using net_test::round_trip;
using net_test::run_command;

namespace {

const auto loopback = asio::ip::address_v4::loopback();

tulip::awaitable<void> echo_lines(tulip::stream_reader r, tulip::stream_writer w)
{
    for (;;) {
        std::string line = co_await r.readline();
        if (line.empty())
            break;
        w.write(line);
        co_await w.drain();
    }
}

// Echo of arbitrary bytes until the peer's end of stream, then our own.
tulip::awaitable<void> echo_bytes(tulip::stream_reader r, tulip::stream_writer w)
{
    for (;;) {
        std::string chunk = co_await r.read(65536);
        if (chunk.empty())
            break;
        w.write(chunk);
        co_await w.drain();
    }
    w.write_eof();
}

std::string endpoint_label(const tcp::endpoint& ep)
{
    return ep.address().to_string() + ":" + std::to_string(ep.port());
}

bool has_ipv6_loopback()
{
    int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (!ok)
        std::cout << "server_suite: NO IPv6 LOOPBACK on this machine: the ::1 cases are "
                     "skipped, not passed\n";
    return ok;
}

std::filesystem::path temp_socket_path(const char* tag)
{
    return std::filesystem::temp_directory_path() /
           ("tulip-" + std::string(tag) + "-" + std::to_string(::getpid()) + ".sock");
}

} // namespace

// ---- peers ----------------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(python_asyncio_client_gets_lines_and_a_megabyte_echoed)
{
    auto srv = co_await tulip::start_server(echo_bytes, "127.0.0.1", 0);
    const auto port = first_endpoint(srv).port();
    const auto script = std::filesystem::temp_directory_path() /
                        ("tulip-server-client-" + std::to_string(::getpid()) + ".py");
    std::ofstream(script) << R"(import asyncio, sys
async def main(port):
    r, w = await asyncio.open_connection('127.0.0.1', port)
    w.write(b'hello tulip\n')
    await w.drain()
    print((await r.readline()).decode().strip())
    payload = bytes(range(256)) * 4096
    w.write(payload)
    w.write_eof()
    got = await r.read()
    print('megabyte', 'ok' if got == payload else 'MISMATCH %d' % len(got))
    w.close()
    await w.wait_closed()
asyncio.run(main(int(sys.argv[1])))
)";
    std::string out =
        co_await run_command("python3 " + script.string() + " " + std::to_string(port) + " 2>&1");
    std::filesystem::remove(script);
    BOOST_TEST(out == "hello tulip\nmegabyte ok\nexit=0");
    srv.close();
    co_await srv.wait_closed();
}

// The seed's client_addr_var server, with a server object instead of a hand-written accept
// loop: each connection task sets the variable and sees only its own value.
namespace {
tulip::context_var<std::string> client_addr_var{"client_addr", "?"};

std::string render_goodbye()
{
    return "Good bye, client @ " + client_addr_var.get() + "\n";
}

tulip::awaitable<void> handle_goodbye(tulip::stream_reader r, tulip::stream_writer w)
{
    auto peer = w.get_extra_info<tcp::endpoint>("peername");
    BOOST_REQUIRE(peer);
    auto tok = client_addr_var.set(endpoint_label(*peer));
    co_await r.readline();
    co_await tulip::sleep(1ms); // the other connections interleave here
    w.write(render_goodbye());
    co_await w.drain();
}
} // namespace

BOOST_TULIP_TEST_CASE(client_addr_var_each_connection_sees_its_own_peer)
{
    auto tok = client_addr_var.set("server"); // the connections copy this context
    auto srv = co_await tulip::start_server(handle_goodbye, "127.0.0.1", 0);
    constexpr int n = 8;
    std::vector<tcp::socket> clients;
    for (int i = 0; i < n; ++i)
        clients.push_back(co_await connect_to(first_endpoint(srv)));
    for (auto it = clients.rbegin(); it != clients.rend(); ++it)
        co_await asio::async_write(*it, asio::buffer(std::string("hi\n")), asio::use_awaitable);
    for (auto& c : clients) {
        std::string line = co_await read_line(c);
        BOOST_TEST(line == "Good bye, client @ " + endpoint_label(c.local_endpoint()) + "\n");
    }
    BOOST_TEST(client_addr_var.get() == "server");
    srv.close();
    co_await srv.wait_closed();
}

BOOST_TULIP_TEST_CASE(connection_task_is_named_after_its_peer)
{
    std::vector<std::string> names;
    tulip::event started;
    auto cb = [&](tulip::stream_reader r, tulip::stream_writer) -> tulip::awaitable<void> {
        names.push_back(std::string(tulip::current_task().get_name()));
        started.set();
        co_await r.read();
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    auto c = co_await connect_to(first_endpoint(srv));
    co_await started.wait();
    c.shutdown(tcp::socket::shutdown_send);
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
    BOOST_TEST(names == std::vector<std::string>{endpoint_label(c.local_endpoint())});
}

// ---- failures -------------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(handler_exception_is_reported_and_the_server_keeps_serving)
{
    captured_reports reports;
    capture_reports(reports);
    int calls = 0;
    auto cb = [&calls](tulip::stream_reader r, tulip::stream_writer w) -> tulip::awaitable<void> {
        if (++calls == 1)
            throw std::runtime_error("handler failed");
        co_await echo_lines(std::move(r), std::move(w));
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    auto first = co_await connect_to(first_endpoint(srv));
    // The failed handler's connection is closed: the client reads the end of stream.
    char byte;
    auto [ec, n] = co_await asio::async_read(first, asio::buffer(&byte, 1),
                                             asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(ec == asio::error::eof);
    auto second = co_await connect_to(first_endpoint(srv));
    BOOST_TEST(co_await round_trip(second, "still here\n") == "still here\n");
    BOOST_TEST_REQUIRE(reports.messages.size() == 1u);
    BOOST_TEST(reports.messages[0] == "Unhandled exception in client_connected_cb");
    BOOST_CHECK_THROW(std::rethrow_exception(reports.exceptions[0]), std::runtime_error);
    second.close();
    srv.close();
    co_await srv.wait_closed();
}

BOOST_AUTO_TEST_CASE(tls_options_are_refused_without_tulip_ssl)
{
    tulip::server_options o;
    o.ssl = reinterpret_cast<const asio::ssl::context*>(&o);
    BOOST_CHECK_THROW(tulip::detail::check_server_options(o), std::invalid_argument);
}

// Run out of descriptors: lower RLIMIT_NOFILE and connect more clients than the server
// can accept, so that its accept fails with EMFILE while connections wait.
BOOST_TULIP_TEST_CASE_REALTIME(accept_backs_off_when_out_of_descriptors_and_recovers)
{
    captured_reports reports;
    capture_reports(reports);
    auto srv = co_await tulip::start_server(echo_lines, "127.0.0.1", 0);
    const auto ep = first_endpoint(srv);
    auto established = co_await connect_to(ep);
    BOOST_TEST(co_await round_trip(established, "before\n") == "before\n");

    // The clients' sockets are opened first: at the limit, the server and the clients
    // (this process) could not open any. Then the limit leaves room for a few accepts,
    // and the rest of the connections wait in the kernel's queue.
    std::vector<tcp::socket> fillers;
    for (int i = 0; i < 40; ++i) {
        fillers.emplace_back(co_await asio::this_coro::executor);
        fillers.back().open(tcp::v4());
    }
    rlimit saved{};
    BOOST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
    rlimit lowered = saved;
    lowered.rlim_cur = open_descriptors() + 8;
    BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    struct restore
    {
        rlimit r;
        ~restore() { ::setrlimit(RLIMIT_NOFILE, &r); }
    } restore_limit{saved};
    for (auto& s : fillers)
        co_await s.async_connect(ep, asio::use_awaitable);
    // Let the accept loop fail for a second. Nothing is checked before the descriptors are
    // back: Boost.Test (and the sanitizers' checks) may need one.
    const auto before = srv.resource_failures();
    co_await tulip::sleep(1s);
    const auto failures = srv.resource_failures() - before;
    const auto reports_while_out = reports.messages.size();
    // Established connections are served meanwhile.
    const std::string during = co_await round_trip(established, "during\n");

    fillers.clear();
    ::setrlimit(RLIMIT_NOFILE, &saved);
    BOOST_TEST_MESSAGE("failed accepts in 1 s out of descriptors: " << failures);
    BOOST_TEST(failures >= 1u);
    BOOST_TEST(failures <= 20u); // ~10 at 100 ms; Asio alone spins hundreds of thousands
    BOOST_TEST_REQUIRE(reports_while_out == 1u);
    BOOST_TEST(reports.messages[0].find("out of system resource") != std::string::npos);
    BOOST_TEST(during == "during\n");
    auto after = co_await connect_to(ep);
    BOOST_TEST(co_await tulip::timeout(5s, round_trip(after, "after\n")) == "after\n");
    BOOST_TEST(reports.messages.size() == 1u); // once per episode
    established.close();
    after.close();
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
}

// ---- closing --------------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(wait_closed_waits_for_every_connection_task)
{
    tulip::event release, started;
    auto cb = [&](tulip::stream_reader, tulip::stream_writer) -> tulip::awaitable<void> {
        started.set();
        co_await release.wait();
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    auto c = co_await connect_to(first_endpoint(srv));
    co_await started.wait();
    srv.close();
    BOOST_TEST(!srv.is_serving());
    auto waiter = tulip::create_task(srv.wait_closed());
    for (int i = 0; i < 10; ++i)
        co_await tulip::sleep(0s);
    BOOST_TEST(!waiter.done()); // the handler still runs
    release.set();
    co_await tulip::timeout(5s, waiter.wait());
}

BOOST_TULIP_TEST_CASE(wait_closed_returns_with_idle_clients_after_close_clients)
{
    auto srv = co_await tulip::start_server(echo_lines, "127.0.0.1", 0);
    auto a = co_await connect_to(first_endpoint(srv));
    auto b = co_await connect_to(first_endpoint(srv));
    BOOST_TEST(co_await round_trip(a, "x\n") == "x\n");
    BOOST_TEST(co_await round_trip(b, "y\n") == "y\n");
    // Idle clients keep it waiting (asyncio 3.12+) ...
    auto waiter = co_await close_and_start_waiting(srv);
    // ... until they are closed; the clients see a clean end of stream.
    srv.close_clients();
    co_await tulip::timeout(5s, waiter.wait());
    BOOST_TEST(co_await read_end(a) == asio::error::eof);
}

BOOST_TULIP_TEST_CASE(abort_clients_resets_connections)
{
    auto srv = co_await tulip::start_server(echo_lines, "127.0.0.1", 0);
    auto a = co_await connect_to(first_endpoint(srv));
    BOOST_TEST(co_await round_trip(a, "x\n") == "x\n");
    srv.close();
    srv.abort_clients();
    co_await tulip::timeout(5s, srv.wait_closed());
    BOOST_TEST(co_await read_end(a) == asio::error::connection_reset);
}

// A handler that hands its reader and writer to another task and returns: the server
// still counts the connection by its transport (asyncio's Server._attach/_detach), so
// wait_closed waits for it and close_clients/abort_clients reach it.
namespace {

struct handing_over
{
    std::vector<tulip::task<void>>* kept;
    tulip::awaitable<void> operator()(tulip::stream_reader r, tulip::stream_writer w) const
    {
        w.write("hello\n");
        kept->push_back(tulip::create_task(net_test::hold_until_end(std::move(r), std::move(w))));
        co_return;
    }
};

template <class Socket>
tulip::awaitable<void> kept_writer_is_reached(tulip::server srv, Socket& client,
                                              std::vector<tulip::task<void>>& kept, bool abort)
{
    asio::streambuf buf;
    co_await asio::async_read_until(client, buf, '\n', asio::use_awaitable);
    BOOST_TEST_REQUIRE(kept.size() == 1u);
    co_await tulip::sleep(0s); // the handler's task has returned
    // The connection is open, held by the other task: wait_closed waits.
    auto waiter = co_await close_and_start_waiting(srv);
    BOOST_TEST(!kept[0].done());
    if (abort)
        srv.abort_clients();
    else
        srv.close_clients();
    const auto ec = co_await read_end(client);
    if (abort)
        BOOST_TEST(ec == asio::error::connection_reset, ec.message());
    else
        BOOST_TEST(ec == asio::error::eof, ec.message());
    co_await tulip::timeout(5s, waiter.wait());
    co_await tulip::timeout(5s, kept[0].wait());
}

} // namespace

BOOST_TULIP_TEST_CASE_REALTIME(close_clients_reaches_a_writer_kept_after_the_handler_returned)
{
    std::vector<tulip::task<void>> kept;
    auto srv = co_await tulip::start_server(handing_over{&kept}, "127.0.0.1", 0);
    auto c = co_await connect_to(first_endpoint(srv));
    co_await kept_writer_is_reached(srv, c, kept, false);
}

BOOST_TULIP_TEST_CASE_REALTIME(abort_clients_reaches_a_writer_kept_after_the_handler_returned)
{
    std::vector<tulip::task<void>> kept;
    auto srv = co_await tulip::start_server(handing_over{&kept}, "127.0.0.1", 0);
    auto c = co_await connect_to(first_endpoint(srv));
    co_await kept_writer_is_reached(srv, c, kept, true);
}

BOOST_TULIP_TEST_CASE_REALTIME(close_clients_reaches_a_unix_writer_kept_after_the_handler_returned)
{
    std::vector<tulip::task<void>> kept;
    const auto path = temp_socket_path("kept-writer");
    auto srv = co_await tulip::start_unix_server(handing_over{&kept}, path);
    local_socket c(co_await asio::this_coro::executor);
    co_await c.async_connect(path.native(), asio::use_awaitable);
    co_await kept_writer_is_reached(srv, c, kept, false);
}

// A protocol server's connection is counted by its transport, whatever protocol it has:
// one replaced with set_protocol (which keeps the transport) is still closed by
// close_clients, and wait_closed returns once it is.
namespace {

struct keeping_protocol : tulip::protocol
{
    std::shared_ptr<tulip::transport> t;
    int* lost;
    explicit keeping_protocol(int* l)
        : lost(l)
    {}
    void connection_lost(std::exception_ptr) override
    {
        ++*lost;
        t.reset();
    }
};

struct switching_protocol : tulip::protocol
{
    int* lost;
    explicit switching_protocol(int* l)
        : lost(l)
    {}
    void connection_made(tulip::transport& t) override
    {
        auto next = std::make_shared<keeping_protocol>(lost);
        next->t = t.shared_from_this();
        t.set_protocol(next);
        t.write(std::string_view("hello\n"));
    }
};

} // namespace

BOOST_TULIP_TEST_CASE_REALTIME(close_clients_reaches_a_transport_whose_protocol_was_replaced)
{
    int lost = 0;
    std::shared_ptr<tulip::base_protocol> first;
    auto factory = [&] {
        auto p = std::make_shared<switching_protocol>(&lost);
        first = p;
        return p;
    };
    auto srv = co_await tulip::create_server(factory, "127.0.0.1", 0);
    auto c = co_await connect_to(first_endpoint(srv));
    BOOST_TEST(co_await read_line(c) == "hello\n");
    auto waiter = co_await close_and_start_waiting(srv);
    srv.close_clients();
    const auto ec = co_await read_end(c);
    BOOST_TEST(ec == asio::error::eof, ec.message());
    co_await tulip::timeout(5s, waiter.wait());
    BOOST_TEST(lost == 1);
}

// The transport a protocol server gives its connection carries the factory's protocol.
BOOST_TULIP_TEST_CASE(a_protocol_server_transport_carries_the_factory_protocol)
{
    std::shared_ptr<tulip::protocol> made;
    tulip::event up;
    struct recording : tulip::protocol
    {
        tulip::event* up;
        std::shared_ptr<tulip::transport> t;
        explicit recording(tulip::event* u)
            : up(u)
        {}
        void connection_made(tulip::transport& tr) override
        {
            t = tr.shared_from_this();
            up->set();
        }
        void connection_lost(std::exception_ptr) override { t.reset(); }
    };
    std::shared_ptr<recording> p;
    auto factory = [&] {
        p = std::make_shared<recording>(&up);
        return p;
    };
    auto srv = co_await tulip::create_server(factory, "127.0.0.1", 0);
    auto c = co_await connect_to(first_endpoint(srv));
    co_await tulip::timeout(5s, up.wait());
    BOOST_TEST(p->t->get_protocol().get() == static_cast<tulip::base_protocol*>(p.get()));
    c.close();
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
}

BOOST_TULIP_TEST_CASE(cancelling_serve_forever_closes_and_keeps_established_clients)
{
    tulip::server_options o;
    o.start_serving = false;
    auto srv = co_await tulip::start_server(echo_lines, "127.0.0.1", 0, o);
    BOOST_TEST(!srv.is_serving());
    const auto ep = first_endpoint(srv);
    auto forever = tulip::create_task(srv.serve_forever());
    co_await tulip::sleep(0s);
    BOOST_TEST(srv.is_serving());
    auto established = co_await connect_to(ep);
    BOOST_TEST(co_await round_trip(established, "one\n") == "one\n");
    // The task tree says what each task waits for.
    const std::string tree = tulip::format_task_tree();
    BOOST_TEST(tree.find("serving " + endpoint_label(ep)) != std::string::npos, tree);
    BOOST_TEST(tree.find("accepting " + endpoint_label(ep)) != std::string::npos, tree);

    forever.cancel();
    co_await tulip::sleep(0s);
    BOOST_TEST(!srv.is_serving());
    BOOST_TEST(srv.sockets().empty());
    tcp::socket refused(co_await asio::this_coro::executor);
    auto [cec] = co_await refused.async_connect(ep, asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(cec == asio::error::connection_refused);
    // The established client is still served, and serve_forever waits for it.
    BOOST_TEST(co_await round_trip(established, "two\n") == "two\n");
    BOOST_TEST(!forever.done());
    established.close();
    std::exception_ptr e;
    try {
        co_await tulip::timeout(5s, forever.wait());
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(tulip::is_cancellation(e));
}

BOOST_TULIP_TEST_CASE(serve_forever_on_a_closed_server_fails)
{
    auto srv = co_await tulip::start_server(echo_lines, "127.0.0.1", 0);
    srv.close();
    BOOST_CHECK_THROW(co_await srv.serve_forever(), tulip::invalid_state_error);
    co_await srv.wait_closed();
}

BOOST_TULIP_TEST_CASE(async_with_closes_the_server_on_exit)
{
    auto srv = co_await tulip::start_server(echo_lines, "127.0.0.1", 0);
    const auto ep = first_endpoint(srv);
    co_await tulip::async_with(srv, [&](tulip::server& s) -> tulip::awaitable<void> {
        auto c = co_await connect_to(first_endpoint(s));
        BOOST_TEST(co_await round_trip(c, "in\n") == "in\n");
    });
    BOOST_TEST(!srv.is_serving());
    tcp::socket refused(co_await asio::this_coro::executor);
    auto [cec] = co_await refused.async_connect(ep, asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(cec == asio::error::connection_refused);
}

// ---- binding --------------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(port_zero_binds_an_ephemeral_port_and_a_busy_port_fails)
{
    auto srv = co_await tulip::start_server(echo_lines, "127.0.0.1", 0);
    auto eps = srv.sockets();
    BOOST_TEST_REQUIRE(eps.size() == 1u);
    BOOST_TEST(eps[0].address() == loopback);
    BOOST_TEST(eps[0].port() != 0);
    tulip::server_options o;
    o.reuse_address = false;
    // The error names what was being bound, as asyncio's does.
    const std::string where = "listening on 127.0.0.1 port " + std::to_string(eps[0].port());
    BOOST_CHECK_EXCEPTION(co_await tulip::start_server(echo_lines, "127.0.0.1", eps[0].port(), o),
                          boost::system::system_error, [&where](const auto& e) {
                              return e.code() == asio::error::address_in_use &&
                                     std::string(e.what()).starts_with(where);
                          });
    srv.close();
    co_await srv.wait_closed();
}

BOOST_TULIP_TEST_CASE(listener_and_connections_are_close_on_exec)
{
    std::optional<int> accepted_flags;
    tulip::event started;
    auto cb = [&](tulip::stream_reader r, tulip::stream_writer w) -> tulip::awaitable<void> {
        // The transport is there once connection_made has run: after the first read.
        co_await r.read(1);
        if (auto fd = w.get_extra_info<int>("socket"))
            accepted_flags = ::fcntl(*fd, F_GETFD);
        started.set();
        co_await r.read();
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    const auto ep = first_endpoint(srv);
    int listeners = 0;
    for (auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
        int fd = std::stoi(e.path().filename().string());
        sockaddr_in a{};
        socklen_t len = sizeof a;
        int type = 0;
        socklen_t tlen = sizeof type;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0 &&
            a.sin_family == AF_INET && ntohs(a.sin_port) == ep.port() &&
            ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &type, &tlen) == 0 && type) {
            ++listeners;
            BOOST_TEST((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
        }
    }
    BOOST_TEST(listeners == 1);
    auto c = co_await connect_to(ep);
    co_await asio::async_write(c, asio::buffer(std::string("x")), asio::use_awaitable);
    co_await started.wait();
    c.shutdown(tcp::socket::shutdown_send);
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
    BOOST_TEST_REQUIRE(accepted_flags.has_value());
    BOOST_TEST((*accepted_flags & FD_CLOEXEC) != 0);
}

BOOST_TULIP_TEST_CASE(several_ipv4_hosts_each_get_a_socket)
{
    std::string_view hosts[] = {"127.0.0.1", "127.0.0.2"};
    auto srv = co_await tulip::start_server(echo_lines, hosts, 0);
    auto eps = srv.sockets();
    BOOST_TEST_REQUIRE(eps.size() == 2u);
    for (auto& ep : eps) {
        auto c = co_await connect_to(ep);
        BOOST_TEST(co_await round_trip(c, "hi\n") == "hi\n");
    }
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
}

BOOST_TULIP_TEST_CASE(a_host_name_binds_every_address_it_resolves_to)
{
    auto srv = co_await tulip::start_server(echo_lines, "localhost", 0);
    auto eps = srv.sockets();
    BOOST_TEST_REQUIRE(!eps.empty());
    for (auto& ep : eps) {
        BOOST_TEST(ep.address().is_loopback());
        auto c = co_await connect_to(ep);
        BOOST_TEST(co_await round_trip(c, "named\n") == "named\n");
    }
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
}

namespace {
tulip::awaitable<void> ipv4_and_ipv6_hosts_body()
{
    std::string_view hosts[] = {"127.0.0.1", "::1"};
    auto srv = co_await tulip::start_server(echo_lines, hosts, 0);
    auto eps = srv.sockets();
    BOOST_TEST_REQUIRE(eps.size() == 2u);
    BOOST_TEST(eps[0].address().is_v4());
    BOOST_TEST(eps[1].address().is_v6());
    for (auto& ep : eps) {
        auto c = co_await connect_to(ep);
        BOOST_TEST(co_await round_trip(c, "hi\n") == "hi\n");
    }
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
}
} // namespace

// Skipped (reported as skipped by Boost.Test, not passed) without IPv6 loopback.
BOOST_AUTO_TEST_CASE(ipv4_and_ipv6_hosts_each_get_a_socket,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                         return has_ipv6_loopback();
                     }))
{
    tulip::test::run_case(&ipv4_and_ipv6_hosts_body);
}

// ---- protocol servers -----------------------------------------------------------------------

namespace {
struct echo_protocol final : tulip::protocol
{
    std::shared_ptr<tulip::transport> t;
    int* lost;
    explicit echo_protocol(int* lost)
        : lost(lost)
    {}
    void connection_made(tulip::transport& tr) override { t = tr.shared_from_this(); }
    void data_received(std::string_view d) override { t->write(d); }
    void connection_lost(std::exception_ptr) override
    {
        ++*lost;
        t.reset();
    }
};
} // namespace

// Every overload that takes several hosts binds each of them, for stream and protocol
// servers alike.
BOOST_TULIP_TEST_CASE(every_host_list_overload_binds_each_host)
{
    int lost = 0;
    auto factory = [&lost] { return std::make_shared<echo_protocol>(&lost); };
    std::string_view views[] = {"127.0.0.1", "127.0.0.2"};
    std::string strings[] = {"127.0.0.1", "127.0.0.2"};
    std::vector<tulip::server> servers;
    servers.push_back(
        co_await tulip::start_server(echo_lines, std::span<const std::string_view>(views), 0));
    servers.push_back(
        co_await tulip::start_server(echo_lines, std::span<const std::string>(strings), 0));
    // An initializer_list outside the awaited expression (the g++ 12 rule).
    auto from_list = tulip::start_server(echo_lines, {"127.0.0.1", "127.0.0.2"}, 0);
    servers.push_back(co_await std::move(from_list));
    servers.push_back(
        co_await tulip::create_server(factory, std::span<const std::string_view>(views), 0));
    // A named vector of strings, as the servers chapter shows (both kinds of server).
    std::vector<std::string> vec(std::begin(strings), std::end(strings));
    servers.push_back(co_await tulip::start_server(echo_lines, vec, 0));
    servers.push_back(co_await tulip::create_server(factory, vec, 0));
    auto protocol_list = tulip::create_server(factory, {"127.0.0.1", "127.0.0.2"}, 0);
    servers.push_back(co_await std::move(protocol_list));
    for (auto& srv : servers) {
        auto eps = srv.sockets();
        BOOST_TEST_REQUIRE(eps.size() == 2u);
        BOOST_TEST(eps[0].address().to_string() == "127.0.0.1");
        BOOST_TEST(eps[1].address().to_string() == "127.0.0.2");
        for (auto& ep : eps) {
            auto c = co_await connect_to(ep);
            BOOST_TEST(co_await round_trip(c, "hi\n") == "hi\n");
        }
        srv.close();
        co_await tulip::timeout(5s, srv.wait_closed());
    }
    BOOST_TEST(lost == 6); // three protocol servers, two connections each
}

BOOST_TULIP_TEST_CASE(create_server_gives_each_connection_a_protocol)
{
    int lost = 0;
    auto factory = [&lost] { return std::make_shared<echo_protocol>(&lost); };
    auto srv = co_await tulip::create_server(factory, "127.0.0.1", 0);
    auto a = co_await connect_to(first_endpoint(srv));
    auto b = co_await connect_to(first_endpoint(srv));
    BOOST_TEST(co_await round_trip(a, "a\n") == "a\n");
    BOOST_TEST(co_await round_trip(b, "b\n") == "b\n");
    srv.close();
    a.close();
    auto waiter = tulip::create_task(srv.wait_closed());
    co_await tulip::sleep(20ms);
    BOOST_TEST(!waiter.done()); // b's connection is still up
    srv.close_clients();
    co_await tulip::timeout(5s, waiter.wait());
    BOOST_TEST(lost == 2);
}

// ---- Unix sockets ---------------------------------------------------------------------------

namespace {
tulip::awaitable<local_socket> connect_unix(const std::filesystem::path& p)
{
    local_socket s(co_await asio::this_coro::executor);
    co_await s.async_connect(asio::local::stream_protocol::endpoint(p.string()),
                             asio::use_awaitable);
    co_return s;
}

// A socket file nobody listens on (a server that died without removing it).
void make_stale_socket(const std::filesystem::path& p)
{
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, p.c_str(), sizeof a.sun_path - 1);
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    ::close(fd);
}
} // namespace

BOOST_TULIP_TEST_CASE(unix_server_replaces_a_stale_socket_and_removes_its_file_on_close)
{
    const auto path = temp_socket_path("stale");
    std::filesystem::remove(path);
    make_stale_socket(path);
    auto srv = co_await tulip::start_unix_server(echo_lines, path);
    BOOST_TEST(srv.path() == path);
    BOOST_TEST(srv.sockets().empty());
    auto c = co_await connect_unix(path);
    co_await asio::async_write(c, asio::buffer(std::string("unix\n")), asio::use_awaitable);
    asio::streambuf buf;
    auto n = co_await asio::async_read_until(c, buf, '\n', asio::use_awaitable);
    BOOST_TEST(n == 5u);
    c.close();
    srv.close();
    BOOST_TEST(!std::filesystem::exists(path));
    co_await tulip::timeout(5s, srv.wait_closed());
}

BOOST_TULIP_TEST_CASE(unix_server_never_takes_the_path_of_a_live_server_nor_a_file)
{
    const auto path = temp_socket_path("live");
    std::filesystem::remove(path);
    auto srv = co_await tulip::start_unix_server(echo_lines, path);
    BOOST_CHECK_EXCEPTION(co_await tulip::start_unix_server(echo_lines, path),
                          boost::system::system_error, [&path](const auto& e) {
                              return e.code() == asio::error::address_in_use &&
                                     std::string(e.what()).find(path.string()) != std::string::npos;
                          });
    // The first server still owns its path and serves.
    auto c = co_await connect_unix(path);
    c.close();
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());

    const auto file = temp_socket_path("regular");
    std::ofstream(file) << "data";
    BOOST_CHECK_EXCEPTION(co_await tulip::start_unix_server(echo_lines, file),
                          boost::system::system_error,
                          [](const auto& e) { return e.code() == asio::error::address_in_use; });
    BOOST_TEST(std::filesystem::is_regular_file(file)); // never removed
    std::filesystem::remove(file);
}

BOOST_TULIP_TEST_CASE(unix_server_close_leaves_a_path_someone_else_took)
{
    const auto path = temp_socket_path("taken");
    std::filesystem::remove(path);
    auto srv = co_await tulip::start_unix_server(echo_lines, path);
    std::filesystem::remove(path);
    make_stale_socket(path); // another socket at the same path now
    srv.close();
    BOOST_TEST(std::filesystem::exists(std::filesystem::symlink_status(path)));
    std::filesystem::remove(path);
    co_await srv.wait_closed();
}

BOOST_TULIP_TEST_CASE(create_unix_server_serves_protocols_and_names_tasks_after_the_path)
{
    const auto path = temp_socket_path("protocol");
    std::filesystem::remove(path);
    int lost = 0;
    auto factory = [&lost] { return std::make_shared<echo_protocol>(&lost); };
    auto srv = co_await tulip::create_unix_server(factory, path);
    auto c = co_await connect_unix(path);
    co_await asio::async_write(c, asio::buffer(std::string("p\n")), asio::use_awaitable);
    asio::streambuf buf;
    BOOST_TEST(co_await asio::async_read_until(c, buf, '\n', asio::use_awaitable) == 2u);

    std::string name;
    tulip::event started;
    auto cb = [&](tulip::stream_reader r, tulip::stream_writer) -> tulip::awaitable<void> {
        name = std::string(tulip::current_task().get_name());
        started.set();
        co_await r.read();
    };
    const auto path2 = temp_socket_path("named");
    std::filesystem::remove(path2);
    auto streams = co_await tulip::start_unix_server(cb, path2);
    auto c2 = co_await connect_unix(path2);
    co_await started.wait();
    BOOST_TEST(name == "unix:" + path2.string());

    srv.close();
    streams.close();
    srv.close_clients();
    streams.close_clients();
    co_await tulip::timeout(5s, srv.wait_closed());
    co_await tulip::timeout(5s, streams.wait_closed());
    BOOST_TEST(lost == 1);
    BOOST_TEST(!std::filesystem::exists(path));
    BOOST_TEST(!std::filesystem::exists(path2));
}

BOOST_AUTO_TEST_SUITE_END()
