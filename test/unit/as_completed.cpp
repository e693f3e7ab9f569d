//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/as_completed.hpp>

#include <boost/tulip/test.hpp>

#include "helpers.hpp"

#include <vector>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;
using tulip::awaitable;

BOOST_AUTO_TEST_SUITE(as_completed_suite)

BOOST_TULIP_TEST_CASE(as_completed_yields_tasks_in_completion_order)
{
    std::vector<tulip::task<int>> tasks{
        tulip::create_task(tulip_test::value_after(3s, 3)),
        tulip::create_task(tulip_test::value_after(1s, 1)),
        tulip::create_task(tulip_test::value_after(2s, 2)),
    };
    auto first = tasks[1];
    std::vector<int> order;
    auto it = tulip::as_completed(tasks);
    while (auto t = co_await it.next()) {
        BOOST_TEST(t->done());
        order.push_back(t->result());
        if (order.size() == 1)
            BOOST_TEST((*t == first)); // the original handle
    }
    BOOST_TEST((order == std::vector<int>{1, 2, 3}));
}

BOOST_TULIP_TEST_CASE(as_completed_of_typed_tasks_converts_to_a_generator_of_any_task)
{
    // DESIGN's signature: as_completed(tasks) -> async_generator<any_task>.
    std::vector<tulip::task<int>> tasks{
        tulip::create_task(tulip_test::value_after(2s, 2)),
        tulip::create_task(tulip_test::value_after(1s, 1)),
    };
    tulip::async_generator<tulip::any_task> it = tulip::as_completed(tasks);
    auto a = co_await it.next();
    BOOST_TEST((*a == tasks[1]));
    auto b = co_await it.next();
    BOOST_TEST((*b == tasks[0]));
    BOOST_TEST(!(co_await it.next()).has_value());
}

BOOST_TULIP_TEST_CASE(as_completed_yields_already_done_and_failed_tasks)
{
    auto fails = []() -> awaitable<void> {
        co_await tulip::sleep(1s);
        throw std::runtime_error("x");
    };
    std::vector<tulip::any_task> tasks{tulip::create_task(fails()),
                                       tulip::create_task(tulip_test::value_after(0s, 0))};
    co_await tulip::sleep(0s);
    co_await tulip::sleep(0s);
    BOOST_TEST(tasks[1].done());
    auto it = tulip::as_completed(tasks);
    auto a = co_await it.next();
    BOOST_TEST((*a == tasks[1]));
    auto b = co_await it.next();
    BOOST_TEST((*b == tasks[0]));
    BOOST_TEST(static_cast<bool>(b->exception()));
    BOOST_TEST(!(co_await it.next()).has_value());
}

BOOST_TULIP_TEST_CASE(as_completed_of_no_tasks_is_empty)
{
    auto it = tulip::as_completed(std::vector<tulip::task<int>>{});
    BOOST_TEST(!(co_await it.next()).has_value());
}

BOOST_TULIP_TEST_CASE(as_completed_closed_early_leaves_the_tasks_running)
{
    std::vector<tulip::task<int>> tasks{tulip::create_task(tulip_test::value_after(1s, 1)),
                                        tulip::create_task(tulip_test::value_after(5s, 5))};
    {
        auto it = tulip::as_completed(tasks);
        co_await it.next();
        co_await it.aclose();
    }
    BOOST_TEST(!tasks[1].done());
    BOOST_TEST(co_await tasks[1].wait() == 5);
}

BOOST_TULIP_TEST_CASE(as_completed_consumer_cancelled_while_waiting_leaves_tasks_alone)
{
    std::vector<tulip::task<int>> tasks{tulip::create_task(tulip_test::value_after(10s, 1))};
    auto consumer = tulip::create_task([](std::vector<tulip::task<int>> ts) -> awaitable<void> {
        auto it = tulip::as_completed(std::move(ts));
        co_await it.next();
    }(tasks));
    co_await tulip::sleep(1s);
    consumer.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(consumer));
    BOOST_TEST(!tasks[0].cancelled());
    BOOST_TEST(co_await tasks[0].wait() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
