//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/sleep.hpp>

#include <boost/tulip/test.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(sleep_suite)

BOOST_TULIP_TEST_CASE(sleep_default_token_is_awaitable_and_advances_virtual_time)
{
    auto& loop = tulip::get_running_loop();
    auto t0 = loop.time();
    co_await tulip::sleep(1h);
    BOOST_TEST((loop.time() - t0 >= 1h));
    BOOST_TEST((loop.time() - t0 < 1h + 1s));
}

BOOST_TULIP_TEST_CASE(sleep_with_use_awaitable)
{
    auto t0 = tulip::clock::now();
    co_await tulip::sleep(5s, asio::use_awaitable);
    BOOST_TEST((tulip::clock::now() - t0 == 5s));
}

BOOST_TULIP_TEST_CASE(sleep_with_deferred_composes)
{
    auto op = tulip::sleep(2s, asio::deferred);
    auto t0 = tulip::clock::now();
    co_await std::move(op);
    BOOST_TEST((tulip::clock::now() - t0 == 2s));
}

BOOST_TULIP_TEST_CASE(sleep_with_plain_callback)
{
    tulip::future<int> done = tulip::get_running_loop().create_future<int>();
    tulip::sleep(3s, [done](boost::system::error_code ec) mutable { done.set_result(ec ? 1 : 2); });
    BOOST_TEST(co_await done.wait() == 2);
}

BOOST_TULIP_TEST_CASE(sleep_with_use_future)
{
    std::future<void> f = tulip::sleep(1s, asio::use_future);
    BOOST_TEST((f.wait_for(0s) == std::future_status::timeout));
    co_await tulip::sleep(2s);
    BOOST_TEST((f.wait_for(0s) == std::future_status::ready));
    f.get();
}

BOOST_TULIP_TEST_CASE(sleep_cancelled_through_bound_slot_completes_with_operation_aborted)
{
    asio::cancellation_signal sig;
    boost::system::error_code result = tulip::error::invalid_state;
    bool called = false;
    tulip::sleep(10s, asio::bind_cancellation_slot(sig.slot(), [&](boost::system::error_code ec) {
                     called = true;
                     result = ec;
                 }));
    co_await tulip::sleep(1s);
    BOOST_TEST(!called);
    sig.emit(asio::cancellation_type::terminal);
    co_await tulip::sleep(0s);
    BOOST_TEST(called);
    BOOST_TEST((result == asio::error::operation_aborted));
    // The aborted timer must not fire later: the test would see a pending timer.
}

BOOST_TULIP_TEST_CASE(sleep_zero_yields_to_other_ready_work)
{
    std::vector<int> order;
    auto& loop = tulip::get_running_loop();
    loop.call_soon([&] { order.push_back(1); });
    co_await tulip::sleep(0s);
    order.push_back(2);
    BOOST_TEST((order == std::vector<int>{1, 2}));
}

BOOST_TULIP_TEST_CASE(sleeps_complete_in_deadline_order_and_fifo_for_ties)
{
    std::vector<int> order;
    auto& loop = tulip::get_running_loop();
    for (int i : {3, 1, 2})
        tulip::sleep(std::chrono::seconds(i),
                     [&order, i](boost::system::error_code) { order.push_back(i); });
    for (int i : {10, 11})
        tulip::sleep(5s, [&order, i](boost::system::error_code) { order.push_back(i); });
    co_await tulip::sleep(6s);
    BOOST_TEST((order == std::vector<int>{1, 2, 3, 10, 11}));
    (void)loop;
}

BOOST_AUTO_TEST_SUITE_END()
