//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Every combinator takes an operation with its default token (Tulip's `deferred` and
// `awaitable_token` operations, a raw Asio operation made with `asio::deferred`) where
// it takes an awaitable, and gives what `co_await` on the operation gives.

#include <boost/tulip/as_completed.hpp>
#include <boost/tulip/gather.hpp>
#include <boost/tulip/queue.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/task_group.hpp>
#include <boost/tulip/timeout.hpp>
#include <boost/tulip/wait.hpp>

#include <boost/tulip/test.hpp>

#include "helpers.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>

#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using boost::system::error_code;

namespace {

using tulip_test::cancel_later;
using tulip_test::error_of;
using tulip_test::now;
using tulip_test::value_after;

// A raw Asio operation with the completion signature of a read, `void(error_code, int)`:
// it completes with `ec` and `v` on a later turn of the loop.
auto answer(error_code ec, int v)
{
    return asio::async_initiate<const asio::deferred_t&, void(error_code, int)>(
        [](auto handler, error_code ec, int v) {
            asio::post(asio::append(std::move(handler), ec, v));
        },
        asio::deferred, ec, v);
}

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

error_code code_of(const std::exception_ptr& e)
{
    try {
        if (e)
            std::rethrow_exception(e);
    } catch (const boost::system::system_error& x) {
        return x.code();
    } catch (...) {
    }
    return {};
}

using sleep_op = decltype(tulip::sleep(1s));
using get_op = decltype(std::declval<tulip::queue<int>&>().get());
using answer_op = decltype(answer({}, 0));

// What each combinator gives for an operation: what `co_await` on it gives.
static_assert(std::is_same_v<get_op, tulip::awaitable<int>>); // awaitable_token
static_assert(
    std::is_same_v<decltype(tulip::timeout(1s, tulip::sleep(1s))), tulip::awaitable<void>>);
static_assert(std::is_same_v<decltype(tulip::timeout(1s, answer({}, 0))), tulip::awaitable<int>>);
static_assert(std::is_same_v<decltype(tulip::wait_for(answer({}, 0), 1s)), tulip::awaitable<int>>);
static_assert(std::is_same_v<decltype(tulip::move_on_after(1s, tulip::sleep(1s))),
                             tulip::awaitable<std::optional<std::monostate>>>);
static_assert(std::is_same_v<decltype(tulip::move_on_at(tulip::clock::time_point{}, answer({}, 0))),
                             tulip::awaitable<std::optional<int>>>);
static_assert(std::is_same_v<decltype(tulip::shield(answer({}, 0))), tulip::awaitable<int>>);
static_assert(std::is_same_v<decltype(tulip::gather(tulip::sleep(1s), answer({}, 0))),
                             tulip::awaitable<std::tuple<std::monostate, int>>>);

// An operation is consumed: an lvalue one is refused, as `co_await` refuses it.
template <class Op>
concept timeout_accepts = requires(Op&& op)
{
    tulip::timeout(1s, static_cast<Op&&>(op));
};
static_assert(timeout_accepts<sleep_op>);
static_assert(!timeout_accepts<sleep_op&>);
static_assert(!timeout_accepts<const sleep_op&>);
static_assert(!timeout_accepts<int>);
static_assert(timeout_accepts<tulip::task<int>&>); // a task handle is not consumed

} // namespace

BOOST_AUTO_TEST_SUITE(combinator_ops_suite)

// --- timeout, timeout_at, wait_for, move_on_after, move_on_at ----------------------------

BOOST_TULIP_TEST_CASE(timeout_awaits_a_tulip_operation_with_its_default_token)
{
    const auto start = now();
    co_await tulip::timeout(5s, tulip::sleep(1s));
    BOOST_TEST((now() - start == 1s));
    co_await tulip::timeout_at(now() + 5s, tulip::sleep_until(start + 2s));
    BOOST_TEST((now() - start == 2s));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
    co_await tulip::sleep(10s); // the deadlines left nothing behind
}

BOOST_TULIP_TEST_CASE(timeout_expiry_cancels_a_deferred_operation_and_throws_timeout_error)
{
    const auto start = now();
    auto e = co_await error_of(tulip::timeout(5s, tulip::sleep(10s)));
    BOOST_TEST(holds<tulip::timeout_error>(e));
    BOOST_TEST((now() - start == 5s));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
    co_await tulip::sleep(1s); // no cancellation left pending
}

