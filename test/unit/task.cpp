//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/task.hpp>

#include <boost/tulip/test.hpp>

#include "helpers.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

using tulip_test::cancel_message;
using tulip_test::set_flag;
using tulip_test::value_after;
using tulip_test::what_of;

tulip::context_var<int> task_test_var("task_test_var", 0);

tulip::awaitable<int> throw_after(tulip::duration d, std::string what)
{
    co_await tulip::sleep(d);
    throw std::runtime_error(what);
}

tulip::awaitable<void> push_around_sleep(std::vector<int>& log, int before, int after)
{
    log.push_back(before);
    co_await tulip::sleep(1s);
    log.push_back(after);
}

tulip::awaitable<int> read_var()
{
    co_return task_test_var.get();
}

tulip::awaitable<void> store_current(tulip::any_task& out)
{
    out = tulip::current_task();
    co_return;
}

tulip::awaitable<void> await_and_store(tulip::task<int> t, std::vector<int>& out)
{
    int v = co_await t.wait();
    out.push_back(v);
}

tulip::awaitable<std::unique_ptr<int>> make_unique_after(tulip::duration d, int v)
{
    co_await tulip::sleep(d);
    co_return std::make_unique<int>(v);
}

tulip::awaitable<void> increment_after(tulip::duration d, int& counter)
{
    co_await tulip::sleep(d);
    ++counter;
}

tulip::awaitable<int> read_var_after(tulip::duration d)
{
    co_await tulip::sleep(d);
    co_return task_test_var.get();
}

struct plain_loop_sightings
{
    tulip::event_loop* after_tulip_resume = nullptr;
    tulip::event_loop* after_plain_resume = nullptr;
    int created_result = 0;
    bool created_was_a_task = false;
    bool finished = false;
};

tulip::awaitable<int> report_current_task(bool& is_task)
{
    is_task = static_cast<bool>(tulip::current_task());
    co_return 5;
}

// A plain Asio coroutine (no Tulip task), resumed once by the loop and once by a plain
// Asio handler.
asio::awaitable<void> plain_loop_user(plain_loop_sightings& s)
{
    co_await tulip::sleep(0s);
    s.after_tulip_resume = &tulip::get_running_loop();
    co_await asio::post(asio::use_awaitable);
    s.after_plain_resume = &tulip::get_running_loop();
    auto t = tulip::create_task(report_current_task(s.created_was_a_task));
    s.created_result = co_await t.wait();
    s.finished = true;
}

using ioc_strand = asio::strand<asio::io_context::executor_type>;

// Records, at each step, whether it runs in `s`.
tulip::awaitable<int> steps_in(ioc_strand s, std::vector<bool>& in)
{
    in.push_back(s.running_in_this_thread());
    co_await tulip::sleep(0s);
    in.push_back(s.running_in_this_thread());
    co_await asio::post(asio::use_awaitable);
    in.push_back(s.running_in_this_thread());
    co_await tulip::sleep(1ms);
    in.push_back(s.running_in_this_thread());
    co_return static_cast<int>(in.size());
}

bool contains(const std::vector<tulip::any_task>& v, const tulip::any_task& t)
{
    return std::find(v.begin(), v.end(), t) != v.end();
}

// Installs an exception handler that records each call, and restores the previous one.
struct recording_handler
{
    tulip::event_loop& loop;
    tulip::event_loop::exception_handler saved;
    int calls = 0;
    std::vector<std::string> task_names;
    std::vector<std::string> whats;
    std::vector<tulip::any_task> handles;

    explicit recording_handler(tulip::event_loop& l)
        : loop(l)
        , saved(l.get_exception_handler())
    {
        loop.set_exception_handler([this](tulip::event_loop&, const tulip::exception_context& c) {
            ++calls;
            task_names.push_back(c.task ? c.task.get_name() : std::string("<no task>"));
            whats.push_back(c.exception ? what_of(c.exception) : std::string("<no exception>"));
            handles.push_back(c.task); // keeps a handle: dropping it must not report again
        });
    }
    ~recording_handler() { loop.set_exception_handler(saved); }
    recording_handler(const recording_handler&) = delete;
    recording_handler& operator=(const recording_handler&) = delete;
};

} // namespace

