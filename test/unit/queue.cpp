//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// queue, priority_queue and lifo_queue (asyncio.Queue semantics, Python 3.13 shutdown):
// order, maxsize, the non-blocking members, task_done/join, shutdown, what a cancellation
// does to a getter or putter, completion tokens, plain Asio use and bad use.

#include <boost/tulip/queue.hpp>

#include <boost/tulip/test.hpp>

#include "helpers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;

namespace {

using tulip_test::describe;
using tulip_test::finish;
using tulip_test::holds;
using tulip_test::names_any;
using tulip_test::settle;
using tulip_test::thrown_by;

struct outcome
{
    bool completed = false; // the get/put completed successfully
    bool finished = false;  // the body ran to its end
    int value = -1;         // what a getter received
    std::exception_ptr error;
};

// Gets one item, logs `id`, then sleeps `after` (no suspension if zero).
template <class Q>
tulip::awaitable<void> get_one(Q& q, outcome& o, std::vector<int>* order = nullptr, int id = 0,
                               tulip::duration after = 0s)
{
    try {
        o.value = co_await q.get();
        o.completed = true;
        if (order)
            order->push_back(id);
        if (after > 0s)
            co_await tulip::sleep(after);
        o.finished = true;
    } catch (...) {
        o.error = std::current_exception();
    }
}

template <class Q>
tulip::awaitable<void> put_one(Q& q, int v, outcome& o, std::vector<int>* order = nullptr,
                               int id = 0, tulip::duration after = 0s)
{
    try {
        co_await q.put(v);
        o.completed = true;
        if (order)
            order->push_back(id);
        if (after > 0s)
            co_await tulip::sleep(after);
        o.finished = true;
    } catch (...) {
        o.error = std::current_exception();
    }
}

template <class Q>
tulip::awaitable<void> join_queue(Q& q, outcome& o)
{
    try {
        co_await q.join();
        o.completed = true;
        o.finished = true;
    } catch (...) {
        o.error = std::current_exception();
    }
}

// Takes every item left (non-blocking), in the queue's order.
template <class Q>
std::vector<int> drain(Q& q)
{
    std::vector<int> out;
    while (auto v = q.try_get())
        out.push_back(*v);
    return out;
}

std::vector<int> sorted(std::vector<int> v)
{
    std::sort(v.begin(), v.end());
    return v;
}

} // namespace

