//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/context.hpp>

#include <boost/tulip/test.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

namespace {

// Runs `f` in a fresh, empty context, so a case never leaves values in the thread's
// own context for the next one.
template <class F>
void isolated(F&& f)
{
    tulip::context fresh;
    fresh.run(static_cast<F&&>(f));
}

tulip::context_var<std::string> label_var{"label", "none"};

// The seed's server: one context variable, set per connection.
tulip::context_var<std::string> client_addr_var{"client_addr"};

// --- task-context helpers --------------------------------------------------------------

struct sightings
{
    std::string child1_first;
    std::string child1_after_own_set;
    std::string child2;
};

tulip::awaitable<void> child_one(sightings* s)
{
    s->child1_first = label_var.get();
    auto t = label_var.set("child1");
    (void)t;
    co_await tulip::sleep(0s);
    co_await tulip::sleep(0s);
    s->child1_after_own_set = label_var.get();
}

tulip::awaitable<void> child_two(sightings* s)
{
    co_await tulip::sleep(0s); // child one has set its value by now
    s->child2 = label_var.get();
    auto t = label_var.set("child2");
    (void)t;
}

tulip::awaitable<std::string> read_label()
{
    std::string v = label_var.get();
    auto t = label_var.set("set by task");
    (void)t;
    co_return v;
}

tulip::awaitable<void> set_label_in_task()
{
    auto t = label_var.set("task value");
    (void)t;
    co_return;
}

// --- the client_addr_var server ---------------------------------------------------------

tulip::awaitable<std::string> render_goodbye()
{
    // A nested coroutine of the connection task: same context.
    co_await tulip::sleep(1ms);
    co_return "Good bye, client @ " + client_addr_var.get();
}

tulip::awaitable<void> handle_connection(std::string addr, int delay_ms, std::string* out)
{
    auto t = client_addr_var.set(addr);
    (void)t;
    co_await tulip::sleep(std::chrono::milliseconds(delay_ms));
    std::string reply = co_await render_goodbye();
    *out = reply;
}

tulip::awaitable<void> accept_loop(int n, std::vector<std::string>* replies,
                                   std::vector<tulip::task<>>* conns)
{
    for (int i = 0; i < n; ++i) {
        co_await tulip::sleep(1ms); // "a client connects"
        std::string addr = "10.0.0." + std::to_string(i + 1) + ":" + std::to_string(40000 + i);
        // Later connections finish earlier, so their steps interleave.
        conns->push_back(tulip::create_task(handle_connection(addr, 5 * (n - i), &(*replies)[i])));
    }
    // The accept loop itself never sees a connection's value.
    BOOST_TEST(client_addr_var.get("unset") == "unset");
}

} // namespace

BOOST_AUTO_TEST_SUITE(context_suite)

BOOST_AUTO_TEST_CASE(context_var_get_returns_the_default_until_set)
{
    isolated([] {
        tulip::context_var<int> v{"v", 7};
        BOOST_TEST(v.name() == "v");
        BOOST_TEST(v.get() == 7);
        auto t = v.set(1);
        BOOST_TEST(v.get() == 1);
        v.reset(t);
        BOOST_TEST(v.get() == 7);
    });
}

BOOST_AUTO_TEST_CASE(context_var_get_without_value_or_default_throws_lookup_error)
{
    isolated([] {
        tulip::context_var<int> v{"v"};
        BOOST_CHECK_THROW(v.get(), tulip::lookup_error);
        BOOST_CHECK_THROW(tulip::copy_context().get(v), tulip::lookup_error);
        BOOST_TEST(!tulip::context::current().contains(v));
        auto t = v.set(3);
        BOOST_TEST(v.get() == 3);
        BOOST_TEST(tulip::context::current().contains(v));
    });
}

BOOST_AUTO_TEST_CASE(context_var_get_with_fallback_prefers_the_fallback_to_the_default)
{
    isolated([] {
        tulip::context_var<int> with_default{"d", 7};
        tulip::context_var<int> without{"n"};
        BOOST_TEST(with_default.get(3) == 3);
        BOOST_TEST(without.get(4) == 4);
        auto t = with_default.set(1);
        BOOST_TEST(with_default.get(3) == 1);
    });
}