BOOST_AUTO_TEST_SUITE(task_suite)

BOOST_TULIP_TEST_CASE(create_task_runs_lazily_after_the_creator_suspends)
{
    bool started = false;
    auto t = tulip::create_task(set_flag(started));
    BOOST_TEST(!started);
    BOOST_TEST(!t.done());
    co_await tulip::sleep(0s);
    BOOST_TEST(started);
    co_await t.wait();
}

BOOST_TULIP_TEST_CASE(eager_task_runs_synchronously_up_to_its_first_suspension)
{
    std::vector<int> log;
    auto t = tulip::create_task(push_around_sleep(log, 1, 3), tulip::task_options{.eager = true});
    log.push_back(2);
    BOOST_TEST((log == std::vector<int>{1, 2}));
    BOOST_TEST(!t.done());
    co_await t.wait();
    BOOST_TEST((log == std::vector<int>{1, 2, 3}));
}

BOOST_TULIP_TEST_CASE(eager_task_that_never_suspends_is_done_when_create_task_returns)
{
    bool ran = false;
    auto t = tulip::create_task(set_flag(ran), tulip::task_options{.eager = true});
    BOOST_TEST(ran);
    BOOST_TEST(t.done());
    co_await t.wait();
}

BOOST_TULIP_TEST_CASE(task_name_defaults_to_task_n_with_consecutive_numbers)
{
    auto a = tulip::create_task(value_after(0s, 1));
    auto b = tulip::create_task(value_after(0s, 2));
    const std::string na = a.get_name();
    const std::string nb = b.get_name();
    BOOST_TEST_REQUIRE(na.rfind("Task-", 0) == 0u);
    BOOST_TEST_REQUIRE(nb.rfind("Task-", 0) == 0u);
    const std::string da = na.substr(5);
    const std::string db = nb.substr(5);
    BOOST_TEST_REQUIRE(!da.empty());
    BOOST_TEST_REQUIRE(
        std::all_of(da.begin(), da.end(), [](char c) { return c >= '0' && c <= '9'; }));
    BOOST_TEST_REQUIRE(
        std::all_of(db.begin(), db.end(), [](char c) { return c >= '0' && c <= '9'; }));
    BOOST_TEST(std::stoul(db) == std::stoul(da) + 1);
    co_await a.wait();
    co_await b.wait();
}

BOOST_TULIP_TEST_CASE(task_name_from_options_and_set_name_get_name)
{
    auto t = tulip::create_task(value_after(1s, 1), tulip::task_options{.name = "worker"});
    BOOST_TEST(t.get_name() == "worker");
    t.set_name("renamed");
    BOOST_TEST(t.get_name() == "renamed");
    tulip::any_task copy = t;
    BOOST_TEST(copy.get_name() == "renamed"); // the name belongs to the task, not the handle
    co_await t.wait();
    BOOST_TEST(t.get_name() == "renamed");
}

// An unnamed task keeps no name of its own (its name storage is made on first naming).
BOOST_TULIP_TEST_CASE(unnamed_task_goes_by_task_n_until_set_name_names_it)
{
    auto t = tulip::create_task(value_after(1s, 1));
    const std::string default_name = t.get_name();
    BOOST_TEST(default_name.rfind("Task-", 0) == 0u);
    t.set_name("named later");
    BOOST_TEST(t.get_name() == "named later");
    t.set_name("");
    BOOST_TEST(t.get_name() == default_name); // an empty name gives the default back
    co_await t.wait();
}

BOOST_TULIP_TEST_CASE(task_runs_in_a_copy_of_the_creator_context_by_default)
{
    auto tok = task_test_var.set(1);
    auto t = tulip::create_task(read_var());
    auto tok2 = task_test_var.set(5); // after creation: the task's copy is not affected
    int seen = co_await t.wait();
    BOOST_TEST(seen == 1);
    task_test_var.reset(tok2);
    task_test_var.reset(tok);
}

BOOST_TULIP_TEST_CASE(task_options_ctx_overrides_the_creator_context)
{
    auto tok = task_test_var.set(1);
    tulip::context other;
    other.run([] {
        auto t = task_test_var.set(2);
        (void)t;
    });
    auto t = tulip::create_task(read_var(), tulip::task_options{.ctx = &other});
    int seen = co_await t.wait();
    BOOST_TEST(seen == 2);
    BOOST_TEST(task_test_var.get() == 1);
    task_test_var.reset(tok);
}

