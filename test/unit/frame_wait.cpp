//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// `co_await h.wait()` keeps its waiter in its own coroutine frame, and a task cancels such
// a wait itself rather than through its cancellation slot: each request reaches what is
// awaited, as often as it is made, and plain Asio coroutines keep Asio's rules.

#include <boost/tulip/future.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>

#include <boost/tulip/test.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Counts the cancellations it swallows, then returns.
tulip::awaitable<int> swallow_two_cancellations(int& seen)
{
    for (int i = 0; i < 2; ++i) {
        try {
            co_await tulip::sleep(1h);
        } catch (...) {
            ++seen;
        }
    }
    co_return seen;
}

tulip::awaitable<int> await_task(tulip::task<int> t)
{
    co_return co_await t.wait();
}

tulip::awaitable<void> await_future(tulip::future<int> f, int& got)
{
    got = co_await f.wait();
}

} // namespace

BOOST_TULIP_TEST_CASE(every_cancel_of_an_awaiting_task_reaches_the_awaited_task)
{
    // asyncio: each outer.cancel() while outer awaits inner calls inner.cancel().
    int seen = 0;
    auto inner = tulip::create_task(swallow_two_cancellations(seen));
    auto outer = tulip::create_task(await_task(inner));
    co_await tulip::sleep(0s);
    BOOST_TEST(outer.cancel());
    co_await tulip::sleep(0s);
    BOOST_TEST(seen == 1);
    BOOST_TEST(!inner.done());
    BOOST_TEST(outer.cancel());
    co_await tulip::sleep(0s);
    BOOST_TEST(seen == 2);
    BOOST_TEST(inner.cancelling() == 2);
    try {
        (void)co_await outer.wait();
    } catch (...) {
    }
    BOOST_TEST(inner.done());
    BOOST_TEST(outer.done());
}

BOOST_TULIP_TEST_CASE(a_cancelled_awaiting_task_cancels_the_future_it_awaits)
{
    auto f = tulip::get_running_loop().create_future<int>();
    int got = 0;
    auto t = tulip::create_task(await_future(f, got));
    co_await tulip::sleep(0s);
    BOOST_TEST(t.cancel("stop"));
    std::exception_ptr e;
    try {
        co_await t.wait();
    } catch (...) {
        e = std::current_exception();
    }
    BOOST_TEST(f.cancelled());
    BOOST_TEST(t.cancelled());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(got == 0);
}

BOOST_TULIP_TEST_CASE(many_tasks_waiting_on_one_future_all_get_its_value)
{
    auto f = tulip::get_running_loop().create_future<int>();
    std::vector<int> got(50, 0);
    std::vector<tulip::task<>> tasks;
    for (auto& g : got)
        tasks.push_back(tulip::create_task(await_future(f, g)));
    co_await tulip::sleep(0s);
    f.set_result(7);
    for (auto& t : tasks)
        co_await t.wait();
    for (int g : got)
        BOOST_TEST(g == 7);
}

BOOST_TULIP_TEST_CASE(a_plain_asio_coroutine_already_cancelled_gets_operation_aborted)
{
    // Asio's rule for co_await in a coroutine whose cancellation state is cancelled:
    // operation_aborted is thrown instead of the operation starting.
    auto& ioc = tulip::get_running_loop().get_io_context();
    auto f = tulip::get_running_loop().create_future<int>();
    asio::cancellation_signal sig;
    std::exception_ptr caught;
    bool done = false;
    auto coro = [](tulip::future<int> fut, std::exception_ptr& out) -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 1h);
        try {
            co_await timer.async_wait(asio::use_awaitable);
        } catch (...) {
        }
        try {
            (void)co_await fut.wait();
        } catch (...) {
            out = std::current_exception();
        }
    };
    auto on_done = [&done](std::exception_ptr) { done = true; };
    asio::co_spawn(ioc, coro(f, caught), asio::bind_cancellation_slot(sig.slot(), on_done));
    co_await tulip::sleep(0s);
    sig.emit(asio::cancellation_type::terminal);
    while (!done)
        co_await tulip::sleep(0s);
    BOOST_TEST_REQUIRE(static_cast<bool>(caught));
    try {
        std::rethrow_exception(caught);
    } catch (const boost::system::system_error& e) {
        BOOST_TEST((e.code() == asio::error::operation_aborted));
    } catch (...) {
        BOOST_TEST(false);
    }
    BOOST_TEST(!f.done());
}
