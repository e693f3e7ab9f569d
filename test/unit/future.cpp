//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/future.hpp>

#include <boost/tulip/test.hpp>

#include "helpers.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

using tulip_test::cancel_message;
using tulip_test::what_of;

tulip::awaitable<int> wait_and_log(tulip::future<int> f, std::vector<int>& log, int id)
{
    int v = co_await f.wait();
    log.push_back(id);
    co_return v;
}

tulip::awaitable<void> wait_void(tulip::future<void> f, bool& woke)
{
    co_await f.wait();
    woke = true;
}

tulip::awaitable<int> wait_int(tulip::future<int> f)
{
    co_return co_await f.wait();
}

} // namespace

BOOST_AUTO_TEST_SUITE(future_suite)

BOOST_TULIP_TEST_CASE(create_future_is_pending_until_set_result)
{
    auto& loop = tulip::get_running_loop();
    tulip::future<int> f = loop.create_future<int>();
    BOOST_TEST(static_cast<bool>(f));
    BOOST_TEST((&f.get_loop() == &loop));
    BOOST_TEST(!f.done());
    BOOST_TEST(!f.cancelled());
    BOOST_CHECK_THROW(f.result(), tulip::invalid_state_error);
    BOOST_CHECK_THROW(f.exception(), tulip::invalid_state_error);
    f.set_result(3);
    BOOST_TEST(f.done());
    BOOST_TEST(!f.cancelled());
    BOOST_TEST(f.result() == 3);
    BOOST_TEST(!f.exception());
    int v = co_await f.wait();
    BOOST_TEST(v == 3);
}

BOOST_TULIP_TEST_CASE(set_exception_makes_result_and_wait_rethrow)
{
    auto f = tulip::get_running_loop().create_future<int>();
    f.set_exception(std::make_exception_ptr(std::runtime_error("broken")));
    BOOST_TEST(f.done());
    BOOST_TEST(!f.cancelled());
    BOOST_CHECK_THROW(f.result(), std::runtime_error);
    BOOST_TEST(what_of(f.exception()) == "broken");
    std::string caught;
    try {
        (void)co_await f.wait();
    } catch (const std::runtime_error& e) {
        caught = e.what();
    }
    BOOST_TEST(caught == "broken");
}

