//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Cancellation of tasks (asyncio's model): task::cancel, cancelling/uncancel,
// is_cancellation, and where a cancellation is delivered.

#include <boost/tulip/task.hpp>

#include <boost/tulip/sync.hpp>
#include <boost/tulip/wait.hpp>

#include <boost/tulip/test.hpp>

#include "helpers.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

using tulip_test::cancel_message;
using tulip_test::set_flag;
using tulip_test::value_after;
using tulip_test::what_of;

// What a task body saw.
struct probe
{
    bool started = false;
    bool resumed = false; // reached the code after its first suspension
    std::exception_ptr caught;
    bool later_completed = false;
    int cancellations = 0;
};

// Sleeps `d`, catching whatever that throws.
tulip::awaitable<void> sleep_catching(tulip::duration d, probe& p)
{
    p.started = true;
    try {
        co_await tulip::sleep(d);
        p.resumed = true;
    } catch (...) {
        p.caught = std::current_exception();
    }
}

// Sleeps `d` and lets a cancellation propagate.
tulip::awaitable<void> sleep_propagating(tulip::duration d, probe& p)
{
    p.started = true;
    co_await tulip::sleep(d);
    p.resumed = true;
}

// Waits on a raw Asio timer of the loop's io_context.
tulip::awaitable<void> asio_timer_catching(probe& p)
{
    p.started = true;
    asio::steady_timer timer(tulip::get_running_loop().get_io_context());
    timer.expires_after(1h);
    try {
        co_await timer.async_wait(asio::use_awaitable);
        p.resumed = true;
    } catch (...) {
        p.caught = std::current_exception();
    }
}

// Catches the cancellation, leaves the handler, then awaits again.
tulip::awaitable<int> catch_then_sleep_again(probe& p)
{
    p.started = true;
    try {
        co_await tulip::sleep(1h);
    } catch (...) {
        p.caught = std::current_exception();
    }
    co_await tulip::sleep(1s);
    p.later_completed = true;
    co_return 5;
}

// Counts the cancellations seen over several awaits.
tulip::awaitable<void> count_cancellations(probe& p)
{
    p.started = true;
    for (int i = 0; i < 4; ++i) {
        try {
            if (i % 2 == 0)
                co_await tulip::sleep(1s);
            else
                co_await tulip::sleep(0s);
        } catch (...) {
            if (tulip::is_cancellation(std::current_exception()))
                ++p.cancellations;
            else
                p.caught = std::current_exception();
        }
    }
    p.later_completed = true;
}

// Waits on `f`, records the value, then (if `then_sleep`) sleeps an hour.
tulip::awaitable<int> wait_future_then(tulip::future<int> f, int& got, bool then_sleep)
{
    int v = co_await f.wait();
    got = v;
    if (then_sleep)
        co_await tulip::sleep(1h);
    co_return v * 2;
}

// Sets `f`'s result and cancels `victim` in the same step, before the victim runs.
tulip::awaitable<void> set_then_cancel(tulip::future<int> f, tulip::task<int>& victim,
                                       bool& cancel_result)
{
    f.set_result(21);
    cancel_result = victim.cancel("after result");
    co_return;
}

tulip::awaitable<int> await_task(tulip::task<int> inner)
{
    co_return co_await inner.wait();
}

tulip::awaitable<void> cancel_self_then_sleep(probe& p)
{
    p.started = true;
    bool requested = tulip::current_task().cancel("self");
    p.resumed = requested; // no exception at the cancel() call itself
    try {
        co_await tulip::sleep(1s);
    } catch (...) {
        p.caught = std::current_exception();
    }
}

tulip::awaitable<int> catch_and_uncancel(probe& p, int& remaining)
{
    p.started = true;
    try {
        co_await tulip::sleep(1h);
    } catch (...) {
        p.caught = std::current_exception();
    }
    remaining = tulip::current_task().uncancel();
    co_await tulip::sleep(1s);
    p.later_completed = true;
    co_return 3;
}

