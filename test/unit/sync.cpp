//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// lock, event, condition, semaphore, bounded_semaphore and barrier (asyncio semantics):
// FIFO wake order, hand-off of a wake-up to a waiter and what a cancellation does to it,
// completion tokens, plain Asio use, bad use and loop shutdown with waiters pending.

#include <boost/tulip/sync.hpp>

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
#include <memory>
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

// What a waiting task saw.
struct outcome
{
    bool completed = false; // the operation completed successfully
    bool owned = false;     // it then owned the lock / a permit (guard and primitive agree)
    bool finished = false;  // the body ran to its end without an exception
    std::exception_ptr error;
};

// Acquires `l`, logs `id`, holds the lock for `hold` (no suspension if zero).
tulip::awaitable<void> hold_lock(tulip::lock& l, outcome& o, std::vector<int>* order, int id,
                                 tulip::duration hold)
{
    try {
        auto g = co_await l.acquire();
        o.completed = true;
        o.owned = g.owns_lock() && static_cast<bool>(g) && l.locked();
        if (order)
            order->push_back(id);
        if (hold > 0s)
            co_await tulip::sleep(hold);
        o.finished = true;
    } catch (...) {
        o.error = std::current_exception();
    }
}

tulip::awaitable<void> hold_permit(tulip::semaphore& s, outcome& o, std::vector<int>* order, int id,
                                   tulip::duration hold)
{
    try {
        auto g = co_await s.acquire();
        o.completed = true;
        o.owned = g.owns_lock() && static_cast<bool>(g);
        if (order)
            order->push_back(id);
        if (hold > 0s)
            co_await tulip::sleep(hold);
        o.finished = true;
    } catch (...) {
        o.error = std::current_exception();
    }
}

tulip::awaitable<void> wait_event(tulip::event& ev, outcome& o, std::vector<int>* order, int id)
{
    try {
        co_await ev.wait();
        o.completed = true;
        if (order)
            order->push_back(id);
        o.finished = true;
    } catch (...) {
        o.error = std::current_exception();
    }
}

// Takes the condition's lock, waits once, records whether the lock is held afterwards.
tulip::awaitable<void> wait_condition(tulip::condition& c, outcome& o, std::vector<int>* order,
                                      int id)
{
    std::exception_ptr e;
    {
        auto g = co_await c.acquire();
        try {
            co_await c.wait(g);
            o.completed = true;
            if (order)
                order->push_back(id);
        } catch (...) {
            e = std::current_exception();
        }
        o.owned = g.owns_lock() && c.locked();
    }
    o.error = e;
    o.finished = !e;
}

struct arrival
{
    std::size_t index = 999;
    std::exception_ptr error;
    bool done = false;
};

tulip::awaitable<void> arrive(tulip::barrier& b, arrival& a)
{
    try {
        a.index = co_await b.wait();
    } catch (...) {
        a.error = std::current_exception();
    }
    a.done = true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sync_suite)

// ---------------------------------------------------------------------------------------
// lock

BOOST_TULIP_TEST_CASE(lock_acquire_of_a_free_lock_returns_an_owning_guard_that_releases_it)
{
    tulip::lock l;
    BOOST_TEST(!l.locked());
    {
        auto g = co_await l.acquire();
        BOOST_TEST(g.owns_lock());
        BOOST_TEST(static_cast<bool>(g));
        BOOST_TEST(l.locked());
    }
    BOOST_TEST(!l.locked());
}

BOOST_TULIP_TEST_CASE(lock_guard_release_move_and_default_construction)
{
    tulip::lock l;
    tulip::lock::guard empty;
    BOOST_TEST(!empty.owns_lock());
    BOOST_TEST(!static_cast<bool>(empty));

    auto g = co_await l.acquire();
    tulip::lock::guard moved(std::move(g));
    BOOST_TEST(moved.owns_lock());
    BOOST_TEST(!g.owns_lock()); // NOLINT(bugprone-use-after-move): moved-from state is specified
    BOOST_TEST(l.locked());
    empty = std::move(moved);
    BOOST_TEST(empty.owns_lock());
    BOOST_TEST(l.locked());
    empty.release();
    BOOST_TEST(!empty.owns_lock());
    BOOST_TEST(!l.locked());
    // The destructors of released and moved-from guards do nothing (no double release).
}

BOOST_TULIP_TEST_CASE(lock_try_acquire_succeeds_only_on_a_free_lock)
{
    tulip::lock l;
    BOOST_TEST(l.try_acquire());
    BOOST_TEST(l.locked());
    BOOST_TEST(!l.try_acquire());
    l.release();
    BOOST_TEST(!l.locked());
    BOOST_TEST(l.try_acquire());
    l.release();
    co_return;
}

BOOST_TULIP_TEST_CASE(lock_waiters_acquire_in_fifo_order)
{
    tulip::lock l;
    auto g = co_await l.acquire();
    std::vector<int> order;
    std::vector<outcome> o(5);
    std::vector<tulip::task<>> ts;
    for (int i = 0; i < 5; ++i) {
        ts.push_back(
            tulip::create_task(hold_lock(l, o[static_cast<std::size_t>(i)], &order, i, 1s)));
        co_await tulip::sleep(0s);
    }
    co_await settle();
    BOOST_TEST(order.empty());
    g.release();
    for (auto& t : ts)
        co_await finish(t);
    BOOST_TEST((order == std::vector<int>{0, 1, 2, 3, 4}));
    for (auto& x : o)
        BOOST_TEST((x.owned && x.finished));
    BOOST_TEST(!l.locked());
}

BOOST_TULIP_TEST_CASE(lock_release_hands_the_lock_to_the_first_waiter_without_barging)
{
    tulip::lock l;
    auto g = co_await l.acquire();
    outcome o;
    auto t = tulip::create_task(hold_lock(l, o, nullptr, 0, 0s));
    co_await settle();
    g.release();
    // The waiter was chosen: nobody else can take the lock before it runs.
    BOOST_TEST(l.locked());
    BOOST_TEST(!l.try_acquire());
    co_await finish(t);
    BOOST_TEST(o.owned);
    BOOST_TEST(!l.locked());
}

BOOST_TULIP_TEST_CASE(lock_waiter_cancelled_before_being_chosen_leaves_and_the_next_gets_the_lock)
{
    tulip::lock l;
    auto g = co_await l.acquire();
    std::vector<int> order;
    outcome a, b;
    auto ta = tulip::create_task(hold_lock(l, a, &order, 1, 1s));
    co_await tulip::sleep(0s);
    auto tb = tulip::create_task(hold_lock(l, b, &order, 2, 1s));
    co_await settle();
    BOOST_TEST(ta.cancel());
    co_await finish(ta);
    BOOST_TEST(!a.completed);
    BOOST_TEST(tulip::is_cancellation(a.error));
    BOOST_TEST(l.locked()); // still ours
    g.release();
    co_await finish(tb);
    BOOST_TEST((order == std::vector<int>{2}));
    BOOST_TEST(b.owned);
    BOOST_TEST(b.finished);
    BOOST_TEST(!l.locked());
}