BOOST_TULIP_TEST_CASE(cancel_completes_the_future_as_cancelled)
{
    auto f = tulip::get_running_loop().create_future<int>();
    BOOST_TEST(f.cancel("no longer needed"));
    BOOST_TEST(f.done());
    BOOST_TEST(f.cancelled());
    BOOST_TEST(!f.cancel());
    std::string from_result;
    try {
        (void)f.result();
    } catch (const tulip::cancelled_error& e) {
        from_result = e.message();
    }
    BOOST_TEST(from_result == "no longer needed");
    BOOST_CHECK_THROW(f.exception(), tulip::cancelled_error);
    std::exception_ptr e;
    try {
        (void)co_await f.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(cancel_message(e) == "no longer needed");
}

BOOST_TULIP_TEST_CASE(cancelling_a_future_wakes_its_waiters_with_cancelled_error)
{
    auto f = tulip::get_running_loop().create_future<int>();
    auto t = tulip::create_task(wait_int(f));
    co_await tulip::sleep(0s);
    f.cancel("gone");
    std::exception_ptr e;
    try {
        (void)co_await t.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(cancel_message(e) == "gone");
    BOOST_TEST(t.cancelled());
}

BOOST_TULIP_TEST_CASE(setting_a_done_future_throws_invalid_state_error)
{
    auto& loop = tulip::get_running_loop();
    auto a = loop.create_future<int>();
    a.set_result(1);
    BOOST_CHECK_THROW(a.set_result(2), tulip::invalid_state_error);
    BOOST_CHECK_THROW(a.set_exception(std::make_exception_ptr(std::runtime_error("x"))),
                      tulip::invalid_state_error);
    BOOST_TEST(a.result() == 1);

    auto b = loop.create_future<int>();
    b.set_exception(std::make_exception_ptr(std::runtime_error("first")));
    BOOST_CHECK_THROW(b.set_result(2), tulip::invalid_state_error);
    BOOST_TEST(what_of(b.exception()) == "first");

    auto c = loop.create_future<int>();
    c.cancel();
    BOOST_CHECK_THROW(c.set_result(2), tulip::invalid_state_error);
    BOOST_TEST(c.cancelled());

    auto d = loop.create_future<void>();
    d.set_result();
    BOOST_CHECK_THROW(d.set_result(), tulip::invalid_state_error);
    co_return;
}

BOOST_TULIP_TEST_CASE(waiters_wake_on_a_later_iteration_not_inside_set_result)
{
    auto f = tulip::get_running_loop().create_future<int>();
    std::vector<int> log;
    auto t = tulip::create_task(wait_and_log(f, log, 2));
    co_await tulip::sleep(0s);
    BOOST_TEST(log.empty());
    f.set_result(7);
    log.push_back(1); // code after set_result runs before the waiter
    BOOST_TEST((log == std::vector<int>{1}));
    int v = co_await t.wait();
    BOOST_TEST(v == 7);
    BOOST_TEST((log == std::vector<int>{1, 2}));
}

BOOST_TULIP_TEST_CASE(all_waiters_wake_in_the_order_they_started_waiting)
{
    auto f = tulip::get_running_loop().create_future<int>();
    std::vector<int> log;
    auto a = tulip::create_task(wait_and_log(f, log, 1));
    auto b = tulip::create_task(wait_and_log(f, log, 2));
    auto c = tulip::create_task(wait_and_log(f, log, 3));
    co_await tulip::sleep(0s);
    f.set_result(4);
    int va = co_await a.wait();
    int vb = co_await b.wait();
    int vc = co_await c.wait();
    BOOST_TEST(va == 4);
    BOOST_TEST(vb == 4);
    BOOST_TEST(vc == 4);
    BOOST_TEST((log == std::vector<int>{1, 2, 3}));
}

BOOST_TULIP_TEST_CASE(cancelling_the_awaiting_task_cancels_the_future)
{
    auto f = tulip::get_running_loop().create_future<int>();
    auto t = tulip::create_task(wait_int(f));
    co_await tulip::sleep(0s);
    BOOST_TEST(t.cancel("caller gave up"));
    try {
        (void)co_await t.wait();
    } catch (...) {
    }
    BOOST_TEST(t.cancelled());
    BOOST_TEST(f.done());
    BOOST_TEST(f.cancelled());
    BOOST_CHECK_THROW(f.set_result(1), tulip::invalid_state_error);
}

BOOST_TULIP_TEST_CASE(future_void_wakes_its_waiter)
{
    auto f = tulip::get_running_loop().create_future<void>();
    bool woke = false;
    auto t = tulip::create_task(wait_void(f, woke));
    co_await tulip::sleep(1s);
    BOOST_TEST(!woke);
    f.set_result();
    BOOST_TEST(f.done());
    co_await t.wait();
    BOOST_TEST(woke);
    f.result(); // does not throw
    BOOST_TEST(!f.exception());
}

BOOST_TULIP_TEST_CASE(async_wait_on_a_future_with_a_callback)
{
    auto f = tulip::get_running_loop().create_future<int>();
    int calls = 0;
    int value = -1;
    std::exception_ptr err;
    f.async_wait([&](std::exception_ptr e, int v) {
        ++calls;
        err = e;
        value = v;
    });
    co_await tulip::sleep(1s);
    BOOST_TEST(calls == 0);
    f.set_result(12);
    BOOST_TEST(calls == 0); // not inline
    co_await tulip::sleep(0s);
    BOOST_TEST(calls == 1);
    BOOST_TEST(!err);
    BOOST_TEST(value == 12);
}

BOOST_TULIP_TEST_CASE(async_wait_on_a_failed_future_passes_the_exception)
{
    auto f = tulip::get_running_loop().create_future<int>();
    std::exception_ptr err;
    int calls = 0;
    f.async_wait([&](std::exception_ptr e, int) {
        ++calls;
        err = e;
    });
    f.set_exception(std::make_exception_ptr(std::runtime_error("failed")));
    co_await tulip::sleep(0s);
    BOOST_TEST(calls == 1);
    BOOST_TEST_REQUIRE(static_cast<bool>(err));
    BOOST_TEST(what_of(err) == "failed");
}

BOOST_TULIP_TEST_CASE(async_wait_on_a_future_void_with_a_callback)
{
    auto f = tulip::get_running_loop().create_future<void>();
    int calls = 0;
    std::exception_ptr err = std::make_exception_ptr(std::runtime_error("unset"));
    f.async_wait([&](std::exception_ptr e) {
        ++calls;
        err = e;
    });
    f.set_result();
    co_await tulip::sleep(0s);
    BOOST_TEST(calls == 1);
    BOOST_TEST(!err);
}

BOOST_TULIP_TEST_CASE(async_wait_on_a_future_with_use_awaitable)
{
    auto f = tulip::get_running_loop().create_future<int>();
    tulip::get_running_loop().call_later(1s, [f]() mutable { f.set_result(6); });
    int v = co_await f.async_wait(asio::use_awaitable);
    BOOST_TEST(v == 6);
}

BOOST_TULIP_TEST_CASE(future_done_callback_runs_on_a_later_iteration_with_the_handle)
{
    auto f = tulip::get_running_loop().create_future<int>();
    int calls = 0;
    int value = 0;
    bool same = false;
    f.add_done_callback([&](const tulip::future<int>& h) {
        ++calls;
        value = h.result();
        same = (h == f);
    });
    f.set_result(9);
    BOOST_TEST(calls == 0); // not inline inside set_result
    co_await tulip::sleep(0s);
    BOOST_TEST(calls == 1);
    BOOST_TEST(value == 9);
    BOOST_TEST(same);
}

BOOST_TULIP_TEST_CASE(future_exception_never_retrieved_is_reported_with_the_loop_handler)
{
    auto& loop = tulip::get_running_loop();
    auto saved = loop.get_exception_handler();
    int calls = 0;
    std::string what;
    loop.set_exception_handler([&](tulip::event_loop&, const tulip::exception_context& c) {
        ++calls;
        what = c.exception ? what_of(c.exception) : std::string();
    });
    {
        auto f = loop.create_future<int>();
        f.set_exception(std::make_exception_ptr(std::runtime_error("unseen")));
        co_await tulip::sleep(0s);
        BOOST_TEST(calls == 0);
    }
    co_await tulip::sleep(0s);
    BOOST_TEST(calls == 1);
    BOOST_TEST(what == "unseen");
    {
        auto g = loop.create_future<int>();
        g.set_exception(std::make_exception_ptr(std::runtime_error("seen")));
        (void)g.exception();
    }
    co_await tulip::sleep(0s);
    BOOST_TEST(calls == 1);
    loop.set_exception_handler(saved);
}

BOOST_TULIP_TEST_CASE(move_only_result_goes_to_one_callback_waiter_and_the_others_get_an_error)
{
    // One value, three waiters: the first takes it; the others are still woken, with an
    // error, and set_result does not throw.
    auto f = tulip::get_running_loop().create_future<std::unique_ptr<int>>();
    int values = 0;
    std::vector<std::string> errors;
    for (int i = 0; i < 3; ++i)
        f.async_wait([&](std::exception_ptr e, std::unique_ptr<int> p) {
            if (e)
                errors.push_back(what_of(e));
            else if (p && *p == 7)
                ++values;
        });
    BOOST_CHECK_NO_THROW(f.set_result(std::make_unique<int>(7)));
    co_await tulip::sleep(0s);
    co_await tulip::sleep(0s);
    BOOST_TEST(values == 1);
    BOOST_TEST_REQUIRE(errors.size() == 2u);
    BOOST_TEST(errors[0].find("moved out") != std::string::npos, errors[0]);
}

BOOST_AUTO_TEST_SUITE_END()