BOOST_AUTO_TEST_CASE(set_returns_a_token_and_reset_restores_the_previous_value)
{
    isolated([] {
        tulip::context_var<int> v{"v"};
        auto t1 = v.set(1);
        auto t2 = v.set(2);
        BOOST_TEST(v.get() == 2);
        BOOST_TEST(!t2.used());
        v.reset(t2);
        BOOST_TEST(t2.used());
        BOOST_TEST(v.get() == 1);
        v.reset(t1);
        // No value before the first set: reset removes it.
        BOOST_TEST(!tulip::context::current().contains(v));
        BOOST_CHECK_THROW(v.get(), tulip::lookup_error);
        BOOST_TEST(tulip::context::current().size() == 0u);
    });
}

BOOST_AUTO_TEST_CASE(reset_with_a_used_token_throws_invalid_state_error)
{
    isolated([] {
        tulip::context_var<int> v{"v", 0};
        auto t = v.set(1);
        v.reset(t);
        BOOST_CHECK_THROW(v.reset(t), tulip::invalid_state_error);
        BOOST_TEST(v.get() == 0);
    });
}

BOOST_AUTO_TEST_CASE(reset_with_a_token_from_another_context_throws_invalid_argument)
{
    isolated([] {
        tulip::context_var<int> v{"v", 0};
        tulip::context other = tulip::copy_context();
        std::optional<tulip::token<int>> tok;
        other.run([&] { tok.emplace(v.set(5)); });
        BOOST_CHECK_THROW(v.reset(*tok), std::invalid_argument);
        BOOST_TEST(!tok->used());
        BOOST_TEST(other.get(v) == 5);
        // In its own context the token still works.
        other.run([&] { v.reset(*tok); });
        BOOST_TEST(!other.contains(v));
    });
}

BOOST_AUTO_TEST_CASE(reset_with_a_token_of_another_variable_throws_invalid_argument)
{
    isolated([] {
        tulip::context_var<int> v{"v", 0};
        tulip::context_var<int> w{"w", 0};
        auto tw = w.set(1);
        BOOST_CHECK_THROW(v.reset(tw), std::invalid_argument);
        BOOST_TEST(w.get() == 1);
    });
}

BOOST_AUTO_TEST_CASE(token_old_value_is_the_value_before_the_set)
{
    isolated([] {
        tulip::context_var<int> v{"v", 100};
        auto t1 = v.set(1);
        BOOST_TEST(!t1.old_value().has_value()); // the default is not a value
        auto t2 = v.set(2);
        BOOST_REQUIRE(t2.old_value().has_value());
        BOOST_TEST(*t2.old_value() == 1);
        BOOST_TEST(&t2.var() == &v);
    });
}

BOOST_AUTO_TEST_CASE(copy_context_is_a_snapshot)
{
    isolated([] {
        tulip::context_var<int> v{"v", 0};
        auto t1 = v.set(1);
        tulip::context snap = tulip::copy_context();
        auto t2 = v.set(2);
        BOOST_TEST(snap.get(v) == 1); // later sets are not visible in the copy
        snap.run([&] {
            BOOST_TEST(v.get() == 1);
            auto t3 = v.set(3);
            BOOST_TEST(v.get() == 3);
        });
        BOOST_TEST(v.get() == 2); // and the copy's sets are not visible here
        BOOST_TEST(snap.get(v) == 3);
        tulip::context snap2 = snap.copy();
        snap.run([&] { auto t4 = v.set(4); });
        BOOST_TEST(snap2.get(v) == 3);
    });
}

BOOST_AUTO_TEST_CASE(context_run_makes_the_context_current_and_sets_change_only_it)
{
    isolated([] {
        tulip::context_var<int> v{"v", 0};
        tulip::context& outer = tulip::context::current();
        tulip::context ctx;
        int r = ctx.run(
            [&](int a, int b) {
                BOOST_TEST(&tulip::context::current() == &ctx);
                auto t = v.set(9);
                return a + b;
            },
            2, 3);
        BOOST_TEST(r == 5);
        BOOST_TEST(&tulip::context::current() == &outer);
        BOOST_TEST(ctx.get(v) == 9);
        BOOST_TEST(ctx.size() == 1u);
        BOOST_TEST(!outer.contains(v));
        BOOST_TEST(v.get() == 0);
    });
}

