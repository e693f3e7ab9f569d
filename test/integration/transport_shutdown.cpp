//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Transports still open when their io_context is destroyed: they end as Asio's own
// objects do at shutdown, without callbacks, and nothing of them is left (descriptors,
// buffers, protocols). Under clang-asan LeakSanitizer checks the "nothing left".

#include <boost/tulip/datagram.hpp>
#include <boost/tulip/server.hpp>
#include <boost/tulip/streams.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/transport.hpp>

#include "../common/net.hpp"

#include <boost/test/unit_test.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <unistd.h>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(transport_shutdown)

namespace {

struct counters
{
    int made = 0;
    int destroyed = 0;
    int lost = 0;
};

// A protocol that keeps its transport (the usual way to write to it later): the pair
// holds each other until connection_lost.
struct holding_protocol : tulip::protocol
{
    explicit holding_protocol(counters& c)
        : n(c)
    {
        ++n.made;
    }
    ~holding_protocol() override { ++n.destroyed; }
    void connection_made(tulip::transport& tr) override { t = tr.shared_from_this(); }
    void connection_lost(std::exception_ptr) override
    {
        ++n.lost;
        t.reset();
    }

    counters& n;
    std::shared_ptr<tulip::transport> t;
};

// A datagram protocol that keeps its endpoint, as a protocol that answers does; counts
// every callback that runs after `quiet` is set.
template <class Protocol>
struct holding_datagram_protocol : tulip::basic_datagram_protocol<Protocol>
{
    using endpoint = typename Protocol::endpoint;
    using transport_type = tulip::basic_datagram_transport<Protocol>;

    holding_datagram_protocol(counters& c, const bool& q)
        : n(c)
        , quiet(q)
    {
        ++n.made;
    }
    ~holding_datagram_protocol() override { ++n.destroyed; }
    void connection_made(transport_type& tr) override { t = tr.shared_from_this(); }
    void datagram_received(std::string_view, const endpoint&) override { late(); }
    void error_received(boost::system::error_code) override { late(); }
    void connection_lost(std::exception_ptr) override
    {
        ++n.lost;
        t.reset();
    }
    void late()
    {
        if (quiet)
            ++n.lost;
    }

    counters& n;
    const bool& quiet;
    std::shared_ptr<transport_type> t;
};

// Runs `ioc` until `ready` (bounded), then returns with the work still pending.
void run_until(asio::io_context& ioc, const bool& ready)
{
    for (int i = 0; i < 1000 && !ready; ++i)
        ioc.run_for(10ms);
    BOOST_REQUIRE(ready);
}

} // namespace

BOOST_AUTO_TEST_CASE(open_transports_are_closed_and_freed_with_their_io_context)
{
    counters n;
    std::weak_ptr<tulip::transport> client, stream, aborted;
    std::weak_ptr<tulip::base_protocol> client_protocol;
    const std::size_t fds_before = net_test::open_descriptors();
    {
        asio::io_context ioc;
        bool ready = false;
        auto body = [&]() -> tulip::awaitable<void> {
            tulip::event never;
            auto factory = [&n] { return std::make_shared<holding_protocol>(n); };
            auto srv = co_await tulip::create_server(factory, "127.0.0.1", 0);
            const auto port = srv.sockets().front().port();
            // A protocol connection closed just before the end (it lingers for the peer's
            // FIN), a stream connection, and one aborted just before the end (its
            // connection_lost is posted, never run).
            auto [t, p] = co_await tulip::create_connection(factory, "127.0.0.1", port);
            client = t;
            client_protocol = p;
            auto [r, w] = co_await tulip::open_connection("127.0.0.1", port);
            stream = w.transport()->shared_from_this();
            auto [t2, p2] = co_await tulip::create_connection(factory, "127.0.0.1", port);
            aborted = t2;
            w.write("bytes the server side's protocol receives\n");
            while (n.made < 5) // two protocol clients, three server sides
                co_await tulip::sleep(1ms);
            co_await tulip::sleep(20ms);
            t->close();
            t2->abort();
            ready = true;
            ioc.stop();            // nothing more runs: the io_context goes as it is now
            co_await never.wait(); // destroyed here, with everything open
        };
        auto task = tulip::create_task(ioc, body());
        run_until(ioc, ready);
    }
    BOOST_TEST(n.made == 5);
    BOOST_TEST(n.destroyed == n.made); // the protocols that held their transports are freed
    BOOST_TEST(n.lost == 0);           // no callback after the shutdown
    BOOST_TEST(client.expired());
    BOOST_TEST(client_protocol.expired());
    BOOST_TEST(stream.expired());
    BOOST_TEST(aborted.expired());
    BOOST_TEST(net_test::open_descriptors() == fds_before);
}

// The same for datagram endpoints: an open UDP endpoint with a datagram waiting to be
// read, one closed just before the end (its connection_lost posted, never run), and a Unix
// endpoint bound to a file, which goes with it.
BOOST_AUTO_TEST_CASE(open_datagram_endpoints_are_closed_and_freed_with_their_io_context)
{
    using udp = asio::ip::udp;
    using unix_dgram = asio::local::datagram_protocol;
    counters n;
    bool quiet = false;
    std::weak_ptr<tulip::datagram_transport> open, closed;
    std::weak_ptr<tulip::unix_datagram_transport> unix_open;
    std::weak_ptr<tulip::datagram_protocol> open_protocol;
    const std::string path = "/tmp/tulip-shutdown-" + std::to_string(::getpid()) + "-dgram.sock";
    const std::size_t fds_before = net_test::open_descriptors();
    {
        asio::io_context ioc;
        bool ready = false;
        auto body = [&]() -> tulip::awaitable<void> {
            tulip::event never;
            auto make_udp = [&] {
                return std::make_shared<holding_datagram_protocol<udp>>(n, quiet);
            };
            auto make_unix = [&] {
                return std::make_shared<holding_datagram_protocol<unix_dgram>>(n, quiet);
            };
            const udp::endpoint loopback{asio::ip::address_v4::loopback(), 0};
            auto [t, p] = co_await tulip::create_datagram_endpoint(make_udp, loopback);
            open = t;
            open_protocol = p;
            auto [t2, p2] = co_await tulip::create_datagram_endpoint(make_udp, loopback);
            closed = t2;
            auto [u, up] =
                co_await tulip::create_datagram_endpoint(make_unix, unix_dgram::endpoint(path));
            unix_open = u;
            BOOST_TEST(std::filesystem::exists(path));
            // A datagram for the open endpoint, still unread when the io_context goes.
            t2->sendto("late", *t->get_extra_info<udp::endpoint>("sockname"));
            t2->close();
            quiet = true; // from here, no protocol callback may run
            ready = true;
            ioc.stop();            // nothing more runs: the io_context goes as it is now
            co_await never.wait(); // destroyed here, with the endpoints open
        };
        auto task = tulip::create_task(ioc, body());
        run_until(ioc, ready);
    }
    BOOST_TEST(n.made == 3);
    BOOST_TEST(n.destroyed == n.made); // the protocols that held their endpoints are freed
    BOOST_TEST(n.lost == 0);           // no callback after the shutdown
    BOOST_TEST(open.expired());
    BOOST_TEST(open_protocol.expired());
    BOOST_TEST(closed.expired());
    BOOST_TEST(unix_open.expired());
    BOOST_TEST(!std::filesystem::exists(path)); // the endpoint's socket file went with it
    BOOST_TEST(net_test::open_descriptors() == fds_before);
}

BOOST_AUTO_TEST_SUITE_END()
