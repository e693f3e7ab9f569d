//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Conformance of async generators and async resources with PEP 525/530,
// contextlib.asynccontextmanager / AsyncExitStack and loop.shutdown_asyncgens, through
// public names only.

#include <boost/tulip/generator.hpp>

#include <boost/tulip/as_completed.hpp>
#include <boost/tulip/async_with.hpp>
#include <boost/tulip/context.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/task_group.hpp>
#include <boost/tulip/test.hpp>
#include <boost/tulip/timeout.hpp>

#include "helpers.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using tulip::async_generator;
using tulip::awaitable;

namespace {

// What a probed body did.
struct probe
{
    bool started = false;
    bool saw_cancellation = false;
    bool cleaned_up = false;
    bool destroyed = false;
    std::exception_ptr caught;
};

struct mark_destroyed
{
    probe* p;
    ~mark_destroyed() { p->destroyed = true; }
};

using operation = std::function<awaitable<void>()>;

// Yields 0, then awaits `op()`; whatever `op` ends with, awaits a cleanup (1s) and
// rethrows; yields 1 if `op` completed.
async_generator<int> yield_then_await(operation op, probe* p)
{
    mark_destroyed d{p};
    co_yield 0;
    p->started = true;
    std::exception_ptr e;
    try {
        co_await op();
    } catch (...) {
        e = std::current_exception();
    }
    p->caught = e;
    p->saw_cancellation = tulip::is_cancellation(e);
    co_await tulip::sleep(1s);
    p->cleaned_up = true;
    if (e)
        std::rethrow_exception(e);
    co_yield 1;
}

awaitable<void> drain(async_generator<int>* g)
{
    while (auto v = co_await g->next())
        (void)v;
}

// Cancels the consumer while the body is suspended in `op`: the body sees the
// cancellation, its cleanup awaits, and the consumer ends cancelled.
awaitable<void> check_consumer_cancellation_reaches_body(operation op)
{
    probe p;
    auto g = yield_then_await(std::move(op), &p);
    auto c = tulip::create_task(drain(&g));
    // The body sets `started` just before it suspends in op. (Not a sleep: op may hold
    // the test runner's clock to real time, as an Asio timer does.)
    for (int i = 0; i < 10 && !p.started; ++i)
        co_await tulip::sleep(0s);
    BOOST_TEST(p.started);
    BOOST_TEST(g.running());
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST(p.saw_cancellation, tulip_test::describe(p.caught));
    BOOST_TEST(p.cleaned_up);
    BOOST_TEST(g.done());
    BOOST_TEST(p.destroyed); // the body's locals are gone with it
}

awaitable<void> sleep_long()
{
    co_await tulip::sleep(1h);
}

awaitable<int> sleep_then(tulip::duration d, int v)
{
    co_await tulip::sleep(d);
    co_return v;
}

} // namespace

BOOST_AUTO_TEST_SUITE(conformance_generators_suite)

// --- cancellation of the consumer reaches the body, whatever it awaits -----------------

BOOST_TULIP_TEST_CASE(consumer_cancellation_reaches_body_awaiting_a_tulip_task)
{
    tulip::task<void> inner;
    co_await check_consumer_cancellation_reaches_body([&inner]() -> awaitable<void> {
        inner = tulip::create_task(sleep_long());
        co_await inner.wait();
    });
    // Awaiting a task and being cancelled cancels the task (asyncio's rule).
    BOOST_TEST(inner.cancelled());
}

BOOST_TULIP_TEST_CASE(consumer_cancellation_reaches_body_awaiting_asio_timer_with_deferred)
{
    co_await check_consumer_cancellation_reaches_body([]() -> awaitable<void> {
        asio::steady_timer timer(tulip::get_running_loop().get_io_context());
        timer.expires_after(1h);
        co_await timer.async_wait(asio::deferred);
    });
}

BOOST_TULIP_TEST_CASE(consumer_cancellation_reaches_body_awaiting_asio_timer_with_use_awaitable)
{
    co_await check_consumer_cancellation_reaches_body([]() -> awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(1h);
        co_await timer.async_wait(asio::use_awaitable);
    });
}

