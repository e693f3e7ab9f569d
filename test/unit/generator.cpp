//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/generator.hpp>

#include <boost/tulip/context.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/test.hpp>

#include "helpers.hpp"

#include <boost/asio/deferred.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using tulip::async_generator;
using tulip::awaitable;

namespace {

// Records what a body did, for checks after it is gone.
struct trace
{
    std::vector<std::string> events;
    bool destroyed = false;
    bool cleaned_up = false;
    bool saw_generator_exit = false;
    bool saw_cancellation = false;
};

struct on_destroy
{
    trace* t;
    ~on_destroy() { t->destroyed = true; }
};

async_generator<int> count_to(int n, trace* t = nullptr)
{
    if (t)
        t->events.push_back("start");
    for (int i = 0; i < n; ++i)
        co_yield i;
    if (t)
        t->events.push_back("end");
}

async_generator<int> ticker(tulip::duration delay, int to)
{
    for (int i = 0; i < to; ++i) {
        co_yield i;
        co_await tulip::sleep(delay);
    }
}

// The catch-leave-await-rethrow pattern: cleanup that awaits runs on aclose().
async_generator<int> with_async_cleanup(trace* t)
{
    on_destroy d{t};
    std::exception_ptr e;
    try {
        for (int i = 0;; ++i)
            co_yield i;
    } catch (const tulip::generator_exit&) {
        t->saw_generator_exit = true;
        e = std::current_exception();
    }
    co_await tulip::sleep(1s);
    t->cleaned_up = true;
    std::rethrow_exception(e);
}

tulip::context_var<std::string> who("who", "nobody");

} // namespace

BOOST_AUTO_TEST_SUITE(generator_suite)

BOOST_TULIP_TEST_CASE(generator_yields_values_then_empty_on_every_later_call)
{
    auto g = count_to(3);
    std::vector<int> got;
    while (auto v = co_await g.next())
        got.push_back(*v);
    BOOST_TEST((got == std::vector<int>{0, 1, 2}));
    BOOST_TEST(g.done());
    BOOST_TEST(!(co_await g.next()).has_value());
    BOOST_TEST(!(co_await g.next()).has_value());
}

BOOST_TULIP_TEST_CASE(generator_is_lazy_body_starts_at_first_next)
{
    trace t;
    auto g = count_to(2, &t);
    co_await tulip::sleep(1s);
    BOOST_TEST(t.events.empty());
    BOOST_TEST(!g.done());
    auto v = co_await g.next();
    BOOST_TEST(t.events == std::vector<std::string>{"start"});
    BOOST_TEST(*v == 0);
}

BOOST_TULIP_TEST_CASE(generator_body_awaits_tulip_sleep_on_the_loop_clock)
{
    auto t0 = tulip::clock::now();
    auto g = ticker(10s, 3);
    int n = 0;
    while (auto v = co_await g.next())
        BOOST_TEST(*v == n++);
    BOOST_TEST(n == 3);
    BOOST_TEST((tulip::clock::now() - t0 == 30s));
}

namespace {
async_generator<int> asio_awaiting_body()
{
    auto ex = co_await asio::this_coro::executor;
    co_await asio::post(ex, asio::use_awaitable);
    co_yield 1;
    co_await asio::post(ex, asio::deferred);
    co_yield 2;
    co_await tulip::sleep(1s, asio::use_awaitable);
    co_yield 3;
}
} // namespace

BOOST_TULIP_TEST_CASE(generator_body_awaits_asio_operations_with_use_awaitable_and_deferred)
{
    auto g = asio_awaiting_body();
    auto all = co_await tulip::collect(std::move(g));
    BOOST_TEST((all == std::vector<int>{1, 2, 3}));
}

namespace {
async_generator<std::string> awaitable_awaiting_body()
{
    int a = co_await tulip_test::value_after(1s, 40);
    co_yield std::to_string(a);
    auto t = tulip::create_task(tulip_test::value_after(2s, 2));
    int b = co_await t.wait();
    co_yield std::to_string(a + b);
    co_yield "literal"; // converts to T
}
} // namespace