BOOST_TULIP_TEST_CASE(current_task_is_the_running_task)
{
    tulip::any_task self = tulip::current_task();
    BOOST_TEST(static_cast<bool>(self));
    BOOST_TEST(self.get_name() == "test");

    tulip::any_task seen;
    auto t = tulip::create_task(store_current(seen));
    co_await t.wait();
    BOOST_TEST(static_cast<bool>(seen));
    BOOST_TEST((seen == tulip::any_task(t)));
    BOOST_TEST(!(seen == self));
}

BOOST_TULIP_TEST_CASE(current_task_is_empty_in_a_loop_callback)
{
    bool called = false;
    bool had_task = true;
    tulip::get_running_loop().call_soon([&] {
        called = true;
        had_task = static_cast<bool>(tulip::current_task());
    });
    co_await tulip::sleep(0s);
    BOOST_TEST(called);
    BOOST_TEST(!had_task);
}

BOOST_AUTO_TEST_CASE(current_task_is_empty_outside_any_loop)
{
    BOOST_TEST(!static_cast<bool>(tulip::current_task()));
}

BOOST_TULIP_TEST_CASE(all_tasks_lists_unfinished_tasks_and_not_finished_ones)
{
    auto slow = tulip::create_task(value_after(1h, 1));
    auto quick = tulip::create_task(value_after(0s, 2));
    auto before = tulip::all_tasks();
    BOOST_TEST(contains(before, slow));
    BOOST_TEST(contains(before, quick));
    BOOST_TEST(contains(before, tulip::current_task()));

    co_await quick.wait();
    auto middle = tulip::all_tasks();
    BOOST_TEST(contains(middle, slow));
    BOOST_TEST(!contains(middle, quick));
    BOOST_TEST(middle.size() == 2u); // this test's task and `slow`

    co_await slow.wait();
    auto after = tulip::all_tasks();
    BOOST_TEST(!contains(after, slow));
    BOOST_TEST(after.size() == 1u);
}

BOOST_TULIP_TEST_CASE(result_and_exception_before_done_throw_invalid_state_error)
{
    auto t = tulip::create_task(value_after(1s, 1));
    BOOST_CHECK_THROW(t.result(), tulip::invalid_state_error);
    BOOST_CHECK_THROW(t.exception(), tulip::invalid_state_error);
    co_await t.wait();
    BOOST_TEST(t.result() == 1);
    BOOST_TEST(!t.exception());
}

BOOST_TULIP_TEST_CASE(result_rethrows_the_task_exception_and_exception_returns_it)
{
    auto t = tulip::create_task(throw_after(1s, "boom"));
    co_await tulip::sleep(2s);
    BOOST_TEST_REQUIRE(t.done());
    BOOST_TEST(!t.cancelled());
    bool threw = false;
    try {
        (void)t.result();
    } catch (const std::runtime_error& e) {
        threw = true;
        BOOST_TEST(std::string(e.what()) == "boom");
    }
    BOOST_TEST(threw);
    std::exception_ptr e = t.exception();
    BOOST_TEST_REQUIRE(static_cast<bool>(e));
    BOOST_TEST(what_of(e) == "boom");
}

BOOST_TULIP_TEST_CASE(done_and_cancelled_follow_the_task_state)
{
    auto ok = tulip::create_task(value_after(1s, 1));
    auto failing = tulip::create_task(throw_after(1s, "x"));
    auto doomed = tulip::create_task(value_after(1h, 1));
    BOOST_TEST(!ok.done());
    BOOST_TEST(!ok.cancelled());
    doomed.cancel();
    co_await tulip::sleep(2s);
    BOOST_TEST(ok.done());
    BOOST_TEST(!ok.cancelled());
    BOOST_TEST(failing.done());
    BOOST_TEST(!failing.cancelled());
    BOOST_TEST(doomed.done());
    BOOST_TEST(doomed.cancelled());
    (void)failing.exception();
}

