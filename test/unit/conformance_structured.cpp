//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Conformance of the structured-concurrency, timeout, synchronisation and queue features
// with DESIGN.md (3.3, 3.5, 7) and asyncio 3.11-3.13, through the public names only:
// corner cases where several rules meet (cancellation racing results, nested scopes,
// duplicate children, shutdown with waiters, other completion tokens).

#include <boost/tulip/task_group.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/exception_group.hpp>
#include <boost/tulip/gather.hpp>
#include <boost/tulip/queue.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/test.hpp>
#include <boost/tulip/timeout.hpp>
#include <boost/tulip/wait.hpp>

#include "helpers.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;

namespace {

using tulip_test::error_of;
using tulip_test::fail_after;
using tulip_test::immediate;
using tulip_test::now;
using tulip_test::settle;
using tulip_test::value_after;

template <class E>
bool holds(const std::exception_ptr& e)
{
    try {
        if (e)
            std::rethrow_exception(e);
    } catch (const E&) {
        return true;
    } catch (...) {
    }
    return false;
}

// Sleeps `d`; a cancellation of the sleep is swallowed and `v` returned.
tulip::awaitable<int> stubborn(tulip::duration d, int v)
{
    try {
        co_await tulip::sleep(d);
    } catch (...) {
    }
    co_return v;
}

// Sleeps `d`; on cancellation sleeps `cleanup` more, sets `cleaned`, then rethrows.
tulip::awaitable<int> slow_cleanup(tulip::duration d, tulip::duration cleanup, bool& cleaned)
{
    std::exception_ptr e;
    try {
        co_await tulip::sleep(d);
        co_return 1;
    } catch (...) {
        e = std::current_exception();
    }
    co_await tulip::sleep(cleanup);
    cleaned = true;
    std::rethrow_exception(e);
}

tulip::awaitable<std::string> text_after(tulip::duration d, std::string s)
{
    co_await tulip::sleep(d);
    co_return s;
}

// Records the reports the loop's exception handler gets, restoring the previous one.
struct report_recorder
{
    tulip::event_loop& loop;
    tulip::event_loop::exception_handler saved;
    std::vector<std::exception_ptr> seen;