BOOST_TULIP_TEST_CASE(lock_only_waiter_cancelled_in_the_same_step_before_release_leaves_it_free)
{
    tulip::lock l;
    auto g = co_await l.acquire();
    outcome a;
    auto ta = tulip::create_task(hold_lock(l, a, nullptr, 1, 1s));
    co_await settle();
    ta.cancel();
    g.release(); // the waiter has already left: nobody to hand the lock to
    BOOST_TEST(!l.locked());
    co_await finish(ta);
    BOOST_TEST(!a.completed);
    BOOST_TEST(tulip::is_cancellation(a.error));
    BOOST_TEST(!l.locked());
}

BOOST_TULIP_TEST_CASE(lock_waiter_cancelled_in_the_release_step_owns_the_lock_then_releases_it)
{
    tulip::lock l;
    auto g = co_await l.acquire();
    outcome a, b;
    auto ta = tulip::create_task(hold_lock(l, a, nullptr, 1, 1h));
    co_await tulip::sleep(0s);
    auto tb = tulip::create_task(hold_lock(l, b, nullptr, 2, 0s));
    co_await settle();
    const auto t0 = tulip::clock::now();
    g.release();             // chooses ta
    BOOST_TEST(ta.cancel()); // same step: ta's acquire already completed
    co_await finish(ta);
    BOOST_TEST(a.completed);
    BOOST_TEST(a.owned);
    BOOST_TEST(!a.finished);
    BOOST_TEST(tulip::is_cancellation(a.error)); // surfaced at the next suspension (the 1h sleep)
    BOOST_TEST((tulip::clock::now() - t0 < 1h));
    co_await finish(tb);
    BOOST_TEST(b.owned); // the guard released it during ta's unwinding
    BOOST_TEST(!l.locked());
}

BOOST_TULIP_TEST_CASE(lock_waiter_chosen_then_cancelled_that_never_suspends_again_finishes_normally)
{
    tulip::lock l;
    auto g = co_await l.acquire();
    outcome a;
    auto ta = tulip::create_task(hold_lock(l, a, nullptr, 1, 0s));
    co_await settle();
    g.release();
    ta.cancel();
    co_await finish(ta);
    BOOST_TEST(a.owned);
    BOOST_TEST(a.finished);
    BOOST_TEST(!a.error);
    BOOST_TEST(!ta.cancelled());
    BOOST_TEST(!l.locked());
}

BOOST_TULIP_TEST_CASE(lock_release_of_a_lock_not_held_throws_invalid_state_error_naming_the_lock)
{
    tulip::lock l;
    auto e = thrown_by([&] { l.release(); });
    BOOST_TEST(holds<tulip::invalid_state_error>(e), describe(e));
    BOOST_TEST(names_any(e, {"lock"}), describe(e));
    BOOST_TEST(!l.locked());
    co_return;
}

// ---------------------------------------------------------------------------------------
// event

BOOST_TULIP_TEST_CASE(event_wait_on_a_set_event_completes_at_once)
{
    tulip::event ev;
    BOOST_TEST(!ev.is_set());
    ev.set();
    BOOST_TEST(ev.is_set());
    const auto t0 = tulip::clock::now();
    co_await ev.wait();
    co_await ev.wait();
    BOOST_TEST((tulip::clock::now() == t0));
    BOOST_TEST(ev.is_set());
}

BOOST_TULIP_TEST_CASE(event_set_wakes_every_waiter_in_fifo_order)
{
    tulip::event ev;
    std::vector<int> order;
    std::vector<outcome> o(4);
    std::vector<tulip::task<>> ts;
    for (int i = 0; i < 4; ++i) {
        ts.push_back(tulip::create_task(wait_event(ev, o[static_cast<std::size_t>(i)], &order, i)));
        co_await tulip::sleep(0s);
    }
    co_await tulip::sleep(1h);
    BOOST_TEST(order.empty());
    ev.set();
    for (auto& t : ts)
        co_await finish(t);
    BOOST_TEST((order == std::vector<int>{0, 1, 2, 3}));
}

BOOST_TULIP_TEST_CASE(event_clear_makes_later_waits_block_again)
{
    tulip::event ev;
    ev.set();
    ev.clear();
    BOOST_TEST(!ev.is_set());
    outcome o;
    auto t = tulip::create_task(wait_event(ev, o, nullptr, 0));
    co_await tulip::sleep(1h);
    BOOST_TEST(!o.completed);
    ev.set();
    co_await finish(t);
    BOOST_TEST(o.completed);
}

BOOST_TULIP_TEST_CASE(event_waiters_woken_by_set_complete_even_if_cleared_in_the_same_step)
{
    tulip::event ev;
    outcome a, b;
    auto ta = tulip::create_task(wait_event(ev, a, nullptr, 0));
    auto tb = tulip::create_task(wait_event(ev, b, nullptr, 1));
    co_await settle();
    ev.set();
    ev.clear();
    co_await settle();
    const bool woke = a.completed && b.completed;
    BOOST_TEST(woke);
    if (!woke)
        ev.set(); // let the test end
    co_await finish(ta);
    co_await finish(tb);
    BOOST_TEST((!ev.is_set() || !woke));
}

BOOST_TULIP_TEST_CASE(event_cancelled_waiter_gets_operation_aborted_and_the_others_still_wake)
{
    tulip::event ev;
    outcome a, b;
    auto ta = tulip::create_task(wait_event(ev, a, nullptr, 0));
    auto tb = tulip::create_task(wait_event(ev, b, nullptr, 1));
    co_await settle();
    ta.cancel();
    co_await finish(ta);
    BOOST_TEST(!a.completed);
    BOOST_TEST(holds<boost::system::system_error>(a.error));
    BOOST_TEST(tulip::is_cancellation(a.error));
    ev.set();
    co_await finish(tb);
    BOOST_TEST(b.completed);
}

BOOST_TULIP_TEST_CASE(event_waiter_cancelled_in_the_set_step_completes_and_sees_the_cancel_later)
{
    tulip::event ev;
    bool woke = false;
    std::exception_ptr e;
    auto body = [](tulip::event& ev, bool& woke, std::exception_ptr& e) -> tulip::awaitable<void> {
        try {
            co_await ev.wait();
            woke = true;
            co_await tulip::sleep(1h);
        } catch (...) {
            e = std::current_exception();
        }
    };
    auto t = tulip::create_task(body(ev, woke, e));
    co_await settle();
    ev.set();
    t.cancel();
    co_await finish(t);
    BOOST_TEST(woke);
    BOOST_TEST(tulip::is_cancellation(e));
}

// ---------------------------------------------------------------------------------------
// condition