BOOST_TULIP_TEST_CASE(consumer_cancellation_reaches_body_awaiting_a_nested_generator)
{
    probe inner_probe;
    co_await check_consumer_cancellation_reaches_body([&]() -> awaitable<void> {
        auto inner = yield_then_await(sleep_long, &inner_probe);
        co_await inner.next();
        co_await inner.next(); // suspends in sleep_long, two generator frames deep
    });
    BOOST_TEST(inner_probe.saw_cancellation);
    BOOST_TEST(inner_probe.cleaned_up);
    BOOST_TEST(inner_probe.destroyed);
}

BOOST_TULIP_TEST_CASE(consumer_cancellation_reaches_body_awaiting_awaitable_operators)
{
    using namespace asio::experimental::awaitable_operators;
    co_await check_consumer_cancellation_reaches_body([]() -> awaitable<void> {
        // Asio's `||` reports two failed branches as multiple_exceptions: the first
        // branch's exception is the cancellation.
        std::exception_ptr first;
        try {
            co_await (sleep_long() || sleep_long());
        } catch (const asio::multiple_exceptions& e) {
            first = e.first_exception();
        }
        if (first)
            std::rethrow_exception(first);
    });
}

BOOST_TULIP_TEST_CASE(consumer_cancellation_reaches_body_awaiting_a_parallel_group)
{
    co_await check_consumer_cancellation_reaches_body([]() -> awaitable<void> {
        auto& ioc = tulip::get_running_loop().get_io_context();
        asio::steady_timer a(ioc), b(ioc);
        a.expires_after(1h);
        b.expires_after(2h);
        auto [order, ea, eb] =
            co_await asio::experimental::make_parallel_group(a.async_wait(asio::deferred),
                                                             b.async_wait(asio::deferred))
                .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
        (void)order;
        if (ea || eb)
            throw boost::system::system_error(ea ? ea : eb);
    });
}

BOOST_TULIP_TEST_CASE(body_uses_awaitable_operators_and_gets_their_results)
{
    using namespace asio::experimental::awaitable_operators;
    auto g = []() -> async_generator<int> {
        auto r = co_await (sleep_then(2s, 1) || sleep_then(1s, 2));
        int val = r.index() == 0 ? std::get<0>(r) : std::get<1>(r);
        co_yield static_cast<int>(r.index()) * 10 + val;
        auto [x, y] = co_await (sleep_then(1s, 3) && sleep_then(2s, 4));
        co_yield x + y;
    }();
    auto t0 = tulip::clock::now();
    auto all = co_await tulip::collect(std::move(g));
    BOOST_TEST((all == std::vector<int>{12, 7}));
    BOOST_TEST((tulip::clock::now() - t0 == 3s));
}

BOOST_TULIP_TEST_CASE(pending_cancellation_of_consumer_interrupts_the_body_first_suspension)
{
    probe p;
    auto g = [](probe* p) -> async_generator<int> {
        try {
            co_await tulip::sleep(1s);
        } catch (const std::exception& e) {
            p->saw_cancellation = tulip::is_cancellation(e);
            throw;
        }
        co_yield 1;
    }(&p);
    auto c = tulip::create_task([](async_generator<int>* g) -> awaitable<void> {
        tulip::current_task().cancel(); // pending: delivered at the next suspension
        co_await drain(g);
    }(&g));
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST(p.saw_cancellation);
    BOOST_TEST(g.done());
}

BOOST_TULIP_TEST_CASE(timeout_around_next_cancels_the_body_and_raises_timeout_error)
{
    probe p;
    auto g = yield_then_await(sleep_long, &p);
    co_await g.next();
    auto e = co_await tulip_test::error_of(tulip::timeout(5s, g.next()));
    BOOST_TEST(tulip_test::holds<tulip::timeout_error>(e), tulip_test::describe(e));
    BOOST_TEST(p.saw_cancellation);
    BOOST_TEST(p.cleaned_up);
    BOOST_TEST(g.done());
    auto after = co_await g.next();
    BOOST_TEST(!after.has_value());
}