    explicit report_recorder(tulip::event_loop& l)
        : loop(l)
        , saved(l.get_exception_handler())
    {
        loop.set_exception_handler([this](tulip::event_loop&, const tulip::exception_context& ctx) {
            seen.push_back(ctx.exception);
        });
    }
    ~report_recorder() { loop.set_exception_handler(saved); }
    report_recorder(const report_recorder&) = delete;
    report_recorder& operator=(const report_recorder&) = delete;
};

template <class Q>
std::vector<int> drain(Q& q)
{
    std::vector<int> out;
    while (auto v = q.try_get())
        out.push_back(*v);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(conformance_structured_suite)

// --- gather --------------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(gather_of_the_same_task_twice_gives_its_result_in_both_slots)
{
    auto t = tulip::create_task(text_after(1s, "abc"));
    auto [a, b] = co_await tulip::gather(t, t);
    BOOST_TEST(a == "abc");
    BOOST_TEST(b == "abc"); // not moved out by the first slot
    std::vector<tulip::task<std::string>> v{t, t, t};
    auto all = co_await tulip::gather(v);
    BOOST_TEST((all == std::vector<std::string>{"abc", "abc", "abc"}));
}

BOOST_TULIP_TEST_CASE(
    gather_cancelled_awaiter_gets_the_cancellation_when_a_child_ends_cancelled_while_another_swallows_it)
{
    bool cleaned = false;
    auto swallow = tulip::create_task(stubborn(1h, 5));
    auto cancels = tulip::create_task(slow_cleanup(1h, 2s, cleaned));
    auto g = tulip::create_task(tulip::gather(swallow, cancels));
    co_await tulip::sleep(1s);
    g.cancel("stop");
    auto e = co_await error_of(g.wait());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(g.cancelled());
    BOOST_TEST(swallow.done());
    BOOST_TEST(swallow.result() == 5); // the swallowing child kept its value
    BOOST_TEST(cleaned);
    BOOST_TEST(cancels.cancelled());
}

BOOST_TULIP_TEST_CASE(
    gather_settled_of_a_child_cancelled_directly_holds_a_cancellation_and_the_others_values)
{
    auto a = tulip::create_task(value_after(1s, 1));
    auto b = tulip::create_task(value_after(1h, 2));
    tulip_test::cancel_later(b, 500ms, "direct");
    auto [ra, rb] = co_await tulip::gather_settled(a, b);
    BOOST_TEST(ra.has_value());
    BOOST_TEST(*ra == 1);
    BOOST_TEST(rb.has_error());
    BOOST_TEST(tulip::is_cancellation(rb.error()));
    BOOST_TEST(tulip::current_task().cancelling() == 0); // the awaiter was not cancelled
    co_await tulip::sleep(1s);
}

// --- wait ----------------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(wait_first_exception_without_any_exception_waits_for_all)
{
    std::vector<tulip::task<int>> ts{tulip::create_task(value_after(1s, 1)),
                                     tulip::create_task(value_after(3s, 3))};
    const auto start = now();
    auto r = co_await tulip::wait(ts, tulip::return_when::first_exception);
    BOOST_TEST(r.done.size() == 2u);
    BOOST_TEST(r.pending.empty());
    BOOST_TEST((now() - start == 3s));
}

BOOST_TULIP_TEST_CASE(
    wait_with_zero_timeout_and_tasks_already_done_returns_them_without_suspending_long)
{
    auto a = tulip::create_task(immediate(1));
    auto b = tulip::create_task(value_after(1h, 2));
    co_await settle();
    const auto start = now();
    std::vector<tulip::task<int>> ts{a, b};
    auto r = co_await tulip::wait(ts, tulip::return_when::all_completed, 0s);
    BOOST_TEST((now() == start));
    BOOST_TEST(r.done.size() == 1u);
    BOOST_TEST(r.pending.size() == 1u);
    BOOST_TEST(!b.done()); // nothing is cancelled
    b.cancel();
    co_await tulip_test::finish(b);
}

BOOST_TULIP_TEST_CASE(wait_first_exception_returns_at_once_for_a_task_that_already_failed)
{
    auto bad = tulip::create_task(fail_after(0s, "bad"));
    auto slow = tulip::create_task(value_after(1h, 2));
    co_await settle();
    const auto start = now();
    std::vector<tulip::task<int>> ts{slow, bad};
    auto r = co_await tulip::wait(ts, tulip::return_when::first_exception);
    BOOST_TEST((now() == start));
    BOOST_TEST(r.done.size() == 1u);
    slow.cancel();
    co_await tulip_test::finish(slow);
}

// --- timeout, wait_for, move_on_after ------------------------------------------------------

BOOST_TULIP_TEST_CASE(timeout_three_deep_with_equal_deadlines_only_the_outermost_converts)
{
    auto me = tulip::current_task();
    bool cleaned = false;
    auto inner = tulip::timeout(1s, slow_cleanup(1h, 0s, cleaned));
    auto middle = tulip::timeout(1s, std::move(inner));
    auto e = co_await error_of(tulip::timeout(1s, std::move(middle)));
    BOOST_TEST(holds<tulip::timeout_error>(e));
    BOOST_TEST(cleaned);
    BOOST_TEST(me.cancelling() == 0);
    co_await tulip::sleep(1s); // nothing pending
}

BOOST_TULIP_TEST_CASE(timeout_inner_earlier_deadline_converts_and_outer_keeps_running)
{
    auto me = tulip::current_task();
    auto body = [](bool& got) -> tulip::awaitable<int> {
        auto e = co_await error_of(tulip::timeout(1s, value_after(1h, 1)));
        got = holds<tulip::timeout_error>(e);
        co_return co_await value_after(1s, 9);
    };
    bool got = false;
    BOOST_TEST(co_await tulip::timeout(5s, body(got)) == 9);
    BOOST_TEST(got);
    BOOST_TEST(me.cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(
    timeout_whose_work_swallows_the_expiry_returns_the_value_and_leaves_no_pending_cancel)
{
    auto me = tulip::current_task();
    BOOST_TEST(co_await tulip::timeout(1s, stubborn(1h, 4)) == 4);
    BOOST_TEST(me.cancelling() == 0);
    const auto start = now();
    co_await tulip::sleep(2s); // not interrupted
    BOOST_TEST((now() - start == 2s));
}

BOOST_TULIP_TEST_CASE(
    timeout_of_a_task_raises_timeout_error_only_after_the_task_finished_cleaning_up)
{
    bool cleaned = false;
    auto t = tulip::create_task(slow_cleanup(1h, 2s, cleaned));
    const auto start = now();
    auto e = co_await error_of(tulip::timeout(1s, t));
    BOOST_TEST(holds<tulip::timeout_error>(e));
    BOOST_TEST(cleaned);
    BOOST_TEST(t.cancelled());
    BOOST_TEST((now() - start == 3s));
}

BOOST_TULIP_TEST_CASE(wait_for_a_task_that_ignores_the_cancel_returns_its_value_like_asyncio)
{
    auto t = tulip::create_task(stubborn(1h, 8));
    BOOST_TEST(co_await tulip::wait_for(t, 1s) == 8);
    BOOST_TEST(tulip::current_task().cancelling() == 0);
    BOOST_TEST(co_await tulip::wait_for(stubborn(1h, 9), 1s) == 9);
    co_await tulip::sleep(1s);
}

BOOST_TULIP_TEST_CASE(
    move_on_after_inside_task_group_inside_timeout_with_equal_deadlines_raises_timeout_error)
{
    auto me = tulip::current_task();
    bool child_cancelled = false;
    auto body = [&](tulip::task_group& tg) -> tulip::awaitable<int> {
        tg.create_task(slow_cleanup(1h, 0s, child_cancelled));
        auto r = co_await tulip::move_on_after(1s, value_after(1h, 1));
        co_return r ? *r : -1;
    };
    auto e = co_await error_of(tulip::timeout(1s, tulip::with_task_group(body)));
    BOOST_TEST(holds<tulip::timeout_error>(e));
    BOOST_TEST(child_cancelled);
    BOOST_TEST(me.cancelling() == 0);
    co_await tulip::sleep(1s);
}

BOOST_TULIP_TEST_CASE(move_on_after_inside_task_group_inside_timeout_expires_locally)
{
    auto me = tulip::current_task();
    auto body = [&](tulip::task_group& tg) -> tulip::awaitable<int> {
        tg.create_task(value_after(2s, 1));
        auto r = co_await tulip::move_on_after(1s, value_after(1h, 1));
        co_return r ? *r : -1;
    };
    BOOST_TEST(co_await tulip::timeout(5s, tulip::with_task_group(body)) == -1);
    BOOST_TEST(me.cancelling() == 0);
}

// --- shield --------------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(
    shield_of_a_task_failing_after_the_awaiter_was_cancelled_reports_its_exception)
{
    report_recorder rec(tulip::get_running_loop());
    {
        auto waiter = tulip::create_task(tulip::shield(fail_after(2s, "late failure")));
        co_await tulip::sleep(1s);
        waiter.cancel();
        BOOST_TEST(co_await tulip_test::ends_cancelled(waiter));
    }
    co_await tulip::sleep(2s); // the shielded task fails now, with no one waiting
    co_await settle();
    BOOST_REQUIRE(rec.seen.size() == 1u);
    BOOST_TEST(tulip_test::what_of(rec.seen.front()) == "late failure");
}

BOOST_TULIP_TEST_CASE(
    shield_of_a_task_failing_after_the_awaiter_was_cancelled_keeps_the_exception_retrievable)
{
    auto inner = tulip::create_task(fail_after(2s, "late failure"));
    auto waiter = tulip::create_task(tulip::shield(inner));
    co_await tulip::sleep(1s);
    waiter.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(waiter));
    auto e = co_await error_of(inner.wait());
    BOOST_TEST(tulip_test::what_of(e) == "late failure");
}

// --- task groups ---------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(taskgroup_max_concurrency_one_child_creating_siblings_runs_them_in_order)
{
    std::vector<int> order;
    auto child = [&](tulip::task_group tg, int id) -> tulip::awaitable<void> {
        order.push_back(id);
        if (id == 1) {
            tg.create_task([](std::vector<int>& o) -> tulip::awaitable<void> {
                o.push_back(3);
                co_return;
            }(order));
        }
        co_await tulip::sleep(1s);
        order.push_back(-id);
    };
    const tulip::task_group_options opts{.max_concurrency = 1};
    co_await tulip::with_task_group(
        [&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(child(tg, 1));
            tg.create_task(child(tg, 2));
            co_return;
        },
        opts);
    BOOST_TEST((order == std::vector<int>{1, -1, 2, -2, 3}));
}

BOOST_TULIP_TEST_CASE(taskgroup_max_concurrency_eager_child_waiting_for_a_slot_does_not_run_early)
{
    bool b_started = false;
    const tulip::task_group_options opts{.max_concurrency = 1};
    co_await tulip::with_task_group(
        [&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(value_after(1s, 1));
            tulip::task_options eager;
            eager.eager = true;
            tg.create_task(tulip_test::set_flag(b_started), eager);
            BOOST_TEST(!b_started);
            co_await tulip::sleep(500ms);
            BOOST_TEST(!b_started);
        },
        opts);
    BOOST_TEST(b_started);
}

BOOST_TULIP_TEST_CASE(
    taskgroup_eager_child_failing_at_creation_cancels_the_body_and_ends_in_an_exception_group)
{
    auto me = tulip::current_task();
    bool body_cancelled = false;
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tulip::task_options eager;
            eager.eager = true;
            tg.create_task(
                []() -> tulip::awaitable<void> {
                    throw std::runtime_error("eager boom");
                    co_return;
                }(),
                eager);
            BOOST_TEST(tg.shutting_down()); // at once, as asyncio 3.12 does
            BOOST_TEST(holds<tulip::invalid_state_error>(
                tulip_test::thrown_by([&] { tg.create_task(value_after(1s, 1)); })));
            auto be = co_await error_of(tulip::sleep(1h, asio::use_awaitable));
            body_cancelled = tulip::is_cancellation(be);
            if (be)
                std::rethrow_exception(be);
        }));
    BOOST_TEST(body_cancelled);
    BOOST_TEST(holds<tulip::exception_group>(e));
    try {
        std::rethrow_exception(e);
    } catch (const tulip::exception_group& g) {
        BOOST_TEST(g.exceptions().size() == 1u);
        BOOST_TEST(g.contains<std::runtime_error>());
    } catch (...) {
    }
    BOOST_TEST(me.cancelling() == 0);
    co_await tulip::sleep(1s);
}

