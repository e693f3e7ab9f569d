//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// timeout, timeout_at, wait_for, move_on_after (asyncio.timeout, asyncio.wait_for, Trio's
// move_on_after): own expiry versus foreign cancellations, nesting, task groups inside.

#include <boost/tulip/timeout.hpp>

#include <boost/tulip/future.hpp>
#include <boost/tulip/gather.hpp>
#include <boost/tulip/task_group.hpp>
#include <boost/tulip/test.hpp>

#include "helpers.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

using tulip_test::cancel_later;
using tulip_test::cancel_message;
using tulip_test::error_of;
using tulip_test::immediate;
using tulip_test::now;
using tulip_test::value_after;
using tulip_test::what_of;

tulip::awaitable<void> forever()
{
    co_await tulip::sleep(24h);
}

// What the awaited work saw.
struct probe
{
    bool cancelled = false; // a cancellation reached it
    bool cleaned = false;   // its cleanup after the cancellation finished
    tulip::clock::time_point cleaned_at{};
};

// Sleeps `d`; on cancellation, cleans up for `cleanup` (awaiting), then rethrows.
tulip::awaitable<int> work(tulip::duration d, int v, probe& p, tulip::duration cleanup = 0s)
{
    std::exception_ptr e;
    try {
        co_await tulip::sleep(d);
        co_return v;
    } catch (...) {
        p.cancelled = tulip::is_cancellation(std::current_exception());
        e = std::current_exception();
    }
    co_await tulip::sleep(cleanup);
    p.cleaned = true;
    p.cleaned_at = now();
    std::rethrow_exception(e);
}

// Swallows a cancellation of its sleep and returns `v`.
tulip::awaitable<int> swallowing(tulip::duration d, int v)
{
    try {
        co_await tulip::sleep(d);
    } catch (...) {
    }
    co_return v;
}