BOOST_TULIP_TEST_CASE(timeout_of_an_operation_lets_a_foreign_cancellation_through)
{
    cancel_later(tulip::current_task(), 1s, "from outside");
    auto e = co_await error_of(tulip::timeout(5s, tulip::sleep(10s)));
    // What the sleep completes with: `operation_aborted`, as co_await on it throws.
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(!holds<tulip::timeout_error>(e));
    BOOST_TEST(tulip::current_task().cancelling() == 1);
    tulip::current_task().uncancel();
}

BOOST_TULIP_TEST_CASE(wait_for_an_event_wait_returns_when_the_event_is_set_in_time)
{
    tulip::event ev;
    tulip::call_later(1s, [&ev] { ev.set(); });
    const auto start = now();
    co_await tulip::wait_for(ev.wait(), 2s);
    BOOST_TEST((now() - start == 1s));
}

BOOST_TULIP_TEST_CASE(wait_for_an_event_wait_times_out_and_leaves_no_waiter)
{
    tulip::event ev;
    auto e = co_await error_of(tulip::wait_for(ev.wait(), 1s));
    BOOST_TEST(holds<tulip::timeout_error>(e));
    BOOST_TEST(!ev.is_set());
    tulip::call_later(1s, [&ev] { ev.set(); });
    co_await tulip::wait_for(ev.wait(), 2s); // the event still works
}

BOOST_TULIP_TEST_CASE(move_on_after_a_default_token_sleep_gives_an_empty_optional)
{
    const auto start = now();
    auto late = co_await tulip::move_on_after(50ms, tulip::sleep(1h));
    BOOST_TEST(!late.has_value());
    BOOST_TEST((now() - start == 50ms));
    auto done = co_await tulip::move_on_at(now() + 1s, tulip::sleep(10ms));
    BOOST_TEST(done.has_value());
}

BOOST_TULIP_TEST_CASE(timeout_and_move_on_after_take_a_queue_get)
{
    tulip::queue<int> q;
    tulip::call_later(1s, [&q] { q.put_nowait(7); });
    const int v = co_await tulip::timeout(2s, q.get());
    BOOST_TEST(v == 7);
    auto none = co_await tulip::move_on_after(1s, q.get());
    BOOST_TEST(!none.has_value());
    q.put_nowait(8);
    auto some = co_await tulip::move_on_after(1s, q.get());
    BOOST_TEST((some == std::optional<int>(8)));
    BOOST_TEST(q.empty()); // the getter that timed out took nothing
}

BOOST_TULIP_TEST_CASE(timeout_of_a_queue_get_throws_queue_shut_down)
{
    tulip::queue<int> q;
    tulip::call_later(1s, [&q] { q.shutdown(); });
    auto e = co_await error_of(tulip::timeout(5s, q.get()));
    BOOST_TEST(holds<tulip::queue_shut_down>(e));
}

BOOST_TULIP_TEST_CASE(timeout_takes_raw_asio_deferred_operations)
{
    auto ex = tulip::get_running_loop().get_executor();
    co_await tulip::timeout(1s, asio::post(ex, asio::deferred));
    asio::steady_timer timer(ex, asio::steady_timer::clock_type::now());
    co_await tulip::timeout(1s, timer.async_wait(asio::deferred));
    const int v = co_await tulip::timeout(1s, answer({}, 42));
    BOOST_TEST(v == 42);
    auto w = co_await tulip::move_on_after(1s, answer({}, 43));
    BOOST_TEST((w == std::optional<int>(43)));
}

BOOST_TULIP_TEST_CASE(an_operation_completing_with_an_error_code_throws_system_error)
{
    auto e = co_await error_of(tulip::timeout(1s, answer(asio::error::connection_reset, 0)));
    BOOST_TEST((code_of(e) == asio::error::connection_reset));
    e = co_await error_of(tulip::wait_for(answer(asio::error::eof, 0), 1s));
    BOOST_TEST((code_of(e) == asio::error::eof));
}

BOOST_TULIP_TEST_CASE(
    an_operation_completing_with_an_exception_ptr_is_awaited_through_use_awaitable)
{
    // co_spawn's `void(exception_ptr, T)`: Asio 1.26 cannot co_await it directly.
    auto ex = tulip::get_running_loop().get_executor();
    const int v =
        co_await tulip::timeout(1s, asio::co_spawn(ex, tulip_test::immediate(5), asio::deferred));
    BOOST_TEST(v == 5);
}