BOOST_TULIP_TEST_CASE(cancelling_the_consumer_during_aclose_cleanup_closes_the_generator)
{
    probe p;
    auto g = [](probe* p) -> async_generator<int> {
        mark_destroyed d{p};
        std::exception_ptr e;
        try {
            co_yield 0;
        } catch (...) {
            e = std::current_exception();
        }
        try {
            co_await tulip::sleep(1h); // slow cleanup
        } catch (const std::exception& x) {
            p->saw_cancellation = tulip::is_cancellation(x);
            throw;
        }
        std::rethrow_exception(e);
    }(&p);
    co_await g.next();
    auto c = tulip::create_task(g.aclose());
    co_await tulip::sleep(1s);
    BOOST_TEST(g.running());
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST(p.saw_cancellation);
    BOOST_TEST(g.done());
}

// --- the body runs in each consumer -----------------------------------------------------

namespace {
tulip::context_var<std::string> who("who", "nobody");

async_generator<std::string> report_consumer()
{
    for (;;) {
        co_await tulip::sleep(1s);
        co_yield who.get() + "/" + tulip::current_task().get_name();
    }
}

awaitable<std::string> step_as(std::string name, async_generator<std::string>* g)
{
    auto tok = who.set(name);
    auto v = co_await g->next();
    co_return v.value_or("<none>");
}
} // namespace

BOOST_TULIP_TEST_CASE(generator_consumed_by_two_tasks_in_turn_runs_in_each_consumer)
{
    auto g = report_consumer();
    auto a = tulip::create_task(step_as("ann", &g), {.name = "A"});
    BOOST_TEST(co_await a.wait() == "ann/A");
    auto b = tulip::create_task(step_as("bob", &g), {.name = "B"});
    BOOST_TEST(co_await b.wait() == "bob/B");
    co_await g.aclose();
}

BOOST_TULIP_TEST_CASE(generator_outlives_the_task_that_started_it)
{
    auto g = report_consumer();
    auto a = tulip::create_task(step_as("ann", &g), {.name = "A"});
    BOOST_TEST(co_await a.wait() == "ann/A");
    BOOST_TEST(a.done());
    // The starting task is gone; the test task goes on with it, cancels it mid-body.
    auto v = co_await g.next();
    BOOST_TEST(v.value_or("") == "nobody/test");
    auto c = tulip::create_task(step_as("cid", &g), {.name = "C"});
    co_await tulip::sleep(500ms);
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST(g.done());
}

BOOST_TULIP_TEST_CASE(cancelling_one_consumer_does_not_affect_the_next_one)
{
    // The cancellation delivered to consumer A stays with A: B's steps run normally.
    probe p;
    auto g = [](probe* p) -> async_generator<int> {
        for (int i = 0;; ++i) {
            try {
                co_await tulip::sleep(1h);
            } catch (const std::exception& e) {
                p->saw_cancellation = tulip::is_cancellation(e);
                // swallow it and yield anyway (a body may do that)
            }
            co_yield i;
        }
    }(&p);
    auto a = tulip::create_task(g.next());
    co_await tulip::sleep(1s);
    a.cancel();
    co_await tulip_test::finish(a);
    BOOST_TEST(p.saw_cancellation);
    BOOST_TEST(a.cancelling() == 1);
    auto t0 = tulip::clock::now();
    auto b = tulip::create_task(g.next());
    auto v = co_await b.wait();
    BOOST_TEST(v.value_or(-1) == 1);
    BOOST_TEST((tulip::clock::now() - t0 == 1h));
    co_await g.aclose();
}

// --- one step at a time -----------------------------------------------------------------

BOOST_TULIP_TEST_CASE(aclose_athrow_asend_while_body_awaits_inside_a_step_are_running_errors)
{
    probe p;
    auto g = yield_then_await([]() -> awaitable<void> { co_await sleep_then(10s, 0); }, &p);
    co_await g.next();
    auto c = tulip::create_task(drain(&g));
    co_await tulip::sleep(1s);
    BOOST_TEST(g.running());
    auto e1 = co_await tulip_test::error_of(g.aclose());
    auto e2 = co_await tulip_test::error_of(g.athrow(std::runtime_error("x")));
    auto e3 = co_await tulip_test::error_of(g.asend(5));
    auto e4 = co_await tulip_test::error_of(g.next());
    BOOST_TEST(tulip_test::holds<tulip::invalid_state_error>(e1), tulip_test::describe(e1));
    BOOST_TEST(tulip_test::holds<tulip::invalid_state_error>(e2), tulip_test::describe(e2));
    BOOST_TEST(tulip_test::holds<tulip::invalid_state_error>(e3), tulip_test::describe(e3));
    BOOST_TEST(tulip_test::holds<tulip::invalid_state_error>(e4), tulip_test::describe(e4));
    // The step in progress is unaffected.
    co_await c.wait();
    BOOST_TEST(p.cleaned_up);
    BOOST_TEST(!p.caught);
    BOOST_TEST(g.done());
}

