//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// gather and gather_settled (asyncio.gather, with and without return_exceptions).

#include <boost/tulip/gather.hpp>

#include <boost/tulip/test.hpp>

#include "helpers.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

namespace {

using tulip_test::cancel_later;
using tulip_test::cancel_message;
using tulip_test::fail_after;
using tulip_test::immediate;
using tulip_test::mark_after;
using tulip_test::now;
using tulip_test::value_after;
using tulip_test::what_of;

tulip::awaitable<std::unique_ptr<int>> boxed(int v)
{
    co_await tulip::sleep(1s);
    co_return std::make_unique<int>(v);
}

// Catches the cancellation, cleans up for `cleanup`, then lets it go.
tulip::awaitable<int> slow_to_cancel(tulip::duration cleanup, bool& cleaned)
{
    std::exception_ptr e;
    try {
        co_await tulip::sleep(1h);
    } catch (...) {
        e = std::current_exception();
    }
    co_await tulip::sleep(cleanup);
    cleaned = true;
    std::rethrow_exception(e);
}

} // namespace

BOOST_AUTO_TEST_SUITE(gather_suite)

BOOST_TULIP_TEST_CASE(gather_returns_results_in_argument_order)
{
    const auto start = now();
    auto [a, b, c] =
        co_await tulip::gather(value_after(3s, 1), value_after(1s, 2), value_after(2s, 3));
    BOOST_TEST(a == 1);
    BOOST_TEST(b == 2);
    BOOST_TEST(c == 3);
    BOOST_TEST((now() - start == 3s)); // concurrently, not one after the other
}

BOOST_TULIP_TEST_CASE(gather_accepts_tasks_and_awaitables_together)
{
    auto t = tulip::create_task(value_after(1s, 10));
    bool flag = false;
    auto [a, b, c] = co_await tulip::gather(t, value_after(2s, 20), mark_after(1s, flag));
    static_assert(std::is_same_v<decltype(c), std::monostate>);
    BOOST_TEST(a == 10);
    BOOST_TEST(b == 20);
    BOOST_TEST(flag);
    BOOST_TEST(t.done());
}

BOOST_TULIP_TEST_CASE(gather_of_a_vector_of_tasks_returns_a_vector_in_order)
{
    std::vector<tulip::task<int>> tasks;
    for (int i = 0; i < 5; ++i)
        tasks.push_back(tulip::create_task(value_after(std::chrono::seconds(5 - i), i)));
    const std::vector<int> r = co_await tulip::gather(tasks);
    BOOST_TEST(r == (std::vector<int>{0, 1, 2, 3, 4}));
}

BOOST_TULIP_TEST_CASE(gather_of_a_vector_of_awaitables_schedules_each_as_a_task)
{
    std::vector<tulip::awaitable<int>> children;
    for (int i = 0; i < 4; ++i)
        children.push_back(value_after(1s, i * i));
    const auto start = now();
    const std::vector<int> r = co_await tulip::gather(std::move(children));
    BOOST_TEST(r == (std::vector<int>{0, 1, 4, 9}));
    BOOST_TEST((now() - start == 1s));
}

BOOST_TULIP_TEST_CASE(gather_of_void_tasks_gives_one_monostate_per_task)
{
    bool a = false, b = false;
    std::vector<tulip::any_task> tasks{tulip::create_task(mark_after(1s, a)),
                                       tulip::create_task(mark_after(2s, b))};
    const std::vector<std::monostate> r = co_await tulip::gather(tasks);
    BOOST_TEST(r.size() == 2u);
    BOOST_TEST(a);
    BOOST_TEST(b);
}

BOOST_TULIP_TEST_CASE(gather_of_zero_tasks_returns_at_once)
{
    bool other_ran = false;
    auto other = tulip::create_task(mark_after(0s, other_ran));
    const auto start = now();
    auto empty = co_await tulip::gather();
    static_assert(std::tuple_size_v<decltype(empty)> == 0);
    const auto none = co_await tulip::gather(std::vector<tulip::task<int>>{});
    const auto none_settled = co_await tulip::gather_settled(std::vector<tulip::awaitable<int>>{});
    BOOST_TEST(none.empty());
    BOOST_TEST(none_settled.empty());
    BOOST_TEST((now() == start));
    BOOST_TEST(!other_ran); // it did not even yield to the loop
    co_await other.wait();
}