BOOST_TULIP_TEST_CASE(taskgroup_body_failing_after_a_child_failed_collects_both_in_order)
{
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(fail_after(1s, "child"));
            auto be = co_await error_of(tulip::sleep(1h, asio::use_awaitable));
            BOOST_TEST(tulip::is_cancellation(be));
            throw std::logic_error("body");
        }));
    try {
        std::rethrow_exception(e);
    } catch (const tulip::exception_group& g) {
        BOOST_REQUIRE(g.exceptions().size() == 2u);
        BOOST_TEST(tulip_test::what_of(g.exceptions()[0]) == "child");
        BOOST_TEST(tulip_test::what_of(g.exceptions()[1]) == "body");
    } catch (...) {
        BOOST_FAIL("not an exception_group");
    }
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(taskgroup_nested_three_deep_in_timeout_outer_cancel_is_never_swallowed)
{
    auto me = tulip::current_task();
    auto level = [](auto self, int depth) -> tulip::awaitable<void> {
        if (depth == 0) {
            co_await tulip::sleep(1h);
            co_return;
        }
        co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(tulip::sleep(1h, asio::use_awaitable));
            co_await tulip::timeout(1h, self(self, depth - 1));
        });
    };
    tulip_test::cancel_later(me, 1s, "outer");
    auto e = co_await error_of(tulip::timeout(2h, level(level, 3)));
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(!holds<tulip::timeout_error>(e));
    BOOST_TEST(me.cancelling() == 1);
    me.uncancel();
}