BOOST_TULIP_TEST_CASE(aclose_of_an_inner_generator_running_under_an_outer_one_is_a_running_error)
{
    probe p;
    auto inner = yield_then_await(sleep_long, &p);
    auto outer = [](async_generator<int>* in) -> async_generator<int> {
        while (auto v = co_await in->next())
            co_yield *v;
    }(&inner);
    auto c = tulip::create_task(drain(&outer));
    co_await tulip::sleep(1s);
    BOOST_TEST(inner.running());
    BOOST_TEST(outer.running());
    auto e = co_await tulip_test::error_of(inner.aclose());
    BOOST_TEST(tulip_test::holds<tulip::invalid_state_error>(e), tulip_test::describe(e));
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST(p.cleaned_up);
    BOOST_TEST(inner.done());
    BOOST_TEST(outer.done());
}

// --- athrow / aclose --------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(athrow_converted_by_the_body_into_a_yield_after_awaiting)
{
    auto g = []() -> async_generator<int> {
        for (int i = 0;; ++i) {
            bool failed = false;
            try {
                co_yield i;
            } catch (const std::runtime_error&) {
                failed = true;
            }
            if (failed) {
                co_await tulip::sleep(1s);
                co_yield -1; // the value of athrow()
            }
        }
    }();
    auto v0 = co_await g.next();
    BOOST_TEST(v0.value_or(-9) == 0);
    auto thrown = co_await g.athrow(std::runtime_error("boom"));
    BOOST_TEST(thrown.value_or(-9) == -1);
    auto v1 = co_await g.next();
    BOOST_TEST(v1.value_or(-9) == 1);
    // A type the body does not catch ends it and comes back out.
    auto e = co_await tulip_test::error_of(g.athrow(std::logic_error("other")));
    BOOST_TEST(tulip_test::holds<std::logic_error>(e));
    BOOST_TEST(g.done());
    auto after = co_await g.next();
    BOOST_TEST(!after.has_value());
}

BOOST_TULIP_TEST_CASE(aclose_whose_cleanup_throws_reports_that_error_and_destroys_locals)
{
    probe p;
    auto g = [](probe* p) -> async_generator<int> {
        mark_destroyed d{p};
        std::exception_ptr e;
        try {
            co_yield 0;
        } catch (...) {
            e = std::current_exception();
        }
        co_await tulip::sleep(1s);
        throw std::runtime_error("cleanup failed");
    }(&p);
    co_await g.next();
    auto e = co_await tulip_test::error_of(g.aclose());
    BOOST_TEST(tulip_test::what_of(e) == "cleanup failed");
    BOOST_TEST(g.done());
    BOOST_TEST(p.destroyed);
    // Closing again is a no-op (Python: aclose() on a closed generator returns).
    auto again = co_await tulip_test::error_of(g.aclose());
    BOOST_TEST(!again);
}

BOOST_TULIP_TEST_CASE(aclose_of_a_body_that_awaits_then_yields_again_is_an_error)
{
    probe p;
    auto g = [](probe* p) -> async_generator<int> {
        mark_destroyed d{p};
        for (;;) {
            try {
                co_yield 1;
            } catch (const tulip::generator_exit&) {
            }
            co_await tulip::sleep(1s);
        }
    }(&p);
    co_await g.next();
    auto e = co_await tulip_test::error_of(g.aclose());
    BOOST_TEST(tulip_test::holds<tulip::invalid_state_error>(e), tulip_test::describe(e));
    BOOST_TEST(g.done());
    BOOST_TEST(p.destroyed);
}

