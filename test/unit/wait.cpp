//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// wait with return_when and a timeout (asyncio.wait), and shield (asyncio.shield),
// including run() waiting for a shielded task at exit.

#include <boost/tulip/wait.hpp>

#include <boost/tulip/run.hpp>
#include <boost/tulip/test.hpp>

#include "helpers.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

namespace {

using tulip_test::cancel_later;
using tulip_test::cancel_message;
using tulip_test::fail_after;
using tulip_test::mark_after;
using tulip_test::now;
using tulip_test::value_after;
using tulip_test::what_of;

template <class T>
std::vector<tulip::task<T>> tasks_of(std::vector<tulip::awaitable<T>> v)
{
    std::vector<tulip::task<T>> out;
    for (auto& a : v)
        out.push_back(tulip::create_task(std::move(a)));
    return out;
}

// Cancels every task and waits for them all.
tulip::awaitable<void> cancel_all(std::vector<tulip::task<int>> tasks)
{
    for (auto& t : tasks)
        t.cancel();
    co_await tulip::wait(std::move(tasks));
}

} // namespace

BOOST_AUTO_TEST_SUITE(wait_suite)

BOOST_TULIP_TEST_CASE(wait_all_completed_returns_when_every_task_is_done)
{
    std::vector<tulip::awaitable<int>> v;
    v.push_back(value_after(2s, 1));
    v.push_back(fail_after(1s, "x"));
    v.push_back(value_after(3s, 3));
    auto tasks = tasks_of(std::move(v));
    const auto start = now();
    auto r = co_await tulip::wait(tasks);
    BOOST_TEST((now() - start == 3s));
    BOOST_TEST(r.done.size() == 3u);
    BOOST_TEST(r.pending.empty());
    BOOST_TEST((r.done[0] == tasks[0] && r.done[1] == tasks[1] && r.done[2] == tasks[2]));
    BOOST_TEST(what_of(r.done[1].exception()) == "x"); // left in the task, not thrown
}

BOOST_TULIP_TEST_CASE(wait_first_completed_returns_after_the_first_and_cancels_nothing)
{
    std::vector<tulip::awaitable<int>> v;
    v.push_back(value_after(2s, 1));
    v.push_back(value_after(1s, 2));
    v.push_back(value_after(3s, 3));
    auto tasks = tasks_of(std::move(v));
    const auto start = now();
    auto r = co_await tulip::wait(tasks, tulip::return_when::first_completed);
    BOOST_TEST((now() - start == 1s));
    BOOST_TEST(r.done.size() == 1u);
    BOOST_TEST((r.done[0] == tasks[1]));
    BOOST_TEST(r.pending.size() == 2u);
    BOOST_TEST((r.pending[0] == tasks[0] && r.pending[1] == tasks[2]));
    auto rest = co_await tulip::wait(r.pending);
    BOOST_TEST(rest.done.size() == 2u);
    BOOST_TEST(rest.done[1].result() == 3); // completed, not cancelled
}

BOOST_TULIP_TEST_CASE(wait_first_completed_in_a_loop_drains_every_task)
{
    std::vector<tulip::task<int>> pending;
    for (int i = 0; i < 50; ++i)
        pending.push_back(tulip::create_task(value_after(std::chrono::seconds(i % 5), i)));
    int sum = 0, rounds = 0;
    while (!pending.empty()) {
        auto r = co_await tulip::wait(std::move(pending), tulip::return_when::first_completed);
        for (auto& t : r.done)
            sum += t.result();
        pending = std::move(r.pending);
        ++rounds;
    }
    BOOST_TEST(sum == 50 * 49 / 2);
    BOOST_TEST(rounds == 5);
}

BOOST_TULIP_TEST_CASE(wait_first_exception_returns_on_the_first_failure)
{
    std::vector<tulip::awaitable<int>> v;
    v.push_back(value_after(1s, 1));
    v.push_back(fail_after(2s, "bad"));
    v.push_back(value_after(5s, 3));
    auto tasks = tasks_of(std::move(v));
    const auto start = now();
    auto r = co_await tulip::wait(tasks, tulip::return_when::first_exception);
    BOOST_TEST((now() - start == 2s));
    BOOST_TEST(r.done.size() == 2u);
    BOOST_TEST(r.pending.size() == 1u);
    BOOST_TEST(!r.pending[0].cancelled());
    co_await r.pending[0].wait();
}

BOOST_TULIP_TEST_CASE(wait_first_exception_does_not_count_a_cancelled_task)
{
    auto a = tulip::create_task(value_after(1h, 1));
    auto b = tulip::create_task(value_after(3s, 2));
    cancel_later(a, 1s);
    const auto start = now();
    // Bound first: g++ 12 miscompiles an initializer list in a co_await full-expression.
    std::vector both{a, b};
    auto r = co_await tulip::wait(std::move(both), tulip::return_when::first_exception);
    BOOST_TEST((now() - start == 3s)); // all completed, since no task failed
    BOOST_TEST(r.done.size() == 2u);
    BOOST_TEST(a.cancelled());
}