BOOST_TULIP_TEST_CASE(condition_wait_releases_the_lock_and_holds_it_again_when_it_returns)
{
    tulip::condition c;
    outcome o;
    auto t = tulip::create_task(wait_condition(c, o, nullptr, 0));
    co_await settle();
    BOOST_TEST(!c.locked()); // released while waiting
    {
        auto g = co_await c.acquire();
        BOOST_TEST(c.locked());
        c.notify();
        co_await tulip::sleep(1s);
        BOOST_TEST(!o.completed); // needs the lock back first
    }
    co_await finish(t);
    BOOST_TEST(o.completed);
    BOOST_TEST(o.owned);
    BOOST_TEST(!c.locked());
}

BOOST_TULIP_TEST_CASE(condition_notify_n_wakes_the_first_n_waiters_in_fifo_order)
{
    tulip::condition c;
    std::vector<int> order;
    std::vector<outcome> o(5);
    std::vector<tulip::task<>> ts;
    for (int i = 0; i < 5; ++i) {
        ts.push_back(
            tulip::create_task(wait_condition(c, o[static_cast<std::size_t>(i)], &order, i)));
        co_await tulip::sleep(0s);
    }
    co_await settle();
    {
        auto g = co_await c.acquire();
        c.notify(2);
    }
    co_await settle();
    BOOST_TEST((order == std::vector<int>{0, 1}));
    {
        auto g = co_await c.acquire();
        c.notify();
    }
    co_await settle();
    BOOST_TEST((order == std::vector<int>{0, 1, 2}));
    {
        auto g = co_await c.acquire();
        c.notify(0);
    }
    co_await settle();
    BOOST_TEST(order.size() == 3u);
    {
        auto g = co_await c.acquire();
        c.notify_all();
    }
    for (auto& t : ts)
        co_await finish(t);
    BOOST_TEST((order == std::vector<int>{0, 1, 2, 3, 4}));
    for (auto& x : o)
        BOOST_TEST(x.owned);
    BOOST_TEST(!c.locked());
}

BOOST_TULIP_TEST_CASE(condition_notify_with_no_waiters_is_not_remembered)
{
    tulip::condition c;
    {
        auto g = co_await c.acquire();
        c.notify_all();
        c.notify(3);
    }
    outcome o;
    auto t = tulip::create_task(wait_condition(c, o, nullptr, 0));
    co_await tulip::sleep(1h);
    BOOST_TEST(!o.completed);
    {
        auto g = co_await c.acquire();
        c.notify();
    }
    co_await finish(t);
    BOOST_TEST(o.completed);
}

BOOST_TULIP_TEST_CASE(condition_acquire_release_and_locked_members)
{
    tulip::condition c;
    auto g = co_await c.acquire();
    BOOST_TEST(g.owns_lock());
    BOOST_TEST(c.locked());
    BOOST_TEST(c.get_lock().locked());
    g.release();
    BOOST_TEST(!c.locked());
    BOOST_TEST(c.get_lock().try_acquire());
    BOOST_TEST(c.locked());
    c.release();
    BOOST_TEST(!c.locked());
    BOOST_TEST(!c.get_lock().locked());
}

BOOST_TULIP_TEST_CASE(condition_built_on_a_shared_lock_uses_that_lock)
{
    tulip::lock l;
    tulip::condition c(l);
    BOOST_TEST((&c.get_lock() == &l));
    outcome o;
    auto t = tulip::create_task(wait_condition(c, o, nullptr, 0));
    co_await settle();
    BOOST_TEST(!l.locked());
    {
        auto g = co_await l.acquire();
        BOOST_TEST(c.locked());
        c.notify();
    }
    co_await finish(t);
    BOOST_TEST(o.completed);
    BOOST_TEST(o.owned);
    BOOST_TEST(!l.locked());
}

BOOST_TULIP_TEST_CASE(condition_wait_for_returns_at_once_when_the_predicate_holds)
{
    tulip::condition c;
    auto g = co_await c.acquire();
    int calls = 0;
    bool locked_in_pred = true;
    const auto t0 = tulip::clock::now();
    co_await c.wait_for(g, [&] {
        ++calls;
        locked_in_pred = locked_in_pred && c.locked();
        return true;
    });
    BOOST_TEST(calls == 1);
    BOOST_TEST(locked_in_pred);
    BOOST_TEST((tulip::clock::now() == t0));
    BOOST_TEST(g.owns_lock());
    BOOST_TEST(c.locked());
}

tulip::awaitable<void> wait_for_value(tulip::condition& c, const int& value, int target,
                                      bool& locked_in_pred, int& calls, outcome& o)
{
    auto g = co_await c.acquire();
    try {
        co_await c.wait_for(g, [&] {
            ++calls;
            locked_in_pred = locked_in_pred && c.locked();
            return value >= target;
        });
        o.completed = true;
        o.owned = g.owns_lock() && c.locked() && value >= target;
    } catch (...) {
        o.error = std::current_exception();
    }
}

BOOST_TULIP_TEST_CASE(condition_wait_for_waits_until_the_predicate_holds_checking_it_under_the_lock)
{
    tulip::condition c;
    int value = 0;
    int calls = 0;
    bool locked_in_pred = true;
    outcome o;
    auto t = tulip::create_task(wait_for_value(c, value, 3, locked_in_pred, calls, o));
    co_await settle();
    BOOST_TEST(calls == 1);
    for (int i = 1; i <= 3; ++i) {
        BOOST_TEST(!o.completed);
        {
            auto g = co_await c.acquire();
            value = i;
            c.notify_all();
        }
        co_await settle();
    }
    co_await finish(t);
    BOOST_TEST(o.completed);
    BOOST_TEST(o.owned);
    BOOST_TEST(calls == 4);
    BOOST_TEST(locked_in_pred);
    BOOST_TEST(!c.locked());
}

BOOST_TULIP_TEST_CASE(condition_notified_then_cancelled_waiter_passes_the_notification_on)
{
    tulip::condition c;
    std::vector<int> order;
    outcome a, b;
    auto ta = tulip::create_task(wait_condition(c, a, &order, 1));
    co_await tulip::sleep(0s);
    auto tb = tulip::create_task(wait_condition(c, b, &order, 2));
    co_await settle();
    {
        auto g = co_await c.acquire();
        c.notify(1); // chooses ta, which still needs the lock to complete
        ta.cancel();
    }
    co_await finish(ta);
    co_await settle();
    BOOST_TEST(tulip::is_cancellation(a.error));
    BOOST_TEST(a.owned); // re-acquired the lock before completing
    const bool passed_on = b.completed;
    BOOST_TEST(passed_on);
    if (!passed_on) {
        auto g = co_await c.acquire();
        c.notify_all(); // let the test end
    }
    co_await finish(tb);
    BOOST_TEST(b.owned);
    BOOST_TEST((order == std::vector<int>{2}));
    BOOST_TEST(!c.locked());
}

