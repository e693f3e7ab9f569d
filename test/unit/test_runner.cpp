//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/test.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <csignal>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tulip = boost::tulip;
namespace tt = boost::tulip::test;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

std::string joined(const std::vector<std::string>& v)
{
    std::string s;
    for (const auto& f : v)
        s += f + "\n---\n";
    return s;
}

bool any_contains(const std::vector<std::string>& v, std::string_view needle)
{
    for (const auto& f : v)
        if (f.find(needle) != std::string::npos)
            return true;
    return false;
}

// Each body is a plain function, as BOOST_TULIP_TEST_CASE makes them.

tulip::awaitable<int> child_value()
{
    co_await tulip::sleep(1s);
    co_return 5;
}

tulip::awaitable<void> passing_body()
{
    co_await tulip::sleep(1h);
    auto t = tulip::create_task(child_value());
    int v = co_await t.wait();
    if (v != 5)
        throw std::logic_error("wrong value");
}

tulip::awaitable<void> wait_for(tulip::event& ev)
{
    co_await ev.wait();
}

// Awaits, through a child task, an event nobody sets.
// The task tree a deadlock of body_awaiting_an_unset_event should print.
std::string deadlocked_tree;

std::string site(const boost::source_location& where)
{
    return std::string("  (") + where.file_name() + ":" + std::to_string(where.line()) + ")";
}

tulip::awaitable<void> body_awaiting_an_unset_event()
{
    tulip::event never;
    auto waiter = tulip::create_task(wait_for(never), {.name = "waiter"});
    std::ostringstream event_at;
    event_at << static_cast<const void*>(&never);
    deadlocked_tree = "task 'test' #1: awaiting task 'waiter'" +
                      site(tulip::current_task().created_at()) + "\n" +
                      "└── task 'waiter' #2: event.wait on event@" + event_at.str() +
                      site(waiter.created_at()) + "\n";
    co_await waiter.wait();
}

// Woken by a thread that holds no work on the io_context.
tulip::awaitable<void> body_woken_by_a_thread_without_a_work_guard()
{
    auto& loop = tulip::get_running_loop();
    auto woken = loop.create_future<>();
    // Made on the loop's thread: the other thread only moves it.
    auto wake = [woken]() mutable { woken.set_result(); };
    std::thread th([&loop, wake = std::move(wake)]() mutable {
        // Late enough that the loop is idle first: what idle_grace is for.
        std::this_thread::sleep_for(20ms);
        tulip::call_soon_threadsafe(loop, std::move(wake));
    });
    co_await woken.wait();
    th.join();
}

bool leftover_cancelled = false;
bool leftover_cleaned_up = false;

tulip::awaitable<void> lingerer()
{
    std::exception_ptr e;
    try {
        co_await tulip::sleep(10h);
    } catch (const std::exception& ex) {
        leftover_cancelled = tulip::is_cancellation(ex);
        e = std::current_exception();
    }
    co_await tulip::sleep(0s);
    leftover_cleaned_up = true;
    if (e)
        std::rethrow_exception(e);
}

tulip::awaitable<void> body_leaving_a_task()
{
    tulip::create_task(lingerer(), {.name = "lingerer"});
    co_await tulip::sleep(0s);
}

tulip::awaitable<void> body_leaving_a_call_later()
{
    tulip::call_later(1h, [] {});
    co_return;
}

tulip::awaitable<void> body_leaving_a_sleep_timer()
{
    tulip::sleep(1h, [](boost::system::error_code) {});
    co_return;
}

tulip::awaitable<void> fails_unobserved()
{
    co_await tulip::sleep(0s);
    throw std::runtime_error("nobody looks at me");
}

tulip::awaitable<void> body_with_unretrieved_task_exception()
{
    tulip::create_task(fails_unobserved(), {.name = "forgotten"});
    co_await tulip::sleep(1s);
}

tulip::awaitable<void> endless_timer_body()
{
    for (;;)
        co_await tulip::sleep(1h);
}

tulip::awaitable<void> throwing_body()
{
    co_await tulip::sleep(1s);
    throw std::runtime_error("body failed");
}

} // namespace

BOOST_AUTO_TEST_SUITE(test_runner_suite)

BOOST_AUTO_TEST_CASE(deadlock_fails_at_once_with_the_task_tree)
{
    const tt::case_options opts;
    const auto start = std::chrono::steady_clock::now();
    tt::case_result r = tt::run_case_report(&body_awaiting_an_unset_event, opts);
    const auto took = std::chrono::steady_clock::now() - start;
    BOOST_TEST_REQUIRE(r.failures.size() == 1u, joined(r.failures));
    BOOST_TEST(r.failures[0] ==
               "deadlock: no task can make progress: none is ready, no timer is pending and no "
               "I/O or other work is outstanding on the io_context (a thread that will wake the "
               "loop must hold a work guard on it); tasks:\n" +
                   deadlocked_tree);
    // Not after a grace period of real time (it was 1 s).
    BOOST_TEST((took < 500ms), std::chrono::duration<double>(took).count() << " s");
}