BOOST_AUTO_TEST_CASE(running_an_already_entered_context_throws_invalid_state_error)
{
    isolated([] {
        tulip::context ctx;
        ctx.run([&] { BOOST_CHECK_THROW(ctx.run([] {}), tulip::invalid_state_error); });
        // Left again, including when the function throws.
        BOOST_CHECK_THROW(ctx.run([] { throw std::runtime_error("x"); }), std::runtime_error);
        bool ran = false;
        BOOST_CHECK_NO_THROW(ctx.run([&] { ran = true; }));
        BOOST_TEST(ran);
        // Nesting two different contexts is fine.
        tulip::context other;
        ctx.run([&] { other.run([&] { BOOST_TEST(&tulip::context::current() == &other); }); });
    });
}

BOOST_TULIP_TEST_CASE(task_runs_in_a_copy_of_its_creators_context)
{
    sightings s;
    auto t0 = label_var.set("creator-before");
    auto c1 = tulip::create_task(child_one(&s));
    auto c2 = tulip::create_task(child_two(&s));
    auto t1 = label_var.set("creator-after"); // after creation: invisible to the tasks
    co_await c1.wait();
    co_await c2.wait();
    BOOST_TEST(s.child1_first == "creator-before");
    BOOST_TEST(s.child1_after_own_set == "child1");
    BOOST_TEST(s.child2 == "creator-before");       // a sibling's set is invisible
    BOOST_TEST(label_var.get() == "creator-after"); // the tasks' sets are invisible
    BOOST_TEST(c1.get_context().get(label_var) == "child1");
    label_var.reset(t1);
    label_var.reset(t0);
}

BOOST_TULIP_TEST_CASE(task_options_ctx_runs_the_task_in_the_given_context)
{
    tulip::context ctx;
    ctx.run([] {
        auto t = label_var.set("given");
        (void)t;
    });
    auto task = tulip::create_task(read_label(), {.name = "reader", .ctx = &ctx});
    std::string seen = co_await task.wait();
    BOOST_TEST(seen == "given");
    BOOST_TEST(task.get_context().get(label_var) == "set by task");
    BOOST_TEST(label_var.get() == "none");
    BOOST_TEST(ctx.get(label_var) == "given"); // the task ran in its own copy
}

BOOST_TULIP_TEST_CASE(done_callback_runs_in_the_context_current_when_it_was_added)
{
    auto& loop = tulip::get_running_loop();
    auto seen = loop.create_future<std::string>();
    auto task = tulip::create_task(set_label_in_task());
    auto t = label_var.set("when added");
    task.add_done_callback([seen]() mutable { seen.set_result(label_var.get()); });
    label_var.reset(t);
    co_await task.wait();
    std::string value = co_await seen.wait();
    BOOST_TEST(value == "when added"); // not the task's value, nor the current one
    BOOST_TEST(label_var.get() == "none");

    // Added after the task is done: still the context current at the call.
    auto seen2 = loop.create_future<std::string>();
    auto t2 = label_var.set("added late");
    task.add_done_callback([seen2]() mutable { seen2.set_result(label_var.get()); });
    label_var.reset(t2);
    std::string value2 = co_await seen2.wait();
    BOOST_TEST(value2 == "added late");
}

BOOST_TULIP_TEST_CASE(done_callbacks_are_scheduled_when_the_task_finishes)
{
    // asyncio: a finished future schedules its done callbacks with call_soon at once, so
    // they run before anything its awaiters schedule after resuming (sleep(0s) here).
    auto task = tulip::create_task(set_label_in_task());
    auto ran = std::make_shared<bool>(false);
    task.add_done_callback([ran] { *ran = true; });
    co_await task.wait();
    co_await tulip::sleep(0s);
    BOOST_TEST(*ran);
    co_await tulip::sleep(0s);
}