BOOST_TULIP_TEST_CASE(condition_cancelled_waiter_reacquires_the_lock_before_completing)
{
    tulip::condition c;
    outcome a;
    auto ta = tulip::create_task(wait_condition(c, a, nullptr, 1));
    co_await settle();
    auto g = co_await c.acquire();
    ta.cancel();
    co_await tulip::sleep(1h);
    BOOST_TEST(!a.error); // still waiting for the lock we hold
    BOOST_TEST(!ta.done());
    g.release();
    co_await finish(ta);
    BOOST_TEST(tulip::is_cancellation(a.error));
    BOOST_TEST(!a.completed);
    BOOST_TEST(a.owned);
    BOOST_TEST(!c.locked());
}

BOOST_TULIP_TEST_CASE(condition_waiter_cancelled_twice_while_reacquiring_reacquires_once)
{
    tulip::condition c;
    outcome a;
    auto ta = tulip::create_task(wait_condition(c, a, nullptr, 1));
    co_await settle();
    auto g = co_await c.acquire();
    ta.cancel();
    co_await tulip::sleep(1s);
    ta.cancel();
    co_await tulip::sleep(1s);
    g.release();
    co_await finish(ta);
    BOOST_TEST(tulip::is_cancellation(a.error));
    BOOST_TEST(a.owned);
    BOOST_TEST(!c.locked());
}

BOOST_TULIP_TEST_CASE(condition_notify_without_the_lock_throws_invalid_state_error)
{
    tulip::condition c;
    auto e1 = thrown_by([&] { c.notify(); });
    auto e2 = thrown_by([&] { c.notify_all(); });
    BOOST_TEST(holds<tulip::invalid_state_error>(e1), describe(e1));
    BOOST_TEST(holds<tulip::invalid_state_error>(e2), describe(e2));
    BOOST_TEST(names_any(e1, {"lock", "acquire"}), describe(e1));
    BOOST_TEST(names_any(e2, {"lock", "acquire"}), describe(e2));
    co_return;
}

BOOST_TULIP_TEST_CASE(condition_wait_with_a_guard_not_owning_its_lock_throws_invalid_state_error)
{
    tulip::condition c;
    tulip::lock other;
    std::exception_ptr e1, e2;
    tulip::lock::guard empty;
    try {
        co_await c.wait(empty);
    } catch (...) {
        e1 = std::current_exception();
    }
    auto g = co_await other.acquire();
    try {
        co_await c.wait(g);
    } catch (...) {
        e2 = std::current_exception();
    }
    BOOST_TEST(holds<tulip::invalid_state_error>(e1), describe(e1));
    BOOST_TEST(holds<tulip::invalid_state_error>(e2), describe(e2));
    BOOST_TEST(names_any(e1, {"lock", "acquire"}), describe(e1));
    BOOST_TEST(g.owns_lock());
    BOOST_TEST(other.locked());
    BOOST_TEST(!c.locked());
}

// ---------------------------------------------------------------------------------------
// semaphore, bounded_semaphore

BOOST_TULIP_TEST_CASE(semaphore_counts_permits_and_try_acquire_fails_at_zero)
{
    tulip::semaphore dflt;
    BOOST_TEST(dflt.value() == 1u);
    tulip::semaphore s(2);
    BOOST_TEST(s.value() == 2u);
    BOOST_TEST(!s.locked());
    auto g1 = co_await s.acquire();
    BOOST_TEST(s.value() == 1u);
    BOOST_TEST(s.try_acquire());
    BOOST_TEST(s.value() == 0u);
    BOOST_TEST(s.locked());
    BOOST_TEST(!s.try_acquire());
    s.release();
    BOOST_TEST(s.value() == 1u);
    g1.release();
    BOOST_TEST(!g1.owns_lock());
    BOOST_TEST(s.value() == 2u);
}

BOOST_TULIP_TEST_CASE(semaphore_guard_returns_its_permit_when_destroyed)
{
    tulip::semaphore s(1);
    {
        auto g = co_await s.acquire();
        BOOST_TEST(g.owns_lock());
        BOOST_TEST(s.value() == 0u);
        auto moved = std::move(g);
        BOOST_TEST(moved.owns_lock());
        BOOST_TEST(s.value() == 0u);
    }
    BOOST_TEST(s.value() == 1u);
}

BOOST_TULIP_TEST_CASE(semaphore_acquire_at_zero_waits_for_a_release)
{
    tulip::semaphore s(0);
    outcome o;
    auto t = tulip::create_task(hold_permit(s, o, nullptr, 0, 0s));
    co_await tulip::sleep(1h);
    BOOST_TEST(!o.completed);
    s.release();
    co_await finish(t);
    BOOST_TEST(o.owned);
    BOOST_TEST(s.value() == 1u); // the guard gave it back
}

BOOST_TULIP_TEST_CASE(semaphore_waiters_are_served_in_fifo_order)
{
    tulip::semaphore s(0);
    std::vector<int> order;
    std::vector<outcome> o(5);
    std::vector<tulip::task<>> ts;
    for (int i = 0; i < 5; ++i) {
        ts.push_back(
            tulip::create_task(hold_permit(s, o[static_cast<std::size_t>(i)], &order, i, 1h)));
        co_await tulip::sleep(0s);
    }
    co_await settle();
    s.release();
    s.release();
    co_await settle();
    BOOST_TEST((order == std::vector<int>{0, 1}));
    s.release();
    co_await settle();
    BOOST_TEST((order == std::vector<int>{0, 1, 2}));
    s.release();
    s.release();
    for (auto& t : ts)
        co_await finish(t);
    BOOST_TEST((order == std::vector<int>{0, 1, 2, 3, 4}));
    BOOST_TEST(s.value() == 5u);
}

BOOST_TULIP_TEST_CASE(semaphore_release_hands_the_permit_to_the_first_waiter_without_barging)
{
    tulip::semaphore s(0);
    outcome o;
    auto t = tulip::create_task(hold_permit(s, o, nullptr, 0, 0s));
    co_await settle();
    BOOST_TEST(s.locked());
    s.release();
    BOOST_TEST(s.value() == 0u); // handed over
    BOOST_TEST(!s.try_acquire());
    co_await finish(t);
    BOOST_TEST(o.owned);
    BOOST_TEST(s.value() == 1u);
}

BOOST_TULIP_TEST_CASE(
    semaphore_waiter_cancelled_before_being_chosen_leaves_and_the_next_gets_the_permit)
{
    tulip::semaphore s(0);
    std::vector<int> order;
    outcome a, b;
    auto ta = tulip::create_task(hold_permit(s, a, &order, 1, 0s));
    co_await tulip::sleep(0s);
    auto tb = tulip::create_task(hold_permit(s, b, &order, 2, 0s));
    co_await settle();
    ta.cancel();
    co_await finish(ta);
    BOOST_TEST(tulip::is_cancellation(a.error));
    BOOST_TEST(s.value() == 0u);
    s.release();
    co_await finish(tb);
    BOOST_TEST((order == std::vector<int>{2}));
    BOOST_TEST(b.owned);
    BOOST_TEST(s.value() == 1u);
}