// --- finalisation -----------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(generator_dropped_inside_a_task_group_body_is_closed_by_the_loop)
{
    probe p;
    co_await tulip::with_task_group([&p](tulip::task_group& tg) -> awaitable<void> {
        tg.create_task(tulip_test::value_after(1s, 1));
        auto g = yield_then_await(sleep_long, &p);
        co_await g.next();
        // g is dropped here, suspended at its co_yield
    });
    co_await tulip::sleep(5s);
    BOOST_TEST(p.destroyed);
    BOOST_TEST(!p.started); // closed at the co_yield: the rest of the body never ran
}

namespace {
struct close_watch
{
    bool entered_cleanup = false;
    bool cleaned_up = false;
    bool helper_ran = false;
};

async_generator<int> slow_to_close(close_watch* w)
{
    std::exception_ptr e;
    try {
        co_yield 0;
    } catch (...) {
        e = std::current_exception();
    }
    w->entered_cleanup = true;
    // Cleanup that takes a while and starts a task of its own.
    auto t = tulip::create_task([](close_watch* w) -> awaitable<void> {
        co_await tulip::sleep(20ms);
        w->helper_ran = true;
    }(w));
    co_await t.wait();
    co_await tulip::sleep(20ms);
    w->cleaned_up = true;
    std::rethrow_exception(e);
}

awaitable<async_generator<int>> start_slow_to_close(close_watch* w)
{
    auto g = slow_to_close(w);
    co_await g.next();
    co_return g;
}
} // namespace

BOOST_AUTO_TEST_CASE(run_waits_for_a_slow_generator_close_before_returning)
{
    close_watch w;
    auto g = tulip::run(start_slow_to_close(&w));
    BOOST_TEST(w.entered_cleanup);
    BOOST_TEST(w.helper_ran);
    BOOST_TEST(w.cleaned_up);
    BOOST_TEST(g.done());
}

BOOST_AUTO_TEST_CASE(run_shutdown_cancelling_a_finalizer_close_reports_no_error)
{
    // The finalizer's task is one of the tasks run() cancels at shutdown (as asyncio's
    // _cancel_all_tasks does); a cancellation is not an error to report (asyncio
    // reports only Exception subclasses, and CancelledError is not one).
    close_watch w;
    std::vector<std::string> reported;
    {
        tulip::runner r;
        r.get_loop().set_exception_handler(
            [&](tulip::event_loop&, const tulip::exception_context& c) {
                reported.push_back(c.message + ": " + tulip_test::describe(c.exception));
            });
        r.run([](close_watch* w) -> awaitable<void> {
            auto g = slow_to_close(w);
            co_await g.next();
            // dropped here: the finalizer task starts closing it
        }(&w));
        r.close();
    }
    BOOST_TEST(w.entered_cleanup);
    BOOST_TEST(reported.empty());
    for (auto& m : reported)
        BOOST_TEST_MESSAGE(m);
}

// --- move-only values -------------------------------------------------------------------

namespace {
async_generator<std::unique_ptr<int>> boxes(int n)
{
    for (int i = 0; i < n; ++i)
        co_yield std::make_unique<int>(i);
}
} // namespace

BOOST_TULIP_TEST_CASE(move_only_values_flow_through_take_filter_transform_collect)
{
    auto odd = tulip::filter(boxes(10), [](const std::unique_ptr<int>& p) { return *p % 2 == 1; });
    auto doubled = tulip::transform(std::move(odd), [](std::unique_ptr<int> p) {
        *p *= 2;
        return p;
    });
    auto firsts = tulip::take(std::move(doubled), 3);
    auto out = co_await tulip::collect(std::move(firsts));
    BOOST_TEST_REQUIRE(out.size() == 3u);
    BOOST_TEST(*out[0] == 2);
    BOOST_TEST(*out[1] == 6);
    BOOST_TEST(*out[2] == 10);

    // An async transform of a move-only value, and async_with over one.
    auto boxed =
        tulip::transform(boxes(2), [](std::unique_ptr<int> p) -> awaitable<std::unique_ptr<int>> {
            co_await tulip::sleep(1s);
            co_return p;
        });
    auto more = co_await tulip::collect(std::move(boxed));
    BOOST_TEST(more.size() == 2u);
    int seen = co_await tulip::async_with(
        boxes(1), [](std::unique_ptr<int>& p) -> awaitable<int> { co_return *p + 7; });
    BOOST_TEST(seen == 7);
}