// --- exception_group -----------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(exception_group_split_keeps_nesting_and_messages_on_both_sides)
{
    const tulip::exception_group inner("inner", {std::make_exception_ptr(std::runtime_error("r1")),
                                                 std::make_exception_ptr(std::logic_error("l1"))});
    const tulip::exception_group outer(
        "outer", {std::make_exception_ptr(inner), std::make_exception_ptr(std::logic_error("l2"))});
    auto [match, rest] = outer.split<std::logic_error>();
    BOOST_REQUIRE(match.has_value());
    BOOST_REQUIRE(rest.has_value());
    BOOST_TEST(match->message() == "outer");
    BOOST_REQUIRE(match->exceptions().size() == 2u);
    BOOST_TEST(holds<tulip::exception_group>(match->exceptions()[0])); // nested stays nested
    BOOST_TEST(rest->message() == "outer");
    BOOST_REQUIRE(rest->exceptions().size() == 1u);
    try {
        std::rethrow_exception(rest->exceptions()[0]);
    } catch (const tulip::exception_group& g) {
        BOOST_TEST(g.message() == "inner");
        BOOST_TEST(g.exceptions().size() == 1u);
        BOOST_TEST(tulip_test::what_of(g.exceptions()[0]) == "r1");
    } catch (...) {
        BOOST_FAIL("not a nested group");
    }
    BOOST_TEST(!outer.split<std::out_of_range>().first.has_value());
    BOOST_TEST(outer.split<std::exception>().first.has_value());
    BOOST_TEST(!outer.split<std::exception>().second.has_value());
    co_return;
}