BOOST_TULIP_TEST_CASE(
    semaphore_waiter_cancelled_in_the_release_step_keeps_the_permit_and_gives_it_back)
{
    tulip::semaphore s(0);
    outcome a, b;
    auto ta = tulip::create_task(hold_permit(s, a, nullptr, 1, 1h));
    co_await tulip::sleep(0s);
    auto tb = tulip::create_task(hold_permit(s, b, nullptr, 2, 0s));
    co_await settle();
    s.release(); // chooses ta
    ta.cancel();
    co_await finish(ta);
    BOOST_TEST(a.completed);
    BOOST_TEST(a.owned);
    BOOST_TEST(tulip::is_cancellation(a.error));
    co_await finish(tb); // ta's guard returned the permit, which went on to tb
    BOOST_TEST(b.owned);
    BOOST_TEST(s.value() == 1u);
}

BOOST_TULIP_TEST_CASE(semaphore_release_beyond_the_initial_value_is_allowed)
{
    tulip::semaphore s(1);
    s.release();
    s.release();
    BOOST_TEST(s.value() == 3u);
    co_return;
}

BOOST_TULIP_TEST_CASE(bounded_semaphore_release_beyond_the_initial_value_throws_invalid_state_error)
{
    tulip::bounded_semaphore s(2);
    BOOST_TEST(s.value() == 2u);
    auto e = thrown_by([&] { s.release(); });
    BOOST_TEST(holds<tulip::invalid_state_error>(e), describe(e));
    BOOST_TEST(names_any(e, {"release", "semaphore"}), describe(e));
    BOOST_TEST(s.value() == 2u);
    {
        auto g = co_await s.acquire();
        BOOST_TEST(s.value() == 1u);
    }
    BOOST_TEST(s.value() == 2u);
    BOOST_TEST(s.try_acquire());
    s.release();
    BOOST_CHECK_THROW(s.release(), tulip::invalid_state_error);
    BOOST_TEST(s.value() == 2u);
    tulip::semaphore& base = s; // through the base class too
    BOOST_CHECK_THROW(base.release(), tulip::invalid_state_error);
    BOOST_TEST(s.value() == 2u);
}

// ---------------------------------------------------------------------------------------
// barrier

BOOST_TULIP_TEST_CASE(barrier_trips_when_all_parties_arrive_and_gives_arrival_indices)
{
    tulip::barrier b(3);
    BOOST_TEST(b.parties() == 3u);
    BOOST_TEST(b.n_waiting() == 0u);
    BOOST_TEST(!b.broken());
    std::vector<arrival> a(3);
    std::vector<tulip::task<>> ts;
    for (std::size_t i = 0; i < 3; ++i) {
        ts.push_back(tulip::create_task(arrive(b, a[i])));
        co_await settle();
        if (i < 2) {
            BOOST_TEST(b.n_waiting() == i + 1);
            BOOST_TEST(!a[0].done);
        }
    }
    for (auto& t : ts)
        co_await finish(t);
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(!a[i].error, describe(a[i].error));
        BOOST_TEST(a[i].index == i); // asyncio: the arrival order, 0 first
    }
    BOOST_TEST(b.n_waiting() == 0u);
    BOOST_TEST(!b.broken());
}

BOOST_TULIP_TEST_CASE(barrier_is_reusable_for_several_rounds)
{
    tulip::barrier b(2);
    for (int round = 0; round < 3; ++round) {
        arrival x, y;
        auto tx = tulip::create_task(arrive(b, x));
        auto ty = tulip::create_task(arrive(b, y));
        co_await finish(tx);
        co_await finish(ty);
        BOOST_TEST((x.done && y.done && !x.error && !y.error));
        BOOST_TEST(x.index + y.index == 1u);
    }
    BOOST_TEST(b.n_waiting() == 0u);
}

BOOST_TULIP_TEST_CASE(barrier_of_one_party_passes_at_once_with_index_zero)
{
    tulip::barrier b(1);
    BOOST_TEST(co_await b.wait() == 0u);
    BOOST_TEST(co_await b.wait() == 0u);
}

BOOST_TULIP_TEST_CASE(barrier_of_zero_parties_throws_invalid_argument)
{
    BOOST_CHECK_THROW(tulip::barrier(0), std::invalid_argument);
    co_return;
}

BOOST_TULIP_TEST_CASE(barrier_abort_breaks_current_and_later_waits)
{
    tulip::barrier b(3);
    arrival x, y;
    auto tx = tulip::create_task(arrive(b, x));
    auto ty = tulip::create_task(arrive(b, y));
    co_await settle();
    b.abort();
    BOOST_TEST(b.broken());
    co_await finish(tx);
    co_await finish(ty);
    BOOST_TEST(holds<tulip::broken_barrier_error>(x.error), describe(x.error));
    BOOST_TEST(holds<tulip::broken_barrier_error>(y.error), describe(y.error));
    // Used after abort: fails at once, with the Tulip exception type.
    std::exception_ptr later;
    const auto t0 = tulip::clock::now();
    try {
        (void)co_await b.wait();
    } catch (...) {
        later = std::current_exception();
    }
    BOOST_TEST(holds<tulip::broken_barrier_error>(later), describe(later));
    BOOST_TEST(names_any(later, {"barrier"}), describe(later));
    BOOST_TEST((tulip::clock::now() == t0));
    BOOST_TEST(b.broken());
    BOOST_TEST(b.n_waiting() == 0u);
}

BOOST_TULIP_TEST_CASE(barrier_reset_fails_current_waiters_and_returns_to_the_empty_state)
{
    tulip::barrier b(3);
    arrival x, y;
    auto tx = tulip::create_task(arrive(b, x));
    auto ty = tulip::create_task(arrive(b, y));
    co_await settle();
    b.reset();
    co_await finish(tx);
    co_await finish(ty);
    BOOST_TEST(holds<tulip::broken_barrier_error>(x.error), describe(x.error));
    BOOST_TEST(holds<tulip::broken_barrier_error>(y.error), describe(y.error));
    BOOST_TEST(!b.broken());
    BOOST_TEST(b.n_waiting() == 0u);
    // A full round works again.
    std::vector<arrival> a(3);
    std::vector<tulip::task<>> ts;
    for (auto& x2 : a)
        ts.push_back(tulip::create_task(arrive(b, x2)));
    for (auto& t : ts)
        co_await finish(t);
    for (auto& x2 : a)
        BOOST_TEST(!x2.error, describe(x2.error));
}