BOOST_TULIP_TEST_CASE(move_on_after_and_timeout_at_take_a_task)
{
    auto t = tulip::create_task(value_after(1s, 3));
    auto v = co_await tulip::move_on_after(2s, t);
    BOOST_TEST((v == std::optional<int>(3)));
    auto slow = tulip::create_task(value_after(1h, 4));
    auto none = co_await tulip::move_on_at(now() + 1s, slow);
    BOOST_TEST(!none.has_value());
    co_await tulip::sleep(0s);
    BOOST_TEST(slow.cancelled()); // the cancelled wait cancelled the task
    auto e =
        co_await error_of(tulip::timeout_at(now() + 1s, tulip::create_task(value_after(1h, 5))));
    BOOST_TEST(holds<tulip::timeout_error>(e));
}

// --- gather, gather_settled --------------------------------------------------------------

BOOST_TULIP_TEST_CASE(gather_takes_operations_of_every_kind)
{
    tulip::event ev;
    tulip::queue<int> q;
    tulip::call_later(1s, [&] {
        ev.set();
        q.put_nowait(2);
    });
    auto ex = tulip::get_running_loop().get_executor();
    const auto start = now();
    auto [a, b, c, d, e] = co_await tulip::gather(tulip::sleep(2s), ev.wait(), q.get(),
                                                  answer({}, 4), asio::post(ex, asio::deferred));
    BOOST_TEST((now() - start == 2s));
    static_assert(std::is_same_v<decltype(a), std::monostate>);
    static_assert(std::is_same_v<decltype(b), std::monostate>);
    BOOST_TEST(c == 2);
    BOOST_TEST(d == 4);
    static_assert(std::is_same_v<decltype(e), std::monostate>);
}

BOOST_TULIP_TEST_CASE(gather_schedules_operations_as_tasks_when_called)
{
    tulip::queue<int> q;
    auto both = tulip::gather(q.put(1), q.put(2));
    co_await tulip::sleep(0s);
    BOOST_TEST(q.qsize() == 2u); // both ran before the gather was awaited
    co_await std::move(both);
}

BOOST_TULIP_TEST_CASE(gather_throws_the_error_of_an_operation)
{
    tulip::queue<int> q;
    q.shutdown();
    auto e = co_await error_of(tulip::gather(tulip::sleep(1s), q.get()));
    BOOST_TEST(holds<tulip::queue_shut_down>(e));
    e = co_await error_of(tulip::gather(answer(asio::error::broken_pipe, 0), tulip::sleep(1s)));
    BOOST_TEST((code_of(e) == asio::error::broken_pipe));
    co_await tulip::sleep(2s); // the sleeps finish
}

BOOST_TULIP_TEST_CASE(gather_settled_holds_each_operation_outcome)
{
    tulip::queue<int> q;
    q.put_nowait(1);
    q.shutdown();
    auto [got, shut, failed, ok] = co_await tulip::gather_settled(
        q.get(), q.get(), answer(asio::error::timed_out, 0), answer({}, 9));
    BOOST_TEST((got.has_value() && *got == 1));
    BOOST_TEST((!shut.has_value() && holds<tulip::queue_shut_down>(shut.error())));
    BOOST_TEST((!failed.has_value() && code_of(failed.error()) == asio::error::timed_out));
    BOOST_TEST((ok.has_value() && *ok == 9));
}

BOOST_TULIP_TEST_CASE(gather_of_a_vector_of_operations_returns_them_in_order)
{
    std::vector<answer_op> ops;
    for (int i = 0; i < 3; ++i)
        ops.push_back(answer({}, i));
    std::vector<int> r = co_await tulip::gather(std::move(ops));
    BOOST_TEST((r == std::vector<int>{0, 1, 2}));
    std::vector<sleep_op> sleeps;
    sleeps.push_back(tulip::sleep(1s));
    sleeps.push_back(tulip::sleep(2s));
    const auto start = now();
    auto settled = co_await tulip::gather_settled(std::move(sleeps));
    BOOST_TEST(settled.size() == 2u);
    BOOST_TEST((settled[0].has_value() && settled[1].has_value()));
    BOOST_TEST((now() - start == 2s));
}

