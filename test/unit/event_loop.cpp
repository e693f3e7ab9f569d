//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/test.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <csignal>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Restores the loop's exception handler (the test runner's) when a case is done with
// its own.
struct handler_guard
{
    tulip::event_loop& loop;
    tulip::event_loop::exception_handler saved;
    explicit handler_guard(tulip::event_loop& l)
        : loop(l)
        , saved(l.get_exception_handler())
    {}
    ~handler_guard() { loop.set_exception_handler(saved); }
    handler_guard(const handler_guard&) = delete;
    handler_guard& operator=(const handler_guard&) = delete;
};

struct reported
{
    std::string message;
    std::exception_ptr exception;
    tulip::any_task task;
};

tulip::event_loop::exception_handler recorder(std::vector<reported>& out)
{
    return [&out](tulip::event_loop&, const tulip::exception_context& c) {
        out.push_back({c.message, c.exception, c.task});
    };
}

std::string what_of(const std::exception_ptr& e)
{
    try {
        if (e)
            std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "(not a std::exception)";
    }
    return {};
}

// Redirects std::cerr into a string for the lifetime of the object.
struct capture_cerr
{
    std::ostringstream text;
    std::streambuf* saved;
    capture_cerr()
        : saved(std::cerr.rdbuf(text.rdbuf()))
    {}
    ~capture_cerr() { std::cerr.rdbuf(saved); }
};

tulip::context_var<int> number_var{"number", 0};

tulip::awaitable<void> answer_nothing()
{
    co_return;
}

} // namespace

BOOST_AUTO_TEST_SUITE(event_loop_suite)

BOOST_AUTO_TEST_CASE(get_running_loop_throws_no_running_loop_outside_a_task)
{
    BOOST_CHECK_THROW(tulip::get_running_loop(), tulip::no_running_loop);
    BOOST_CHECK_THROW(tulip::call_soon([] {}), tulip::no_running_loop);
    BOOST_CHECK_THROW(tulip::call_later(1s, [] {}), tulip::no_running_loop);
    // A loop that exists but is not running does not count either.
    asio::io_context ioc;
    tulip::get_event_loop(ioc);
    BOOST_CHECK_THROW(tulip::get_running_loop(), tulip::no_running_loop);
    // Nor does a loop that ran and returned.
    tulip::run(answer_nothing());
    BOOST_CHECK_THROW(tulip::get_running_loop(), tulip::no_running_loop);
}

BOOST_AUTO_TEST_CASE(get_event_loop_returns_the_same_loop_for_an_io_context)
{
    asio::io_context ioc;
    asio::io_context other;
    tulip::event_loop& a = tulip::get_event_loop(ioc);
    tulip::event_loop& b = tulip::get_event_loop(ioc);
    BOOST_TEST(&a == &b);
    BOOST_TEST(&a.get_io_context() == &ioc);
    BOOST_TEST(&tulip::get_event_loop(other) != &a);
    BOOST_TEST(!a.is_running());
    BOOST_TEST(!a.is_closed());
}

BOOST_TULIP_TEST_CASE(get_running_loop_inside_a_task_is_the_loop_running_it)
{
    auto& loop = tulip::get_running_loop();
    BOOST_TEST(loop.is_running());
    BOOST_TEST(&tulip::get_event_loop(loop.get_io_context()) == &loop);
    co_return;
}

BOOST_TULIP_TEST_CASE(loop_time_advances_exactly_by_sleeps_under_the_virtual_clock)
{
    auto& loop = tulip::get_running_loop();
    const auto t0 = loop.time();
    co_await tulip::sleep(0s);
    BOOST_TEST((loop.time() == t0));
    co_await tulip::sleep(1s);
    BOOST_TEST((loop.time() - t0 == 1s));
    co_await tulip::sleep(90min);
    BOOST_TEST((loop.time() - t0 == 1s + 90min));
    BOOST_TEST((tulip::clock::now() == loop.time()));
}