BOOST_TULIP_TEST_CASE(generator_body_awaits_other_awaitables_and_tasks)
{
    auto all = co_await tulip::collect(awaitable_awaiting_body());
    BOOST_TEST((all == std::vector<std::string>{"40", "42", "literal"}));
}

namespace {
async_generator<int> inner_then_outer()
{
    auto inner = count_to(2);
    while (auto v = co_await inner.next())
        co_yield *v * 10;
    co_yield 99;
}
} // namespace

BOOST_TULIP_TEST_CASE(generator_body_consumes_another_generator)
{
    auto all = co_await tulip::collect(inner_then_outer());
    BOOST_TEST((all == std::vector<int>{0, 10, 99}));
}

namespace {
async_generator<int> fails_after_one()
{
    co_yield 1;
    co_await tulip::sleep(1s);
    throw std::runtime_error("boom");
}
} // namespace

BOOST_TULIP_TEST_CASE(generator_exception_propagates_once_then_empty)
{
    auto g = fails_after_one();
    BOOST_TEST(*(co_await g.next()) == 1);
    std::string what;
    try {
        co_await g.next();
    } catch (const std::runtime_error& e) {
        what = e.what();
    }
    BOOST_TEST(what == "boom");
    BOOST_TEST(g.done());
    BOOST_TEST(!(co_await g.next()).has_value());
}

namespace {
async_generator<int> running_sum() // Send defaults to T: asend(int)
{
    int total = 0;
    for (;;) {
        std::optional<int> got = co_yield total;
        total += got.value_or(1);
    }
}
} // namespace

BOOST_TULIP_TEST_CASE(asend_value_is_the_result_of_co_yield)
{
    auto g = running_sum();
    BOOST_TEST(*(co_await g.next()) == 0);
    BOOST_TEST(*(co_await g.asend(10)) == 10);
    BOOST_TEST(*(co_await g.next()) == 11); // next() sends nothing: value_or(1)
    BOOST_TEST(*(co_await g.asend(5)) == 16);
    co_await g.aclose();
}

namespace {
struct close_probe
{
    bool closed = false;
};

async_generator<int> counted(int n, close_probe* probe)
{
    std::exception_ptr e;
    try {
        for (int i = 0; i < n; ++i)
            co_yield i;
    } catch (...) {
        e = std::current_exception();
    }
    probe->closed = true;
    co_await tulip::sleep(0s); // cleanup that needs the loop
    if (e)
        std::rethrow_exception(e);
}
} // namespace

BOOST_TULIP_TEST_CASE(generator_converts_to_a_generator_of_a_convertible_type)
{
    close_probe probe;
    async_generator<long> wide = counted(5, &probe);
    BOOST_TEST(*(co_await wide.next()) == 0L);
    BOOST_TEST(*(co_await wide.next()) == 1L);
    BOOST_TEST(!probe.closed);
    co_await wide.aclose(); // closes the source too, with its asynchronous cleanup
    BOOST_TEST(probe.closed);
    static_assert(!std::is_convertible_v<async_generator<std::string>, async_generator<int>>);
}

// asend exists exactly when Send is not void.
template <class G>
concept can_asend = requires(G& g)
{
    g.asend(1);
};
static_assert(can_asend<async_generator<int>>);
static_assert(can_asend<async_generator<int, long>>);
static_assert(!can_asend<async_generator<int, void>>);