// --- lock, semaphore, condition ------------------------------------------------------------

BOOST_TULIP_TEST_CASE(lock_survivors_of_a_cancel_storm_acquire_in_fifo_order_and_the_lock_ends_free)
{
    tulip::lock l;
    auto held = co_await l.acquire();
    std::vector<int> order;
    std::vector<tulip::task<void>> ts;
    for (int i = 0; i < 20; ++i)
        ts.push_back(tulip::create_task(
            [](tulip::lock& l, std::vector<int>& o, int i) -> tulip::awaitable<void> {
                auto g = co_await l.acquire();
                o.push_back(i);
                co_await tulip::sleep(1ms);
            }(l, order, i)));
    co_await settle();
    // Cancel every odd waiter, some in the same step as the release.
    for (int i = 1; i < 10; i += 2)
        ts[i].cancel();
    held.release();
    for (int i = 11; i < 20; i += 2)
        ts[i].cancel();
    ts[0].cancel(); // chosen already: it owns the lock, then sees the cancel
    for (auto& t : ts)
        co_await tulip_test::finish(t);
    BOOST_TEST(!l.locked());
    std::vector<int> expected{0};
    for (int i = 2; i < 20; i += 2)
        expected.push_back(i);
    BOOST_TEST(order == expected);
    BOOST_TEST(l.try_acquire());
    l.release();
}

BOOST_TULIP_TEST_CASE(semaphore_cancel_storm_loses_no_permit)
{
    tulip::semaphore s(2);
    auto g1 = co_await s.acquire();
    auto g2 = co_await s.acquire();
    int ran = 0;
    std::vector<tulip::task<void>> ts;
    for (int i = 0; i < 10; ++i)
        ts.push_back(
            tulip::create_task([](tulip::semaphore& s, int& ran) -> tulip::awaitable<void> {
                auto g = co_await s.acquire();
                ++ran;
                co_await tulip::sleep(1ms);
            }(s, ran)));
    co_await settle();
    g1.release();
    for (int i = 0; i < 10; i += 3)
        ts[i].cancel();
    g2.release();
    for (auto& t : ts)
        co_await tulip_test::finish(t);
    BOOST_TEST(s.value() == 2u);
    BOOST_TEST(!s.locked());
    BOOST_TEST(ran >= 6);
}

BOOST_TULIP_TEST_CASE(condition_wait_for_cancelled_holds_the_lock_again_when_it_throws)
{
    tulip::condition c;
    bool ready = false;
    bool owned_after = false;
    auto t = tulip::create_task(
        [](tulip::condition& c, bool& ready, bool& owned) -> tulip::awaitable<void> {
            auto g = co_await c.acquire();
            std::exception_ptr e;
            try {
                co_await c.wait_for(g, [&] { return ready; });
            } catch (...) {
                e = std::current_exception();
            }
            owned = g.owns_lock() && c.locked();
            if (e)
                std::rethrow_exception(e);
        }(c, ready, owned_after));
    co_await settle();
    // Hold the lock while the waiter is cancelled: it must wait to re-acquire it.
    auto g = co_await c.acquire();
    t.cancel();
    co_await settle();
    BOOST_TEST(!t.done());
    g.release();
    BOOST_TEST(co_await tulip_test::ends_cancelled(t));
    BOOST_TEST(owned_after);
    BOOST_TEST(!c.locked());
}