BOOST_TULIP_TEST_CASE(call_soon_runs_callbacks_fifo_on_a_later_iteration)
{
    auto& loop = tulip::get_running_loop();
    std::vector<int> order;
    loop.call_soon([&] { order.push_back(1); });
    tulip::call_soon([&] { order.push_back(2); });
    loop.call_soon([&] {
        order.push_back(3);
        // Scheduled from a callback: runs after the ones already queued.
        tulip::call_soon([&] { order.push_back(5); });
    });
    loop.call_soon([&] { order.push_back(4); });
    BOOST_TEST(order.empty()); // not run inline
    BOOST_TEST(loop.pending_callbacks() == 4u);
    co_await tulip::sleep(0s);
    co_await tulip::sleep(0s);
    BOOST_TEST((order == std::vector<int>{1, 2, 3, 4, 5}));
    BOOST_TEST(loop.pending_callbacks() == 0u);
}

BOOST_TULIP_TEST_CASE(call_later_and_call_at_run_at_their_virtual_deadline_in_order)
{
    auto& loop = tulip::get_running_loop();
    const auto t0 = loop.time();
    std::vector<std::pair<char, tulip::duration>> ran;
    auto record = [&](char c) {
        return [&ran, &loop, t0, c] { ran.emplace_back(c, loop.time() - t0); };
    };
    loop.call_later(3s, record('c'));
    loop.call_at(t0 + 1s, record('a'));
    tulip::call_later(2s, record('b'));
    tulip::call_at(t0 + 2500ms, record('x'));
    co_await tulip::sleep(1500ms);
    BOOST_TEST(ran.size() == 1u);
    co_await tulip::sleep(2s);
    BOOST_REQUIRE(ran.size() == 4u);
    BOOST_TEST(ran[0].first == 'a');
    BOOST_TEST((ran[0].second == 1s));
    BOOST_TEST(ran[1].first == 'b');
    BOOST_TEST((ran[1].second == 2s));
    BOOST_TEST(ran[2].first == 'x');
    BOOST_TEST((ran[2].second == 2500ms));
    BOOST_TEST(ran[3].first == 'c');
    BOOST_TEST((ran[3].second == 3s));
}

BOOST_TULIP_TEST_CASE(call_later_with_equal_deadlines_runs_in_scheduling_order)
{
    auto& loop = tulip::get_running_loop();
    std::vector<int> order;
    for (int i = 0; i < 5; ++i)
        loop.call_later(1s, [&order, i] { order.push_back(i); });
    co_await tulip::sleep(2s);
    BOOST_TEST((order == std::vector<int>{0, 1, 2, 3, 4}));
}

BOOST_TULIP_TEST_CASE(timer_handle_when_is_the_due_time_on_the_loop_clock)
{
    auto& loop = tulip::get_running_loop();
    const auto t0 = loop.time();
    int runs = 0;
    tulip::timer_handle later = loop.call_later(5s, [&] { ++runs; });
    tulip::timer_handle at = loop.call_at(t0 + 1h, [&] { ++runs; });
    BOOST_TEST((later.when() == t0 + 5s));
    BOOST_TEST((at.when() == t0 + 1h));
    at.cancel();
    co_await tulip::sleep(5s);
    BOOST_TEST(runs == 1);
    BOOST_TEST((later.when() == t0 + 5s)); // still reported after it ran
}

BOOST_TULIP_TEST_CASE(cancelled_handle_does_not_run_and_reports_cancelled)
{
    auto& loop = tulip::get_running_loop();
    bool soon_ran = false;
    bool later_ran = false;
    tulip::handle soon = loop.call_soon([&] { soon_ran = true; });
    tulip::timer_handle later = loop.call_later(1s, [&] { later_ran = true; });
    BOOST_TEST(static_cast<bool>(soon));
    BOOST_TEST(!soon.cancelled());
    BOOST_TEST(!later.cancelled());
    soon.cancel();
    later.cancel();
    BOOST_TEST(soon.cancelled());
    BOOST_TEST(later.cancelled());
    BOOST_TEST(loop.pending_callbacks() == 0u);
    soon.cancel(); // twice is harmless
    BOOST_TEST(loop.pending_callbacks() == 0u);
    co_await tulip::sleep(2s);
    BOOST_TEST(!soon_ran);
    BOOST_TEST(!later_ran);
}