bool is_operation_aborted(const std::exception_ptr& e)
{
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& s) {
        return s.code() == asio::error::operation_aborted;
    } catch (...) {
        return false;
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(cancellation_suite)

BOOST_TULIP_TEST_CASE(cancel_returns_true_when_pending_and_false_when_done)
{
    probe p;
    auto t = tulip::create_task(sleep_propagating(1h, p));
    co_await tulip::sleep(0s);
    BOOST_TEST(t.cancel());
    try {
        co_await t.wait();
    } catch (...) {
    }
    BOOST_TEST(t.done());
    BOOST_TEST(!t.cancel());

    auto finished = tulip::create_task(value_after(0s, 1));
    co_await finished.wait();
    BOOST_TEST(!finished.cancel());
    BOOST_TEST(!finished.cancelled());
    BOOST_TEST(finished.result() == 1);
}

BOOST_TULIP_TEST_CASE(cancellation_is_delivered_while_waiting_in_tulip_sleep)
{
    probe p;
    auto t = tulip::create_task(sleep_catching(1h, p));
    co_await tulip::sleep(1s);
    BOOST_TEST_REQUIRE(p.started);
    auto t0 = tulip::clock::now();
    t.cancel();
    co_await t.wait();
    BOOST_TEST(!p.resumed);
    BOOST_TEST_REQUIRE(static_cast<bool>(p.caught));
    BOOST_TEST(tulip::is_cancellation(p.caught));
    BOOST_TEST((tulip::clock::now() - t0 < 1s));
}

BOOST_TULIP_TEST_CASE(cancellation_is_delivered_while_waiting_in_a_raw_asio_operation)
{
    probe p;
    auto t = tulip::create_task(asio_timer_catching(p));
    co_await tulip::sleep(0s);
    BOOST_TEST_REQUIRE(p.started);
    t.cancel();
    co_await t.wait();
    BOOST_TEST(!p.resumed);
    BOOST_TEST_REQUIRE(static_cast<bool>(p.caught));
    BOOST_TEST(tulip::is_cancellation(p.caught));
    BOOST_TEST(is_operation_aborted(p.caught));
}

BOOST_TULIP_TEST_CASE(task_cancelled_before_its_first_step_never_runs_its_body)
{
    bool started = false;
    auto t = tulip::create_task(set_flag(started));
    BOOST_TEST(t.cancel("early"));
    std::exception_ptr e;
    try {
        co_await t.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(!started);
    BOOST_TEST(t.cancelled());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(cancel_message(e) == "early");
}

BOOST_TULIP_TEST_CASE(cancellation_of_a_woken_task_is_delivered_at_its_next_suspension)
{
    // The task is ready to run (its future is set) when it is cancelled: the wait
    // completes normally and the cancellation arrives at the next co_await.
    auto f = tulip::get_running_loop().create_future<int>();
    int got = 0;
    auto t = tulip::create_task(wait_future_then(f, got, true));
    co_await tulip::sleep(0s);
    auto t0 = tulip::clock::now();
    f.set_result(21);
    BOOST_TEST(t.cancel());
    std::exception_ptr e;
    try {
        (void)co_await t.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(got == 21);
    BOOST_TEST(t.cancelled());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST((tulip::clock::now() - t0 < 1h));
}

BOOST_TULIP_TEST_CASE(cancel_right_after_the_awaited_result_arrived_keeps_the_result)
{
    // DESIGN sec. 7: Tulip delivers the result and raises the cancellation at the next
    // suspension point; a task that finishes without suspending again finishes normally.
    auto f = tulip::get_running_loop().create_future<int>();
    int got = 0;
    auto victim = tulip::create_task(wait_future_then(f, got, false));
    co_await tulip::sleep(0s);
    bool cancel_result = false;
    auto setter = tulip::create_task(set_then_cancel(f, victim, cancel_result));
    co_await setter.wait();
    BOOST_TEST(cancel_result);
    int r = -1;
    std::exception_ptr e;
    try {
        r = co_await victim.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(!e);
    BOOST_TEST(got == 21);
    BOOST_TEST(r == 42);
    BOOST_TEST(!victim.cancelled());
}

BOOST_TULIP_TEST_CASE(cancel_right_after_the_awaited_result_arrived_raises_at_the_next_suspension)
{
    auto f = tulip::get_running_loop().create_future<int>();
    int got = 0;
    auto victim = tulip::create_task(wait_future_then(f, got, true));
    co_await tulip::sleep(0s);
    bool cancel_result = false;
    auto setter = tulip::create_task(set_then_cancel(f, victim, cancel_result));
    co_await setter.wait();
    auto t0 = tulip::clock::now();
    std::exception_ptr e;
    try {
        (void)co_await victim.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(cancel_result);
    BOOST_TEST(got == 21); // the result was delivered first
    BOOST_TEST(victim.cancelled());
    BOOST_TEST(cancel_message(e) == "after result");
    BOOST_TEST((tulip::clock::now() - t0 < 1h));
}

// Waits for `ev`, then for `other` (through shield() if `shielded`), storing its result.
tulip::awaitable<void> wait_event_then_task(tulip::event& ev, tulip::task<int> other, bool shielded,
                                            int& got)
{
    co_await ev.wait();
    if (shielded)
        got = co_await tulip::shield(other);
    else
        got = co_await other.wait();
}

tulip::awaitable<int> yield_then_wait_event(tulip::event& ev, int v)
{
    co_await tulip::sleep(0s); // waits on `ev` behind the task created after it
    co_await ev.wait();
    co_return v;
}

// The victim is cancelled while ready to run; it then awaits a task that ends in the same
// loop iteration, before the interrupted wait resumes it. Whether the wait was
// interrupted is decided when it ends: the cancellation is not dropped for the result.
tulip::awaitable<void> runnable_cancel_then_awaited_task_ends_before_the_resume(bool shielded)
{
    tulip::event ev;
    int got = -1;
    auto other = tulip::create_task(yield_then_wait_event(ev, 7));
    auto victim = tulip::create_task(wait_event_then_task(ev, other, shielded, got));
    co_await tulip::sleep(1s); // both wait on ev: the victim first
    ev.set();                  // wakes the victim, then other
    victim.cancel("late");
    std::exception_ptr e;
    try {
        co_await victim.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(other.done());
    BOOST_TEST(got == -1);
    BOOST_TEST(victim.cancelled());
    BOOST_TEST(cancel_message(e) == "late");
}

BOOST_TULIP_TEST_CASE(cancel_while_runnable_is_not_lost_when_the_awaited_task_ends_before_resuming)
{
    co_await runnable_cancel_then_awaited_task_ends_before_the_resume(false);
}

BOOST_TULIP_TEST_CASE(cancel_while_runnable_is_not_lost_when_the_shielded_task_ends_before_resuming)
{
    co_await runnable_cancel_then_awaited_task_ends_before_the_resume(true);
}

BOOST_TULIP_TEST_CASE(later_co_awaits_work_after_a_caught_cancellation)
{
    probe p;
    auto t = tulip::create_task(catch_then_sleep_again(p));
    co_await tulip::sleep(1s);
    auto t0 = tulip::clock::now();
    t.cancel();
    int r = co_await t.wait();
    BOOST_TEST(tulip::is_cancellation(p.caught));
    BOOST_TEST(p.later_completed);
    BOOST_TEST(r == 5);
    BOOST_TEST((tulip::clock::now() - t0 == 1s)); // the second sleep ran its full length
}

BOOST_TULIP_TEST_CASE(cancellation_is_delivered_exactly_once)
{
    probe p;
    auto t = tulip::create_task(count_cancellations(p));
    co_await tulip::sleep(0s);
    t.cancel();
    co_await t.wait();
    BOOST_TEST(p.cancellations == 1);
    BOOST_TEST(!p.caught);
    BOOST_TEST(p.later_completed);
    BOOST_TEST(!t.cancelled());
}

BOOST_TULIP_TEST_CASE(cancelling_counts_requests_and_uncancel_undoes_one)
{
    probe p;
    auto t = tulip::create_task(sleep_propagating(1h, p));
    co_await tulip::sleep(0s);
    BOOST_TEST(t.cancelling() == 0);
    t.cancel();
    BOOST_TEST(t.cancelling() == 1);
    t.cancel();
    BOOST_TEST(t.cancelling() == 2);
    BOOST_TEST(t.uncancel() == 1);
    BOOST_TEST(t.cancelling() == 1);
    try {
        co_await t.wait();
    } catch (...) {
    }
    BOOST_TEST(t.cancelled());
}

BOOST_TULIP_TEST_CASE(uncancel_to_zero_before_delivery_means_no_cancellation)
{
    bool started = false;
    auto t = tulip::create_task(set_flag(started));
    BOOST_TEST(t.cancel());
    BOOST_TEST(t.uncancel() == 0);
    co_await t.wait();
    BOOST_TEST(started);
    BOOST_TEST(t.done());
    BOOST_TEST(!t.cancelled());
}

BOOST_TULIP_TEST_CASE(uncancel_to_zero_in_a_woken_task_means_no_cancellation)
{
    auto f = tulip::get_running_loop().create_future<int>();
    int got = 0;
    auto t = tulip::create_task(wait_future_then(f, got, true));
    co_await tulip::sleep(0s);
    f.set_result(4);
    BOOST_TEST(t.cancel());
    BOOST_TEST(t.uncancel() == 0);
    auto t0 = tulip::clock::now();
    int r = co_await t.wait();
    BOOST_TEST(r == 8);
    BOOST_TEST(!t.cancelled());
    BOOST_TEST((tulip::clock::now() - t0 >= 1h)); // the sleep after the wait was not cut
}

BOOST_TULIP_TEST_CASE(task_that_catches_the_cancellation_can_uncancel_and_go_on)
{
    probe p;
    int remaining = -1;
    auto t = tulip::create_task(catch_and_uncancel(p, remaining));
    co_await tulip::sleep(0s);
    t.cancel();
    int r = co_await t.wait();
    BOOST_TEST(tulip::is_cancellation(p.caught));
    BOOST_TEST(remaining == 0);
    BOOST_TEST(t.cancelling() == 0);
    BOOST_TEST(p.later_completed);
    BOOST_TEST(r == 3);
    BOOST_TEST(!t.cancelled());
}

BOOST_TULIP_TEST_CASE(cancel_message_reaches_the_awaiter)
{
    probe p;
    auto t = tulip::create_task(sleep_propagating(1h, p));
    co_await tulip::sleep(0s);
    t.cancel("shutdown");
    std::exception_ptr e;
    try {
        co_await t.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST_REQUIRE(static_cast<bool>(e));
    BOOST_TEST(cancel_message(e) == "shutdown");
    std::string from_result;
    try {
        t.result();
    } catch (const tulip::cancelled_error& c) {
        from_result = c.message();
    }
    BOOST_TEST(from_result == "shutdown");
}

BOOST_TULIP_TEST_CASE(cancel_message_reaches_an_async_wait_callback)
{
    auto t = tulip::create_task(value_after(1h, 1));
    co_await tulip::sleep(0s);
    std::exception_ptr e;
    int calls = 0;
    t.async_wait([&](std::exception_ptr x, int) {
        ++calls;
        e = x;
    });
    t.cancel("stop now");
    co_await tulip::sleep(1s);
    BOOST_TEST(calls == 1);
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(cancel_message(e) == "stop now");
}

BOOST_TULIP_TEST_CASE(task_ends_cancelled_when_the_cancellation_propagates_out)
{
    probe p;
    auto t = tulip::create_task(sleep_propagating(1h, p));
    co_await tulip::sleep(0s);
    t.cancel();
    try {
        co_await t.wait();
    } catch (...) {
    }
    BOOST_TEST(t.done());
    BOOST_TEST(t.cancelled());
    BOOST_TEST(!p.resumed);
    BOOST_CHECK_THROW(t.exception(), tulip::cancelled_error);
}

BOOST_TULIP_TEST_CASE(task_that_catches_the_cancellation_and_returns_is_not_cancelled)
{
    probe p;
    auto t = tulip::create_task(catch_then_sleep_again(p));
    co_await tulip::sleep(0s);
    t.cancel();
    int r = co_await t.wait();
    BOOST_TEST(t.done());
    BOOST_TEST(!t.cancelled());
    BOOST_TEST(r == 5);
    BOOST_TEST(t.result() == 5);
    BOOST_TEST(!t.exception());
}

BOOST_AUTO_TEST_CASE(is_cancellation_is_true_for_cancelled_error_and_operation_aborted_only)
{
    const tulip::cancelled_error ce("m");
    const boost::system::system_error aborted(asio::error::operation_aborted);
    const boost::system::system_error reset(asio::error::connection_reset);
    const std::runtime_error other("x");

    BOOST_TEST(tulip::is_cancellation(ce));
    BOOST_TEST(tulip::is_cancellation(aborted));
    BOOST_TEST(!tulip::is_cancellation(reset));
    BOOST_TEST(!tulip::is_cancellation(other));

    BOOST_TEST(tulip::is_cancellation(std::make_exception_ptr(ce)));
    BOOST_TEST(tulip::is_cancellation(std::make_exception_ptr(aborted)));
    BOOST_TEST(!tulip::is_cancellation(std::make_exception_ptr(reset)));
    BOOST_TEST(!tulip::is_cancellation(std::make_exception_ptr(other)));
    BOOST_TEST(!tulip::is_cancellation(std::make_exception_ptr(42)));
    BOOST_TEST(!tulip::is_cancellation(std::exception_ptr()));

    BOOST_TEST((ce.code() == asio::error::operation_aborted));
    BOOST_TEST(ce.message() == "m");
}

BOOST_TULIP_TEST_CASE(cancelling_the_awaiting_task_cancels_the_awaited_task)
{
    auto inner = tulip::create_task(value_after(1h, 1));
    auto outer = tulip::create_task(await_task(inner));
    co_await tulip::sleep(1s);
    auto t0 = tulip::clock::now();
    BOOST_TEST(outer.cancel("outer cancelled"));
    std::exception_ptr outer_e;
    try {
        (void)co_await outer.wait();
    } catch (...) {
        outer_e = std::current_exception();
    }
    BOOST_TEST(outer.cancelled());
    BOOST_TEST(tulip::is_cancellation(outer_e));
    std::exception_ptr inner_e;
    try {
        (void)co_await inner.wait();
    } catch (...) {
        inner_e = std::current_exception();
    }
    BOOST_TEST(inner.cancelled());
    BOOST_TEST(cancel_message(inner_e) == "outer cancelled");
    BOOST_TEST((tulip::clock::now() - t0 < 1h));
}

BOOST_TULIP_TEST_CASE(cancel_from_inside_the_task_is_delivered_at_its_next_suspension)
{
    probe p;
    auto t = tulip::create_task(cancel_self_then_sleep(p));
    co_await tulip::sleep(0s);
    auto t0 = tulip::clock::now();
    co_await t.wait();
    BOOST_TEST(p.started);
    BOOST_TEST(p.resumed); // cancel() returned true and did not throw
    BOOST_TEST(tulip::is_cancellation(p.caught));
    BOOST_TEST((tulip::clock::now() - t0 < 1s));
}

BOOST_TULIP_TEST_CASE(
    cancel_requested_while_ready_interrupts_the_next_wait_and_leaves_the_awaited_task_alone)
{
    // asyncio throws a cancellation requested while the task is ready to run at its
    // resume point: the task it then awaits is not cancelled.
    auto& loop = tulip::get_running_loop();
    auto wake = loop.create_future<void>();
    auto other = tulip::create_task([]() -> tulip::awaitable<int> {
        co_await tulip::sleep(1s);
        co_return 7;
    }());
    bool reached_second_wait = false;
    std::exception_ptr caught;
    auto t = tulip::create_task([](tulip::future<void> wake, tulip::task<int> other, bool& reached,
                                   std::exception_ptr& caught) -> tulip::awaitable<void> {
        co_await wake.wait();
        reached = true;
        try {
            co_await other.wait();
        } catch (...) {
            caught = std::current_exception();
        }
    }(wake, other, reached_second_wait, caught));
    co_await tulip::sleep(0s);
    wake.set_result();                   // t is ready to run...
    BOOST_TEST(t.cancel("while ready")); // ...when it is cancelled
    co_await t.wait();
    BOOST_TEST(reached_second_wait); // the wake-up itself was not lost
    BOOST_TEST(cancel_message(caught) == "while ready");
    BOOST_TEST(other.cancelling() == 0);
    BOOST_TEST(co_await other.wait() == 7);
}

BOOST_TULIP_TEST_CASE(cancel_while_waiting_on_a_task_is_forwarded_and_a_swallowing_task_wins)
{
    // asyncio: the awaited task is cancelled in turn; if it swallows the cancellation, its
    // result reaches the awaiter, which is not cancelled.
    auto inner = tulip::create_task([]() -> tulip::awaitable<int> {
        try {
            co_await tulip::sleep(1h);
        } catch (const std::exception&) {
        }
        co_return 5;
    }());
    auto outer = tulip::create_task([](tulip::task<int> inner) -> tulip::awaitable<int> {
        co_return co_await inner.wait();
    }(inner));
    co_await tulip::sleep(1s);
    BOOST_TEST(outer.cancel());
    BOOST_TEST(co_await outer.wait() == 5);
    BOOST_TEST(inner.cancelling() == 1);
    BOOST_TEST(!outer.cancelled());
}

BOOST_TULIP_TEST_CASE(task_that_cancels_itself_then_awaits_a_task_cancels_the_awaited_task)
{
    // asyncio: the cancellation requested during the task's own step is delivered at its
    // next await, and awaiting a task from a task being cancelled cancels the awaited one.
    auto other = tulip::create_task(value_after(1h, 1));
    auto self = tulip::create_task([](tulip::task<int> other) -> tulip::awaitable<int> {
        tulip::current_task().cancel("self");
        int v = co_await other.wait();
        co_return v;
    }(other));
    const auto start = tulip::clock::now();
    std::exception_ptr e;
    try {
        (void)co_await self.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(self.cancelled());
    BOOST_TEST(other.cancelled());
    BOOST_TEST(other.done());
    std::exception_ptr other_e;
    try {
        (void)other.result();
    } catch (...) {
        other_e = std::current_exception();
    }
    BOOST_TEST(cancel_message(other_e) == "self");
    BOOST_TEST((tulip::clock::now() - start < 1h));
}

BOOST_AUTO_TEST_SUITE_END()