BOOST_TULIP_TEST_CASE(condition_notify_all_then_one_woken_waiter_cancelled_others_still_run)
{
    tulip::condition c;
    int woke = 0;
    std::vector<tulip::task<void>> ts;
    for (int i = 0; i < 3; ++i)
        ts.push_back(
            tulip::create_task([](tulip::condition& c, int& woke) -> tulip::awaitable<void> {
                auto g = co_await c.acquire();
                co_await c.wait(g);
                ++woke;
            }(c, woke)));
    co_await settle();
    {
        auto g = co_await c.acquire();
        c.notify_all();
        ts[0].cancel();
    }
    for (auto& t : ts)
        co_await tulip_test::finish(t);
    BOOST_TEST(woke >= 2);
    BOOST_TEST(!c.locked());
}

// --- barrier -------------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(barrier_abort_fails_waiters_and_reset_makes_a_full_cycle_work_again)
{
    tulip::barrier b(3);
    std::vector<tulip::task<std::size_t>> ts;
    for (int i = 0; i < 2; ++i)
        ts.push_back(tulip::create_task(b.wait()));
    co_await settle();
    BOOST_TEST(b.n_waiting() == 2u);
    b.abort();
    for (auto& t : ts)
        BOOST_TEST(holds<tulip::broken_barrier_error>(co_await error_of(t.wait())));
    BOOST_TEST(holds<tulip::broken_barrier_error>(co_await error_of(b.wait())));
    b.reset();
    BOOST_TEST(!b.broken());
    BOOST_TEST(b.n_waiting() == 0u);
    auto x = tulip::create_task(b.wait());
    auto y = tulip::create_task(b.wait());
    co_await settle();
    auto last = co_await b.wait();
    BOOST_TEST(last == 2u);
    BOOST_TEST(co_await x.wait() + co_await y.wait() == 1u);
}

// --- queues --------------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(queue_shutdown_immediate_fails_blocked_putters_drops_items_and_releases_join)
{
    tulip::queue<int> q(1);
    q.put_nowait(1);
    auto putter = tulip::create_task(q.put(2));
    auto joiner = tulip::create_task(q.join(asio::use_awaitable));
    co_await settle();
    BOOST_TEST(!putter.done());
    BOOST_TEST(!joiner.done());
    q.shutdown(true);
    BOOST_TEST(holds<tulip::queue_shut_down>(co_await error_of(putter.wait())));
    co_await joiner.wait(); // the dropped item counts as done
    BOOST_TEST(q.empty());
    BOOST_TEST(holds<tulip::queue_shut_down>(co_await error_of(q.get())));
    BOOST_TEST(holds<tulip::queue_shut_down>(tulip_test::thrown_by([&] { q.put_nowait(3); })));
    BOOST_TEST(holds<tulip::queue_shut_down>(tulip_test::thrown_by([&] { (void)q.get_nowait(); })));
    co_await q.join(); // nothing unfinished
}

BOOST_TULIP_TEST_CASE(queue_shutdown_fails_waiting_getters_and_keeps_items_for_later_gets)
{
    tulip::queue<int> q;
    auto getter = tulip::create_task(q.get());
    co_await settle();
    q.shutdown();
    BOOST_TEST(holds<tulip::queue_shut_down>(co_await error_of(getter.wait())));

    tulip::queue<int> r(2);
    r.put_nowait(1);
    r.put_nowait(2);
    auto putter = tulip::create_task(r.put(3));
    co_await settle();
    r.shutdown();
    BOOST_TEST(holds<tulip::queue_shut_down>(co_await error_of(putter.wait())));
    BOOST_TEST(co_await r.get() == 1);
    BOOST_TEST(co_await r.get() == 2);
    BOOST_TEST(holds<tulip::queue_shut_down>(co_await error_of(r.get())));
    r.task_done();
    r.task_done();
    co_await r.join();
}