BOOST_TULIP_TEST_CASE(cancel_after_the_callback_ran_is_harmless)
{
    auto& loop = tulip::get_running_loop();
    int soon_runs = 0;
    int later_runs = 0;
    tulip::handle soon = loop.call_soon([&] { ++soon_runs; });
    tulip::timer_handle later = loop.call_later(1s, [&] { ++later_runs; });
    co_await tulip::sleep(1s);
    BOOST_TEST(soon_runs == 1);
    BOOST_TEST(later_runs == 1);
    soon.cancel();
    later.cancel();
    // Documented: cancelled() means "cancelled before it ran".
    BOOST_TEST(!soon.cancelled());
    BOOST_TEST(!later.cancelled());
    BOOST_TEST(loop.pending_callbacks() == 0u);
    // A new timer still fires: the cancel did not disturb the timer heap.
    loop.call_later(1s, [&] { ++later_runs; });
    co_await tulip::sleep(2s);
    BOOST_TEST(soon_runs == 1);
    BOOST_TEST(later_runs == 2);
}

BOOST_TULIP_TEST_CASE(callback_runs_in_the_context_current_when_it_was_scheduled)
{
    auto& loop = tulip::get_running_loop();
    int seen_soon = -1;
    int seen_later = -1;
    auto tok = number_var.set(1);
    loop.call_soon([&] {
        seen_soon = number_var.get();
        auto inner = number_var.set(2); // stays in the callback's context
        (void)inner;
    });
    loop.call_later(1s, [&] { seen_later = number_var.get(); });
    auto tok2 = number_var.set(5); // after scheduling: invisible to the callbacks
    co_await tulip::sleep(0s);
    BOOST_TEST(seen_soon == 1);
    BOOST_TEST(number_var.get() == 5); // the callback's set did not leak back
    co_await tulip::sleep(1s);
    BOOST_TEST(seen_later == 1); // nor into the other callback's snapshot
    number_var.reset(tok2);
    number_var.reset(tok);
}

BOOST_TULIP_TEST_CASE(callback_runs_in_an_explicitly_given_context)
{
    auto& loop = tulip::get_running_loop();
    tulip::context ctx;
    ctx.run([] {
        auto t = number_var.set(42);
        (void)t;
    });
    int seen_soon = -1;
    int seen_later = -1;
    int seen_plain = -1;
    loop.call_soon([&] { seen_soon = number_var.get(); }, ctx);
    loop.call_later(
        1s, [&] { seen_later = number_var.get(); }, ctx);
    loop.call_soon([&] { seen_plain = number_var.get(); });
    co_await tulip::sleep(1s);
    BOOST_TEST(seen_soon == 42);
    BOOST_TEST(seen_later == 42);
    BOOST_TEST(seen_plain == 0);
    BOOST_TEST(number_var.get() == 0);
}

BOOST_TULIP_TEST_CASE(callback_exception_goes_to_the_exception_handler_and_the_loop_keeps_running)
{
    auto& loop = tulip::get_running_loop();
    handler_guard restore(loop);
    std::vector<reported> seen;
    loop.set_exception_handler(recorder(seen));
    bool after = false;
    loop.call_soon([] { throw std::runtime_error("boom"); });
    loop.call_soon([&] { after = true; });
    loop.call_later(1s, [] { throw std::logic_error("timer boom"); });
    co_await tulip::sleep(0s);
    BOOST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(!seen[0].message.empty());
    BOOST_TEST(seen[0].message.find("callback") != std::string::npos, seen[0].message);
    BOOST_TEST(what_of(seen[0].exception) == "boom");
    BOOST_TEST(!seen[0].task);
    BOOST_TEST(after);
    co_await tulip::sleep(2s);
    BOOST_REQUIRE(seen.size() == 2u);
    BOOST_TEST(what_of(seen[1].exception) == "timer boom");
    BOOST_TEST(loop.is_running());
}

BOOST_TULIP_TEST_CASE(exception_handler_can_be_read_back_and_reset)
{
    auto& loop = tulip::get_running_loop();
    handler_guard restore(loop);
    std::vector<reported> seen;
    loop.set_exception_handler(recorder(seen));
    BOOST_TEST(static_cast<bool>(loop.get_exception_handler()));
    loop.call_exception_handler({"by hand", nullptr, {}});
    BOOST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(seen[0].message == "by hand");
    loop.set_exception_handler({});
    BOOST_TEST(!loop.get_exception_handler());
    {
        capture_cerr err;
        loop.call_exception_handler({"to the default", nullptr, {}});
        BOOST_TEST(err.text.str().find("to the default") != std::string::npos, err.text.str());
    }
    BOOST_TEST(seen.size() == 1u);
    co_return;
}

