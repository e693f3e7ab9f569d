//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Transports still open when their io_context is destroyed: they end as Asio's own
// objects do at shutdown, without callbacks, and nothing of them is left (descriptors,
// buffers, protocols). Under clang-asan LeakSanitizer checks the "nothing left".

#include <boost/tulip/server.hpp>
#include <boost/tulip/streams.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/transport.hpp>

#include "../common/net.hpp"

#include <boost/test/unit_test.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>

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

BOOST_AUTO_TEST_SUITE_END()