BOOST_TULIP_TEST_CASE(queue_shutdown_immediate_keeps_items_taken_but_not_done_unfinished)
{
    tulip::queue<int> q;
    q.put_nowait(1);
    q.put_nowait(2);
    BOOST_TEST(co_await q.get() == 1); // taken, task_done not called
    q.shutdown(true);
    auto joiner = tulip::create_task(q.join(asio::use_awaitable));
    co_await settle();
    BOOST_TEST(!joiner.done()); // item 1 is still being processed
    q.task_done();
    co_await joiner.wait();
}

BOOST_TULIP_TEST_CASE(lifo_queue_with_maxsize_blocks_putters_and_gives_the_newest_first)
{
    tulip::lifo_queue<int> q(2);
    co_await q.put(1);
    co_await q.put(2);
    BOOST_TEST(q.full());
    auto putter = tulip::create_task(q.put(3));
    co_await settle();
    BOOST_TEST(!putter.done());
    BOOST_TEST(co_await q.get() == 2);
    co_await putter.wait();
    BOOST_TEST(co_await q.get() == 3);
    BOOST_TEST(co_await q.get() == 1);
}

BOOST_TULIP_TEST_CASE(priority_queue_gives_every_equal_priority_item_exactly_once)
{
    tulip::priority_queue<std::pair<int, int>> q;
    for (int i = 0; i < 6; ++i)
        q.put_nowait({i % 2, i});
    std::vector<int> firsts;
    std::vector<int> payloads;
    while (auto v = q.try_get()) {
        firsts.push_back(v->first);
        payloads.push_back(v->second);
    }
    BOOST_TEST((firsts == std::vector<int>{0, 0, 0, 1, 1, 1}));
    BOOST_TEST((payloads == std::vector<int>{0, 2, 4, 1, 3, 5})); // pairs compare by payload too
    co_return;
}

// --- other completion tokens ---------------------------------------------------------------