BOOST_TULIP_TEST_CASE(call_exception_handler_falls_back_to_the_default_when_the_handler_throws)
{
    auto& loop = tulip::get_running_loop();
    handler_guard restore(loop);
    int calls = 0;
    loop.set_exception_handler([&](tulip::event_loop&, const tulip::exception_context&) {
        ++calls;
        throw std::runtime_error("handler broke");
    });
    std::string text;
    {
        capture_cerr err;
        BOOST_CHECK_NO_THROW(loop.call_exception_handler({"original problem", nullptr, {}}));
        text = err.text.str();
    }
    BOOST_TEST(calls == 1);
    BOOST_TEST(text.find("original problem") != std::string::npos, text);
    BOOST_TEST(text.find("handler broke") != std::string::npos, text);
    co_return;
}

BOOST_AUTO_TEST_CASE(debug_mode_and_slow_callback_duration_can_be_set_and_read)
{
    asio::io_context ioc;
    tulip::event_loop& loop = tulip::get_event_loop(ioc);
    BOOST_TEST((loop.slow_callback_duration() == 100ms));
    loop.set_slow_callback_duration(5ms);
    BOOST_TEST((loop.slow_callback_duration() == 5ms));
    loop.set_debug(true);
    BOOST_TEST(loop.get_debug());
    loop.set_debug(false);
    BOOST_TEST(!loop.get_debug());
}

// Slow steps and callbacks in debug mode: test/unit/debug.cpp.

BOOST_TULIP_TEST_CASE(is_running_is_true_inside_a_task_and_a_callback)
{
    auto& loop = tulip::get_running_loop();
    BOOST_TEST(loop.is_running());
    bool in_callback = false;
    loop.call_soon([&] { in_callback = tulip::get_running_loop().is_running(); });
    co_await tulip::sleep(0s);
    BOOST_TEST(in_callback);
    BOOST_TEST(!loop.is_closed());
}

BOOST_TULIP_TEST_CASE_REALTIME(call_soon_threadsafe_from_another_thread_wakes_the_loop)
{
    auto& loop = tulip::get_running_loop();
    auto fut = loop.create_future<std::thread::id>();
    // Made on the loop's thread: the other thread only moves it.
    auto callback = [fut]() mutable { fut.set_result(std::this_thread::get_id()); };
    // Work the thread holds until it has posted: without it, nothing would tell the test
    // runner that something may still wake the loop.
    auto work = asio::make_work_guard(loop.get_io_context());
    std::thread th([&loop, cb = std::move(callback), work = std::move(work)]() mutable {
        tulip::call_soon_threadsafe(loop, std::move(cb));
        work.reset();
    });
    const auto start = std::chrono::steady_clock::now();
    std::thread::id ran_on = co_await fut.wait();
    th.join();
    BOOST_TEST((ran_on == std::this_thread::get_id()));
    // Woken by the post, not by the runner's idle polling (1 s).
    BOOST_TEST((std::chrono::steady_clock::now() - start < 500ms));
}

// Records the thread that destroyed the last copy of it (moved-from copies do not count).
struct destroyed_on
{
    std::thread::id* where;
    explicit destroyed_on(std::thread::id* w) noexcept
        : where(w)
    {}
    destroyed_on(destroyed_on&& o) noexcept
        : where(std::exchange(o.where, nullptr))
    {}
    destroyed_on& operator=(destroyed_on&&) = delete;
    ~destroyed_on()
    {
        if (where)
            *where = std::this_thread::get_id();
    }
};