BOOST_AUTO_TEST_CASE(idle_grace_lets_a_thread_without_a_work_guard_wake_the_loop)
{
    tt::case_options opts;
    opts.idle_grace = 10s;
    tt::case_result r = tt::run_case_report(&body_woken_by_a_thread_without_a_work_guard, opts);
    BOOST_TEST(r.failures.empty(), joined(r.failures));
    BOOST_TEST(!r.exception);
}

BOOST_AUTO_TEST_CASE(passing_body_reports_no_failures)
{
    tt::case_result r = tt::run_case_report(&passing_body);
    BOOST_TEST(r.failures.empty(), joined(r.failures));
    BOOST_TEST(!r.exception);
}

BOOST_AUTO_TEST_CASE(leftover_task_is_reported_then_cancelled_and_awaited)
{
    leftover_cancelled = false;
    leftover_cleaned_up = false;
    tt::case_result r = tt::run_case_report(&body_leaving_a_task);
    BOOST_TEST(any_contains(r.failures, "unfinished"), joined(r.failures));
    BOOST_TEST(any_contains(r.failures, "lingerer"), joined(r.failures));
    BOOST_TEST(!r.exception);
    BOOST_TEST(leftover_cancelled);
    BOOST_TEST(leftover_cleaned_up);
}

BOOST_AUTO_TEST_CASE(leftover_call_later_is_reported)
{
    tt::case_result r = tt::run_case_report(&body_leaving_a_call_later);
    BOOST_TEST(r.failures.size() == 1u, joined(r.failures));
    BOOST_TEST(any_contains(r.failures, "callback"), joined(r.failures));
    BOOST_TEST(!r.exception);
}

BOOST_AUTO_TEST_CASE(leftover_sleep_timer_is_reported)
{
    tt::case_result r = tt::run_case_report(&body_leaving_a_sleep_timer);
    BOOST_TEST(r.failures.size() == 1u, joined(r.failures));
    BOOST_TEST(any_contains(r.failures, "timer"), joined(r.failures));
}

BOOST_AUTO_TEST_CASE(exception_handler_call_is_reported)
{
    tt::case_result r = tt::run_case_report(&body_with_unretrieved_task_exception);
    BOOST_TEST(any_contains(r.failures, "exception handler"), joined(r.failures));
    BOOST_TEST(any_contains(r.failures, "nobody looks at me"), joined(r.failures));
    BOOST_TEST(!r.exception);
}

BOOST_AUTO_TEST_CASE(endless_timer_loop_is_reported_once_the_virtual_limit_passes)
{
    tt::case_options opts;
    opts.virtual_limit = 10h;
    const auto start = std::chrono::steady_clock::now();
    tt::case_result r = tt::run_case_report(&endless_timer_body, opts);
    BOOST_TEST(any_contains(r.failures, "virtual time"), joined(r.failures));
    BOOST_TEST(any_contains(r.failures, "'test'"), joined(r.failures));
    BOOST_TEST((std::chrono::steady_clock::now() - start < 30s));
}

BOOST_AUTO_TEST_CASE(body_exception_is_returned_in_the_case_result)
{
    tt::case_result r = tt::run_case_report(&throwing_body);
    BOOST_TEST(r.failures.empty(), joined(r.failures));
    BOOST_REQUIRE(r.exception);
    BOOST_CHECK_EXCEPTION(
        std::rethrow_exception(r.exception), std::runtime_error,
        [](const std::runtime_error& e) { return std::string(e.what()) == "body failed"; });
}

BOOST_AUTO_TEST_CASE(run_case_rethrows_the_body_exception)
{
    BOOST_CHECK_THROW(tt::run_case(&throwing_body), std::runtime_error);
}

BOOST_TULIP_TEST_CASE(sleeping_a_day_under_the_virtual_clock_takes_no_real_time)
{
    auto& loop = tulip::get_running_loop();
    const auto real0 = std::chrono::steady_clock::now();
    const auto t0 = loop.time();
    co_await tulip::sleep(24h);
    BOOST_TEST((loop.time() - t0 == 24h));
    BOOST_TEST((std::chrono::steady_clock::now() - real0 < 1s));
}

BOOST_TULIP_TEST_CASE_REALTIME(realtime_case_sleeps_on_the_real_clock)
{
    auto& loop = tulip::get_running_loop();
    const auto real0 = std::chrono::steady_clock::now();
    const auto t0 = loop.time();
    co_await tulip::sleep(20ms);
    BOOST_TEST((std::chrono::steady_clock::now() - real0 >= 20ms));
    BOOST_TEST((loop.time() - t0 >= 20ms));
}

// --- What holds the virtual clock ------------------------------------------------------