// One case per queue kind for behaviour they share (`body<Q>()` is the case).
#define QUEUE_KINDS_CASE(name)                                                                     \
    BOOST_TULIP_TEST_CASE(name##_queue)                                                            \
    {                                                                                              \
        co_await name<tulip::queue<int>>();                                                        \
    }                                                                                              \
    BOOST_TULIP_TEST_CASE(name##_priority_queue)                                                   \
    {                                                                                              \
        co_await name<tulip::priority_queue<int>>();                                               \
    }                                                                                              \
    BOOST_TULIP_TEST_CASE(name##_lifo_queue)                                                       \
    {                                                                                              \
        co_await name<tulip::lifo_queue<int>>();                                                   \
    }

BOOST_AUTO_TEST_SUITE(queue_suite)

// ---------------------------------------------------------------------------------------
// Order

BOOST_TULIP_TEST_CASE(queue_returns_items_in_fifo_order)
{
    tulip::queue<int> q;
    for (int v : {3, 1, 4, 1, 5})
        co_await q.put(v);
    std::vector<int> got;
    for (int i = 0; i < 5; ++i)
        got.push_back(co_await q.get());
    BOOST_TEST((got == std::vector<int>{3, 1, 4, 1, 5}));
    BOOST_TEST(q.empty());
}

BOOST_TULIP_TEST_CASE(priority_queue_returns_the_smallest_item_first)
{
    tulip::priority_queue<int> q;
    for (int v : {3, 1, 4, 1, 5, 9, 2, 6})
        q.put_nowait(v);
    std::vector<int> got;
    got.push_back(co_await q.get());
    got.push_back(q.get_nowait());
    while (auto v = q.try_get())
        got.push_back(*v);
    BOOST_TEST((got == std::vector<int>{1, 1, 2, 3, 4, 5, 6, 9}));
}

BOOST_TULIP_TEST_CASE(priority_queue_with_a_custom_compare_orders_by_it)
{
    tulip::priority_queue<int, std::greater<int>> q;
    for (int v : {3, 1, 4, 1, 5})
        co_await q.put(v);
    std::vector<int> got;
    for (int i = 0; i < 5; ++i)
        got.push_back(co_await q.get());
    BOOST_TEST((got == std::vector<int>{5, 4, 3, 1, 1}));
}

BOOST_TULIP_TEST_CASE(priority_queue_orders_pairs_by_priority_then_payload)
{
    tulip::priority_queue<std::pair<int, std::string>> q;
    q.put_nowait({2, "b"});
    q.put_nowait({1, "z"});
    q.put_nowait({2, "a"});
    BOOST_TEST((q.get_nowait() == std::pair<int, std::string>{1, "z"}));
    BOOST_TEST((q.get_nowait() == std::pair<int, std::string>{2, "a"}));
    BOOST_TEST(((co_await q.get()) == std::pair<int, std::string>{2, "b"}));
}

BOOST_TULIP_TEST_CASE(lifo_queue_returns_the_last_item_put_first)
{
    tulip::lifo_queue<int> q;
    for (int v : {1, 2, 3})
        co_await q.put(v);
    BOOST_TEST(co_await q.get() == 3);
    q.put_nowait(4);
    BOOST_TEST(q.get_nowait() == 4);
    BOOST_TEST(*q.try_get() == 2);
    BOOST_TEST(co_await q.get() == 1);
}

BOOST_TULIP_TEST_CASE(queue_holds_move_only_items)
{
    tulip::queue<std::unique_ptr<int>> q(2);
    co_await q.put(std::make_unique<int>(1));
    q.put_nowait(std::make_unique<int>(2));
    BOOST_CHECK_THROW(q.put_nowait(std::make_unique<int>(3)), tulip::queue_full);
    auto a = co_await q.get();
    auto b = q.get_nowait();
    BOOST_TEST((a && *a == 1));
    BOOST_TEST((b && *b == 2));
    q.put_nowait(std::make_unique<int>(5));
    auto c = q.try_get();
    BOOST_TEST((c && *c && **c == 5));
    tulip::lifo_queue<std::unique_ptr<int>> l;
    l.put_nowait(std::make_unique<int>(7));
    l.put_nowait(std::make_unique<int>(8));
    BOOST_TEST(*(co_await l.get()) == 8);
}

// ---------------------------------------------------------------------------------------
// Size, maxsize, the non-blocking members

template <class Q>
tulip::awaitable<void> size_members_report_the_state()
{
    Q unbounded;
    BOOST_TEST(unbounded.maxsize() == 0u);
    BOOST_TEST(unbounded.empty());
    for (int i = 0; i < 100; ++i)
        unbounded.put_nowait(i);
    BOOST_TEST(!unbounded.full()); // maxsize 0: never full
    BOOST_TEST(unbounded.qsize() == 100u);

    Q q(2);
    BOOST_TEST(q.maxsize() == 2u);
    BOOST_TEST(q.qsize() == 0u);
    BOOST_TEST(q.empty());
    BOOST_TEST(!q.full());
    co_await q.put(1);
    BOOST_TEST(q.qsize() == 1u);
    BOOST_TEST(!q.empty());
    BOOST_TEST(!q.full());
    q.put_nowait(2);
    BOOST_TEST(q.qsize() == 2u);
    BOOST_TEST(q.full());
    (void)co_await q.get();
    BOOST_TEST(q.qsize() == 1u);
    BOOST_TEST(!q.full());
}
QUEUE_KINDS_CASE(size_members_report_the_state)

template <class Q>
tulip::awaitable<void> put_nowait_on_a_full_queue_throws_queue_full()
{
    Q q(1);
    q.put_nowait(1);
    auto e = thrown_by([&] { q.put_nowait(2); });
    BOOST_TEST(holds<tulip::queue_full>(e), describe(e));
    BOOST_TEST(names_any(e, {"full"}), describe(e));
    BOOST_TEST(q.qsize() == 1u);
    BOOST_TEST(q.get_nowait() == 1);
    co_return;
}
QUEUE_KINDS_CASE(put_nowait_on_a_full_queue_throws_queue_full)

template <class Q>
tulip::awaitable<void> get_nowait_on_an_empty_queue_throws_queue_empty()
{
    Q q;
    auto e = thrown_by([&] { (void)q.get_nowait(); });
    BOOST_TEST(holds<tulip::queue_empty>(e), describe(e));
    BOOST_TEST(names_any(e, {"empty"}), describe(e));
    co_return;
}
QUEUE_KINDS_CASE(get_nowait_on_an_empty_queue_throws_queue_empty)

template <class Q>
tulip::awaitable<void> try_get_returns_nothing_when_empty()
{
    Q q;
    BOOST_TEST(!q.try_get().has_value());
    q.put_nowait(7);
    auto v = q.try_get();
    BOOST_TEST((v && *v == 7));
    BOOST_TEST(!q.try_get().has_value());
    co_return;
}
QUEUE_KINDS_CASE(try_get_returns_nothing_when_empty)

// ---------------------------------------------------------------------------------------
// Blocking get and put

template <class Q>
tulip::awaitable<void> get_waits_while_empty_and_getters_are_served_in_fifo_order()
{
    Q q;
    std::vector<int> order;
    std::vector<outcome> o(3);
    std::vector<tulip::task<>> ts;
    for (int i = 0; i < 3; ++i) {
        ts.push_back(tulip::create_task(get_one(q, o[static_cast<std::size_t>(i)], &order, i)));
        co_await tulip::sleep(0s);
    }
    co_await tulip::sleep(1h);
    BOOST_TEST(order.empty());
    for (int v : {10, 11, 12}) {
        q.put_nowait(v);
        co_await settle();
    }
    for (auto& t : ts)
        co_await finish(t);
    BOOST_TEST((order == std::vector<int>{0, 1, 2}));
    BOOST_TEST(o[0].value == 10);
    BOOST_TEST(o[1].value == 11);
    BOOST_TEST(o[2].value == 12);
    BOOST_TEST(q.empty());
}
QUEUE_KINDS_CASE(get_waits_while_empty_and_getters_are_served_in_fifo_order)

template <class Q>
tulip::awaitable<void> put_waits_while_full_and_completes_when_a_slot_frees()
{
    Q q(1);
    q.put_nowait(1);
    outcome p;
    auto t = tulip::create_task(put_one(q, 2, p));
    co_await tulip::sleep(1h);
    BOOST_TEST(!p.completed);
    BOOST_TEST(q.qsize() == 1u);
    BOOST_TEST(q.get_nowait() == 1);
    co_await finish(t);
    BOOST_TEST(p.completed);
    BOOST_TEST(q.qsize() == 1u);
    BOOST_TEST(q.get_nowait() == 2);
}
QUEUE_KINDS_CASE(put_waits_while_full_and_completes_when_a_slot_frees)

BOOST_TULIP_TEST_CASE(queue_blocked_putters_are_served_in_fifo_order)
{
    tulip::queue<int> q(1);
    q.put_nowait(0);
    std::vector<outcome> o(3);
    std::vector<tulip::task<>> ts;
    for (int i = 0; i < 3; ++i) {
        ts.push_back(tulip::create_task(put_one(q, i + 1, o[static_cast<std::size_t>(i)])));
        co_await tulip::sleep(0s);
    }
    co_await settle();
    std::vector<int> got;
    for (int i = 0; i < 4; ++i)
        got.push_back(co_await q.get());
    for (auto& t : ts)
        co_await finish(t);
    BOOST_TEST((got == std::vector<int>{0, 1, 2, 3}));
    BOOST_TEST(q.empty());
}

template <class Q>
tulip::awaitable<void> item_put_while_a_getter_waits_goes_to_that_getter()
{
    Q q;
    outcome g;
    auto t = tulip::create_task(get_one(q, g));
    co_await settle();
    q.put_nowait(5);
    BOOST_TEST(!q.try_get().has_value()); // no barging past the waiting getter
    co_await finish(t);
    BOOST_TEST(g.value == 5);
    BOOST_TEST(q.empty());
}
QUEUE_KINDS_CASE(item_put_while_a_getter_waits_goes_to_that_getter)

// ---------------------------------------------------------------------------------------
// task_done and join

BOOST_TULIP_TEST_CASE(queue_join_completes_at_once_without_unfinished_items)
{
    tulip::queue<int> q;
    const auto t0 = tulip::clock::now();
    co_await q.join();
    BOOST_TEST((tulip::clock::now() == t0));
}

template <class Q>
tulip::awaitable<void> join_waits_until_task_done_was_called_for_every_item()
{
    Q q;
    q.put_nowait(1);
    co_await q.put(2);
    outcome j1, j2;
    auto t1 = tulip::create_task(join_queue(q, j1));
    auto t2 = tulip::create_task(join_queue(q, j2));
    co_await tulip::sleep(1h);
    BOOST_TEST(!j1.completed);
    (void)co_await q.get();
    (void)co_await q.get();
    BOOST_TEST(q.empty());
    co_await tulip::sleep(1h);
    BOOST_TEST(!j1.completed); // taken, not done
    q.task_done();
    co_await settle();
    BOOST_TEST(!j1.completed);
    q.task_done();
    co_await finish(t1);
    co_await finish(t2);
    BOOST_TEST(j1.completed);
    BOOST_TEST(j2.completed);
}
QUEUE_KINDS_CASE(join_waits_until_task_done_was_called_for_every_item)

BOOST_TULIP_TEST_CASE(queue_item_handed_to_a_waiting_getter_still_counts_as_unfinished)
{
    tulip::queue<int> q;
    outcome g, j;
    auto tg = tulip::create_task(get_one(q, g));
    co_await settle();
    q.put_nowait(1);
    co_await finish(tg);
    auto tj = tulip::create_task(join_queue(q, j));
    co_await tulip::sleep(1h);
    BOOST_TEST(!j.completed);
    q.task_done();
    co_await finish(tj);
    BOOST_TEST(j.completed);
}

BOOST_TULIP_TEST_CASE(queue_task_done_called_too_often_throws_invalid_state_error)
{
    tulip::queue<int> q;
    auto e = thrown_by([&] { q.task_done(); });
    BOOST_TEST(holds<tulip::invalid_state_error>(e), describe(e));
    BOOST_TEST(names_any(e, {"task_done"}), describe(e));
    q.put_nowait(1);
    (void)q.get_nowait();
    q.task_done();
    BOOST_CHECK_THROW(q.task_done(), tulip::invalid_state_error);
    co_await q.join();
}

// ---------------------------------------------------------------------------------------
// shutdown (Python 3.13)

template <class Q>
tulip::awaitable<void> shutdown_makes_put_fail_at_once_and_get_fail_once_empty()
{
    Q q;
    q.put_nowait(1);
    q.put_nowait(2);
    q.shutdown();
    auto e1 = thrown_by([&] { q.put_nowait(3); });
    BOOST_TEST(holds<tulip::queue_shut_down>(e1), describe(e1));
    std::exception_ptr e2;
    try {
        co_await q.put(3);
    } catch (...) {
        e2 = std::current_exception();
    }
    BOOST_TEST(holds<tulip::queue_shut_down>(e2), describe(e2));
    BOOST_TEST(names_any(e2, {"shut"}), describe(e2));
    BOOST_TEST(q.qsize() == 2u);
    // What was put before is still delivered.
    std::vector<int> got;
    got.push_back(co_await q.get());
    got.push_back(q.get_nowait());
    BOOST_TEST((sorted(got) == std::vector<int>{1, 2}));
    auto e3 = thrown_by([&] { (void)q.get_nowait(); });
    BOOST_TEST(holds<tulip::queue_shut_down>(e3), describe(e3)); // not queue_empty
    std::exception_ptr e4;
    const auto t0 = tulip::clock::now();
    try {
        (void)co_await q.get();
    } catch (...) {
        e4 = std::current_exception();
    }
    BOOST_TEST(holds<tulip::queue_shut_down>(e4), describe(e4));
    BOOST_TEST((tulip::clock::now() == t0));
    BOOST_TEST(!q.try_get().has_value());
    BOOST_TEST(q.is_shut_down());
    q.shutdown(); // again: nothing changes
    q.task_done();
    q.task_done();
    co_await q.join();
}
QUEUE_KINDS_CASE(shutdown_makes_put_fail_at_once_and_get_fail_once_empty)

template <class Q>
tulip::awaitable<void> shutdown_fails_blocked_getters()
{
    Q q;
    outcome a, b;
    auto ta = tulip::create_task(get_one(q, a));
    auto tb = tulip::create_task(get_one(q, b));
    co_await settle();
    q.shutdown();
    co_await finish(ta);
    co_await finish(tb);
    BOOST_TEST(holds<tulip::queue_shut_down>(a.error), describe(a.error));
    BOOST_TEST(holds<tulip::queue_shut_down>(b.error), describe(b.error));
}
QUEUE_KINDS_CASE(shutdown_fails_blocked_getters)

template <class Q>
tulip::awaitable<void> shutdown_fails_blocked_putters()
{
    for (bool immediate : {false, true}) {
        Q q(1);
        q.put_nowait(1);
        outcome a, b;
        auto ta = tulip::create_task(put_one(q, 2, a));
        auto tb = tulip::create_task(put_one(q, 3, b));
        co_await settle();
        q.shutdown(immediate);
        co_await finish(ta);
        co_await finish(tb);
        BOOST_TEST(holds<tulip::queue_shut_down>(a.error),
                   "immediate=" << immediate << ": " << describe(a.error));
        BOOST_TEST(holds<tulip::queue_shut_down>(b.error),
                   "immediate=" << immediate << ": " << describe(b.error));
        BOOST_TEST((drain(q) == (immediate ? std::vector<int>{} : std::vector<int>{1})));
    }
}
QUEUE_KINDS_CASE(shutdown_fails_blocked_putters)

template <class Q>
tulip::awaitable<void> shutdown_immediate_drops_items_and_fails_gets_at_once()
{
    Q q;
    q.put_nowait(1);
    q.put_nowait(2);
    q.shutdown(true);
    BOOST_TEST(q.empty());
    BOOST_TEST(q.qsize() == 0u);
    auto e = thrown_by([&] { (void)q.get_nowait(); });
    BOOST_TEST(holds<tulip::queue_shut_down>(e), describe(e));
    std::exception_ptr e2;
    try {
        (void)co_await q.get();
    } catch (...) {
        e2 = std::current_exception();
    }
    BOOST_TEST(holds<tulip::queue_shut_down>(e2), describe(e2));
    BOOST_CHECK_THROW(q.put_nowait(3), tulip::queue_shut_down);
}
QUEUE_KINDS_CASE(shutdown_immediate_drops_items_and_fails_gets_at_once)

template <class Q>
tulip::awaitable<void>
shutdown_immediate_reduces_unfinished_by_the_dropped_items_and_releases_join()
{
    Q q;
    for (int i = 0; i < 4; ++i)
        q.put_nowait(i);
    (void)q.get_nowait(); // one taken, not yet done
    outcome j;
    auto tj = tulip::create_task(join_queue(q, j));
    co_await settle();
    q.shutdown(true); // drops 3
    co_await tulip::sleep(1h);
    BOOST_TEST(!j.completed); // the taken item is still unfinished
    q.task_done();
    co_await finish(tj);
    BOOST_TEST(j.completed);
    BOOST_CHECK_THROW(q.task_done(), tulip::invalid_state_error);
}
QUEUE_KINDS_CASE(shutdown_immediate_reduces_unfinished_by_the_dropped_items_and_releases_join)

template <class Q>
tulip::awaitable<void> shutdown_immediate_fails_blocked_getters()
{
    Q q;
    outcome a;
    auto ta = tulip::create_task(get_one(q, a));
    co_await settle();
    q.shutdown(true);
    co_await finish(ta);
    BOOST_TEST(holds<tulip::queue_shut_down>(a.error), describe(a.error));
}
QUEUE_KINDS_CASE(shutdown_immediate_fails_blocked_getters)

BOOST_TULIP_TEST_CASE(queue_shut_down_is_an_error_code_for_other_tokens)
{
    tulip::queue<int> q;
    q.shutdown();
    auto [ec, v] = co_await q.get(asio::as_tuple(asio::use_awaitable));
    BOOST_TEST((ec == tulip::error::queue_shut_down), ec.message());
    BOOST_TEST((&ec.category() == &tulip::tulip_category()));
    (void)v;
    auto [ec2] = co_await q.put(1, asio::as_tuple(asio::use_awaitable));
    BOOST_TEST((ec2 == tulip::error::queue_shut_down), ec2.message());
    error_code got;
    q.get([&](error_code e, int) { got = e; });
    co_await settle();
    BOOST_TEST((got == tulip::error::queue_shut_down), got.message());
    std::exception_ptr e;
    try {
        co_await q.put(1, asio::deferred);
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(holds<boost::system::system_error>(e), describe(e));
}

// ---------------------------------------------------------------------------------------
// Cancellation

template <class Q>
tulip::awaitable<void> getter_cancelled_before_being_chosen_leaves_and_the_next_gets_the_item()
{
    Q q;
    outcome a, b;
    auto ta = tulip::create_task(get_one(q, a));
    co_await tulip::sleep(0s);
    auto tb = tulip::create_task(get_one(q, b));
    co_await settle();
    ta.cancel();
    co_await finish(ta);
    BOOST_TEST(!a.completed);
    BOOST_TEST(tulip::is_cancellation(a.error));
    q.put_nowait(7);
    co_await finish(tb);
    BOOST_TEST(b.value == 7);
    BOOST_TEST(q.empty());
}
QUEUE_KINDS_CASE(getter_cancelled_before_being_chosen_leaves_and_the_next_gets_the_item)

template <class Q>
tulip::awaitable<void> getter_cancelled_in_the_same_step_before_the_put_leaves_the_item_queued()
{
    Q q;
    outcome a;
    auto ta = tulip::create_task(get_one(q, a));
    co_await settle();
    ta.cancel();
    q.put_nowait(7);
    co_await finish(ta);
    BOOST_TEST(!a.completed);
    BOOST_TEST(tulip::is_cancellation(a.error));
    BOOST_TEST((drain(q) == std::vector<int>{7}));
}
QUEUE_KINDS_CASE(getter_cancelled_in_the_same_step_before_the_put_leaves_the_item_queued)

template <class Q>
tulip::awaitable<void> getter_chosen_then_cancelled_still_receives_the_item()
{
    Q q;
    outcome a, b;
    auto ta = tulip::create_task(get_one(q, a, nullptr, 0, 1h));
    co_await tulip::sleep(0s);
    auto tb = tulip::create_task(get_one(q, b));
    co_await settle();
    const auto t0 = tulip::clock::now();
    q.put_nowait(7); // chooses ta
    ta.cancel();
    co_await finish(ta);
    BOOST_TEST(a.completed);
    BOOST_TEST(a.value == 7);
    BOOST_TEST(!a.finished);
    BOOST_TEST(tulip::is_cancellation(a.error)); // at the next suspension
    BOOST_TEST((tulip::clock::now() - t0 < 1h));
    BOOST_TEST(q.empty());
    BOOST_TEST(!b.completed);
    q.put_nowait(8);
    co_await finish(tb);
    BOOST_TEST(b.value == 8);
}
QUEUE_KINDS_CASE(getter_chosen_then_cancelled_still_receives_the_item)

template <class Q>
tulip::awaitable<void> putter_cancelled_before_being_chosen_does_not_insert_its_item()
{
    Q q(1);
    q.put_nowait(1);
    outcome a, b;
    auto ta = tulip::create_task(put_one(q, 2, a));
    co_await tulip::sleep(0s);
    auto tb = tulip::create_task(put_one(q, 3, b));
    co_await settle();
    ta.cancel();
    co_await finish(ta);
    BOOST_TEST(!a.completed);
    BOOST_TEST(tulip::is_cancellation(a.error));
    BOOST_TEST(q.get_nowait() == 1); // frees the slot: it goes to tb
    co_await finish(tb);
    BOOST_TEST(b.completed);
    BOOST_TEST((drain(q) == std::vector<int>{3}));
}
QUEUE_KINDS_CASE(putter_cancelled_before_being_chosen_does_not_insert_its_item)

template <class Q>
tulip::awaitable<void> putter_chosen_then_cancelled_has_put_its_item()
{
    Q q(1);
    q.put_nowait(1);
    outcome a, b;
    auto ta = tulip::create_task(put_one(q, 2, a, nullptr, 0, 1h));
    co_await tulip::sleep(0s);
    auto tb = tulip::create_task(put_one(q, 3, b));
    co_await settle();
    BOOST_TEST(q.get_nowait() == 1); // chooses ta
    ta.cancel();
    co_await finish(ta);
    BOOST_TEST(a.completed);
    BOOST_TEST(!a.finished);
    BOOST_TEST(tulip::is_cancellation(a.error));
    BOOST_TEST(!b.completed); // the one free slot went to ta
    BOOST_TEST(q.get_nowait() == 2);
    co_await finish(tb);
    BOOST_TEST(b.completed);
    BOOST_TEST((drain(q) == std::vector<int>{3}));
}
QUEUE_KINDS_CASE(putter_chosen_then_cancelled_has_put_its_item)

template <class Q>
tulip::awaitable<void> join_waiter_cancelled_leaves_the_others_waiting()
{
    Q q;
    q.put_nowait(1);
    outcome a, b;
    auto ta = tulip::create_task(join_queue(q, a));
    auto tb = tulip::create_task(join_queue(q, b));
    co_await settle();
    ta.cancel();
    co_await finish(ta);
    BOOST_TEST(tulip::is_cancellation(a.error));
    (void)q.get_nowait();
    q.task_done();
    co_await finish(tb);
    BOOST_TEST(b.completed);
}
QUEUE_KINDS_CASE(join_waiter_cancelled_leaves_the_others_waiting)

// ---------------------------------------------------------------------------------------
// Completion tokens and plain Asio code

BOOST_TULIP_TEST_CASE(queue_get_and_put_work_with_deferred_use_awaitable_and_callbacks)
{
    tulip::queue<int> q(1);
    co_await q.put(1, asio::deferred);
    BOOST_TEST(co_await q.get(asio::deferred) == 1);
    co_await q.put(2, asio::use_awaitable);
    BOOST_TEST(co_await q.get(asio::use_awaitable) == 2);
    co_await q.put(3, asio::as_tuple(asio::use_awaitable));
    auto [ec, v] = co_await q.get(asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(!ec);
    BOOST_TEST(v == 3);

    // Callbacks: never completed inside the call that wakes them.
    int got = 0;
    bool put_done = false;
    q.get([&](error_code e, int x) { got = e ? -1 : x; });
    co_await settle();
    BOOST_TEST(got == 0);
    q.put_nowait(4);
    BOOST_TEST(got == 0);
    co_await settle();
    BOOST_TEST(got == 4);
    q.put_nowait(5);
    q.put(6, [&](error_code e) { put_done = !e; });
    co_await settle();
    BOOST_TEST(!put_done);
    BOOST_TEST(q.get_nowait() == 5);
    BOOST_TEST(!put_done);
    co_await settle();
    BOOST_TEST(put_done);
    BOOST_TEST(q.get_nowait() == 6);
    q.put_nowait(7);
    bool joined = false;
    q.join([&](error_code e) { joined = !e; });
    (void)q.get_nowait();
    for (int i = 0; i < 7; ++i)
        q.task_done();
    BOOST_TEST(!joined);
    co_await settle();
    BOOST_TEST(joined);
}

BOOST_TULIP_TEST_CASE(queue_get_callback_cancelled_through_a_bound_slot_takes_nothing)
{
    tulip::queue<int> q;
    asio::cancellation_signal sig;
    error_code got;
    int value = -1;
    q.get(asio::bind_cancellation_slot(sig.slot(), [&](error_code e, int x) {
        got = e;
        value = x;
    }));
    co_await settle();
    sig.emit(asio::cancellation_type::terminal);
    co_await settle();
    BOOST_TEST((got == asio::error::operation_aborted), got.message());
    q.put_nowait(9);
    co_await settle();
    BOOST_TEST((drain(q) == std::vector<int>{9}));
}

BOOST_TULIP_TEST_CASE(queue_put_callback_cancelled_through_a_bound_slot_inserts_nothing)
{
    tulip::queue<int> q(1);
    q.put_nowait(1);
    asio::cancellation_signal sig;
    error_code got;
    q.put(2, asio::bind_cancellation_slot(sig.slot(), [&](error_code e) { got = e; }));
    co_await settle();
    sig.emit(asio::cancellation_type::partial);
    co_await settle();
    BOOST_TEST((got == asio::error::operation_aborted), got.message());
    BOOST_TEST((drain(q) == std::vector<int>{1}));
    co_await settle();
    BOOST_TEST(q.empty());
}

BOOST_TULIP_TEST_CASE(queue_join_callback_cancelled_through_a_bound_slot)
{
    tulip::queue<int> q;
    q.put_nowait(1);
    asio::cancellation_signal sig;
    error_code got;
    int calls = 0;
    q.join(asio::bind_cancellation_slot(sig.slot(), [&](error_code e) {
        got = e;
        ++calls;
    }));
    co_await settle();
    sig.emit(asio::cancellation_type::total);
    co_await settle();
    BOOST_TEST((got == asio::error::operation_aborted), got.message());
    (void)q.get_nowait();
    q.task_done();
    co_await settle();
    BOOST_TEST(calls == 1);
}

BOOST_TULIP_TEST_CASE(queue_awaitable_or_operator_cancels_the_losing_get)
{
    using namespace asio::experimental::awaitable_operators;
    tulip::queue<int> q;
    auto r = co_await (q.get(asio::use_awaitable) || tulip::sleep(1s, asio::use_awaitable));
    BOOST_TEST(r.index() == 1u);
    q.put_nowait(3);
    co_await settle();
    BOOST_TEST((drain(q) == std::vector<int>{3})); // the abandoned get took nothing
}

asio::awaitable<void> plain_producer(tulip::queue<int>& q, int n)
{
    for (int i = 0; i < n; ++i)
        co_await q.put(i, asio::use_awaitable);
    co_await q.join(asio::deferred);
}

asio::awaitable<void> plain_consumer(tulip::queue<int>& q, std::vector<int>& got, int n)
{
    for (int i = 0; i < n; ++i) {
        got.push_back(co_await q.get(asio::use_awaitable));
        q.task_done();
    }
}

BOOST_TULIP_TEST_CASE(queue_works_from_plain_asio_coroutines_on_the_loops_io_context)
{
    tulip::queue<int> q(2);
    std::vector<int> got;
    int done = 0;
    std::exception_ptr err;
    auto& ioc = tulip::get_running_loop().get_io_context();
    auto on_done = [&](std::exception_ptr e) {
        if (e)
            err = e;
        ++done;
    };
    asio::co_spawn(ioc, plain_producer(q, 10), on_done);
    asio::co_spawn(ioc, plain_consumer(q, got, 10), on_done);
    co_await tulip::sleep(1s);
    BOOST_TEST(done == 2);
    BOOST_TEST(!err, describe(err));
    BOOST_TEST((got == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

BOOST_AUTO_TEST_CASE(queue_works_from_plain_asio_code_on_an_io_context_run_directly)
{
    asio::io_context ioc;
    tulip::queue<int> q(2);
    std::vector<int> got;
    int done = 0;
    std::exception_ptr err;
    auto on_done = [&](std::exception_ptr e) {
        if (e)
            err = e;
        ++done;
    };
    asio::co_spawn(ioc, plain_producer(q, 10), on_done);
    asio::co_spawn(ioc, plain_consumer(q, got, 10), on_done);
    int callback = -1;
    asio::post(ioc, [&] {
        q.get(asio::bind_executor(ioc.get_executor(), [&](error_code e, int) {
            callback = e ? 1 : 0;
            if (!e)
                q.task_done();
        }));
    });
    while (ioc.poll() != 0) // until nothing is ready: one getter still waits then
        ;
    BOOST_TEST(done < 2);
    q.put_nowait(0);
    ioc.restart();
    ioc.run_for(std::chrono::seconds(5)); // returns once out of work; bounded should it hang
    BOOST_TEST(done == 2);
    BOOST_TEST(!err, describe(err));
    // The callback getter waited behind the consumer's gets (FIFO); it got the extra item.
    BOOST_TEST(callback == 0);
    BOOST_TEST(got.size() == 10u);
}

// ---------------------------------------------------------------------------------------
// Bad use: another loop, another thread

tulip::awaitable<std::vector<std::exception_ptr>> use_queue(tulip::queue<int>& q)
{
    std::vector<std::exception_ptr> out;
    try {
        co_await q.put(1);
        out.push_back(nullptr);
    } catch (...) {
        out.push_back(std::current_exception());
    }
    try {
        (void)co_await q.get();
        out.push_back(nullptr);
    } catch (...) {
        out.push_back(std::current_exception());
    }
    try {
        q.task_done();
        co_await q.join();
        out.push_back(nullptr);
    } catch (...) {
        out.push_back(std::current_exception());
    }
    co_return out;
}

BOOST_AUTO_TEST_CASE(queue_bound_to_one_loop_rejects_operations_from_another_loop)
{
    tulip::queue<int> q;
    tulip::runner first;
    tulip::runner second;
    auto ok = first.run(use_queue(q));
    for (auto& e : ok)
        BOOST_TEST(!e, describe(e));
    q.put_nowait(5);
    auto bad = second.run(use_queue(q));
    BOOST_TEST_REQUIRE(bad.size() == 3u);
    // put and get must fail (join may complete at once if nothing is unfinished)
    for (std::size_t i = 0; i < 2; ++i) {
        BOOST_TEST(holds<tulip::invalid_state_error>(bad[i]), i << ": " << describe(bad[i]));
        BOOST_TEST(names_any(bad[i], {"loop"}), i << ": " << describe(bad[i]));
    }
    BOOST_TEST((drain(q) == std::vector<int>{5}));
}

BOOST_AUTO_TEST_CASE(queue_bound_to_one_loop_rejects_operations_from_another_thread)
{
    tulip::queue<int> q;
    tulip::runner first;
    auto ok = first.run(use_queue(q));
    for (auto& e : ok)
        BOOST_TEST(!e, describe(e));
    std::vector<std::exception_ptr> bad;
    std::exception_ptr outer;
    std::thread th([&] {
        try {
            bad = tulip::run(use_queue(q));
        } catch (...) {
            outer = std::current_exception();
        }
    });
    th.join();
    BOOST_TEST(!outer, describe(outer));
    BOOST_TEST_REQUIRE(bad.size() == 3u);
    for (std::size_t i = 0; i < 2; ++i) {
        BOOST_TEST(holds<tulip::invalid_state_error>(bad[i]), i << ": " << describe(bad[i]));
        BOOST_TEST(names_any(bad[i], {"loop", "thread"}), i << ": " << describe(bad[i]));
    }
    BOOST_TEST(q.empty());
}

// ---------------------------------------------------------------------------------------
// Loop shutdown with waiters pending

struct queue_leftovers
{
    tulip::queue<int> empty_q;
    tulip::queue<int> full_q{1};
    tulip::priority_queue<int> pq;
    tulip::lifo_queue<int> lq{1};
    std::vector<outcome> o = std::vector<outcome>(6);
};

tulip::awaitable<void> leave_queue_waiters(queue_leftovers& x)
{
    x.full_q.put_nowait(1);
    x.lq.put_nowait(1);
    tulip::create_task(get_one(x.empty_q, x.o[0]));
    tulip::create_task(get_one(x.pq, x.o[1]));
    tulip::create_task(put_one(x.full_q, 2, x.o[2]));
    tulip::create_task(put_one(x.lq, 2, x.o[3]));
    tulip::create_task(join_queue(x.full_q, x.o[4]));
    tulip::create_task(get_one(x.empty_q, x.o[5]));
    co_await tulip::sleep(1ms);
}

BOOST_AUTO_TEST_CASE(runner_closed_with_tasks_waiting_on_queues_cancels_them_cleanly)
{
    queue_leftovers x;
    {
        tulip::runner r;
        r.run(leave_queue_waiters(x));
    }
    for (std::size_t i = 0; i < x.o.size(); ++i) {
        BOOST_TEST(!x.o[i].completed, "waiter " << i);
        BOOST_TEST(tulip::is_cancellation(x.o[i].error),
                   "waiter " << i << ": " << describe(x.o[i].error));
    }
    BOOST_TEST((drain(x.full_q) == std::vector<int>{1}));
    BOOST_TEST((drain(x.lq) == std::vector<int>{1}));
    BOOST_TEST(x.empty_q.empty());
}

BOOST_TULIP_TEST_CASE(queues_destroyed_with_callback_waiters_release_their_handlers)
{
    auto token = std::make_shared<int>(0);
    int wrong = 0;
    auto check = [&wrong](error_code ec) {
        if (ec != asio::error::operation_aborted)
            ++wrong;
    };
    {
        tulip::queue<int> q;
        tulip::priority_queue<int> pq(1);
        tulip::lifo_queue<std::string> lq;
        pq.put_nowait(1);
        lq.put_nowait("x");
        q.get([token, check](error_code ec, int) { check(ec); });
        pq.put(2, [token, check](error_code ec) { check(ec); });
        lq.join([token, check](error_code ec) { check(ec); });
        co_await settle();
        BOOST_TEST(token.use_count() == 4);
    }
    co_await settle();
    BOOST_TEST(token.use_count() == 1);
    BOOST_TEST(wrong == 0);
}

BOOST_AUTO_TEST_CASE(io_context_destroyed_with_tasks_and_callbacks_waiting_on_queues)
{
    queue_leftovers x;
    auto token = std::make_shared<int>(0);
    {
        asio::io_context ioc;
        tulip::create_task(ioc, leave_queue_waiters(x));
        asio::post(ioc, [&] {
            x.empty_q.get(asio::bind_executor(ioc.get_executor(), [token](error_code, int) {}));
        });
        while (ioc.poll() != 0) // until nothing is ready: everything waits then
            ;
        BOOST_TEST(token.use_count() > 1);
    }
    BOOST_TEST(token.use_count() == 1); // the abandoned handlers were freed
    BOOST_TEST((drain(x.full_q) == std::vector<int>{1}));
    BOOST_TEST(x.empty_q.empty());
}

BOOST_AUTO_TEST_SUITE_END()