BOOST_TULIP_TEST_CASE(asend_before_the_body_started_throws_invalid_state)
{
    auto g = running_sum();
    bool thrown = false;
    try {
        co_await g.asend(3);
    } catch (const tulip::invalid_state_error&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    BOOST_TEST(*(co_await g.next()) == 0); // still usable
}

namespace {
async_generator<int> recovers_from_athrow(trace* t)
{
    for (int i = 0;; ++i) {
        try {
            co_yield i;
        } catch (const std::logic_error& e) {
            t->events.push_back(e.what());
            i = 100;
        }
    }
}
} // namespace

BOOST_TULIP_TEST_CASE(athrow_caught_by_body_returns_next_yielded_value)
{
    trace t;
    auto g = recovers_from_athrow(&t);
    BOOST_TEST(*(co_await g.next()) == 0);
    auto v = co_await g.athrow(std::logic_error("thrown in"));
    BOOST_TEST(t.events == std::vector<std::string>{"thrown in"});
    BOOST_TEST(*v == 101);
    co_await g.aclose();
}

BOOST_TULIP_TEST_CASE(athrow_not_caught_propagates_and_finishes_the_generator)
{
    auto g = count_to(5);
    co_await g.next();
    bool thrown = false;
    try {
        co_await g.athrow(std::make_exception_ptr(std::out_of_range("x")));
    } catch (const std::out_of_range&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    BOOST_TEST(g.done());
}

BOOST_TULIP_TEST_CASE(athrow_before_start_rethrows_and_the_body_never_runs)
{
    trace t;
    auto g = count_to(3, &t);
    bool thrown = false;
    try {
        co_await g.athrow(std::runtime_error("early"));
    } catch (const std::runtime_error&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    BOOST_TEST(t.events.empty());
    BOOST_TEST(!(co_await g.next()).has_value());
}

BOOST_TULIP_TEST_CASE(aclose_throws_generator_exit_and_body_awaits_cleanup_then_rethrows)
{
    trace t;
    auto g = with_async_cleanup(&t);
    BOOST_TEST(*(co_await g.next()) == 0);
    BOOST_TEST(*(co_await g.next()) == 1);
    auto t0 = tulip::clock::now();
    co_await g.aclose(); // generator_exit rethrown by the body: aclose succeeds
    BOOST_TEST(t.saw_generator_exit);
    BOOST_TEST(t.cleaned_up);
    BOOST_TEST((tulip::clock::now() - t0 == 1s));
    BOOST_TEST(t.destroyed); // the body's locals went with its end
    BOOST_TEST(g.done());
    BOOST_TEST(!(co_await g.next()).has_value());
}

namespace {
async_generator<int> swallows_generator_exit(trace* t)
{
    on_destroy d{t};
    for (int i = 0; i < 10; ++i) {
        try {
            co_yield i;
        } catch (const tulip::generator_exit&) {
            t->events.push_back("caught");
        } catch (const tulip::invalid_state_error&) {
            t->events.push_back("yield refused");
            throw;
        }
    }
}

async_generator<int> returns_on_generator_exit(trace* t)
{
    try {
        co_yield 1;
    } catch (const tulip::generator_exit&) {
        t->saw_generator_exit = true;
    }
}
} // namespace

BOOST_TULIP_TEST_CASE(aclose_of_a_body_that_yields_again_is_an_error_and_locals_are_destroyed)
{
    trace t;
    auto g = swallows_generator_exit(&t);
    co_await g.next();
    bool thrown = false;
    try {
        co_await g.aclose();
    } catch (const tulip::invalid_state_error&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    BOOST_TEST((t.events == std::vector<std::string>{"caught", "yield refused"}));
    BOOST_TEST(g.done());
    g = {};
    BOOST_TEST(t.destroyed);
}

namespace {
// Swallows everything, the error of its refused yield included.
async_generator<int> swallows_everything(trace* t)
{
    on_destroy d{t};
    for (;;) {
        try {
            co_yield 1;
        } catch (...) {
            t->events.push_back("swallowed");
        }
        co_await tulip::sleep(0s);
    }
}
} // namespace

BOOST_TULIP_TEST_CASE(aclose_of_a_body_that_swallows_every_error_ends_at_its_second_yield)
{
    trace t;
    auto g = swallows_everything(&t);
    co_await g.next();
    bool thrown = false;
    try {
        co_await g.aclose();
    } catch (const tulip::invalid_state_error&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    // generator_exit, then the error of the first yield during close; the second yield
    // stops the body for good.
    BOOST_TEST((t.events == std::vector<std::string>{"swallowed", "swallowed"}));
    BOOST_TEST(g.done());
    BOOST_TEST(!(co_await g.next()).has_value());
    BOOST_TEST(!t.destroyed);
    g = {};
    BOOST_TEST(t.destroyed);
}

BOOST_TULIP_TEST_CASE(aclose_of_a_body_that_returns_on_generator_exit_succeeds)
{
    trace t;
    auto g = returns_on_generator_exit(&t);
    co_await g.next();
    co_await g.aclose();
    BOOST_TEST(t.saw_generator_exit);
    BOOST_TEST(g.done());
}

BOOST_TULIP_TEST_CASE(aclose_of_unstarted_or_finished_generator_runs_nothing)
{
    trace t;
    auto g = count_to(3, &t);
    co_await g.aclose();
    BOOST_TEST(t.events.empty());
    BOOST_TEST(g.done());
    BOOST_TEST(!(co_await g.next()).has_value());
    auto h = count_to(1, &t);
    co_await tulip::collect(std::move(h));
    auto k = count_to(0);
    co_await k.next();
    co_await k.aclose(); // finished: nothing to do
    BOOST_TEST(k.done());
}

BOOST_TULIP_TEST_CASE(generator_exit_is_not_a_std_exception)
{
    BOOST_TEST((!std::is_base_of_v<std::exception, tulip::generator_exit>));
    co_return;
}

namespace {
awaitable<void> next_of(async_generator<int>* g, std::optional<int>* out)
{
    *out = co_await g->next();
}
} // namespace

BOOST_TULIP_TEST_CASE(next_while_another_step_runs_throws_invalid_state)
{
    auto g = ticker(1s, 3);
    co_await g.next(); // now the body will sleep 1s before yielding again
    std::optional<int> first;
    auto t = tulip::create_task(next_of(&g, &first));
    co_await tulip::sleep(0s);
    BOOST_TEST(g.running());
    bool thrown = false;
    try {
        co_await g.next();
    } catch (const tulip::invalid_state_error&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    thrown = false;
    try {
        co_await g.aclose();
    } catch (const tulip::invalid_state_error&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    co_await t.wait();
    BOOST_TEST(*first == 1);
    co_await g.aclose();
}

namespace {
// Yields every second; aclose() runs an awaited cleanup.
async_generator<int> slow_with_cleanup(trace* t)
{
    on_destroy d{t};
    std::exception_ptr e;
    try {
        for (int i = 0;; ++i) {
            co_yield i;
            co_await tulip::sleep(1s);
        }
    } catch (const tulip::generator_exit&) {
        t->saw_generator_exit = true;
        e = std::current_exception();
    }
    co_await tulip::sleep(1s);
    t->cleaned_up = true;
    std::rethrow_exception(e);
}

// Copying is its only move: a value left behind by a move still holds its share.
struct shared_copy
{
    std::shared_ptr<int> p;
    shared_copy(std::shared_ptr<int> q)
        : p(std::move(q))
    {}
    shared_copy(const shared_copy&) = default;
    shared_copy& operator=(const shared_copy&) = default;
};

async_generator<shared_copy> copies_of(std::shared_ptr<int> p, int n)
{
    for (int i = 0; i < n; ++i)
        co_yield shared_copy(p);
}
} // namespace

BOOST_TULIP_TEST_CASE(next_awaitables_created_before_awaiting_step_in_the_order_awaited)
{
    auto g = count_to(3);
    auto a = g.next();
    auto b = g.next();
    auto c = g.next();
    auto vb = co_await std::move(b);
    auto va = co_await std::move(a);
    auto vc = co_await std::move(c);
    BOOST_TEST(vb.value_or(-1) == 0);
    BOOST_TEST(va.value_or(-1) == 1);
    BOOST_TEST(vc.value_or(-1) == 2);
    auto end = co_await g.next();
    BOOST_TEST(!end.has_value());
}

BOOST_TULIP_TEST_CASE(next_awaitable_dropped_unawaited_runs_nothing_and_leaves_the_generator_usable)
{
    trace t;
    {
        auto g = slow_with_cleanup(&t);
        {
            auto dropped = g.next();
        }
        BOOST_TEST(!g.running());
        BOOST_TEST(!g.done());
        auto v0 = co_await g.next();
        {
            auto dropped = g.next();
        }
        auto v1 = co_await g.next();
        BOOST_TEST(v0.value_or(-1) == 0);
        BOOST_TEST(v1.value_or(-1) == 1);
    }
    BOOST_TEST(!t.destroyed); // suspended at a co_yield: the loop closes it
    co_await tulip::sleep(2s);
    BOOST_TEST(t.saw_generator_exit);
    BOOST_TEST(t.cleaned_up);
    BOOST_TEST(t.destroyed);
}

BOOST_TULIP_TEST_CASE(handle_dropped_during_a_step_the_step_still_delivers_then_the_loop_closes_it)
{
    trace t;
    auto g = std::make_unique<async_generator<int>>(slow_with_cleanup(&t));
    auto v0 = co_await g->next();
    auto step = tulip::create_task(g->next());
    co_await tulip::sleep(0s);
    BOOST_TEST(g->running());
    g.reset();
    BOOST_TEST(!t.destroyed);
    auto v1 = co_await step.wait();
    BOOST_TEST(v0.value_or(-1) == 0);
    BOOST_TEST(v1.value_or(-1) == 1);
    co_await tulip::sleep(2s);
    BOOST_TEST(t.saw_generator_exit);
    BOOST_TEST(t.cleaned_up);
    BOOST_TEST(t.destroyed);
}

BOOST_TULIP_TEST_CASE(every_yielded_value_is_destroyed_once_consumed_or_with_the_generator)
{
    auto p = std::make_shared<int>(7);
    {
        auto g = copies_of(p, 3);
        int n = 0;
        while (auto v = co_await g.next()) {
            BOOST_TEST(*v->p == 7);
            ++n;
        }
        BOOST_TEST(n == 3);
    }
    BOOST_TEST(p.use_count() == 1);
    {
        auto g = copies_of(p, 3);
        auto v = co_await g.next();
        BOOST_TEST(v.has_value());
        auto w = co_await g.next();
        BOOST_TEST(w.has_value());
    }
    co_await tulip::sleep(0s); // dropped at a co_yield: the finalizer closes it
    BOOST_TEST(p.use_count() == 1);
}

namespace {
async_generator<std::string> context_reader()
{
    co_yield who.get();
    auto tok = who.set("body");
    co_yield tulip::current_task().get_name();
    co_await tulip::sleep(1s);
    co_yield who.get();
}

awaitable<std::vector<std::string>> consume_as(std::string name, async_generator<std::string>* g)
{
    auto tok = who.set(name);
    std::vector<std::string> out;
    while (auto v = co_await g->next())
        out.push_back(*v);
    out.push_back(who.get()); // the body's set is visible: one context
    co_return out;
}
} // namespace

BOOST_TULIP_TEST_CASE(body_runs_in_the_consumer_task_and_context)
{
    auto g = context_reader();
    auto t = tulip::create_task(consume_as("alice", &g), {.name = "consumer"});
    auto out = co_await t.wait();
    BOOST_TEST((out == std::vector<std::string>{"alice", "consumer", "body", "body"}));
    BOOST_TEST(who.get() == "nobody");
}

namespace {
async_generator<int> cancellable_body(trace* t)
{
    co_yield 0;
    std::exception_ptr e;
    try {
        co_await tulip::sleep(1h);
    } catch (const std::exception& x) {
        t->saw_cancellation = tulip::is_cancellation(x);
        e = std::current_exception();
    }
    co_await tulip::sleep(0s); // cleanup that needs the loop
    t->cleaned_up = true;
    std::rethrow_exception(e);
}

awaitable<void> consume_all(async_generator<int>* g)
{
    // Bound to a variable: g++ 12 miscompiles `while (co_await g->next())` (any
    // awaitable<std::optional<T>> used directly as a condition).
    while (auto v = co_await g->next())
        (void)v;
}
} // namespace

BOOST_TULIP_TEST_CASE(cancelling_the_consumer_cancels_the_body_at_its_suspension_point)
{
    trace t;
    auto g = cancellable_body(&t);
    auto c = tulip::create_task(consume_all(&g));
    co_await tulip::sleep(1s);
    BOOST_TEST(g.running());
    c.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(c));
    BOOST_TEST(t.saw_cancellation);
    BOOST_TEST(t.cleaned_up);
    BOOST_TEST(g.done());
}

BOOST_TULIP_TEST_CASE(dropped_suspended_generator_is_closed_by_the_loop)
{
    trace t;
    {
        auto g = with_async_cleanup(&t);
        co_await g.next();
    }
    BOOST_TEST(!t.cleaned_up);
    BOOST_TEST(!t.destroyed);
    co_await tulip::sleep(2s); // the finalizer task runs aclose()
    BOOST_TEST(t.saw_generator_exit);
    BOOST_TEST(t.cleaned_up);
    BOOST_TEST(t.destroyed);
}

namespace {
async_generator<int> holds(std::shared_ptr<int> p)
{
    co_yield *p;
}
} // namespace

BOOST_TULIP_TEST_CASE(dropped_unstarted_or_finished_generator_is_destroyed_at_once)
{
    auto p = std::make_shared<int>(1);
    {
        auto g = holds(p);
        BOOST_TEST(p.use_count() == 2);
    }
    BOOST_TEST(p.use_count() == 1); // the frame (and its parameters) are gone
    trace u;
    {
        auto g = returns_on_generator_exit(&u);
        co_await g.next();
        co_await g.next();
    }
    BOOST_TEST(!u.saw_generator_exit);
    BOOST_TEST(tulip::all_tasks().size() == 1u); // no finalizer task
}

namespace {
async_generator<int> fails_on_close()
{
    try {
        co_yield 1;
    } catch (const tulip::generator_exit&) {
    }
    throw std::runtime_error("close failed");
}
} // namespace

BOOST_TULIP_TEST_CASE(finalizer_error_goes_to_the_exception_handler)
{
    auto& loop = tulip::get_running_loop();
    std::vector<std::string> reported;
    loop.set_exception_handler([&](tulip::event_loop&, const tulip::exception_context& c) {
        reported.push_back(c.message + ": " + tulip_test::what_of(c.exception));
    });
    {
        auto g = fails_on_close();
        co_await g.next();
    }
    co_await tulip::sleep(0s);
    co_await tulip::sleep(0s);
    loop.set_exception_handler({});
    BOOST_TEST_REQUIRE(reported.size() == 1u);
    BOOST_TEST(reported[0] ==
               "an error occurred during closing of an asynchronous generator: close failed");
}

BOOST_TULIP_TEST_CASE(shutdown_asyncgens_closes_suspended_generators)
{
    trace a, b;
    auto g1 = with_async_cleanup(&a);
    auto g2 = with_async_cleanup(&b);
    auto g3 = count_to(3); // never started: not the loop's business
    co_await g1.next();
    co_await g2.next();
    auto t0 = tulip::clock::now();
    co_await tulip::get_running_loop().shutdown_asyncgens();
    BOOST_TEST(a.cleaned_up);
    BOOST_TEST(b.cleaned_up);
    BOOST_TEST((tulip::clock::now() - t0 == 1s)); // concurrently
    BOOST_TEST(g1.done());
    BOOST_TEST(g2.done());
    BOOST_TEST(!g3.done());
}

namespace {
struct kept
{
    async_generator<int> gen;
    trace* t;
};

// with_async_cleanup, whose cleanup needs the loop for one round instead of a second of
// the real clock that tulip::run uses.
async_generator<int> with_one_round_cleanup(trace* t)
{
    on_destroy d{t};
    std::exception_ptr e;
    try {
        for (int i = 0;; ++i)
            co_yield i;
    } catch (const tulip::generator_exit&) {
        t->saw_generator_exit = true;
        e = std::current_exception();
    }
    co_await tulip::sleep(0s);
    t->cleaned_up = true;
    std::rethrow_exception(e);
}

awaitable<kept> start_and_keep(trace* t)
{
    kept k{with_one_round_cleanup(t), t};
    co_await k.gen.next();
    co_return k;
}

awaitable<async_generator<int>> start_failing()
{
    auto g = fails_on_close();
    co_await g.next();
    co_return g;
}
} // namespace

BOOST_AUTO_TEST_CASE(run_closes_generators_left_suspended_through_shutdown_asyncgens)
{
    trace t;
    kept k = tulip::run(start_and_keep(&t));
    BOOST_TEST(t.saw_generator_exit);
    BOOST_TEST(t.cleaned_up);
    BOOST_TEST(k.gen.done());
}

BOOST_AUTO_TEST_CASE(runner_close_reports_errors_of_closing_generators)
{
    std::vector<std::string> reported;
    async_generator<int> g;
    {
        tulip::runner r;
        r.get_loop().set_exception_handler(
            [&](tulip::event_loop&, const tulip::exception_context& c) {
                reported.push_back(tulip_test::what_of(c.exception));
            });
        g = r.run(start_failing());
        BOOST_TEST(!g.done());
        r.close();
    }
    BOOST_TEST(g.done());
    BOOST_TEST((reported == std::vector<std::string>{"close failed"}));
}

BOOST_AUTO_TEST_CASE(generator_that_outlives_its_loop_is_destroyed_without_closing)
{
    trace t;
    {
        async_generator<int> g;
        {
            boost::asio::io_context ioc;
            tulip::create_task(ioc, [](async_generator<int>* out, trace* t) -> awaitable<void> {
                *out = with_async_cleanup(t);
                co_await out->next();
            }(&g, &t));
            ioc.run();
        }
        BOOST_TEST(!t.destroyed);
    }
    BOOST_TEST(!t.cleaned_up);
    BOOST_TEST(t.destroyed);
}

BOOST_TULIP_TEST_CASE(async_next_is_a_universal_operation)
{
    auto g = count_to(2);
    // Callback with no executor of its own: runs on the loop.
    auto f = tulip::get_running_loop().create_future<int>();
    g.async_next([f](std::exception_ptr e, std::optional<int> v) mutable {
        f.set_result(e ? -1 : v.value_or(-2));
    });
    BOOST_TEST(co_await f.wait() == 0);
    // Default token: use_awaitable.
    auto v = co_await g.async_next();
    BOOST_TEST(*v == 1);
    auto w = co_await g.async_next(asio::use_awaitable);
    BOOST_TEST(!w.has_value());
}

BOOST_TULIP_TEST_CASE(collect_filter_transform_take_compose)
{
    auto evens = tulip::filter(count_to(10), [](int v) { return v % 2 == 0; });
    auto squares = tulip::transform(std::move(evens), [](int v) { return v * v; });
    auto first3 = tulip::take(std::move(squares), 3);
    auto out = co_await tulip::collect(std::move(first3));
    BOOST_TEST((out == std::vector<int>{0, 4, 16}));
}

BOOST_TULIP_TEST_CASE(filter_and_transform_accept_async_callables)
{
    auto slow_odd = [](const int& v) -> awaitable<bool> {
        co_await tulip::sleep(1s);
        co_return v % 2 == 1;
    };
    auto as_text = [](int v) -> awaitable<std::string> {
        co_await tulip::sleep(1s);
        co_return "#" + std::to_string(v);
    };
    auto t0 = tulip::clock::now();
    auto out =
        co_await tulip::collect(tulip::transform(tulip::filter(count_to(4), slow_odd), as_text));
    BOOST_TEST((out == std::vector<std::string>{"#1", "#3"}));
    BOOST_TEST((tulip::clock::now() - t0 == 6s));
}

BOOST_TULIP_TEST_CASE(take_closes_its_source_before_it_finishes)
{
    trace t;
    auto out = co_await tulip::collect(tulip::take(with_async_cleanup(&t), 2));
    BOOST_TEST((out == std::vector<int>{0, 1}));
    BOOST_TEST(t.cleaned_up);
    BOOST_TEST(t.destroyed);
}

BOOST_TULIP_TEST_CASE(closing_a_filter_closes_its_source)
{
    trace t;
    auto f = tulip::filter(with_async_cleanup(&t), [](int) { return true; });
    co_await f.next();
    co_await f.aclose();
    BOOST_TEST(t.saw_generator_exit);
    BOOST_TEST(t.cleaned_up);
}

BOOST_TULIP_TEST_CASE(take_zero_never_starts_the_source)
{
    trace t;
    auto out = co_await tulip::collect(tulip::take(count_to(3, &t), 0));
    BOOST_TEST(out.empty());
    BOOST_TEST(t.events.empty());
}

BOOST_AUTO_TEST_SUITE_END()