BOOST_TULIP_TEST_CASE(cancelling_a_gather_of_operations_cancels_them)
{
    tulip::event ev;
    cancel_later(tulip::current_task(), 1s);
    auto e = co_await error_of(tulip::gather(ev.wait(), tulip::sleep(1h)));
    BOOST_TEST(tulip::is_cancellation(e));
    tulip::current_task().uncancel();
    co_await tulip::sleep(0s);
    BOOST_TEST(tulip::all_tasks().size() == 1u); // only this one: the children ended
}

// --- wait, shield ------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(wait_takes_a_vector_of_operations_and_returns_their_tasks)
{
    std::vector<sleep_op> ops;
    ops.push_back(tulip::sleep(3s));
    ops.push_back(tulip::sleep(1s));
    auto r = co_await tulip::wait(std::move(ops), tulip::return_when::first_completed);
    BOOST_TEST(r.done.size() == 1u);
    BOOST_TEST(r.pending.size() == 1u);
    static_assert(std::is_same_v<decltype(r.done), std::vector<tulip::task<void>>>);
    r.pending[0].cancel();
    co_await tulip::sleep(0s);
}

BOOST_TULIP_TEST_CASE(shield_keeps_an_operation_running_when_the_awaiter_is_cancelled)
{
    tulip::queue<int> q(1);
    q.put_nowait(0); // full: the put waits for a get
    cancel_later(tulip::current_task(), 1s);
    auto e = co_await error_of(tulip::shield(q.put(5)));
    BOOST_TEST(tulip::is_cancellation(e));
    tulip::current_task().uncancel();
    BOOST_TEST(q.get_nowait() == 0);
    co_await tulip::sleep(0s);
    BOOST_TEST(q.get_nowait() == 5); // the shielded put went on
}

BOOST_TULIP_TEST_CASE(shield_gives_the_value_and_the_error_of_a_raw_asio_operation)
{
    const int v = co_await tulip::shield(answer({}, 6));
    BOOST_TEST(v == 6);
    auto e = co_await error_of(tulip::shield(answer(asio::error::host_unreachable, 0)));
    BOOST_TEST((code_of(e) == asio::error::host_unreachable));
}

// --- as_completed ------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(as_completed_takes_awaitables_and_yields_their_tasks_by_completion)
{
    std::vector<tulip::awaitable<int>> children;
    children.push_back(value_after(2s, 2));
    children.push_back(value_after(1s, 1));
    auto it = tulip::as_completed(std::move(children));
    BOOST_TEST(tulip::all_tasks().size() == 3u); // scheduled by the call
    std::vector<int> order;
    for (;;) {
        auto t = co_await it.next();
        if (!t)
            break;
        order.push_back(t->result());
    }
    BOOST_TEST((order == std::vector<int>{1, 2}));
}

BOOST_TULIP_TEST_CASE(as_completed_takes_operations)
{
    std::vector<answer_op> ops;
    ops.push_back(answer(asio::error::eof, 0));
    ops.push_back(answer({}, 1));
    auto it = tulip::as_completed(std::move(ops));
    auto first = co_await it.next();
    BOOST_TEST((code_of(first->exception()) == asio::error::eof));
    auto second = co_await it.next();
    BOOST_TEST(second->result() == 1);
    auto end = co_await it.next();
    BOOST_TEST(!end.has_value());
}

// --- create_task, task_group::create_task ------------------------------------------------

BOOST_TULIP_TEST_CASE(create_task_takes_an_operation)
{
    tulip::queue<int> q;
    tulip::task<void> sleeper = tulip::create_task(tulip::sleep(1s), {.name = "sleeper"});
    tulip::task<int> reader = tulip::create_task(answer({}, 3));
    tulip::task<int> getter = tulip::create_task(q.get());
    BOOST_TEST(sleeper.get_name() == "sleeper");
    q.put_nowait(4);
    co_await tulip::sleep(2s);
    BOOST_TEST(sleeper.done());
    BOOST_TEST(reader.result() == 3);
    BOOST_TEST(getter.result() == 4);
}

BOOST_TULIP_TEST_CASE(task_group_create_task_takes_operations)
{
    tulip::queue<int> q;
    tulip::task<int> got;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.create_task(tulip::sleep(1s));
        got = tg.create_task(q.get());
        tg.create_task(q.put(11));
        co_return;
    });
    BOOST_TEST(got.result() == 11);
    auto e = co_await error_of(
        tulip::with_task_group([](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(answer(asio::error::connection_refused, 0));
            co_await tulip::sleep(1h);
        }));
    BOOST_TEST(holds<tulip::exception_group>(e));
}

BOOST_AUTO_TEST_SUITE_END()