BOOST_TULIP_TEST_CASE(gather_schedules_awaitables_when_called_not_when_awaited)
{
    bool started = false;
    auto g = tulip::gather(mark_after(0s, started));
    co_await tulip::sleep(1s);
    BOOST_TEST(started);
    co_await std::move(g);
}

BOOST_TULIP_TEST_CASE(gather_first_exception_propagates_at_once_while_others_keep_running)
{
    auto slow = tulip::create_task(value_after(5s, 1));
    const auto start = now();
    std::exception_ptr e;
    try {
        co_await tulip::gather(slow, fail_after(1s, "first"), fail_after(2s, "second"));
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(what_of(e) == "first");
    BOOST_TEST((now() - start == 1s));
    BOOST_TEST(!slow.done());
    BOOST_TEST(co_await slow.wait() == 1); // not cancelled
    BOOST_TEST((now() - start == 5s));
}

BOOST_TULIP_TEST_CASE(gather_later_child_exceptions_are_marked_retrieved_not_reported)
{
    // The test runner fails the case if the loop's exception handler is called.
    std::exception_ptr e;
    try {
        co_await tulip::gather(fail_after(1s, "first"), fail_after(2s, "second"));
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(what_of(e) == "first");
    co_await tulip::sleep(3s); // the second fails meanwhile
}

BOOST_TULIP_TEST_CASE(gather_cancelling_the_awaiter_cancels_all_children)
{
    auto a = tulip::create_task(value_after(1h, 1));
    auto b = tulip::create_task(value_after(1h, 2));
    auto awaiter = tulip::create_task(tulip::gather(a, b));
    cancel_later(awaiter, 1s, "stop");
    std::exception_ptr e;
    try {
        co_await awaiter.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(awaiter.cancelled());
    BOOST_TEST(a.cancelled());
    BOOST_TEST(b.cancelled());
    BOOST_TEST(cancel_message(a.get_state()->outcome()) == "stop");
}

BOOST_TULIP_TEST_CASE(gather_of_awaitables_cancelled_cancels_the_tasks_it_made)
{
    bool a_done = false, b_done = false;
    auto awaiter =
        tulip::create_task(tulip::gather(mark_after(1h, a_done), mark_after(1h, b_done)));
    co_await tulip::sleep(1s);
    awaiter.cancel();
    co_await tulip::sleep(1s);
    BOOST_TEST(awaiter.cancelled());
    BOOST_TEST(tulip::all_tasks().size() == 1u); // only this test's task is left
    BOOST_TEST(!a_done);
    BOOST_TEST(!b_done);
}

BOOST_TULIP_TEST_CASE(gather_a_child_cancelled_directly_propagates_cancelled_error)
{
    auto a = tulip::create_task(value_after(1h, 1));
    auto b = tulip::create_task(value_after(2s, 2));
    cancel_later(a, 1s, "child only");
    std::exception_ptr e;
    try {
        co_await tulip::gather(a, b);
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(cancel_message(e) == "child only");
    BOOST_TEST(tulip::current_task().cancelling() == 0); // the awaiter was not cancelled
    BOOST_TEST(co_await b.wait() == 2);
}

BOOST_TULIP_TEST_CASE(gather_of_tasks_already_done)
{
    auto a = tulip::create_task(immediate(1));
    auto b = tulip::create_task(immediate(2));
    co_await tulip::sleep(1s);
    BOOST_TEST(a.done());
    auto [x, y] = co_await tulip::gather(a, b);
    BOOST_TEST(x + y == 3);
}

BOOST_TULIP_TEST_CASE(gather_of_a_task_that_already_failed_throws_its_exception)
{
    auto a = tulip::create_task(fail_after(0s, "early"));
    co_await tulip::sleep(1s);
    BOOST_TEST(a.done());
    std::exception_ptr e;
    try {
        co_await tulip::gather(tulip::create_task(value_after(1s, 1)), a);
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(what_of(e) == "early");
    co_await tulip::sleep(2s);
}

BOOST_TULIP_TEST_CASE(gather_moves_move_only_results_out)
{
    auto [a, b] = co_await tulip::gather(boxed(1), boxed(2));
    BOOST_TEST(*a + *b == 3);
    std::vector<tulip::awaitable<std::unique_ptr<int>>> v;
    v.push_back(boxed(5));
    auto r = co_await tulip::gather(std::move(v));
    BOOST_TEST(*r.at(0) == 5);
}

BOOST_TULIP_TEST_CASE(gather_waits_for_ten_thousand_tasks)
{
    std::vector<tulip::awaitable<int>> children;
    for (int i = 0; i < 10000; ++i)
        children.push_back(i % 2 ? value_after(std::chrono::milliseconds(i % 7), i) : immediate(i));
    const auto r = co_await tulip::gather(std::move(children));
    long sum = 0;
    bool ordered = true;
    for (int i = 0; i < static_cast<int>(r.size()); ++i) {
        sum += r[i];
        ordered = ordered && r[i] == i;
    }
    BOOST_TEST(r.size() == 10000u);
    BOOST_TEST(ordered);
    BOOST_TEST(sum == 10000L * 9999 / 2);
}

BOOST_TULIP_TEST_CASE(gather_rejects_an_empty_task_handle)
{
    BOOST_CHECK_THROW((void)tulip::gather(tulip::task<int>()), tulip::invalid_state_error);
    BOOST_CHECK_THROW((void)tulip::gather(std::vector<tulip::task<int>>(2)),
                      tulip::invalid_state_error);
    co_return;
}

// --- gather_settled -------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(gather_settled_returns_every_outcome_in_order)
{
    auto c = tulip::create_task(value_after(1h, 3));
    cancel_later(c, 1s, "gone");
    bool flag = false;
    auto [ok, failed, cancelled, nothing] = co_await tulip::gather_settled(
        value_after(2s, 1), fail_after(1s, "boom"), c, mark_after(3s, flag));
    BOOST_TEST(ok.has_value());
    BOOST_TEST(*ok == 1);
    BOOST_TEST(failed.has_error());
    BOOST_TEST(what_of(failed.error()) == "boom");
    BOOST_TEST(cancelled.has_error());
    BOOST_TEST(cancel_message(cancelled.error()) == "gone");
    static_assert(std::is_same_v<decltype(nothing), tulip::settled_result<void>>);
    BOOST_TEST(nothing.has_value());
    BOOST_TEST(flag); // it waited for everything
    BOOST_CHECK_THROW(failed.value(), std::runtime_error);
}

BOOST_TULIP_TEST_CASE(gather_settled_of_vectors_of_tasks_and_awaitables)
{
    std::vector<tulip::awaitable<int>> children;
    children.push_back(value_after(1s, 1));
    children.push_back(fail_after(2s, "two"));
    const auto r = co_await tulip::gather_settled(std::move(children));
    BOOST_TEST(r.size() == 2u);
    BOOST_TEST(*r[0] == 1);
    BOOST_TEST(what_of(r[1].error()) == "two");

    std::vector<tulip::task<int>> tasks{tulip::create_task(fail_after(1s, "x")),
                                        tulip::create_task(value_after(1s, 7))};
    const auto s = co_await tulip::gather_settled(tasks);
    BOOST_TEST(s[0].has_error());
    BOOST_TEST(*s[1] == 7);
}

BOOST_TULIP_TEST_CASE(gather_settled_cancelling_the_awaiter_cancels_children_and_waits_for_all)
{
    bool cleaned = false;
    auto a = tulip::create_task(slow_to_cancel(3s, cleaned));
    auto b = tulip::create_task(value_after(1h, 2));
    auto awaiter = tulip::create_task(tulip::gather_settled(a, b));
    cancel_later(awaiter, 1s);
    const auto start = now();
    std::exception_ptr e;
    try {
        co_await awaiter.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(cleaned);
    BOOST_TEST((now() - start == 4s)); // 1 s, then a's 3 s of cleanup
    BOOST_TEST(a.cancelled());
    BOOST_TEST(b.cancelled());
}

BOOST_TULIP_TEST_CASE(gather_cancelled_awaiter_gets_the_cancellation_even_if_children_finish)
{
    // A child that swallows the cancellation and returns: asyncio still raises
    // CancelledError in the awaiter of a cancelled gather.
    auto swallow = []() -> tulip::awaitable<int> {
        try {
            co_await tulip::sleep(1h);
        } catch (...) {
        }
        co_return 5;
    };
    auto child = tulip::create_task(swallow());
    auto awaiter = tulip::create_task(tulip::gather(child));
    cancel_later(awaiter, 1s);
    std::exception_ptr e;
    try {
        co_await awaiter.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(co_await child.wait() == 5);
}

BOOST_AUTO_TEST_SUITE_END()
