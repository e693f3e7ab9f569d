//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/test.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tulip = boost::tulip;
namespace tt = boost::tulip::test;
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

tulip::awaitable<void> deadlocked_body()
{
    auto never = tulip::get_running_loop().create_future<>();
    co_await never.wait();
}

bool leftover_cancelled = false;
bool leftover_cleaned_up = false;

tulip::awaitable<void> lingerer()
{
    std::exception_ptr e;
    try
    {
        co_await tulip::sleep(10h);
    }
    catch (const std::exception& ex)
    {
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

BOOST_AUTO_TEST_CASE(passing_body_reports_no_failures)
{
    tt::case_result r = tt::run_case_report(&passing_body);
    BOOST_TEST(r.failures.empty(), joined(r.failures));
    BOOST_TEST(!r.exception);
}

BOOST_AUTO_TEST_CASE(deadlocked_body_is_reported_with_the_task_tree)
{
    tt::case_options opts;
    opts.idle_grace = 10ms;
    const auto start = std::chrono::steady_clock::now();
    tt::case_result r = tt::run_case_report(&deadlocked_body, opts);
    BOOST_TEST(any_contains(r.failures, "deadlock"), joined(r.failures));
    BOOST_TEST(any_contains(r.failures, "'test'"), joined(r.failures));
    BOOST_TEST(any_contains(r.failures, "awaiting a future"), joined(r.failures));
    BOOST_TEST((std::chrono::steady_clock::now() - start < 30s));
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
    BOOST_CHECK_EXCEPTION(std::rethrow_exception(r.exception), std::runtime_error,
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

BOOST_AUTO_TEST_SUITE_END()