BOOST_TULIP_TEST_CASE(
    parallel_group_wait_for_one_cancels_the_losing_queue_get_without_losing_an_item)
{
    tulip::queue<int> q;
    tulip::event ev;
    tulip::call_later(1s, [&] { ev.set(); });
    auto [order, ec_ev, ec_q, item] =
        co_await asio::experimental::make_parallel_group(ev.wait(asio::deferred),
                                                         q.get(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    BOOST_TEST(order[0] == 0u);
    BOOST_TEST(!ec_ev);
    BOOST_TEST(ec_q == asio::error::operation_aborted);
    q.put_nowait(7);
    co_await settle();
    BOOST_TEST((drain(q) == std::vector<int>{7}));
}

BOOST_TULIP_TEST_CASE(parallel_group_lock_acquire_loser_never_holds_the_lock)
{
    tulip::lock l;
    auto held = co_await l.acquire();
    tulip::semaphore s(0);
    tulip::call_later(1s, [&] { s.release(); });
    auto [order, ec_l, g, ec_s, sg] =
        co_await asio::experimental::make_parallel_group(l.acquire(asio::deferred),
                                                         s.acquire(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    BOOST_TEST(order[0] == 1u);
    BOOST_TEST(ec_l == asio::error::operation_aborted);
    BOOST_TEST(!g.owns_lock());
    BOOST_TEST(sg.owns_lock());
    held.release();
    BOOST_TEST(!l.locked());
}

BOOST_TULIP_TEST_CASE(
    parallel_group_both_barrier_and_event_complete_in_the_same_step_give_both_results)
{
    tulip::barrier b(2);
    tulip::queue<int> q;
    auto other = tulip::create_task(b.wait());
    co_await settle();
    // The barrier trips at once (this is the last party); the get never completes.
    auto [order, ec_b, idx, ec_q, item] =
        co_await asio::experimental::make_parallel_group(b.wait(asio::deferred),
                                                         q.get(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    BOOST_TEST(order[0] == 0u);
    BOOST_TEST(!ec_b);
    BOOST_TEST(idx == 1u);
    BOOST_TEST(ec_q == asio::error::operation_aborted);
    BOOST_TEST(co_await other.wait() == 0u);
}

BOOST_TULIP_TEST_CASE(awaitable_or_operator_queue_put_loser_inserts_nothing)
{
    using namespace asio::experimental::awaitable_operators;
    tulip::queue<int> q(1);
    q.put_nowait(1);
    auto r = co_await (q.put(2, asio::use_awaitable) || tulip::sleep(1s, asio::use_awaitable));
    BOOST_TEST(r.index() == 1u);
    BOOST_TEST((drain(q) == std::vector<int>{1}));
}

BOOST_TULIP_TEST_CASE(callback_with_bound_slot_cancelled_after_the_item_was_chosen_still_gets_it)
{
    tulip::queue<int> q;
    asio::cancellation_signal sig;
    std::optional<int> got;
    error_code got_ec;
    q.get(asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, int v) {
        got_ec = ec;
        if (!ec)
            got = v;
    }));
    q.put_nowait(5); // chosen: the getter's completion is scheduled
    sig.emit(asio::cancellation_type::terminal);
    co_await settle();
    BOOST_TEST(!got_ec);
    BOOST_TEST((got == 5));
    BOOST_TEST(q.empty());
}

BOOST_TULIP_TEST_CASE(gather_inside_awaitable_or_operator_losing_cancels_its_children)
{
    using namespace asio::experimental::awaitable_operators;
    bool cleaned = false;
    auto a = tulip::create_task(slow_cleanup(1h, 1s, cleaned));
    auto b = tulip::create_task(value_after(1h, 2));
    const auto start = now();
    auto r = co_await (tulip::gather(a, b) || tulip::sleep(1s, asio::use_awaitable));
    BOOST_TEST(r.index() == 1u);
    // gather ends with the first child that ends cancelled (asyncio); the other has been
    // asked to cancel and is still cleaning up.
    BOOST_TEST((now() - start == 1s));
    BOOST_TEST(b.cancelled());
    BOOST_TEST(a.cancelling() == 1);
    BOOST_TEST(co_await tulip_test::ends_cancelled(a));
    BOOST_TEST(cleaned);
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(shield_inside_awaitable_or_operator_losing_leaves_the_task_running)
{
    using namespace asio::experimental::awaitable_operators;
    auto t = tulip::create_task(value_after(2s, 3));
    auto r = co_await (tulip::shield(t) || tulip::sleep(1s, asio::use_awaitable));
    BOOST_TEST(r.index() == 1u);
    BOOST_TEST(!t.done());
    BOOST_TEST(co_await t.wait() == 3);
}

BOOST_TULIP_TEST_CASE(wait_for_zero_on_a_task_already_done_returns_its_result)
{
    auto t = tulip::create_task(immediate(6));
    co_await settle();
    BOOST_TEST(co_await tulip::wait_for(t, 0s) == 6);
    BOOST_TEST(co_await tulip::timeout(0s, t) == 6);
    BOOST_TEST(tulip::current_task().cancelling() == 0);
    co_await tulip::sleep(1s);
}

BOOST_TULIP_TEST_CASE(priority_queue_with_maxsize_inserts_a_blocked_putters_item_in_priority_order)
{
    tulip::priority_queue<int> q(2);
    q.put_nowait(5);
    q.put_nowait(9);
    auto putter = tulip::create_task(q.put(1));
    co_await settle();
    BOOST_TEST(!putter.done());
    BOOST_TEST(co_await q.get() == 5);
    co_await putter.wait();
    BOOST_TEST(co_await q.get() == 1);
    BOOST_TEST(co_await q.get() == 9);
}

BOOST_TULIP_TEST_CASE(
    condition_wait_for_callback_cancelled_through_a_bound_slot_holds_the_lock_again)
{
    tulip::condition c;
    auto g = co_await c.acquire();
    asio::cancellation_signal sig;
    std::optional<error_code> got;
    bool pred_checked = false;
    c.wait_for(
        g,
        [&] {
            pred_checked = true;
            return false;
        },
        asio::bind_cancellation_slot(sig.slot(), [&](error_code ec) { got = ec; }));
    BOOST_TEST(pred_checked);
    BOOST_TEST(!g.owns_lock());
    BOOST_TEST(!c.locked()); // released while waiting
    sig.emit(asio::cancellation_type::terminal);
    co_await settle();
    BOOST_REQUIRE(got.has_value());
    BOOST_TEST((*got == asio::error::operation_aborted));
    BOOST_TEST(g.owns_lock());
    BOOST_TEST(c.locked());
    g.release();
    BOOST_TEST(!c.locked());
}

BOOST_AUTO_TEST_SUITE_END()