BOOST_TULIP_TEST_CASE(call_soon_threadsafe_handle_cancelled_from_another_thread_never_runs)
{
    auto& loop = tulip::get_running_loop();
    bool ran = false;
    std::thread::id callable_destroyed_on;
    tulip::handle h = loop.call_soon_threadsafe(
        [&ran, guard = destroyed_on(&callable_destroyed_on)] { ran = true; });
    BOOST_TEST(loop.pending_callbacks() == 1u);
    bool seen_there = false;
    std::thread([h, &seen_there]() mutable {
        h.cancel();
        seen_there = h.cancelled();
        h.cancel(); // twice is harmless
    }).join();
    BOOST_TEST(seen_there);
    BOOST_TEST(h.cancelled());
    co_await tulip::sleep(0s);
    BOOST_TEST(!ran);
    BOOST_TEST(h.cancelled());
    BOOST_TEST(loop.pending_callbacks() == 0u);
    // The function object may hold loop-thread objects: it went on the loop's thread.
    BOOST_TEST((callable_destroyed_on == std::this_thread::get_id()));
}

BOOST_TULIP_TEST_CASE(call_soon_threadsafe_handle_cancelled_after_the_run_reports_not_cancelled)
{
    auto& loop = tulip::get_running_loop();
    int runs = 0;
    tulip::handle h = loop.call_soon_threadsafe([&runs] { ++runs; });
    co_await tulip::sleep(0s);
    BOOST_TEST(runs == 1);
    std::thread([h]() mutable { h.cancel(); }).join();
    BOOST_TEST(!h.cancelled());
    BOOST_TEST(loop.pending_callbacks() == 0u);
}