// --- async_with -------------------------------------------------------------------------

namespace {
struct cm_log
{
    std::vector<std::string> events;
    std::exception_ptr exit_saw;
};

async_generator<int> managed(cm_log* log, bool cleanup_throws = false)
{
    log->events.push_back("enter");
    std::exception_ptr e;
    try {
        co_yield 42;
    } catch (...) {
        e = std::current_exception();
    }
    log->exit_saw = e;
    co_await tulip::sleep(1s); // cleanup that awaits
    log->events.push_back("exit");
    if (cleanup_throws)
        throw std::runtime_error("cleanup failed");
    if (e)
        std::rethrow_exception(e);
}
} // namespace

BOOST_TULIP_TEST_CASE(async_with_body_cancelled_runs_cm_cleanup_that_awaits_and_propagates)
{
    cm_log log;
    auto c = tulip::create_task(tulip::async_with(
        managed(&log), [](int&) -> awaitable<void> { co_await tulip::sleep(1h); }));
    co_await tulip::sleep(1s);
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST((log.events == std::vector<std::string>{"enter", "exit"}));
    BOOST_TEST(tulip::is_cancellation(log.exit_saw));
}

BOOST_TULIP_TEST_CASE(async_with_cancelled_during_cm_cleanup_propagates_the_cancellation)
{
    cm_log log;
    auto c = tulip::create_task(
        tulip::async_with(managed(&log), [](int&) -> awaitable<void> { co_return; }));
    co_await tulip::sleep(500ms); // in the cm's cleanup sleep
    BOOST_TEST((log.events == std::vector<std::string>{"enter"}));
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST((log.events == std::vector<std::string>{"enter"}));
}

BOOST_TULIP_TEST_CASE(async_with_cleanup_error_wins_over_the_body_error)
{
    cm_log log;
    auto e = co_await tulip_test::error_of(
        tulip::async_with(managed(&log, true), [](int&) -> awaitable<void> {
            co_await tulip::sleep(1s);
            throw std::logic_error("body failed");
        }));
    BOOST_TEST(tulip_test::what_of(e) == "cleanup failed");
    BOOST_TEST(tulip_test::holds<std::logic_error>(log.exit_saw));
    BOOST_TEST((log.events == std::vector<std::string>{"enter", "exit"}));
}

BOOST_TULIP_TEST_CASE(async_with_cm_cleanup_error_after_successful_body_propagates)
{
    cm_log log;
    auto e = co_await tulip_test::error_of(
        tulip::async_with(managed(&log, true), [](int& v) -> awaitable<int> { co_return v; }));
    BOOST_TEST(tulip_test::what_of(e) == "cleanup failed");
}

BOOST_TULIP_TEST_CASE(async_with_cm_cancelled_while_entering_never_runs_the_body)
{
    bool body_ran = false;
    auto slow_enter = []() -> async_generator<int> {
        co_await tulip::sleep(1h);
        co_yield 1;
    };
    auto c =
        tulip::create_task(tulip::async_with(slow_enter(), [&body_ran](int&) -> awaitable<void> {
            body_ran = true;
            co_return;
        }));
    co_await tulip::sleep(1s);
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST(!body_ran);
}

// --- async_exit_stack -------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(exit_stack_callback_that_cancels_lets_later_exits_await_and_propagates)
{
    std::vector<std::string> order;
    tulip::async_exit_stack stack;
    stack.push_async_callback([&order]() -> awaitable<void> {
        co_await tulip::sleep(1s); // runs after the cancellation, and can await
        order.push_back("first");
    });
    stack.push_async_callback([&order]() -> awaitable<void> {
        order.push_back("cancels");
        co_await tulip::sleep(0s);
        throw tulip::cancelled_error("from exit");
    });
    stack.push_async_callback([&order]() -> awaitable<void> {
        co_await tulip::sleep(1s);
        order.push_back("last");
    });
    auto e = co_await tulip_test::error_of(stack.aclose());
    BOOST_TEST(tulip::is_cancellation(e), tulip_test::describe(e));
    BOOST_TEST((order == std::vector<std::string>{"last", "cancels", "first"}));
    BOOST_TEST(stack.size() == 0u);
}