BOOST_TULIP_TEST_CASE(task_of_int_converts_to_any_task)
{
    tulip::task<int> t = tulip::create_task(value_after(1s, 42));
    tulip::any_task a = t;
    BOOST_TEST((a == tulip::any_task(t)));
    BOOST_TEST(a.get_name() == t.get_name());
    BOOST_TEST(!a.done());
    co_await a.wait();
    BOOST_TEST(a.done());
    BOOST_TEST(t.done());
    BOOST_TEST(t.result() == 42);
}

BOOST_TULIP_TEST_CASE(add_done_callback_runs_after_done_with_the_handle)
{
    auto t = tulip::create_task(value_after(1s, 7));
    int calls = 0;
    int value = 0;
    bool same = false;
    bool was_done = false;
    t.add_done_callback([&](const tulip::task<int>& h) {
        ++calls;
        was_done = h.done();
        same = (h == t); // same task
        value = h.result();
    });
    co_await tulip::sleep(500ms);
    BOOST_TEST(calls == 0);
    co_await tulip::sleep(1s);
    BOOST_TEST(calls == 1);
    BOOST_TEST(was_done);
    BOOST_TEST(same);
    BOOST_TEST(value == 7);
}

BOOST_TULIP_TEST_CASE(remove_done_callback_returns_the_number_removed)
{
    auto t = tulip::create_task(value_after(1s, 7));
    bool removed_called = false;
    bool kept_called = false;
    auto id = t.add_done_callback([&] { removed_called = true; });
    t.add_done_callback([&] { kept_called = true; });
    BOOST_TEST(t.remove_done_callback(id) == 1u);
    BOOST_TEST(t.remove_done_callback(id) == 0u);
    co_await t.wait();
    co_await tulip::sleep(1s);
    BOOST_TEST(kept_called);
    BOOST_TEST(!removed_called);
}

BOOST_TULIP_TEST_CASE(done_callback_added_after_done_still_runs_on_a_later_iteration)
{
    auto t = tulip::create_task(value_after(0s, 3));
    co_await t.wait();
    BOOST_TEST_REQUIRE(t.done());
    int value = 0;
    t.add_done_callback([&](const tulip::task<int>& h) { value = h.result(); });
    BOOST_TEST(value == 0); // not inline
    co_await tulip::sleep(0s);
    BOOST_TEST(value == 3);
}

BOOST_TULIP_TEST_CASE(several_awaiters_all_receive_the_result)
{
    auto t = tulip::create_task(value_after(1s, 5));
    std::vector<int> got;
    auto w1 = tulip::create_task(await_and_store(t, got));
    auto w2 = tulip::create_task(await_and_store(t, got));
    auto w3 = tulip::create_task(await_and_store(t, got));
    int mine = co_await t.wait();
    co_await w1.wait();
    co_await w2.wait();
    co_await w3.wait();
    BOOST_TEST(mine == 5);
    BOOST_TEST((got == std::vector<int>{5, 5, 5}));
}

BOOST_TULIP_TEST_CASE(async_wait_with_use_awaitable_returns_the_result)
{
    auto t = tulip::create_task(value_after(1s, 11));
    int v = co_await t.async_wait(asio::use_awaitable);
    BOOST_TEST(v == 11);
}

BOOST_TULIP_TEST_CASE(async_wait_with_use_awaitable_rethrows_the_task_exception)
{
    auto t = tulip::create_task(throw_after(1s, "bad"));
    std::string caught;
    try {
        (void)co_await t.async_wait(asio::use_awaitable);
    } catch (const std::runtime_error& e) {
        caught = e.what();
    }
    BOOST_TEST(caught == "bad");
}

BOOST_TULIP_TEST_CASE(async_wait_with_a_plain_callback_gets_exception_ptr_and_value)
{
    auto ok = tulip::create_task(value_after(1s, 3));
    auto bad = tulip::create_task(throw_after(1s, "nope"));
    int ok_calls = 0, bad_calls = 0;
    std::exception_ptr ok_e, bad_e;
    int ok_v = -1;
    ok.async_wait([&](std::exception_ptr e, int v) {
        ++ok_calls;
        ok_e = e;
        ok_v = v;
    });
    bad.async_wait([&](std::exception_ptr e, int) {
        ++bad_calls;
        bad_e = e;
    });
    co_await tulip::sleep(2s);
    BOOST_TEST(ok_calls == 1);
    BOOST_TEST(!ok_e);
    BOOST_TEST(ok_v == 3);
    BOOST_TEST(bad_calls == 1);
    BOOST_TEST_REQUIRE(static_cast<bool>(bad_e));
    BOOST_TEST(what_of(bad_e) == "nope");
}