BOOST_AUTO_TEST_CASE(foreign_work_counts_io_and_asio_timers_not_suspended_tasks_or_signals)
{
    asio::io_context ioc(1);
    tulip::event_loop& loop = tulip::get_event_loop(ioc);
    tulip::event ev;
    auto waiter = tulip::create_task(ioc, wait_for(ev));
    auto parent = tulip::create_task(ioc, [](tulip::event& e) -> tulip::awaitable<void> {
        auto child = tulip::create_task(wait_for(e));
        co_await child.wait();
    }(ev));
    ioc.poll();
    BOOST_TEST_REQUIRE(tulip::all_tasks(loop).size() == 3u);
    BOOST_TEST(tt::detail::foreign_work(loop) == 0);
    loop.add_signal_handler(SIGUSR2, [] {});
    BOOST_TEST(tt::detail::foreign_work(loop) == 0);

    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    auto accepting = tulip::create_task(ioc, acceptor.async_accept(asio::use_awaitable));
    ioc.poll();
    BOOST_TEST(tt::detail::foreign_work(loop) > 0); // the accept
    acceptor.close();
    ioc.poll();
    BOOST_TEST_REQUIRE(accepting.done());
    BOOST_TEST(accepting.cancelled()); // operation_aborted counts as a cancellation
    BOOST_TEST(tt::detail::foreign_work(loop) == 0);

    asio::steady_timer timer(ioc, 1h);
    timer.async_wait([](boost::system::error_code) {});
    BOOST_TEST(tt::detail::foreign_work(loop) == 1);
    timer.cancel();
    ioc.poll();
    BOOST_TEST(tt::detail::foreign_work(loop) == 0);

    auto guard = asio::make_work_guard(ioc);
    BOOST_TEST(tt::detail::foreign_work(loop) == 1);
    guard.reset();
    BOOST_TEST(loop.remove_signal_handler(SIGUSR2));
    ev.set();
    ioc.poll();
    BOOST_TEST(tulip::all_tasks(loop).empty());
    BOOST_TEST(tt::detail::foreign_work(loop) == 0);
}

BOOST_TULIP_TEST_CASE(virtual_clock_waits_for_a_peer_that_connects_after_a_real_delay)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    // Another task stays suspended meanwhile: only the accept may hold the clock.
    tulip::event done;
    auto idle = tulip::create_task(wait_for(done), {.name = "idle"});
    std::jthread client([endpoint = acceptor.local_endpoint()] {
        std::this_thread::sleep_for(50ms); // the peer comes late, in real time
        asio::io_context own;
        tcp::socket s(own);
        boost::system::error_code ec;
        s.connect(endpoint, ec);
        if (!ec)
            asio::write(s, asio::buffer("x", 1), ec);
    });
    auto accept = acceptor.async_accept(asio::use_awaitable);
    tcp::socket server = co_await tulip::timeout(10s, std::move(accept));
    char byte = 0;
    auto read = asio::async_read(server, asio::buffer(&byte, 1), asio::use_awaitable);
    co_await tulip::timeout(10s, std::move(read));
    BOOST_TEST(byte == 'x');
    done.set();
    co_await idle.wait();
}

BOOST_TULIP_TEST_CASE(virtual_clock_waits_for_a_pending_asio_steady_timer)
{
    auto& loop = tulip::get_running_loop();
    asio::steady_timer timer(loop.get_io_context(), 20ms); // real time
    const auto t0 = loop.time();
    auto wait = timer.async_wait(asio::use_awaitable);
    co_await tulip::timeout(10s, std::move(wait));
    // The timeout's deadline was not jumped to while the Asio timer was pending.
    BOOST_TEST((loop.time() - t0 < 10s));
}

BOOST_TULIP_TEST_CASE(timeout_of_io_that_never_completes_fires_as_loop_time_follows_real_time)
{
    auto& loop = tulip::get_running_loop();
    tcp::acceptor acceptor(loop.get_io_context(), {asio::ip::address_v4::loopback(), 0});
    const auto real0 = std::chrono::steady_clock::now();
    bool timed_out = false;
    try {
        auto accept = acceptor.async_accept(asio::use_awaitable);
        co_await tulip::timeout(30ms, std::move(accept));
    } catch (const tulip::timeout_error&) {
        timed_out = true;
    }
    BOOST_TEST(timed_out);
    // The timer fired once 30 ms of real time had passed, not at once nor never.
    BOOST_TEST((std::chrono::steady_clock::now() - real0 >= 30ms));
}

BOOST_TULIP_TEST_CASE(signal_handler_does_not_hold_the_virtual_clock)
{
    auto& loop = tulip::get_running_loop();
    loop.add_signal_handler(SIGUSR2, [] {});
    const auto real0 = std::chrono::steady_clock::now();
    co_await tulip::sleep(1h);
    BOOST_TEST((std::chrono::steady_clock::now() - real0 < 10s));
    BOOST_TEST(loop.remove_signal_handler(SIGUSR2));
}

BOOST_AUTO_TEST_SUITE_END()