BOOST_TULIP_TEST_CASE(each_connection_task_sees_its_own_client_addr)
{
    constexpr int n = 8;
    std::vector<std::string> replies(n);
    std::vector<tulip::task<>> conns;
    auto server = tulip::create_task(accept_loop(n, &replies, &conns), {.name = "server"});
    co_await server.wait();
    for (auto& c : conns)
        co_await c.wait();
    for (int i = 0; i < n; ++i)
        BOOST_TEST(replies[i] == "Good bye, client @ 10.0.0." + std::to_string(i + 1) + ":" +
                                     std::to_string(40000 + i));
    BOOST_CHECK_THROW(client_addr_var.get(), tulip::lookup_error);
}

BOOST_AUTO_TEST_CASE(values_of_non_trivial_types_are_stored_and_restored)
{
    isolated([] {
        tulip::context_var<std::string> s{"s", "default"};
        tulip::context_var<std::vector<int>> vec{"vec"};
        auto ts = s.set(std::string(100, 'x'));
        auto tv = vec.set({1, 2, 3});
        tulip::context snap = tulip::copy_context();
        auto tv2 = vec.set({4, 5});
        BOOST_TEST(s.get() == std::string(100, 'x'));
        BOOST_TEST((vec.get() == std::vector<int>{4, 5}));
        BOOST_TEST((snap.get(vec) == std::vector<int>{1, 2, 3}));
        BOOST_REQUIRE(tv2.old_value().has_value());
        BOOST_TEST((*tv2.old_value() == std::vector<int>{1, 2, 3}));
        vec.reset(tv2);
        BOOST_TEST((vec.get() == std::vector<int>{1, 2, 3}));
        s.reset(ts);
        BOOST_TEST(s.get() == "default");
    });
}

BOOST_AUTO_TEST_CASE(many_variables_in_one_context_all_read_back)
{
    isolated([] {
        constexpr int n = 40;
        std::vector<std::unique_ptr<tulip::context_var<int>>> vars;
        for (int i = 0; i < n; ++i)
            vars.push_back(std::make_unique<tulip::context_var<int>>("var" + std::to_string(i)));
        std::vector<tulip::token<int>> tokens;
        for (int k = 0; k < n; ++k) {
            int i = (k * 7) % n; // not in creation order
            tokens.push_back(vars[i]->set(i * 10));
        }
        BOOST_TEST(tulip::context::current().size() == static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i)
            BOOST_TEST(vars[i]->get() == i * 10);

        tulip::context copy = tulip::copy_context();
        copy.run([&] {
            for (int i = 0; i < n; i += 2) {
                auto t = vars[i]->set(-i);
                (void)t;
            }
        });
        for (int i = 0; i < n; ++i) {
            BOOST_TEST(vars[i]->get() == i * 10);
            BOOST_TEST(copy.get(*vars[i]) == (i % 2 == 0 ? -i : i * 10));
        }

        for (int k = n - 1; k >= 0; --k) {
            int i = (k * 7) % n;
            vars[i]->reset(tokens[k]);
            BOOST_TEST(!tulip::context::current().contains(*vars[i]));
        }
        BOOST_TEST(tulip::context::current().size() == 0u);
    });
}

BOOST_AUTO_TEST_CASE(get_is_consistent_across_set_and_reset_cycles)
{
    isolated([] {
        tulip::context_var<int> v{"v", -1};
        tulip::context_var<int> w{"w", -2};
        tulip::context a;
        tulip::context b;
        for (int i = 0; i < 100; ++i) {
            BOOST_TEST(v.get() == -1);
            auto t = v.set(i);
            BOOST_TEST(v.get() == i);
            BOOST_TEST(w.get() == -2);
            BOOST_TEST(v.get() == i);
            a.run([&] {
                BOOST_TEST(v.get() == (i == 0 ? -1 : i - 1));
                auto ta = v.set(i);
                (void)ta;
            });
            BOOST_TEST(v.get() == i);
            b.run([&] { BOOST_TEST(v.get() == -1); });
            BOOST_TEST(a.get(v) == i);
            v.reset(t);
            BOOST_TEST(v.get() == -1);
            BOOST_TEST(a.get(v) == i);
        }
    });
}

BOOST_AUTO_TEST_SUITE_END()