BOOST_TULIP_TEST_CASE(wait_with_a_timeout_returns_the_pending_tasks_and_cancels_nothing)
{
    std::vector<tulip::awaitable<int>> v;
    v.push_back(value_after(1s, 1));
    v.push_back(value_after(5s, 2));
    const auto start = now();
    auto r = co_await tulip::wait(std::move(v), tulip::return_when::all_completed, 2s);
    BOOST_TEST((now() - start == 2s));
    BOOST_TEST(r.done.size() == 1u);
    BOOST_TEST(r.pending.size() == 1u);
    BOOST_TEST(r.done[0].result() == 1);
    BOOST_TEST(co_await r.pending[0].wait() == 2); // still running, not cancelled
    BOOST_TEST((now() - start == 5s));
}

BOOST_TULIP_TEST_CASE(wait_with_a_timeout_of_zero_returns_what_is_done)
{
    auto a = tulip::create_task(value_after(0s, 1));
    co_await tulip::sleep(1s);
    auto b = tulip::create_task(value_after(1s, 2));
    std::vector both{a, b};
    auto r = co_await tulip::wait(std::move(both), tulip::return_when::all_completed, 0s);
    BOOST_TEST(r.done.size() == 1u);
    BOOST_TEST(r.pending.size() == 1u);
    co_await b.wait();
}