BOOST_TULIP_TEST_CASE(create_task_with_executor_from_a_loop_callback)
{
    tulip::task<int> t;
    tulip::get_running_loop().call_soon([&] {
        t = tulip::create_task(tulip::get_running_loop().get_executor(), value_after(1s, 8));
    });
    co_await tulip::sleep(0s);
    BOOST_TEST_REQUIRE(static_cast<bool>(t));
    BOOST_TEST(!t.done());
    int v = co_await t.wait();
    BOOST_TEST(v == 8);
}

BOOST_TULIP_TEST_CASE(create_task_from_a_plain_asio_handler_uses_the_loop_running_there)
{
    auto& loop = tulip::get_running_loop();
    auto ex = loop.get_executor();
    tulip::task<int> plain_t;
    tulip::task<int> t;
    tulip::event_loop* found = nullptr;
    asio::post(ex, [&] {
        // Plain Asio code: no running task or loop callback here, but the io_context
        // runs on this thread with a loop attached.
        found = &tulip::get_running_loop();
        plain_t = tulip::create_task(value_after(0s, 8));
        t = tulip::create_task(ex, value_after(1s, 9));
    });
    co_await tulip::sleep(0s);
    BOOST_TEST(found == &loop);
    BOOST_TEST_REQUIRE(static_cast<bool>(plain_t));
    BOOST_TEST_REQUIRE(static_cast<bool>(t));
    BOOST_TEST(co_await plain_t.wait() == 8);
    BOOST_TEST(co_await t.wait() == 9);
}

BOOST_TULIP_TEST_CASE(move_only_result_through_wait)
{
    auto t = tulip::create_task(make_unique_after(1s, 9));
    std::unique_ptr<int> p = co_await t.wait();
    BOOST_TEST_REQUIRE(static_cast<bool>(p));
    BOOST_TEST(*p == 9);
}

BOOST_TULIP_TEST_CASE(fire_and_forget_task_completes_after_its_handle_is_dropped)
{
    // cpython#91887: the loop keeps unfinished tasks alive.
    int counter = 0;
    (void)tulip::create_task(increment_after(1s, counter));
    co_await tulip::sleep(0s);
    BOOST_TEST(tulip::all_tasks().size() == 2u);
    co_await tulip::sleep(2s);
    BOOST_TEST(counter == 1);
    BOOST_TEST(tulip::all_tasks().size() == 1u);
}

BOOST_TULIP_TEST_CASE(unretrieved_task_exception_is_reported_once_when_the_last_handle_goes)
{
    recording_handler rec(tulip::get_running_loop());
    {
        auto t = tulip::create_task(throw_after(1s, "lost"), tulip::task_options{.name = "doomed"});
        co_await tulip::sleep(2s);
        BOOST_TEST(t.done());
        BOOST_TEST(rec.calls == 0); // a handle is still alive: someone may still look
    }
    co_await tulip::sleep(0s);
    BOOST_TEST_REQUIRE(rec.calls == 1);
    BOOST_TEST(rec.task_names[0] == "doomed");
    BOOST_TEST(rec.whats[0] == "lost");
    rec.handles.clear(); // the handler's own handle goes: no second report
    co_await tulip::sleep(1s);
    BOOST_TEST(rec.calls == 1);
}

BOOST_TULIP_TEST_CASE(unretrieved_exception_of_a_fire_and_forget_task_is_reported_once)
{
    recording_handler rec(tulip::get_running_loop());
    (void)tulip::create_task(throw_after(1s, "dropped"), tulip::task_options{.name = "orphan"});
    co_await tulip::sleep(2s);
    BOOST_TEST_REQUIRE(rec.calls == 1);
    BOOST_TEST(rec.task_names[0] == "orphan");
    BOOST_TEST(rec.whats[0] == "dropped");
    rec.handles.clear();
    co_await tulip::sleep(1s);
    BOOST_TEST(rec.calls == 1);
}