BOOST_TULIP_TEST_CASE(barrier_reset_after_abort_makes_it_usable_again)
{
    tulip::barrier b(2);
    b.abort();
    BOOST_TEST(b.broken());
    b.reset();
    BOOST_TEST(!b.broken());
    arrival x, y;
    auto tx = tulip::create_task(arrive(b, x));
    auto ty = tulip::create_task(arrive(b, y));
    co_await finish(tx);
    co_await finish(ty);
    BOOST_TEST(!x.error, describe(x.error));
    BOOST_TEST(!y.error, describe(y.error));
}

BOOST_TULIP_TEST_CASE(barrier_waiter_cancelled_while_filling_leaves_and_the_barrier_still_trips)
{
    tulip::barrier b(3);
    arrival w, x, y, z;
    auto tw = tulip::create_task(arrive(b, w));
    auto tx = tulip::create_task(arrive(b, x));
    co_await settle();
    BOOST_TEST(b.n_waiting() == 2u);
    tw.cancel();
    co_await finish(tw);
    BOOST_TEST(tulip::is_cancellation(w.error));
    BOOST_TEST(b.n_waiting() == 1u);
    BOOST_TEST(!b.broken());
    auto ty = tulip::create_task(arrive(b, y));
    co_await settle();
    BOOST_TEST(!x.done); // two of three
    auto tz = tulip::create_task(arrive(b, z));
    co_await finish(tx);
    co_await finish(ty);
    co_await finish(tz);
    BOOST_TEST((!x.error && !y.error && !z.error));
    BOOST_TEST(b.n_waiting() == 0u);
}

BOOST_TULIP_TEST_CASE(barrier_wait_with_another_token_reports_the_broken_barrier_error_code)
{
    tulip::barrier b(2);
    b.abort();
    auto [ec, index] = co_await b.wait(asio::as_tuple(asio::use_awaitable));
    BOOST_TEST((ec == tulip::error::broken_barrier), ec.message());
    BOOST_TEST((&ec.category() == &tulip::tulip_category()));
    (void)index;
    std::exception_ptr e;
    try {
        (void)co_await b.wait(asio::deferred);
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(holds<boost::system::system_error>(e));
}

// ---------------------------------------------------------------------------------------
// Completion tokens and plain Asio code

BOOST_TULIP_TEST_CASE(event_wait_works_with_deferred_use_awaitable_and_a_callback)
{
    tulip::event ev;
    bool called = false;
    error_code got = asio::error::would_block;
    ev.wait([&](error_code ec) {
        called = true;
        got = ec;
    });
    co_await settle();
    BOOST_TEST(!called);
    ev.set();
    BOOST_TEST(!called); // never inside the waking call
    co_await settle();
    BOOST_TEST(called);
    BOOST_TEST(!got);
    co_await ev.wait(asio::deferred);
    co_await ev.wait(asio::use_awaitable);
    auto [ec] = co_await ev.wait(asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(!ec);
}

BOOST_TULIP_TEST_CASE(lock_acquire_works_with_use_awaitable_and_a_callback)
{
    tulip::lock l;
    {
        auto g = co_await l.acquire(asio::use_awaitable);
        BOOST_TEST(g.owns_lock());
    }
    BOOST_TEST(!l.locked());
    tulip::lock::guard held;
    bool called = false;
    auto first = co_await l.acquire();
    l.acquire([&](error_code ec, tulip::lock::guard g) {
        called = !ec;
        held = std::move(g);
    });
    co_await settle();
    BOOST_TEST(!called);
    first.release();
    BOOST_TEST(!called); // never inside release()
    co_await settle();
    BOOST_TEST(called);
    BOOST_TEST(held.owns_lock());
    BOOST_TEST(l.locked());
    held.release();
    BOOST_TEST(!l.locked());
}

BOOST_TULIP_TEST_CASE(lock_acquire_callback_cancelled_through_a_bound_slot_never_owns_the_lock)
{
    tulip::lock l;
    auto g = co_await l.acquire();
    asio::cancellation_signal sig;
    bool called = false;
    error_code got;
    tulip::lock::guard held;
    l.acquire(asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, tulip::lock::guard h) {
        called = true;
        got = ec;
        held = std::move(h);
    }));
    co_await settle();
    sig.emit(asio::cancellation_type::terminal);
    co_await settle();
    BOOST_TEST(called);
    BOOST_TEST((got == asio::error::operation_aborted), got.message());
    BOOST_TEST(!held.owns_lock());
    BOOST_TEST(l.locked());
    g.release();
    BOOST_TEST(!l.locked());
}

BOOST_TULIP_TEST_CASE(event_wait_callback_is_cancelled_by_terminal_partial_and_total_signals)
{
    tulip::event ev;
    asio::cancellation_signal sig[3];
    const asio::cancellation_type types[3] = {asio::cancellation_type::terminal,
                                              asio::cancellation_type::partial,
                                              asio::cancellation_type::total};
    error_code got[3];
    int calls = 0;
    for (int i = 0; i < 3; ++i)
        ev.wait(asio::bind_cancellation_slot(sig[i].slot(), [&, i](error_code ec) {
            ++calls;
            got[i] = ec;
        }));
    co_await settle();
    for (int i = 0; i < 3; ++i)
        sig[i].emit(types[i]);
    co_await settle();
    BOOST_TEST(calls == 3);
    for (auto& ec : got)
        BOOST_TEST((ec == asio::error::operation_aborted), ec.message());
    ev.set(); // nobody left to wake
    co_await settle();
    BOOST_TEST(calls == 3);
}

BOOST_TULIP_TEST_CASE(semaphore_acquire_callback_cancelled_through_a_bound_slot_takes_no_permit)
{
    tulip::semaphore s(0);
    asio::cancellation_signal sig;
    error_code got;
    bool owned = true;
    s.acquire(
        asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, tulip::semaphore::guard g) {
            got = ec;
            owned = g.owns_lock();
        }));
    co_await settle();
    sig.emit(asio::cancellation_type::terminal);
    co_await settle();
    BOOST_TEST((got == asio::error::operation_aborted), got.message());
    BOOST_TEST(!owned);
    s.release();
    BOOST_TEST(s.value() == 1u);
}

BOOST_TULIP_TEST_CASE(condition_wait_callback_cancelled_through_a_bound_slot_reacquires_the_lock)
{
    tulip::condition c;
    auto g = co_await c.acquire();
    asio::cancellation_signal sig;
    bool called = false;
    error_code got;
    bool locked_when_called = false;
    c.wait(g, asio::bind_cancellation_slot(sig.slot(), [&](error_code ec) {
               called = true;
               got = ec;
               locked_when_called = c.locked();
           }));
    co_await settle();
    BOOST_TEST(!c.locked());
    sig.emit(asio::cancellation_type::terminal);
    co_await settle();
    BOOST_TEST(called);
    BOOST_TEST((got == asio::error::operation_aborted), got.message());
    BOOST_TEST(locked_when_called);
    BOOST_TEST(g.owns_lock());
    g.release();
    BOOST_TEST(!c.locked());
}