bool is_timeout(const std::exception_ptr& e)
{
    try {
        if (e)
            std::rethrow_exception(e);
    } catch (const tulip::timeout_error&) {
        return true;
    } catch (...) {
    }
    return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(timeout_suite)

// --- timeout ------------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(timeout_returns_the_value_when_the_work_is_in_time)
{
    BOOST_TEST(co_await tulip::timeout(2s, value_after(1s, 7)) == 7);
    co_await tulip::timeout(2s, tulip::sleep(1s, asio::use_awaitable));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
    co_await tulip::sleep(5s); // the cancelled timer does not fire later
}

BOOST_TULIP_TEST_CASE(timeout_expiry_throws_timeout_error_at_the_deadline)
{
    probe p;
    const auto start = now();
    auto e = co_await error_of(tulip::timeout(2s, work(1h, 1, p)));
    BOOST_TEST(is_timeout(e));
    BOOST_TEST(p.cancelled);
    BOOST_TEST((now() - start == 2s));
    BOOST_TEST(tulip::current_task().cancelling() == 0); // its own cancel was undone
    co_await tulip::sleep(1s); // and nothing is pending: this sleep is not interrupted
}

BOOST_TULIP_TEST_CASE(timeout_runs_the_awaitable_in_the_calling_task)
{
    auto me = tulip::current_task();
    auto inside = [](tulip::any_task me) -> tulip::awaitable<int> {
        BOOST_TEST((tulip::current_task() == me));
        BOOST_TEST(tulip::all_tasks().size() == 1u); // no task was created
        co_await tulip::sleep(1s);
        co_return 1;
    };
    BOOST_TEST(co_await tulip::timeout(5s, inside(me)) == 1);
}

BOOST_TULIP_TEST_CASE(timeout_deadline_is_computed_when_timeout_is_called)
{
    const auto start = now();
    probe p;
    auto guarded = tulip::timeout(3s, work(1h, 1, p));
    co_await tulip::sleep(2s);
    auto e = co_await error_of(std::move(guarded));
    BOOST_TEST(is_timeout(e));
    BOOST_TEST((now() - start == 3s)); // 3 s after the call, 1 s after the await
}

BOOST_TULIP_TEST_CASE(timeout_at_uses_an_absolute_deadline)
{
    probe p;
    const auto start = now();
    auto e = co_await error_of(tulip::timeout_at(start + 4s, work(1h, 1, p)));
    BOOST_TEST(is_timeout(e));
    BOOST_TEST((now() - start == 4s));
    BOOST_TEST(co_await tulip::timeout_at(now() + 2s, value_after(1s, 2)) == 2);
}

BOOST_TULIP_TEST_CASE(timeout_deadline_already_passed_on_entry_cancels_at_the_first_suspension)
{
    probe p;
    const auto start = now();
    auto e = co_await error_of(tulip::timeout_at(start - 1s, work(1s, 1, p)));
    BOOST_TEST(is_timeout(e));
    BOOST_TEST(p.cancelled);
    BOOST_TEST((now() == start));
    // Work that completes without suspending is done before the expiry can act.
    BOOST_TEST(co_await tulip::timeout(-1s, immediate(3)) == 3);
    BOOST_TEST(co_await tulip::timeout(0s, immediate(4)) == 4);
    BOOST_TEST(tulip::current_task().cancelling() == 0);
    co_await tulip::sleep(1s);
}

BOOST_TULIP_TEST_CASE(timeout_leaves_a_foreign_cancellation_alone)
{
    probe p;
    auto me = tulip::current_task();
    cancel_later(me, 1s, "foreign");
    auto e = co_await error_of(tulip::timeout(5s, work(1h, 1, p)));
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(!is_timeout(e));
    BOOST_TEST(me.cancelling() == 1); // not undone by the timeout
    BOOST_TEST(me.uncancel() == 0);
    co_await tulip::sleep(10s); // the timeout's timer is gone
}

BOOST_TULIP_TEST_CASE(timeout_expiry_and_foreign_cancel_together_propagate_the_cancellation)
{
    probe p;
    auto me = tulip::current_task();
    const auto start = now();
    auto guarded = tulip::timeout(1s, work(1h, 1, p));
    cancel_later(me, 1s, "foreign"); // due at the same time, after the expiry
    auto e = co_await error_of(std::move(guarded));
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(!is_timeout(e));
    BOOST_TEST((now() - start == 1s));
    BOOST_TEST(me.cancelling() == 1);
    me.uncancel();
}

BOOST_TULIP_TEST_CASE(timeout_expiry_after_the_work_finished_is_ignored)
{
    // The future is set by a timer due at the same time as the deadline, but scheduled
    // first: the work's result is ready when the expiry fires, before the task resumes.
    auto f = tulip::get_running_loop().create_future<int>();
    tulip::call_later(1s, [f]() mutable { f.set_result(5); });
    const int v = co_await tulip::timeout(1s, f.wait());
    BOOST_TEST(v == 5);
    BOOST_TEST(tulip::current_task().cancelling() == 0);
    co_await tulip::sleep(1s); // not interrupted by a leftover cancellation
}

BOOST_TULIP_TEST_CASE(timeout_expiry_after_the_work_finished_is_ignored_after_an_earlier_cancel)
{
    // The task caught an earlier cancellation without undoing it (cancelling() stays 1):
    // the late expiry must still leave nothing pending behind.
    auto me = tulip::current_task();
    me.cancel();
    try {
        co_await tulip::sleep(1s);
    } catch (...) {
    }
    BOOST_TEST(me.cancelling() == 1);
    auto f = tulip::get_running_loop().create_future<int>();
    tulip::call_later(1s, [f]() mutable { f.set_result(5); });
    const int v = co_await tulip::timeout(1s, f.wait());
    BOOST_TEST(v == 5);
    BOOST_TEST(me.cancelling() == 1);
    auto e = co_await error_of(tulip::sleep(1s, asio::use_awaitable));
    BOOST_TEST(!e); // not interrupted by the expiry that came too late
    me.uncancel();
}

BOOST_TULIP_TEST_CASE(timeout_returns_the_value_of_work_that_swallows_the_cancellation)
{
    const auto start = now();
    BOOST_TEST(co_await tulip::timeout(1s, swallowing(1h, 9)) == 9);
    BOOST_TEST((now() - start == 1s));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(timeout_lets_another_exception_after_the_expiry_through)
{
    auto convert = []() -> tulip::awaitable<void> {
        try {
            co_await tulip::sleep(1h);
        } catch (...) {
        }
        throw std::runtime_error("cleanup failed");
    };
    auto e = co_await error_of(tulip::timeout(1s, convert()));
    BOOST_TEST(what_of(e) == "cleanup failed");
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(timeout_nested_inner_expiry_is_converted_by_the_inner_timeout_only)
{
    auto body = []() -> tulip::awaitable<int> {
        probe p;
        auto e = co_await error_of(tulip::timeout(1s, work(1h, 1, p)));
        BOOST_TEST(is_timeout(e));
        co_await tulip::sleep(2s); // the outer timeout is still armed and not expired
        co_return 7;
    };
    const auto start = now();
    BOOST_TEST(co_await tulip::timeout(10s, body()) == 7);
    BOOST_TEST((now() - start == 3s));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(timeout_nested_outer_expiry_passes_through_the_inner_timeout)
{
    std::exception_ptr inner_saw;
    auto body = [](std::exception_ptr& inner_saw) -> tulip::awaitable<void> {
        probe p;
        inner_saw = co_await error_of(tulip::timeout(10s, work(1h, 1, p)));
        std::rethrow_exception(inner_saw);
    };
    const auto start = now();
    auto e = co_await error_of(tulip::timeout(1s, body(inner_saw)));
    BOOST_TEST(tulip::is_cancellation(inner_saw)); // not the inner's timeout
    BOOST_TEST(is_timeout(e));
    BOOST_TEST((now() - start == 1s));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(timeout_nested_both_expire_together_the_outer_converts)
{
    std::exception_ptr inner_saw;
    auto body = [](std::exception_ptr& inner_saw) -> tulip::awaitable<void> {
        probe p;
        inner_saw = co_await error_of(tulip::timeout(1s, work(1h, 1, p)));
        std::rethrow_exception(inner_saw);
    };
    auto e = co_await error_of(tulip::timeout(1s, body(inner_saw)));
    BOOST_TEST(tulip::is_cancellation(inner_saw));
    BOOST_TEST(is_timeout(e));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
    co_await tulip::sleep(1s);
}

BOOST_TULIP_TEST_CASE(timeout_works_in_a_plain_task)
{
    probe p;
    auto t = tulip::create_task(tulip::timeout(1s, work(1h, 1, p)));
    auto e = co_await error_of(t.wait());
    BOOST_TEST(is_timeout(e));
    BOOST_TEST(!t.cancelled()); // it failed with timeout_error
    BOOST_TEST(t.cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(timeout_expires_in_a_plain_co_spawn_coroutine_resumed_by_a_plain_handler)
{
    // A plain co_spawn coroutine, resumed by a plain handler of the loop's io_context: the
    // timeout finds its loop from the coroutine's executor, not from what resumed it.
    // Such a coroutine holds the runner's virtual clock as I/O does
    // (doc/tutorial/testing.adoc), so this case waits in real time: keep it short.
    auto plain = []() -> tulip::awaitable<int> {
        co_await asio::post(asio::use_awaitable);
        co_return co_await tulip::timeout(20ms, value_after(1h, 1));
    };
    auto f = tulip::get_running_loop().create_future<std::exception_ptr>();
    asio::co_spawn(tulip::get_running_loop().get_io_context(), plain(),
                   [f](std::exception_ptr e, int) mutable { f.set_result(e); });
    const auto start = now();
    auto e = co_await f.wait();
    BOOST_TEST(is_timeout(e));
    BOOST_TEST((now() - start >= 20ms));
    BOOST_TEST((now() - start < 1h));
}

BOOST_TULIP_TEST_CASE(timeout_of_a_task_cancels_the_task_on_expiry)
{
    auto t = tulip::create_task(value_after(1h, 1));
    auto e = co_await error_of(tulip::timeout(1s, t));
    BOOST_TEST(is_timeout(e));
    BOOST_TEST(t.cancelled());
    BOOST_TEST(co_await tulip::timeout(1s, tulip::create_task(value_after(0s, 2))) == 2);
}

BOOST_TULIP_TEST_CASE(timeout_around_gather_cancels_the_children)
{
    auto a = tulip::create_task(value_after(1h, 1));
    auto b = tulip::create_task(value_after(1h, 2));
    auto e = co_await error_of(tulip::timeout(1s, tulip::gather(a, b)));
    BOOST_TEST(is_timeout(e));
    co_await tulip::sleep(0s);
    BOOST_TEST(a.cancelled());
    BOOST_TEST(b.cancelled());
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

// --- task groups inside timeouts (cpython#116720) -----------------------------------------

BOOST_TULIP_TEST_CASE(timeout_with_a_task_group_inside_converts_its_expiry)
{
    probe p1, p2;
    auto body = [&p1, &p2](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.create_task(work(1h, 1, p1));
        tg.create_task(work(1h, 2, p2, 1s));
        co_return;
    };
    const auto start = now();
    auto e = co_await error_of(tulip::timeout(2s, tulip::with_task_group(body)));
    BOOST_TEST(is_timeout(e));
    BOOST_TEST(p1.cancelled);
    BOOST_TEST(p2.cleaned);
    BOOST_TEST((now() - start == 3s)); // the group waited for its children
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(timeout_with_a_task_group_inside_passes_an_outer_cancellation_on)
{
    probe p;
    auto inner = [&p]() -> tulip::awaitable<void> {
        co_await tulip::timeout(
            10s, tulip::with_task_group([&p](tulip::task_group& tg) -> tulip::awaitable<void> {
                tg.create_task(work(1h, 1, p));
                co_return;
            }));
    };
    auto t = tulip::create_task(inner());
    cancel_later(t, 1s, "outer");
    auto e = co_await error_of(t.wait());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(t.cancelled()); // never swallowed
    BOOST_TEST(p.cancelled);
}

BOOST_TULIP_TEST_CASE(task_group_inside_nested_timeouts_inner_expiry)
{
    probe p;
    auto group = [&p]() -> tulip::awaitable<void> {
        co_await tulip::with_task_group([&p](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(work(1h, 1, p));
            co_return;
        });
    };
    auto middle = [&]() -> tulip::awaitable<int> {
        auto e = co_await error_of(tulip::timeout(1s, group()));
        BOOST_TEST(is_timeout(e));
        co_return 3;
    };
    BOOST_TEST(co_await tulip::timeout(5s, middle()) == 3);
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

// --- wait_for -----------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(wait_for_returns_the_value_in_time)
{
    BOOST_TEST(co_await tulip::wait_for(value_after(1s, 4), 2s) == 4);
    BOOST_TEST(co_await tulip::wait_for(tulip::create_task(value_after(1s, 5)), 2s) == 5);
    co_await tulip::wait_for(tulip::sleep(1s, asio::use_awaitable), 2s);
}

BOOST_TULIP_TEST_CASE(wait_for_throws_timeout_error_only_after_the_inner_work_finished_cancelling)
{
    probe p;
    const auto start = now();
    auto e = co_await error_of(tulip::wait_for(work(1h, 1, p, 2s), 1s));
    BOOST_TEST(is_timeout(e));
    BOOST_TEST(p.cleaned);
    BOOST_TEST((p.cleaned_at - start == 3s));
    BOOST_TEST((now() - start == 3s));
}

BOOST_TULIP_TEST_CASE(wait_for_never_hides_a_cancellation_cpython_86296)
{
    // The caller is cancelled at the moment the deadline passes: the cancellation comes
    // out, not a timeout_error, and nothing swallows it.
    probe p;
    auto caller = tulip::create_task(tulip::wait_for(work(1h, 1, p), 1s));
    cancel_later(caller, 1s, "shutdown");
    auto e = co_await error_of(caller.wait());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(caller.cancelled());
}

BOOST_TULIP_TEST_CASE(wait_for_never_hides_a_cancellation_that_comes_with_the_result_cpython_86296)
{
    // The inner result is ready and the caller is cancelled in the same iteration: the
    // caller returns the value, and the cancellation is still delivered at its next wait.
    auto f = tulip::get_running_loop().create_future<int>();
    bool got_value = false;
    auto caller_body = [](tulip::future<int> f, bool& got_value) -> tulip::awaitable<void> {
        const int v = co_await tulip::wait_for(f.wait(), 10s);
        got_value = v == 6;
        co_await tulip::sleep(1h); // the pending cancellation lands here
    };
    auto caller = tulip::create_task(caller_body(f, got_value));
    tulip::call_later(1s, [f, caller]() mutable {
        f.set_result(6);
        caller.cancel("late");
    });
    auto e = co_await error_of(caller.wait());
    BOOST_TEST(got_value);
    BOOST_TEST(cancel_message(e) == "late");
    BOOST_TEST(caller.cancelled());
}

BOOST_TULIP_TEST_CASE(wait_for_a_task_cancels_it_on_timeout)
{
    auto t = tulip::create_task(value_after(1h, 1));
    auto e = co_await error_of(tulip::wait_for(t, 1s));
    BOOST_TEST(is_timeout(e));
    BOOST_TEST(t.cancelled());
}

BOOST_TULIP_TEST_CASE(wait_for_a_task_waits_until_the_task_finished_cancelling)
{
    probe p;
    auto t = tulip::create_task(work(1h, 1, p, 2s));
    const auto start = now();
    auto e = co_await error_of(tulip::wait_for(t, 1s));
    BOOST_TEST(is_timeout(e));
    BOOST_TEST(t.done());
    BOOST_TEST((now() - start == 3s));
}

BOOST_TULIP_TEST_CASE(wait_for_a_task_that_swallows_the_cancellation_returns_its_value)
{
    auto t = tulip::create_task(swallowing(1h, 11));
    BOOST_TEST(co_await tulip::wait_for(t, 1s) == 11);
}

BOOST_TULIP_TEST_CASE(wait_for_a_task_cancelling_the_caller_cancels_the_task)
{
    auto t = tulip::create_task(value_after(1h, 1));
    auto caller = tulip::create_task(tulip::wait_for(t, 1h));
    cancel_later(caller, 1s);
    auto e = co_await error_of(caller.wait());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(t.cancelled());
}

BOOST_TULIP_TEST_CASE(wait_for_a_task_interrupted_while_runnable_still_cancels_and_awaits_it)
{
    // The caller cancels itself before it awaits: the cancellation interrupts the wait
    // without reaching the task, and wait_for then cancels the task and waits for it.
    probe p;
    auto t = tulip::create_task(work(1h, 1, p, 1s));
    auto body = [](tulip::task<int> t) -> tulip::awaitable<void> {
        tulip::current_task().cancel("self");
        co_await tulip::wait_for(t, 1h);
    };
    auto caller = tulip::create_task(body(t));
    const auto start = now();
    auto e = co_await error_of(caller.wait());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(t.cancelled());
    BOOST_TEST(p.cleaned);
    BOOST_TEST((now() - start == 1s));
}

// --- move_on_after ------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(move_on_after_returns_the_value_in_time)
{
    const std::optional<int> v = co_await tulip::move_on_after(2s, value_after(1s, 3));
    BOOST_TEST(v.has_value());
    BOOST_TEST(*v == 3);
}

BOOST_TULIP_TEST_CASE(move_on_after_gives_an_empty_optional_on_its_own_expiry)
{
    probe p;
    const auto start = now();
    const auto v = co_await tulip::move_on_after(1s, work(1h, 1, p));
    BOOST_TEST(!v.has_value());
    BOOST_TEST(p.cancelled);
    BOOST_TEST((now() - start == 1s));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(move_on_after_of_void_tells_whether_the_work_completed)
{
    const std::optional<std::monostate> done = co_await tulip::move_on_after(2s, forever());
    BOOST_TEST(!done);
    const auto completed = co_await tulip::move_on_after(2s, tulip::sleep(1s, asio::use_awaitable));
    BOOST_TEST(completed.has_value());
    const auto late = co_await tulip::move_on_at(now() + 1s, tulip::sleep(2s, asio::use_awaitable));
    BOOST_TEST(!late.has_value());
}

BOOST_TULIP_TEST_CASE(move_on_after_leaves_a_foreign_cancellation_alone)
{
    probe p;
    auto me = tulip::current_task();
    cancel_later(me, 1s);
    auto e = co_await error_of(tulip::move_on_after(5s, work(1h, 1, p)));
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(me.uncancel() == 0);
}

// --- plain Asio coroutines, run by io_context::run() without a Tulip runner -------------

namespace {

struct plain_outcomes
{
    int kept = 0;
    std::exception_ptr expired;
    int wait_for_kept = 0;
    std::exception_ptr wait_for_expired;
    std::exception_ptr wait_for_task_expired;
    bool task_cancelled_by_wait_for = false;
    std::optional<int> moved_on;
    std::optional<int> not_moved_on;
    bool finished = false;
};

// Each operation is preceded by a resumption from a plain Asio handler, so that no task or
// loop callback is current. A deadline of 0 s passes on the next loop iteration, so
// nothing here waits in real time.
asio::awaitable<void> plain_timeouts(plain_outcomes& r)
{
    co_await asio::post(asio::use_awaitable);
    r.kept = co_await tulip::timeout(1h, immediate(1));
    co_await asio::post(asio::use_awaitable);
    r.expired = co_await error_of(tulip::timeout(0s, value_after(1h, 2)));
    co_await asio::post(asio::use_awaitable);
    r.wait_for_kept = co_await tulip::wait_for(immediate(3), 1h);
    co_await asio::post(asio::use_awaitable);
    r.wait_for_expired = co_await error_of(tulip::wait_for(value_after(1h, 3), 0s));
    co_await asio::post(asio::use_awaitable);
    auto ex = co_await asio::this_coro::executor;
    auto t = tulip::create_task(ex, value_after(1h, 4));
    r.wait_for_task_expired = co_await error_of(tulip::wait_for(t, 0s));
    r.task_cancelled_by_wait_for = t.cancelled();
    co_await asio::post(asio::use_awaitable);
    r.moved_on = co_await tulip::move_on_after(0s, value_after(1h, 5));
    co_await asio::post(asio::use_awaitable);
    r.not_moved_on = co_await tulip::move_on_after(1h, immediate(6));
    r.finished = true;
}

asio::awaitable<void> plain_timeout_of_a_long_wait(bool& reached)
{
    (void)co_await tulip::timeout(1h, value_after(1h, 1));
    reached = true;
}

} // namespace

BOOST_AUTO_TEST_CASE(timeouts_work_in_a_plain_co_spawn_coroutine_without_a_runner)
{
    asio::io_context ioc;
    plain_outcomes r;
    std::exception_ptr failed;
    asio::co_spawn(ioc, plain_timeouts(r), [&](std::exception_ptr e) { failed = e; });
    ioc.run();
    BOOST_TEST(!failed, (failed ? what_of(failed) : ""));
    BOOST_TEST(r.finished);
    BOOST_TEST(r.kept == 1);
    BOOST_TEST(is_timeout(r.expired));
    BOOST_TEST(r.wait_for_kept == 3);
    BOOST_TEST(is_timeout(r.wait_for_expired));
    BOOST_TEST(is_timeout(r.wait_for_task_expired));
    BOOST_TEST(r.task_cancelled_by_wait_for);
    BOOST_TEST(!r.moved_on.has_value());
    BOOST_TEST((r.not_moved_on == std::optional<int>(6)));
}

BOOST_AUTO_TEST_CASE(cancelling_a_plain_co_spawn_coroutine_cancels_the_work_under_its_timeout)
{
    asio::io_context ioc;
    asio::cancellation_signal sig;
    bool reached = false;
    std::exception_ptr outcome;
    asio::co_spawn(
        ioc, plain_timeout_of_a_long_wait(reached),
        asio::bind_cancellation_slot(sig.slot(), [&](std::exception_ptr e) { outcome = e; }));
    // Runs once the coroutine waits in its timeout (handlers run in order).
    asio::post(ioc, [&] { sig.emit(asio::cancellation_type::terminal); });
    const auto start = std::chrono::steady_clock::now();
    ioc.run();
    BOOST_TEST(!reached);
    BOOST_TEST(tulip::is_cancellation(outcome));
    BOOST_TEST(!is_timeout(outcome));
    BOOST_TEST((std::chrono::steady_clock::now() - start < 1min));
}

BOOST_AUTO_TEST_SUITE_END()