BOOST_TULIP_TEST_CASE(task_exception_retrieved_by_wait_is_not_reported)
{
    recording_handler rec(tulip::get_running_loop());
    {
        auto t = tulip::create_task(throw_after(1s, "seen"));
        bool caught = false;
        try {
            (void)co_await t.wait();
        } catch (const std::runtime_error&) {
            caught = true;
        }
        BOOST_TEST(caught);
    }
    co_await tulip::sleep(1s);
    BOOST_TEST(rec.calls == 0);
}

BOOST_TULIP_TEST_CASE(task_exception_retrieved_by_result_is_not_reported)
{
    recording_handler rec(tulip::get_running_loop());
    {
        auto t = tulip::create_task(throw_after(1s, "seen"));
        co_await tulip::sleep(2s);
        BOOST_CHECK_THROW((void)t.result(), std::runtime_error);
    }
    co_await tulip::sleep(1s);
    BOOST_TEST(rec.calls == 0);
}

BOOST_TULIP_TEST_CASE(task_exception_retrieved_by_exception_is_not_reported)
{
    recording_handler rec(tulip::get_running_loop());
    {
        auto t = tulip::create_task(throw_after(1s, "seen"));
        co_await tulip::sleep(2s);
        BOOST_TEST(static_cast<bool>(t.exception()));
    }
    co_await tulip::sleep(1s);
    BOOST_TEST(rec.calls == 0);
}