BOOST_TULIP_TEST_CASE(exit_stack_unwinding_cancelled_from_outside_still_runs_every_exit)
{
    std::vector<std::string> order;
    cm_log log;
    auto c =
        tulip::create_task([](std::vector<std::string>* order, cm_log* log) -> awaitable<void> {
            tulip::async_exit_stack stack;
            int v = co_await stack.enter_async_context(managed(log));
            BOOST_TEST(v == 42);
            stack.push_async_callback([order]() -> awaitable<void> {
                co_await tulip::sleep(1h); // cancelled here
                order->push_back("slow");
            });
            stack.push_async_callback([order]() -> awaitable<void> {
                order->push_back("fast");
                co_return;
            });
            co_await stack.aclose();
        }(&order, &log));
    co_await tulip::sleep(1s);
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST((order == std::vector<std::string>{"fast"}));
    // The context entered first still exits, and its cleanup awaits.
    BOOST_TEST((log.events == std::vector<std::string>{"enter", "exit"}));
}

BOOST_TULIP_TEST_CASE(consumer_cancelled_in_an_async_filter_predicate_closes_the_source)
{
    probe p;
    auto source = yield_then_await(sleep_long, &p);
    auto slow_pred = [](const int&) -> awaitable<bool> {
        co_await tulip::sleep(1h);
        co_return true;
    };
    auto filtered = tulip::filter(std::move(source), slow_pred);
    auto c = tulip::create_task(drain(&filtered));
    co_await tulip::sleep(1s);
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    // The source was at its co_yield: closing it runs no more of its body, and its
    // locals are gone.
    BOOST_TEST(!p.started);
    BOOST_TEST(p.destroyed);
    BOOST_TEST(filtered.done());
}

BOOST_TULIP_TEST_CASE(handle_dropped_while_a_step_runs_delivers_the_value_then_closes)
{
    probe p;
    auto g = std::make_shared<async_generator<int>>(
        yield_then_await([]() -> awaitable<void> { co_await tulip::sleep(1s); }, &p));
    co_await g->next();
    auto c = tulip::create_task([](async_generator<int>* g) -> awaitable<std::optional<int>> {
        co_return co_await g->next();
    }(g.get()));
    co_await tulip::sleep(500ms);
    BOOST_TEST(g->running());
    // The consumer's operation keeps the body alive; the handle is moved out and dropped.
    {
        auto dropped = std::move(*g);
    }
    auto v = co_await c.wait();
    BOOST_TEST(v.value_or(-1) == 1);
    co_await tulip::sleep(2s); // the loop closes it at its co_yield
    BOOST_TEST(p.cleaned_up);
    BOOST_TEST(p.destroyed);
}

BOOST_TULIP_TEST_CASE(exit_stack_enter_cancelled_while_entering_pushes_no_exit)
{
    tulip::async_exit_stack stack;
    cm_log log;
    auto slow_enter = [](cm_log* log) -> async_generator<int> {
        co_await tulip::sleep(1h);
        co_yield 1;
        log->events.push_back("exit");
    };
    auto c = tulip::create_task(stack.enter_async_context(slow_enter(&log)));
    co_await tulip::sleep(1s);
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST(stack.size() == 0u);
    co_await stack.aclose();
    BOOST_TEST(log.events.empty());
}

BOOST_TULIP_TEST_CASE(async_next_awaited_by_a_task_gets_the_task_cancellation_in_the_body)
{
    probe p;
    auto g = yield_then_await(sleep_long, &p);
    co_await g.next();
    auto c = tulip::create_task([](async_generator<int>* g) -> awaitable<void> {
        auto v = co_await g->async_next(asio::use_awaitable);
        (void)v;
    }(&g));
    co_await tulip::sleep(1s);
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST(p.saw_cancellation, tulip_test::describe(p.caught));
    BOOST_TEST(p.cleaned_up);
    BOOST_TEST(g.done());
}

// --- plain Asio consumers ---------------------------------------------------------------

