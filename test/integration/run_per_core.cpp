//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// run_per_core: one loop per thread, with real threads, real signals and real sockets.

#include <boost/tulip/run.hpp>

#include <boost/tulip/exception_group.hpp>
#include <boost/tulip/server.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/streams.hpp>

#include <boost/test/unit_test.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <csignal>
#include <latch>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(run_per_core_suite)

BOOST_AUTO_TEST_CASE(run_per_core_runs_one_loop_per_thread)
{
    std::mutex m;
    std::set<std::size_t> indices;
    std::set<std::thread::id> threads;
    std::set<tulip::event_loop*> loops;
    std::latch together(3); // every loop alive at once, so no two share an address
    tulip::run_per_core(3, [&](std::size_t i) -> tulip::awaitable<void> {
        together.arrive_and_wait();
        {
            std::lock_guard lock(m);
            indices.insert(i);
            threads.insert(std::this_thread::get_id());
            loops.insert(&tulip::get_running_loop());
        }
        co_await tulip::sleep(5ms);
    });
    BOOST_TEST(indices.size() == 3u);
    BOOST_TEST(*indices.rbegin() == 2u);
    BOOST_TEST(threads.size() == 3u);
    BOOST_TEST(threads.count(std::this_thread::get_id()) == 0u);
    BOOST_TEST(loops.size() == 3u);
}

BOOST_AUTO_TEST_CASE(run_per_core_first_failure_cancels_the_others_and_is_rethrown)
{
    std::atomic<int> cancelled{0};
    std::string what;
    try {
        tulip::run_per_core(3, [&](std::size_t i) -> tulip::awaitable<void> {
            if (i == 1) {
                co_await tulip::sleep(20ms);
                throw std::domain_error("loop 1 failed");
            }
            std::exception_ptr e;
            try {
                co_await tulip::sleep(1h);
            } catch (...) {
                e = std::current_exception();
            }
            if (tulip::is_cancellation(e))
                ++cancelled;
            std::rethrow_exception(e);
        });
    } catch (const std::domain_error& e) {
        what = e.what();
    }
    BOOST_TEST(what == "loop 1 failed");
    BOOST_TEST(cancelled.load() == 2);
}

BOOST_AUTO_TEST_CASE(run_per_core_several_failures_become_an_exception_group)
{
    std::latch all_started(3);
    std::size_t count = 0;
    try {
        tulip::run_per_core(3, [&](std::size_t i) -> tulip::awaitable<void> {
            // Every loop reaches its failure before any can be cancelled.
            all_started.arrive_and_wait();
            throw std::runtime_error("loop " + std::to_string(i));
            co_return;
        });
    } catch (const tulip::exception_group& g) {
        count = g.exceptions().size();
    }
    BOOST_TEST(count == 3u);
}

BOOST_AUTO_TEST_CASE(run_per_core_sigint_cancels_every_main_task)
{
    std::latch all_started(2);
    std::atomic<int> cancelled{0};
    bool rethrown = false;
    try {
        tulip::run_per_core(2, [&](std::size_t i) -> tulip::awaitable<void> {
            all_started.count_down();
            if (i == 0) {
                all_started.wait();
                std::raise(SIGINT); // each loop's handler sees it
            }
            std::exception_ptr e;
            try {
                co_await tulip::sleep(1h);
            } catch (...) {
                e = std::current_exception();
            }
            if (tulip::is_cancellation(e))
                ++cancelled;
            std::rethrow_exception(e);
        });
    } catch (const tulip::cancelled_error&) {
        rethrown = true;
    }
    BOOST_TEST(cancelled.load() == 2);
    BOOST_TEST(rethrown);
}

BOOST_AUTO_TEST_CASE(run_per_core_echo_servers_share_a_port_with_reuse_port)
{
    // Every loop listens on the same port (SO_REUSEPORT); a client thread talks to it.
    std::atomic<unsigned short> port{0};
    std::latch bound(2);
    std::atomic<bool> stop{false};
    std::atomic<int> served{0};
    std::string replies;
    std::thread client([&] {
        bound.wait();
        asio::io_context ioc;
        for (int i = 0; i < 20; ++i) {
            tcp::socket s(ioc);
            s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port.load()));
            const std::string msg = "ping " + std::to_string(i) + "\n";
            asio::write(s, asio::buffer(msg));
            std::string reply(msg.size(), '\0');
            asio::read(s, asio::buffer(reply));
            replies += reply;
        }
        stop = true;
    });
    tulip::run_per_core(2, [&](std::size_t i) -> tulip::awaitable<void> {
        auto echo = [&served](tulip::stream_reader r,
                              tulip::stream_writer w) -> tulip::awaitable<void> {
            std::string line = co_await r.readline();
            w.write(line);
            co_await w.drain();
            ++served;
        };
        tulip::server_options opts;
        opts.reuse_port = true;
        // Loop 0 picks the port, then the other binds the same one.
        if (i == 1)
            while (port.load() == 0)
                co_await tulip::sleep(1ms);
        auto srv = co_await tulip::start_server(echo, "127.0.0.1", port.load(), opts);
        port = srv.sockets().front().port();
        bound.count_down();
        while (!stop.load())
            co_await tulip::sleep(5ms);
        srv.close();
        co_await srv.wait_closed();
    });
    client.join();
    BOOST_TEST(served.load() == 20);
    BOOST_TEST(replies.find("ping 19\n") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