BOOST_TULIP_TEST_CASE(async_wait_with_deferred_composes_in_a_parallel_group)
{
    auto a = tulip::create_task(value_after(2s, 1));
    auto b = tulip::create_task(value_after(1s, 2));
    auto t0 = tulip::clock::now();
    auto [order, ea, va, eb, vb] =
        co_await asio::experimental::make_parallel_group(a.async_wait(asio::deferred),
                                                         b.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    BOOST_TEST((tulip::clock::now() - t0 == 2s));
    BOOST_TEST(order[0] == 1u); // b finished first
    BOOST_TEST(order[1] == 0u);
    BOOST_TEST(!ea);
    BOOST_TEST(!eb);
    BOOST_TEST(va == 1);
    BOOST_TEST(vb == 2);
}

BOOST_TULIP_TEST_CASE(awaitable_or_operator_cancels_the_losing_task)
{
    using namespace asio::experimental::awaitable_operators;
    auto fast = tulip::create_task(value_after(1s, 1));
    auto slow = tulip::create_task(value_after(1h, 2));
    auto t0 = tulip::clock::now();
    auto r = co_await (fast.wait() || slow.wait());
    BOOST_TEST(r.index() == 0u);
    BOOST_TEST(std::get<0>(r) == 1);
    try {
        (void)co_await slow.wait();
    } catch (...) {
    }
    BOOST_TEST(slow.done());
    BOOST_TEST(slow.cancelled());
    BOOST_TEST((tulip::clock::now() - t0 < 1h));
}

BOOST_TULIP_TEST_CASE(awaitable_and_operator_waits_for_both_tasks)
{
    using namespace asio::experimental::awaitable_operators;
    auto a = tulip::create_task(value_after(1s, 1));
    auto b = tulip::create_task(value_after(2s, 2));
    auto [x, y] = co_await (a.wait() && b.wait());
    BOOST_TEST(x == 1);
    BOOST_TEST(y == 2);
}

BOOST_AUTO_TEST_CASE(create_task_on_an_executor_that_is_not_an_io_context_throws_invalid_argument)
{
    asio::thread_pool pool(1);
    auto body = []() -> tulip::awaitable<int> { co_return 1; };
    BOOST_CHECK_THROW(tulip::create_task(pool.get_executor(), body()), std::invalid_argument);
    pool.join();
}

BOOST_AUTO_TEST_CASE(create_task_before_the_io_context_runs_then_plain_run_completes_it)
{
    // Plain Asio code: an application that owns its io_context and runs it itself.
    asio::io_context ioc;
    auto t = tulip::create_task(ioc,
                                []() -> tulip::awaitable<int> {
                                    co_await tulip::sleep(1ms);
                                    co_return 42;
                                }(),
                                {.name = "plain", .eager = true});
    BOOST_TEST(!t.done()); // eager, but not on the loop's thread: it starts when ioc runs
    ioc.run();
    BOOST_TEST(t.done());
    BOOST_TEST(t.result() == 42);
    BOOST_TEST(t.get_name() == "plain");
    BOOST_TEST(&t.get_loop() == &tulip::get_event_loop(ioc));
}

BOOST_TULIP_TEST_CASE(task_options_take_a_context_by_reference_pointer_or_optional_and_own_the_name)
{
    static tulip::context_var<int> level{"level", 0};
    auto tok = level.set(3);
    tulip::context ctx = tulip::copy_context();
    level.reset(tok);
    std::optional<tulip::context> maybe = ctx;
    auto read = []() -> tulip::awaitable<int> { co_return level.get(); };
    BOOST_TEST(co_await tulip::create_task(read(), {.ctx = ctx}).wait() == 3);
    BOOST_TEST(co_await tulip::create_task(read(), {.ctx = &ctx}).wait() == 3);
    BOOST_TEST(co_await tulip::create_task(read(), {.ctx = maybe}).wait() == 3);
    BOOST_TEST(co_await tulip::create_task(read(), {.ctx = std::nullopt}).wait() == 0);

    // The name is held by value: options filled in steps from temporaries stay valid.
    tulip::task_options opts;
    opts.name = "worker-" + std::to_string(7);
    opts.ctx = ctx;
    auto t = tulip::create_task(read(), opts);
    BOOST_TEST(t.get_name() == "worker-7");
    BOOST_TEST(co_await t.wait() == 3);

    const std::string long_name(100, 'x');
    auto u = tulip::create_task(read(), {.name = long_name});
    BOOST_TEST(u.get_name() == long_name.substr(0, tulip::task_name::capacity));
    co_await u.wait();
}

BOOST_AUTO_TEST_CASE(a_waiting_task_keeps_a_plain_io_context_run_from_returning_until_it_is_done)
{
    // Plain Asio code: a task waiting on a Tulip future (no Asio operation outstanding)
    // is work of the io_context, as a co_spawn'ed coroutine is.
    asio::io_context ioc;
    auto fut = tulip::get_event_loop(ioc).create_future<int>();
    auto t = tulip::create_task(ioc, [](tulip::future<int> f) -> tulip::awaitable<int> {
        co_return co_await f.wait() + 1;
    }(fut));
    ioc.poll();
    BOOST_TEST(!t.done());
    BOOST_TEST(!ioc.stopped()); // with no work left, poll() would have stopped it
    fut.set_result(41);
    ioc.run();
    BOOST_TEST(t.done());
    BOOST_TEST(t.result() == 42);
}

BOOST_AUTO_TEST_CASE(all_tasks_of_a_given_loop_works_without_a_running_loop)
{
    asio::io_context ioc;
    auto t = tulip::create_task(ioc, tulip::sleep(1ms, asio::use_awaitable), {.name = "waiting"});
    auto tasks = tulip::all_tasks(tulip::get_event_loop(ioc));
    BOOST_TEST(tasks.size() == 1u);
    BOOST_TEST((tasks.front() == tulip::any_task(t)));
    ioc.run();
    BOOST_TEST(tulip::all_tasks(tulip::get_event_loop(ioc)).empty());
}

BOOST_AUTO_TEST_CASE(plain_co_spawn_coroutine_finds_the_loop_whatever_resumed_it_last)
{
    asio::io_context ioc;
    plain_loop_sightings s;
    std::exception_ptr failed;
    asio::co_spawn(ioc, plain_loop_user(s), [&](std::exception_ptr e) { failed = e; });
    ioc.run();
    BOOST_TEST(!failed, (failed ? what_of(failed) : ""));
    BOOST_TEST(s.finished);
    auto* loop = &tulip::get_event_loop(ioc);
    BOOST_TEST(s.after_tulip_resume == loop);
    BOOST_TEST(s.after_plain_resume == loop);
    BOOST_TEST(s.created_was_a_task);
    BOOST_TEST(s.created_result == 5);
}

BOOST_AUTO_TEST_CASE(get_running_loop_outside_a_running_io_context_throws_no_running_loop)
{
    asio::io_context ioc;
    (void)tulip::get_event_loop(ioc); // attached, but not run on this thread
    BOOST_CHECK_THROW((void)tulip::get_running_loop(), tulip::no_running_loop);
}

BOOST_AUTO_TEST_CASE(task_created_on_a_strand_runs_every_step_in_the_strand)
{
    asio::io_context ioc; // no loop attached yet: the strand attaches it
    auto strand = asio::make_strand(ioc);
    std::vector<bool> in;
    auto t = tulip::create_task(strand, steps_in(strand, in), {.name = "stranded"});
    ioc.run();
    BOOST_TEST_REQUIRE(t.done());
    BOOST_TEST(t.result() == 4);
    BOOST_TEST(in == std::vector<bool>(4, true), boost::test_tools::per_element());
    BOOST_TEST(&t.get_loop() == &tulip::get_event_loop(ioc));
}

BOOST_AUTO_TEST_CASE(task_created_on_an_any_io_executor_holding_a_strand_runs_in_the_strand)
{
    asio::io_context ioc;
    auto strand = asio::make_strand(ioc);
    std::vector<bool> in;
    auto t = tulip::create_task(asio::any_io_executor(strand), steps_in(strand, in));
    ioc.run();
    BOOST_TEST_REQUIRE(t.done());
    BOOST_TEST(in == std::vector<bool>(4, true), boost::test_tools::per_element());
}

BOOST_TULIP_TEST_CASE(task_created_on_an_as_default_on_executor_is_a_task_of_the_loop)
{
    // The executor of `as_default_on` derives from the io_context's: the task runs its
    // steps there and counts as a task, so the runner's virtual clock jumps over its sleep
    // (were it foreign work, the hour would pass in real time).
    auto& loop = tulip::get_running_loop();
    asio::use_awaitable_t<>::executor_with_default<asio::io_context::executor_type> ex(
        loop.get_io_context().get_executor());
    const auto start = loop.time();
    auto t = tulip::create_task(ex, tulip::sleep(1h));
    co_await t.wait();
    BOOST_TEST((loop.time() - start >= 1h));
}

BOOST_TULIP_TEST_CASE(create_task_on_a_task_executor_makes_a_task_of_its_own)
{
    // The executor a task's coroutine sees stands for the loop's: the new task does not
    // run inside the creator.
    auto ex = co_await asio::this_coro::executor;
    tulip::any_task seen;
    auto t = tulip::create_task(ex, store_current(seen));
    co_await t.wait();
    BOOST_TEST((seen == t));
    BOOST_TEST(!(seen == tulip::current_task()));
}

BOOST_TULIP_TEST_CASE(task_names_longer_than_63_bytes_are_cut_alike_by_options_and_set_name)
{
    const std::string long_name(100, 'n');
    auto t = tulip::create_task(value_after(0s, 0), {.name = long_name});
    BOOST_TEST(t.get_name() == std::string(63, 'n'));
    t.set_name(std::string(64, 'm'));
    BOOST_TEST(t.get_name() == std::string(63, 'm'));
    t.set_name(std::string(63, 'x'));
    BOOST_TEST(t.get_name() == std::string(63, 'x'));
    // A cut never splits a UTF-8 character: "\xc3\xa9" (e acute) would span bytes 63-64.
    const std::string accented = std::string(62, 'a') + "\xc3\xa9" + "z";
    t.set_name(accented);
    BOOST_TEST(t.get_name() == std::string(62, 'a'));
    BOOST_TEST(tulip::task_name(accented).view() == std::string(62, 'a'));
    BOOST_TEST(tulip::task_name::capacity == 63u);
    co_await t.wait();
}

BOOST_TULIP_TEST_CASE(get_context_is_a_snapshot_that_cannot_change_the_task_context)
{
    static_assert(std::is_same_v<decltype(std::declval<const tulip::any_task&>().get_context()),
                                 tulip::context>);
    auto t = tulip::create_task(read_var_after(1s));
    tulip::context snapshot = t.get_context();
    snapshot.run([] { (void)task_test_var.set(7); });
    BOOST_TEST(snapshot.get(task_test_var) == 7);
    BOOST_TEST(!t.get_context().contains(task_test_var));
    BOOST_TEST(co_await t.wait() == 0); // the task still sees the default
}

BOOST_AUTO_TEST_SUITE_END()