BOOST_TULIP_TEST_CASE(async_next_callback_with_cancellation_slot_cancels_the_body)
{
    probe p;
    auto g = yield_then_await(sleep_long, &p);
    co_await g.next();
    asio::cancellation_signal sig;
    auto f = tulip::get_running_loop().create_future<std::exception_ptr>();
    g.async_next(asio::bind_cancellation_slot(
        sig.slot(), [f](std::exception_ptr e, std::optional<int>) mutable { f.set_result(e); }));
    // The body runs on a plain co_spawn, which holds the test runner's clock to real time.
    for (int i = 0; i < 10 && !p.started; ++i)
        co_await tulip::sleep(0s);
    BOOST_TEST(p.started);
    sig.emit(asio::cancellation_type::terminal);
    auto e = co_await f.wait();
    BOOST_TEST(tulip::is_cancellation(e), tulip_test::describe(e));
    BOOST_TEST(p.saw_cancellation);
    BOOST_TEST(p.cleaned_up);
    BOOST_TEST(g.done());
}

BOOST_TULIP_TEST_CASE(async_next_started_generator_dropped_suspended_is_closed_by_the_loop)
{
    probe p;
    {
        auto g = yield_then_await(sleep_long, &p);
        auto f = tulip::get_running_loop().create_future<int>();
        g.async_next([f](std::exception_ptr, std::optional<int> v) mutable {
            f.set_result(v.value_or(-1));
        });
        BOOST_TEST(co_await f.wait() == 0);
    }
    co_await tulip::sleep(1s);
    BOOST_TEST(p.destroyed);
    BOOST_TEST(!p.started);
}

namespace {
async_generator<int> asio_only_body(int n)
{
    auto ex = co_await asio::this_coro::executor;
    for (int i = 0; i < n; ++i) {
        co_await asio::post(ex, asio::deferred);
        asio::steady_timer t(ex);
        t.expires_after(0s);
        co_await t.async_wait(asio::use_awaitable);
        co_yield i;
    }
}
} // namespace

BOOST_AUTO_TEST_CASE(generator_consumed_from_plain_asio_coroutine_without_a_loop)
{
    asio::io_context ioc;
    std::vector<int> seen;
    bool finished = false;
    asio::co_spawn(
        ioc,
        [](std::vector<int>* seen) -> awaitable<void> {
            auto g = asio_only_body(4);
            auto a = co_await g.async_next(asio::use_awaitable);
            seen->push_back(a.value_or(-1));
            auto b = co_await g.next();
            seen->push_back(b.value_or(-1));
            auto c = co_await g.async_next();
            seen->push_back(c.value_or(-1));
            co_await g.aclose();
            BOOST_TEST(g.done());
        }(&seen),
        [&finished](std::exception_ptr e) {
            BOOST_TEST(!e, tulip_test::describe(e));
            finished = true;
        });
    ioc.run();
    BOOST_TEST(finished);
    BOOST_TEST((seen == std::vector<int>{0, 1, 2}));
}

BOOST_AUTO_TEST_CASE(async_next_callbacks_from_plain_asio_without_a_loop)
{
    asio::io_context ioc;
    auto g = asio_only_body(2);
    std::vector<int> seen;
    std::function<void()> step;
    step = [&] {
        g.async_next(asio::bind_executor(ioc, [&](std::exception_ptr e, std::optional<int> v) {
            BOOST_TEST(!e);
            if (v) {
                seen.push_back(*v);
                step();
            } else {
                seen.push_back(-1);
            }
        }));
    };
    step();
    ioc.run();
    BOOST_TEST((seen == std::vector<int>{0, 1, -1}));
    BOOST_TEST(g.done());
}

// --- as_completed -----------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(as_completed_consumer_cancelled_while_waiting_leaves_tasks_running)
{
    std::vector<tulip::task<int>> tasks;
    tasks.push_back(tulip::create_task(sleep_then(2h, 1)));
    tasks.push_back(tulip::create_task(sleep_then(3h, 2)));
    auto it = tulip::as_completed(tasks);
    auto c = tulip::create_task([](async_generator<tulip::task<int>>* it) -> awaitable<void> {
        while (auto t = co_await it->next())
            (void)t;
    }(&it));
    co_await tulip::sleep(1h);
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST(!tasks[0].done());
    BOOST_TEST(!tasks[1].done());
    for (auto& t : tasks)
        co_await t.wait();
}

BOOST_AUTO_TEST_SUITE_END()