BOOST_TULIP_TEST_CASE(barrier_wait_callback_cancelled_through_a_bound_slot_leaves_the_barrier)
{
    tulip::barrier b(2);
    asio::cancellation_signal sig;
    error_code got;
    b.wait(asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, std::size_t) { got = ec; }));
    co_await settle();
    BOOST_TEST(b.n_waiting() == 1u);
    sig.emit(asio::cancellation_type::terminal);
    co_await settle();
    BOOST_TEST((got == asio::error::operation_aborted), got.message());
    BOOST_TEST(b.n_waiting() == 0u);
    BOOST_TEST(!b.broken());
}

BOOST_TULIP_TEST_CASE(awaitable_or_operator_cancels_the_losing_primitive_wait)
{
    using namespace asio::experimental::awaitable_operators;
    tulip::event ev;
    tulip::lock l;
    auto g = co_await l.acquire();
    auto r1 = co_await (ev.wait(asio::use_awaitable) || tulip::sleep(1s, asio::use_awaitable));
    BOOST_TEST(r1.index() == 1u);
    auto r2 = co_await (l.acquire(asio::use_awaitable) || tulip::sleep(1s, asio::use_awaitable));
    BOOST_TEST(r2.index() == 1u);
    g.release();
    BOOST_TEST(!l.locked()); // the abandoned acquire was removed, nobody holds it
    ev.set();
    co_await settle();
}

asio::awaitable<void> plain_waiter(tulip::event& ev, tulip::lock& l, tulip::semaphore& s,
                                   std::vector<std::string>& log)
{
    co_await ev.wait(asio::use_awaitable);
    log.push_back("event");
    {
        auto g = co_await l.acquire(asio::use_awaitable);
        log.push_back(g.owns_lock() ? "lock" : "lock?");
    }
    {
        auto p = co_await s.acquire(asio::deferred);
        log.push_back(p.owns_lock() ? "permit" : "permit?");
    }
}

BOOST_TULIP_TEST_CASE(primitives_work_from_a_plain_asio_coroutine_on_the_loops_io_context)
{
    tulip::event ev;
    tulip::lock l;
    tulip::semaphore s(0);
    std::vector<std::string> log;
    std::exception_ptr err;
    bool done = false;
    auto g = co_await l.acquire();
    asio::co_spawn(tulip::get_running_loop().get_io_context(), plain_waiter(ev, l, s, log),
                   [&](std::exception_ptr e) {
                       err = e;
                       done = true;
                   });
    co_await settle();
    ev.set();
    co_await settle();
    BOOST_TEST((log == std::vector<std::string>{"event"}));
    g.release();
    co_await settle();
    s.release();
    co_await settle();
    BOOST_TEST(done);
    BOOST_TEST(!err, describe(err));
    BOOST_TEST((log == std::vector<std::string>{"event", "lock", "permit"}));
    BOOST_TEST(!l.locked());
    BOOST_TEST(s.value() == 1u);
}

BOOST_AUTO_TEST_CASE(primitives_work_from_plain_asio_code_on_an_io_context_run_directly)
{
    asio::io_context ioc;
    tulip::event ev;
    tulip::lock l;
    tulip::semaphore s(0);
    std::vector<std::string> log;
    std::exception_ptr err;
    bool done = false;
    bool callback = false;
    asio::co_spawn(ioc, plain_waiter(ev, l, s, log), [&](std::exception_ptr e) {
        err = e;
        done = true;
    });
    asio::post(ioc, [&] {
        ev.wait(asio::bind_executor(ioc.get_executor(), [&](error_code ec) { callback = !ec; }));
        ev.set();
        s.release();
    });
    ioc.run();
    BOOST_TEST(done);
    BOOST_TEST(callback);
    BOOST_TEST(!err, describe(err));
    BOOST_TEST((log == std::vector<std::string>{"event", "lock", "permit"}));
    BOOST_TEST(!l.locked());
    BOOST_TEST(s.value() == 1u);
}

// ---------------------------------------------------------------------------------------
// Bad use: another loop, another thread

// Each wait that binds a primitive to the running loop; returns what each one threw.
tulip::awaitable<std::vector<std::exception_ptr>> use_all(tulip::event& ev, tulip::lock& l,
                                                          tulip::condition& c, tulip::semaphore& s,
                                                          tulip::barrier& b)
{
    std::vector<std::exception_ptr> out;
    auto record = [&out](std::exception_ptr e) { out.push_back(e); };
    try {
        ev.set(); // set() checks the loop too (where bound), like wait()
        co_await ev.wait();
        ev.clear();
        record(nullptr);
    } catch (...) {
        record(std::current_exception());
    }
    try {
        auto g = co_await l.acquire();
        record(nullptr);
    } catch (...) {
        record(std::current_exception());
    }
    try {
        auto g = co_await c.acquire();
        co_await c.wait_for(g, [] { return true; });
        record(nullptr);
    } catch (...) {
        record(std::current_exception());
    }
    try {
        auto p = co_await s.acquire();
        record(nullptr);
    } catch (...) {
        record(std::current_exception());
    }
    try {
        (void)co_await b.wait();
        record(nullptr);
    } catch (...) {
        record(std::current_exception());
    }
    co_return out;
}

const char* const primitive_names[] = {"event", "lock", "condition", "semaphore", "barrier"};

BOOST_AUTO_TEST_CASE(primitives_bound_to_one_loop_reject_waits_from_another_loop)
{
    tulip::event ev;
    tulip::lock l;
    tulip::condition c;
    tulip::semaphore s(1);
    tulip::barrier b(1);
    tulip::runner first;
    tulip::runner second;
    auto ok = first.run(use_all(ev, l, c, s, b));
    BOOST_TEST_REQUIRE(ok.size() == 5u);
    for (std::size_t i = 0; i < ok.size(); ++i)
        BOOST_TEST(!ok[i], primitive_names[i] << ": " << describe(ok[i]));
    auto bad = second.run(use_all(ev, l, c, s, b));
    BOOST_TEST_REQUIRE(bad.size() == 5u);
    for (std::size_t i = 0; i < bad.size(); ++i) {
        BOOST_TEST(holds<tulip::invalid_state_error>(bad[i]),
                   primitive_names[i] << ": " << describe(bad[i]));
        BOOST_TEST(names_any(bad[i], {"loop"}), primitive_names[i] << ": " << describe(bad[i]));
    }
    BOOST_TEST(!l.locked());
    BOOST_TEST(!c.locked());
    BOOST_TEST(s.value() == 1u);
    // Still usable from its own loop.
    auto again = first.run(use_all(ev, l, c, s, b));
    for (std::size_t i = 0; i < again.size(); ++i)
        BOOST_TEST(!again[i], primitive_names[i] << ": " << describe(again[i]));
}