namespace {

// Runs, as it is destroyed, what code torn down with the loop may do: look at the loop and
// schedule on it.
struct at_teardown
{
    tulip::event_loop* loop;
    bool* saw_closed;
    bool* threw_invalid_state;
    at_teardown(tulip::event_loop* l, bool* c, bool* t) noexcept
        : loop(l)
        , saw_closed(c)
        , threw_invalid_state(t)
    {}
    at_teardown(at_teardown&& o) noexcept
        : loop(std::exchange(o.loop, nullptr))
        , saw_closed(o.saw_closed)
        , threw_invalid_state(o.threw_invalid_state)
    {}
    at_teardown& operator=(at_teardown&&) = delete;
    ~at_teardown()
    {
        if (!loop)
            return;
        *saw_closed = loop->is_closed();
        try {
            loop->call_soon_threadsafe([] {});
        } catch (const tulip::invalid_state_error&) {
            *threw_invalid_state = true;
        }
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(call_soon_threadsafe_on_a_closed_loop_throws_invalid_state_error)
{
    bool ran = false;
    bool saw_closed = false;
    bool threw = false;
    tulip::handle queued;
    {
        asio::io_context ioc;
        tulip::event_loop& loop = tulip::get_event_loop(ioc);
        queued = loop.call_soon_threadsafe(
            [&ran, t = at_teardown(&loop, &saw_closed, &threw)] { ran = true; });
        BOOST_TEST(!loop.is_closed());
        // The io_context goes away with the callback still queued.
    }
    BOOST_TEST(!ran);
    BOOST_TEST(saw_closed);
    BOOST_TEST(threw);
    // The handle outlives its loop: it reports the callback as never to run, and a cancel
    // is harmless.
    BOOST_TEST(queued.cancelled());
    queued.cancel();
    BOOST_TEST(queued.cancelled());
}

// The runner's loop blocks in the reactor for an hour-long timer: a callback from another
// thread must wake it at once (else this case would time out).
BOOST_AUTO_TEST_CASE(call_soon_threadsafe_wakes_a_runner_loop_blocked_on_a_far_timer)
{
    std::thread other;
    const int got = tulip::run([](std::thread& th) -> tulip::awaitable<int> {
        auto& loop = tulip::get_running_loop();
        tulip::timer_handle far = loop.call_later(1h, [] {});
        auto fut = loop.create_future<int>();
        th = std::thread([&loop, cb = [fut]() mutable { fut.set_result(42); }]() mutable {
            loop.call_soon_threadsafe(std::move(cb));
        });
        const int v = co_await fut.wait();
        far.cancel();
        co_return v;
    }(other));
    other.join();
    BOOST_TEST(got == 42);
}

BOOST_AUTO_TEST_CASE(stop_from_another_thread_makes_run_return)
{
    std::thread other;
    auto main = [](std::thread& th) -> tulip::awaitable<void> {
        auto& loop = tulip::get_running_loop();
        auto never = loop.create_future<void>();
        th = std::thread([&loop] { loop.stop(); });
        co_await never.wait();
    };
    BOOST_CHECK_THROW(tulip::run(main(other)), tulip::invalid_state_error);
    other.join();
}

BOOST_TULIP_TEST_CASE_REALTIME(signal_handler_runs_when_the_signal_arrives)
{
    auto& loop = tulip::get_running_loop();
    auto fut = loop.create_future<int>();
    auto tok = number_var.set(7);
    loop.add_signal_handler(SIGUSR1, [fut]() mutable {
        if (!fut.done())
            fut.set_result(number_var.get());
    });
    number_var.reset(tok);
    ::raise(SIGUSR1);
    int seen = co_await fut.wait();
    BOOST_TEST(seen == 7); // ran in the context current at add_signal_handler
    BOOST_TEST(loop.remove_signal_handler(SIGUSR1));
    BOOST_TEST(!loop.remove_signal_handler(SIGUSR1));
}

// One delivery of SIGUSR1: what ran, in order. `last` (the watch added last) completes it.
struct signal_round
{
    std::vector<std::string> seen;
    tulip::future<void> done;
};

BOOST_TULIP_TEST_CASE_REALTIME(
    add_signal_handler_replaces_the_loops_handler_but_not_library_watches)
{
    auto& loop = tulip::get_running_loop();
    signal_round r;
    auto record = [&r](std::string tag) { return [&r, tag] { r.seen.push_back(tag); }; };
    loop.add_signal_handler(SIGUSR1, record("first handler"));
    auto& signals = tulip::detail::loop_signals(loop);
    auto w1 = signals.watch(SIGUSR1, record("watch 1"));
    auto w2 = signals.watch(SIGUSR1, [&r] {
        r.seen.push_back("watch 2");
        r.done.set_result();
    });
    loop.add_signal_handler(SIGUSR1, record("second handler")); // replaces the first only
    BOOST_TEST(signals.has_handler(SIGUSR1));

    auto deliver = [&]() -> tulip::awaitable<std::vector<std::string>> {
        r.seen.clear();
        r.done = loop.create_future<void>();
        ::raise(SIGUSR1);
        co_await r.done.wait();
        co_return r.seen;
    };
    auto seen = co_await deliver();
    BOOST_TEST((seen == std::vector<std::string>{"second handler", "watch 1", "watch 2"}));

    // Removing the user's handler leaves the watches (and the signal caught).
    BOOST_TEST(loop.remove_signal_handler(SIGUSR1));
    BOOST_TEST(!loop.remove_signal_handler(SIGUSR1));
    BOOST_TEST(!signals.has_handler(SIGUSR1));
    seen = co_await deliver();
    BOOST_TEST((seen == std::vector<std::string>{"watch 1", "watch 2"}));

    // Each watch ends only itself.
    w1.reset();
    BOOST_TEST(!w1);
    w1.reset(); // harmless twice
    seen = co_await deliver();
    BOOST_TEST((seen == std::vector<std::string>{"watch 2"}));
    BOOST_TEST(signals.size() == 1u);
    w2.reset();
    BOOST_TEST(signals.size() == 0u); // nothing watches SIGUSR1 any more
}

BOOST_TULIP_TEST_CASE_REALTIME(signal_handler_that_removes_itself_still_lets_the_watches_run)
{
    auto& loop = tulip::get_running_loop();
    signal_round r;
    r.done = loop.create_future<void>();
    loop.add_signal_handler(SIGUSR2, [&r, &loop] {
        r.seen.push_back("handler");
        loop.remove_signal_handler(SIGUSR2); // the runner's SIGINT handler does this
    });
    auto w = tulip::detail::loop_signals(loop).watch(SIGUSR2, [&r] {
        r.seen.push_back("watch");
        if (!r.done.done())
            r.done.set_result();
    });
    ::raise(SIGUSR2);
    co_await r.done.wait();
    BOOST_TEST((r.seen == std::vector<std::string>{"handler", "watch"}));
    BOOST_TEST(!tulip::detail::loop_signals(loop).has_handler(SIGUSR2));
    BOOST_TEST(static_cast<bool>(w)); // the watch is still there
}

// Subprocesses watch SIGCHLD this way: the library's watch and the user's own handler
// (asyncio's one per signal) both see one arrival, and neither replaces the other.
BOOST_TULIP_TEST_CASE(user_handler_and_library_watch_both_see_one_signal)
{
    auto& loop = tulip::get_running_loop();
    int user_seen = 0;
    int watch_seen = 0;
    auto done = loop.create_future<void>();
    loop.add_signal_handler(SIGUSR2, [&user_seen] { ++user_seen; });
    {
        auto watch = tulip::detail::loop_signals(loop).watch(SIGUSR2, [&watch_seen, &done] {
            ++watch_seen;
            if (!done.done())
                done.set_result();
        });
        ::raise(SIGUSR2);
        co_await done.wait();
        BOOST_TEST(user_seen == 1);
        BOOST_TEST(watch_seen == 1);
    } // the watch ends with its token; the user's handler stays

    done = loop.create_future<void>();
    loop.add_signal_handler(SIGUSR2, [&user_seen, &done] {
        ++user_seen;
        done.set_result();
    });
    ::raise(SIGUSR2);
    co_await done.wait();
    BOOST_TEST(user_seen == 2);
    BOOST_TEST(watch_seen == 1);
    BOOST_TEST(loop.remove_signal_handler(SIGUSR2));
}

// A watch token may outlive its loop (a subprocess object kept past the io_context): it
// then does nothing, and the signal is no longer caught by the gone loop.
BOOST_AUTO_TEST_CASE(signal_watch_that_outlives_its_loop_is_harmless)
{
    tulip::detail::signal_watch watch;
    {
        asio::io_context ioc;
        auto& loop = tulip::get_event_loop(ioc);
        watch = tulip::detail::loop_signals(loop).watch(SIGUSR2, [] {});
        BOOST_TEST(static_cast<bool>(watch));
    }
    watch.reset();
    BOOST_TEST(!watch);
}

// A program's own asio::signal_set on the loop's io_context and the loop's handler both
// see the signal; removing the loop's handler does not give the signal its default
// disposition back while the program's set still holds it (which would kill the process).
BOOST_TULIP_TEST_CASE_REALTIME(program_signal_set_and_loop_handler_both_see_the_signal)
{
    auto& loop = tulip::get_running_loop();
    asio::signal_set own(loop.get_io_context(), SIGUSR1);
    int loop_seen = 0;
    loop.add_signal_handler(SIGUSR1, [&loop_seen] { ++loop_seen; });
    ::raise(SIGUSR1);
    int signum = co_await own.async_wait(asio::use_awaitable);
    BOOST_TEST(signum == SIGUSR1);
    while (loop_seen == 0) // the loop's handler is woken by the same arrival
        co_await tulip::sleep(0s);
    BOOST_TEST(loop_seen == 1);
    BOOST_TEST(loop.remove_signal_handler(SIGUSR1));
    ::raise(SIGUSR1);
    signum = co_await own.async_wait(asio::use_awaitable);
    BOOST_TEST(signum == SIGUSR1);
    BOOST_TEST(loop_seen == 1);
}

BOOST_TULIP_TEST_CASE(remove_signal_handler_without_one_returns_false)
{
    BOOST_TEST(!tulip::get_running_loop().remove_signal_handler(SIGUSR2));
    co_return;
}

// A task suspended in sleep when its io_context is destroyed: the loop's shutdown destroys
// the sleep's handler, and with it the coroutine's frames and their locals (no cycle
// through the task's cancellation slot keeps them alive).
BOOST_AUTO_TEST_CASE(io_context_destroyed_with_a_task_in_sleep_destroys_the_coroutine)
{
    struct on_destroy
    {
        bool& flag;
        ~on_destroy() { flag = true; }
    };
    bool destroyed = false;
    {
        asio::io_context ioc;
        auto sleeper = [](bool& flag) -> tulip::awaitable<void> {
            on_destroy guard{flag};
            co_await tulip::sleep(24h);
        };
        tulip::create_task(ioc, sleeper(destroyed));
        ioc.poll();
        BOOST_TEST(!destroyed);
    }
    BOOST_TEST(destroyed);
}

BOOST_AUTO_TEST_SUITE_END()