BOOST_TULIP_TEST_CASE(wait_cancelling_the_awaiter_leaves_the_tasks_running)
{
    auto a = tulip::create_task(value_after(3s, 1));
    auto awaiter = tulip::create_task(tulip::wait(std::vector{a}));
    cancel_later(awaiter, 1s, "enough");
    std::exception_ptr e;
    try {
        co_await awaiter.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(cancel_message(e) == "enough");
    BOOST_TEST(!a.done());
    BOOST_TEST(co_await a.wait() == 1);
}

BOOST_TULIP_TEST_CASE(wait_of_awaitables_returns_their_tasks)
{
    std::vector<tulip::awaitable<int>> v;
    v.push_back(value_after(1s, 4));
    v.push_back(value_after(2s, 5));
    auto r = co_await tulip::wait(std::move(v), tulip::return_when::first_completed);
    static_assert(std::is_same_v<decltype(r), tulip::wait_result<tulip::task<int>>>);
    BOOST_TEST(r.done.at(0).result() == 4);
    BOOST_TEST(co_await r.pending.at(0).wait() == 5);
}

BOOST_TULIP_TEST_CASE(wait_of_any_tasks_of_different_types)
{
    bool flag = false;
    std::vector<tulip::any_task> tasks{tulip::create_task(value_after(1s, 1)),
                                       tulip::create_task(mark_after(2s, flag))};
    auto r = co_await tulip::wait(tasks);
    static_assert(std::is_same_v<decltype(r), tulip::wait_result<>>);
    BOOST_TEST(r.done.size() == 2u);
    BOOST_TEST(flag);
}

BOOST_TULIP_TEST_CASE(wait_on_an_empty_vector_returns_at_once)
{
    const auto start = now();
    auto r =
        co_await tulip::wait(std::vector<tulip::any_task>{}, tulip::return_when::first_completed);
    BOOST_TEST(r.done.empty());
    BOOST_TEST(r.pending.empty());
    BOOST_TEST((now() == start));
}

BOOST_TULIP_TEST_CASE(wait_on_tasks_already_done_returns_them_done)
{
    auto a = tulip::create_task(value_after(0s, 1));
    co_await tulip::sleep(1s);
    auto b = tulip::create_task(value_after(1h, 2));
    const auto start = now();
    std::vector both{a, b};
    auto r = co_await tulip::wait(std::move(both), tulip::return_when::first_completed);
    BOOST_TEST((now() == start));
    BOOST_TEST((r.done.at(0) == a));
    std::vector rest{b};
    co_await cancel_all(std::move(rest));
}

BOOST_TULIP_TEST_CASE(wait_rejects_an_empty_task_handle)
{
    BOOST_CHECK_THROW((void)tulip::wait(std::vector<tulip::any_task>(1)),
                      tulip::invalid_state_error);
    co_return;
}

// --- shield -----------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(shield_returns_the_result_of_a_task_or_an_awaitable)
{
    auto t = tulip::create_task(value_after(1s, 3));
    BOOST_TEST(co_await tulip::shield(t) == 3);
    BOOST_TEST(co_await tulip::shield(value_after(1s, 4)) == 4);
}

BOOST_TULIP_TEST_CASE(shield_keeps_the_inner_task_running_when_the_awaiter_is_cancelled)
{
    bool committed = false;
    auto inner = tulip::create_task(mark_after(3s, committed));
    auto awaiter = tulip::create_task(tulip::shield(inner));
    cancel_later(awaiter, 1s, "request gone");
    const auto start = now();
    std::exception_ptr e;
    try {
        co_await awaiter.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(cancel_message(e) == "request gone");
    BOOST_TEST((now() - start == 1s)); // the awaiter got it at once
    BOOST_TEST(!inner.done());
    BOOST_TEST(inner.cancelling() == 0);
    co_await inner.wait();
    BOOST_TEST(committed);
    BOOST_TEST((now() - start == 3s));
}

BOOST_TULIP_TEST_CASE(shield_of_an_awaitable_keeps_its_task_registered_in_the_loop)
{
    bool committed = false;
    auto awaiter = tulip::create_task(tulip::shield(mark_after(3s, committed)));
    co_await tulip::sleep(1s);
    awaiter.cancel();
    co_await tulip::sleep(0s);
    BOOST_TEST(awaiter.cancelled());
    const auto left = tulip::all_tasks();
    BOOST_TEST(left.size() == 2u); // this test's task and the shielded one
    for (auto& t : left)
        if (t != tulip::current_task())
            co_await t.wait();
    BOOST_TEST(committed);
}

BOOST_TULIP_TEST_CASE(shield_of_a_task_cancelled_directly_gives_its_cancellation)
{
    auto inner = tulip::create_task(value_after(1h, 1));
    cancel_later(inner, 1s, "inner");
    std::exception_ptr e;
    try {
        co_await tulip::shield(inner);
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(cancel_message(e) == "inner");
}

BOOST_TULIP_TEST_CASE(shield_rethrows_the_exception_of_the_inner_task)
{
    std::exception_ptr e;
    try {
        co_await tulip::shield(fail_after(1s, "db down"));
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(what_of(e) == "db down");
}

BOOST_TULIP_TEST_CASE(shield_awaited_again_after_a_cancellation_gets_the_result)
{
    auto inner = tulip::create_task(value_after(2s, 8));
    auto me = tulip::current_task();
    cancel_later(me, 1s);
    std::exception_ptr e;
    try {
        co_await tulip::shield(inner);
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(me.uncancel() == 0);
    BOOST_TEST(co_await tulip::shield(inner) == 8);
}

BOOST_AUTO_TEST_SUITE_END()

// --- run() and shielded tasks at exit (DESIGN sec. 7: a shielded task orphaned) ---------

namespace {

struct exit_state
{
    bool update_started = false;
    bool update_committed = false;
    bool update_cancelled = false;
    bool handler_cancelled = false;
    bool other_cancelled = false;
};

tulip::awaitable<void> db_update(exit_state* s)
{
    s->update_started = true;
    try {
        for (int i = 0; i < 10; ++i) // outlives main, which ends after two iterations
            co_await tulip::sleep(0s);
    } catch (...) {
        s->update_cancelled = true;
        throw;
    }
    s->update_committed = true;
}

tulip::awaitable<void> request_handler(exit_state* s)
{
    try {
        co_await tulip::shield(db_update(s));
    } catch (...) {
        s->handler_cancelled = tulip::is_cancellation(std::current_exception());
        throw;
    }
}

tulip::awaitable<void> unrelated(exit_state* s)
{
    try {
        co_await tulip::sleep(1h);
    } catch (...) {
        s->other_cancelled = true;
        throw;
    }
}

tulip::awaitable<int> main_orphaning_a_shielded_task(exit_state* s)
{
    auto handler = tulip::create_task(request_handler(s));
    tulip::create_task(unrelated(s));
    co_await tulip::sleep(0s);
    handler.cancel();
    co_await tulip::sleep(0s);
    co_return handler.cancelled() ? 1 : 0;
}

} // namespace

BOOST_AUTO_TEST_CASE(shielded_task_orphaned_is_waited_for_by_run_at_exit_while_others_are_cancelled)
{
    exit_state s;
    const int r = tulip::run(main_orphaning_a_shielded_task(&s));
    BOOST_TEST(r == 1);
    BOOST_TEST(s.handler_cancelled);
    BOOST_TEST(s.update_started);
    BOOST_TEST(s.update_committed); // run() did not return before it finished
    BOOST_TEST(!s.update_cancelled);
    BOOST_TEST(s.other_cancelled); // a task that was not shielded is still cancelled
}

BOOST_AUTO_TEST_CASE(runner_close_waits_for_a_shielded_task_never_awaited)
{
    exit_state s;
    {
        tulip::runner r;
        r.run([](exit_state* s) -> tulip::awaitable<void> {
            // The shield is never awaited: the task is marked when shield() is called.
            auto w = tulip::shield(db_update(s));
            co_return;
        }(&s));
        BOOST_TEST(!s.update_committed);
        r.close();
    }
    BOOST_TEST(s.update_committed);
    BOOST_TEST(!s.update_cancelled);
}