BOOST_AUTO_TEST_CASE(primitives_bound_to_one_loop_reject_waits_from_another_thread)
{
    tulip::event ev;
    tulip::lock l;
    tulip::condition c;
    tulip::semaphore s(1);
    tulip::barrier b(1);
    tulip::runner first;
    auto ok = first.run(use_all(ev, l, c, s, b));
    for (std::size_t i = 0; i < ok.size(); ++i)
        BOOST_TEST(!ok[i], primitive_names[i] << ": " << describe(ok[i]));
    std::vector<std::exception_ptr> bad;
    std::exception_ptr outer;
    std::thread th([&] {
        try {
            bad = tulip::run(use_all(ev, l, c, s, b));
        } catch (...) {
            outer = std::current_exception();
        }
    });
    th.join();
    BOOST_TEST(!outer, describe(outer));
    BOOST_TEST_REQUIRE(bad.size() == 5u);
    for (std::size_t i = 0; i < bad.size(); ++i) {
        BOOST_TEST(holds<tulip::invalid_state_error>(bad[i]),
                   primitive_names[i] << ": " << describe(bad[i]));
        BOOST_TEST(names_any(bad[i], {"loop", "thread"}),
                   primitive_names[i] << ": " << describe(bad[i]));
    }
    BOOST_TEST(!l.locked());
    BOOST_TEST(s.value() == 1u);
}

// ---------------------------------------------------------------------------------------
// Loop shutdown with waiters pending

// Holds the lock and a permit until `never` is set (it is not).
tulip::awaitable<void> hold_forever(tulip::lock& l, tulip::semaphore& s, tulip::event& never)
{
    auto g = co_await l.acquire();
    auto p = co_await s.acquire();
    co_await never.wait();
}

// Everything a loop leaves behind: tasks waiting on each primitive.
struct leftovers
{
    tulip::event never;
    tulip::event ev;
    tulip::lock l;
    tulip::condition c;
    tulip::semaphore s{1};
    tulip::barrier b{3};
    std::vector<outcome> o = std::vector<outcome>(8);
    std::vector<arrival> a = std::vector<arrival>(2);
};

tulip::awaitable<void> leave_waiters(leftovers& x)
{
    tulip::create_task(hold_forever(x.l, x.s, x.never));
    co_await tulip::sleep(0s);
    tulip::create_task(hold_lock(x.l, x.o[0], nullptr, 0, 1s));
    tulip::create_task(hold_lock(x.l, x.o[1], nullptr, 1, 1s));
    tulip::create_task(hold_permit(x.s, x.o[2], nullptr, 2, 1s));
    tulip::create_task(wait_event(x.ev, x.o[3], nullptr, 3));
    tulip::create_task(wait_condition(x.c, x.o[4], nullptr, 4));
    tulip::create_task(wait_condition(x.c, x.o[5], nullptr, 5));
    tulip::create_task(arrive(x.b, x.a[0]));
    tulip::create_task(arrive(x.b, x.a[1]));
    co_await tulip::sleep(1ms);
}

BOOST_AUTO_TEST_CASE(runner_closed_with_tasks_waiting_on_every_primitive_cancels_them_cleanly)
{
    leftovers x;
    {
        tulip::runner r;
        r.run(leave_waiters(x));
        BOOST_TEST(x.l.locked());
        BOOST_TEST(x.b.n_waiting() == 2u);
    }
    // Every waiter was cancelled and left; nothing is held.
    BOOST_TEST(!x.l.locked());
    BOOST_TEST(!x.c.locked());
    BOOST_TEST(x.s.value() == 1u);
    BOOST_TEST(x.b.n_waiting() == 0u);
    for (std::size_t i = 0; i < 6; ++i)
        BOOST_TEST(!x.o[i].finished, "waiter " << i);
    BOOST_TEST(x.o[4].owned); // a cancelled condition waiter re-acquired the lock
    BOOST_TEST(x.o[5].owned);
}

BOOST_TULIP_TEST_CASE(primitives_destroyed_with_callback_waiters_release_their_handlers)
{
    // The handlers are destroyed, or completed with operation_aborted (as Asio I/O objects
    // do); never completed with success and never leaked.
    auto token = std::make_shared<int>(0);
    int wrong = 0;
    auto check = [&wrong](error_code ec) {
        if (ec != asio::error::operation_aborted)
            ++wrong;
    };
    {
        tulip::event ev;
        tulip::lock l;
        tulip::semaphore s(0);
        tulip::barrier b(2);
        BOOST_TEST(l.try_acquire());
        ev.wait([token, check](error_code ec) { check(ec); });
        l.acquire([token, check](error_code ec, tulip::lock::guard) { check(ec); });
        s.acquire([token, check](error_code ec, tulip::semaphore::guard) { check(ec); });
        b.wait([token, check](error_code ec, std::size_t) { check(ec); });
        co_await settle();
        BOOST_TEST(token.use_count() == 5);
    }
    co_await settle();
    BOOST_TEST(token.use_count() == 1);
    BOOST_TEST(wrong == 0);
}

BOOST_AUTO_TEST_CASE(io_context_destroyed_with_tasks_and_callbacks_waiting_on_primitives)
{
    // Plain Asio: the application runs and destroys its io_context while tasks and
    // callbacks still wait; the primitives outlive it and stay usable as objects.
    leftovers x;
    auto token = std::make_shared<int>(0);
    {
        asio::io_context ioc;
        tulip::create_task(ioc, leave_waiters(x));
        asio::post(ioc, [&] {
            x.ev.wait(asio::bind_executor(ioc.get_executor(), [token](error_code) {}));
            x.b.wait(asio::bind_executor(ioc.get_executor(), [token](error_code, std::size_t) {}));
        });
        while (ioc.poll() != 0) // until nothing is ready: everything waits then
            ;
        BOOST_TEST(x.l.locked());
        BOOST_TEST(token.use_count() > 1);
    }
    BOOST_TEST(token.use_count() == 1); // the abandoned handlers were freed
    BOOST_TEST(x.b.n_waiting() == 0u);
}

BOOST_TULIP_TEST_CASE(wait_with_a_handler_bound_to_another_io_context_stays_on_the_loop)
{
    // The event is the loop's (the wait was started there); the handler only runs on the
    // other io_context, which the pending wait keeps from running out of work.
    asio::io_context other;
    tulip::event ev;
    bool ran = false;
    ev.wait(asio::bind_executor(other, [&](boost::system::error_code ec) {
        BOOST_TEST(!ec);
        ran = true;
    }));
    other.poll();
    BOOST_TEST(!other.stopped());
    BOOST_TEST(!ran);
    BOOST_CHECK_NO_THROW(ev.set());
    co_await tulip::sleep(0s);
    other.run(); // the completion, then out of work
    BOOST_TEST(ran);
}

BOOST_AUTO_TEST_SUITE_END()
