//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/task_group.hpp>

#include <boost/tulip/debug.hpp>
#include <boost/tulip/test.hpp>
#include <boost/tulip/timeout.hpp>

#include "helpers.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

using tulip_test::error_of;
using tulip_test::fail_after;
using tulip_test::now;
using tulip_test::what_of;

// What a child saw.
struct probe
{
    bool started = false;
    bool finished = false;
    bool cancelled = false;
};

// Sleeps `d`; records whether it was cancelled (and lets the cancellation go on).
tulip::awaitable<void> sleeper(tulip::duration d, probe& p)
{
    p.started = true;
    std::exception_ptr e;
    try {
        co_await tulip::sleep(d);
    } catch (...) {
        e = std::current_exception();
    }
    if (e) {
        p.cancelled = tulip::is_cancellation(e);
        std::rethrow_exception(e);
    }
    p.finished = true;
}

std::optional<tulip::exception_group> as_group(const std::exception_ptr& e)
{
    try {
        std::rethrow_exception(e);
    } catch (const tulip::exception_group& g) {
        return g;
    } catch (...) {
        return std::nullopt;
    }
}

std::vector<std::string> whats(const tulip::exception_group& g)
{
    std::vector<std::string> v;
    for (const auto& e : g.exceptions())
        v.push_back(what_of(e));
    return v;
}

tulip::awaitable<void> nap(tulip::duration d)
{
    co_await tulip::sleep(d);
}

} // namespace

BOOST_AUTO_TEST_SUITE(task_group_suite)

// --- the body and the children ---------------------------------------------------------

BOOST_TULIP_TEST_CASE(taskgroup_body_runs_in_the_calling_task)
{
    auto me = tulip::current_task();
    tulip::any_task inside;
    co_await tulip::with_task_group([&](tulip::task_group&) -> tulip::awaitable<void> {
        inside = tulip::current_task();
        co_return;
    });
    BOOST_TEST((inside == me));
}

BOOST_TULIP_TEST_CASE(taskgroup_returns_the_body_value)
{
    int v = co_await tulip::with_task_group([](tulip::task_group& tg) -> tulip::awaitable<int> {
        auto t = tg.create_task(tulip_test::value_after(1s, 20));
        co_return co_await t.wait() + 1;
    });
    BOOST_TEST(v == 21);
}

BOOST_TULIP_TEST_CASE(taskgroup_returns_only_when_every_child_is_done)
{
    probe a, b;
    std::vector<tulip::any_task> kids;
    const auto start = now();
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        kids.push_back(tg.create_task(sleeper(1s, a)));
        kids.push_back(tg.create_task(sleeper(3s, b)));
        co_return;
    });
    BOOST_TEST(a.finished);
    BOOST_TEST(b.finished);
    BOOST_TEST(kids[0].done());
    BOOST_TEST(kids[1].done());
    BOOST_TEST((now() - start == 3s)); // concurrently, not one after the other
}

BOOST_TULIP_TEST_CASE(taskgroup_waits_for_the_body_longer_than_the_children)
{
    probe a;
    const auto start = now();
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.create_task(sleeper(1s, a));
        co_await tulip::sleep(5s);
    });
    BOOST_TEST(a.finished);
    BOOST_TEST((now() - start == 5s));
}

BOOST_TULIP_TEST_CASE(taskgroup_waits_for_children_created_by_children_after_the_body)
{
    probe late;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.create_task([](tulip::task_group g, probe& p) -> tulip::awaitable<void> {
            co_await tulip::sleep(1s);
            g.create_task(sleeper(2s, p)); // the body has returned: still allowed
        }(tg, late));
        co_return;
    });
    BOOST_TEST(late.finished);
}

BOOST_TULIP_TEST_CASE(taskgroup_children_are_ordinary_tasks_in_all_tasks_and_task_trees)
{
    probe p;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        auto t = tg.create_task(sleeper(1s, p), {.name = "grouped-child"});
        auto all = tulip::all_tasks();
        BOOST_TEST((std::find(all.begin(), all.end(), t) != all.end()));
        co_await tulip::sleep(0s);
        BOOST_TEST(tulip::format_task_tree().find("grouped-child") != std::string::npos);
        co_await t.wait();
    });
}

BOOST_TULIP_TEST_CASE(taskgroup_size_counts_children_not_yet_done)
{
    probe a, b;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        BOOST_TEST(tg.size() == 0u);
        tg.create_task(sleeper(1s, a));
        auto t = tg.create_task(sleeper(2s, b));
        BOOST_TEST(tg.size() == 2u);
        co_await tulip::sleep(1500ms);
        BOOST_TEST(tg.size() == 1u);
        co_await t.wait();
        BOOST_TEST(tg.size() == 0u);
    });
}

BOOST_TULIP_TEST_CASE(taskgroup_in_a_plain_co_spawn_coroutine_waits_for_its_children)
{
    auto& loop = tulip::get_running_loop();
    auto done = loop.create_future<void>();
    std::exception_ptr got;
    probe a;
    // From a loop callback, so that no task is current when co_spawn starts it inline.
    // A coroutine on the plain io_context executor holds the runner's virtual clock as
    // I/O does (doc/tutorial/testing.adoc), so this case waits in real time: keep it short.
    loop.call_soon([&] {
        asio::co_spawn(loop.get_io_context(),
                       tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
                           tg.create_task(sleeper(20ms, a));
                           co_return;
                       }),
                       [&](std::exception_ptr e) {
                           got = e;
                           done.set_result();
                       });
    });
    const auto start = now();
    co_await done.wait();
    BOOST_TEST(!got);
    BOOST_TEST(a.finished);
    BOOST_TEST((now() - start >= 20ms));
}

// --- errors ----------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(taskgroup_first_error_cancels_siblings)
{
    probe sibling;
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(sleeper(1h, sibling));
            tg.create_task(fail_after(1s, "boom"));
            co_return;
        }));
    BOOST_TEST(sibling.started);
    BOOST_TEST(sibling.cancelled);
    BOOST_TEST(!sibling.finished);
    BOOST_TEST(as_group(e).has_value());
}

BOOST_TULIP_TEST_CASE(taskgroup_first_error_cancels_the_body)
{
    bool body_cancelled = false;
    bool body_finished = false;
    const auto start = now();
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(fail_after(1s, "boom"));
            std::exception_ptr c;
            try {
                co_await tulip::sleep(1h);
                body_finished = true;
            } catch (...) {
                c = std::current_exception();
            }
            body_cancelled = tulip::is_cancellation(c);
            if (c)
                std::rethrow_exception(c);
        }));
    BOOST_TEST(body_cancelled);
    BOOST_TEST(!body_finished);
    BOOST_TEST((now() - start == 1s));
    BOOST_TEST(as_group(e).has_value());
}

BOOST_TULIP_TEST_CASE(taskgroup_error_ends_in_exception_group_with_every_error)
{
    probe sibling;
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(fail_after(1s, "first"));
            tg.create_task(fail_after(1s, "second"));
            tg.create_task(sleeper(1h, sibling)); // cancelled: not an error
            co_return;
        }));
    auto g = as_group(e);
    BOOST_REQUIRE(g.has_value());
    BOOST_TEST(g->message() == "unhandled errors in a task group");
    BOOST_TEST((whats(*g) == std::vector<std::string>{"first", "second"}));
    BOOST_TEST(std::string(g->what()).find("first") != std::string::npos);
}

BOOST_TULIP_TEST_CASE(taskgroup_error_in_cancelled_siblings_cleanup_is_collected)
{
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(fail_after(1s, "first"));
            tg.create_task([]() -> tulip::awaitable<void> {
                try {
                    co_await tulip::sleep(1h);
                } catch (...) {
                }
                throw std::logic_error("cleanup failed");
            }());
            co_return;
        }));
    auto g = as_group(e);
    BOOST_REQUIRE(g.has_value());
    BOOST_TEST((whats(*g) == std::vector<std::string>{"first", "cleanup failed"}));
}

BOOST_TULIP_TEST_CASE(taskgroup_body_error_is_collected_after_the_children_errors)
{
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task([]() -> tulip::awaitable<void> {
                try {
                    co_await tulip::sleep(1h);
                } catch (...) {
                }
                throw std::runtime_error("child");
            }());
            co_await tulip::sleep(1s);
            throw std::logic_error("body");
        }));
    auto g = as_group(e);
    BOOST_REQUIRE(g.has_value());
    BOOST_TEST((whats(*g) == std::vector<std::string>{"child", "body"}));
}

BOOST_TULIP_TEST_CASE(taskgroup_body_error_cancels_children)
{
    probe child;
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(sleeper(1h, child));
            co_await tulip::sleep(1s);
            throw std::logic_error("body");
        }));
    BOOST_TEST(child.cancelled);
    auto g = as_group(e);
    BOOST_REQUIRE(g.has_value());
    BOOST_TEST((whats(*g) == std::vector<std::string>{"body"}));
    BOOST_TEST(g->contains<std::logic_error>());
}

BOOST_TULIP_TEST_CASE(taskgroup_cancelled_child_is_not_an_error)
{
    probe p;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        auto t = tg.create_task(sleeper(1h, p));
        co_await tulip::sleep(1s);
        t.cancel();
    });
    BOOST_TEST(p.cancelled);
}

BOOST_TULIP_TEST_CASE(taskgroup_error_restores_the_parent_cancelling_count)
{
    auto me = tulip::current_task();
    BOOST_TEST(me.cancelling() == 0);
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(fail_after(1s, "boom"));
            co_await tulip::sleep(1h);
        }));
    BOOST_TEST(as_group(e).has_value());
    BOOST_TEST(me.cancelling() == 0);
    // No cancellation is left over for the caller's next suspension.
    const auto start = now();
    co_await tulip::sleep(2s);
    BOOST_TEST((now() - start == 2s));
}

BOOST_TULIP_TEST_CASE(taskgroup_error_with_no_suspension_left_in_the_body_leaves_no_pending_cancel)
{
    // The child fails while the body is busy in a non-cancellable step; the group's
    // cancel of the parent stays pending and must be withdrawn at exit.
    auto me = tulip::current_task();
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(fail_after(0s, "boom"));
            co_await asio::post(asio::use_awaitable); // lets the child fail, not cancellable
            co_await asio::post(asio::use_awaitable);
            co_await asio::post(asio::use_awaitable);
        }));
    BOOST_TEST(as_group(e).has_value());
    BOOST_TEST(me.cancelling() == 0);
    const auto start = now();
    co_await tulip::sleep(2s);
    BOOST_TEST((now() - start == 2s));
}

// --- cancellation from outside -----------------------------------------------------------

// Runs a group whose body sleeps an hour with a child sleeping an hour.
tulip::awaitable<void> sleepy_group(probe& body, probe& child)
{
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.create_task(sleeper(1h, child));
        co_await sleeper(1h, body);
    });
}

BOOST_TULIP_TEST_CASE(taskgroup_outer_cancel_cancels_body_and_children_and_propagates)
{
    probe body, child;
    auto t = tulip::create_task(sleepy_group(body, child));
    co_await tulip::sleep(1s);
    t.cancel("outer");
    auto e = co_await error_of(t.wait());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(t.cancelled());
    BOOST_TEST(body.cancelled);
    BOOST_TEST(child.cancelled);
}

BOOST_TULIP_TEST_CASE(taskgroup_outer_cancel_while_waiting_for_children_propagates)
{
    probe child;
    bool after_group = false;
    auto t = tulip::create_task([](probe& c, bool& after) -> tulip::awaitable<void> {
        co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(sleeper(1h, c));
            co_return; // the group now waits for the child
        });
        after = true;
    }(child, after_group));
    co_await tulip::sleep(1s);
    t.cancel();
    auto e = co_await error_of(t.wait());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(child.cancelled);
    BOOST_TEST(!after_group);
}

BOOST_TULIP_TEST_CASE(taskgroup_outer_cancel_waits_for_children_cleanup)
{
    bool cleaned = false;
    auto t = tulip::create_task([](bool& cleaned) -> tulip::awaitable<void> {
        co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task([](bool& c) -> tulip::awaitable<void> {
                std::exception_ptr e;
                try {
                    co_await tulip::sleep(1h);
                } catch (...) {
                    e = std::current_exception();
                }
                co_await tulip::sleep(5s); // cleanup after the cancellation
                c = true;
                std::rethrow_exception(e);
            }(cleaned));
            co_await tulip::sleep(1h);
        });
    }(cleaned));
    co_await tulip::sleep(1s);
    t.cancel();
    auto e = co_await error_of(t.wait());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(cleaned);
}

BOOST_TULIP_TEST_CASE(
    taskgroup_outer_cancel_is_not_swallowed_when_a_child_fails_in_cleanup_cpython_116720)
{
    // cpython#116720: the group must throw its errors, but the outer cancellation is
    // re-armed: the task's next suspension is cancelled.
    std::exception_ptr group_error, next_error;
    int cancelling_after = -1;
    auto t = tulip::create_task(
        [](std::exception_ptr& ge, std::exception_ptr& ne, int& count) -> tulip::awaitable<void> {
            ge = co_await error_of(
                tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
                    tg.create_task([]() -> tulip::awaitable<void> {
                        try {
                            co_await tulip::sleep(1h);
                        } catch (...) {
                        }
                        throw std::runtime_error("cleanup failed");
                    }());
                    co_await tulip::sleep(1h);
                }));
            count = tulip::current_task().cancelling();
            ne = co_await error_of(nap(1s));
        }(group_error, next_error, cancelling_after));
    co_await tulip::sleep(1s);
    t.cancel();
    co_await error_of(t.wait());
    BOOST_TEST(as_group(group_error).has_value());
    BOOST_TEST(cancelling_after == 1);
    BOOST_TEST(tulip::is_cancellation(next_error));
}

BOOST_TULIP_TEST_CASE(taskgroup_nested_groups_propagate_an_outer_cancel)
{
    probe inner_child, outer_child;
    auto t = tulip::create_task([](probe& ic, probe& oc) -> tulip::awaitable<void> {
        co_await tulip::with_task_group([&](tulip::task_group& outer) -> tulip::awaitable<void> {
            outer.create_task(sleeper(1h, oc));
            co_await tulip::with_task_group(
                [&](tulip::task_group& inner) -> tulip::awaitable<void> {
                    inner.create_task(sleeper(1h, ic));
                    co_await tulip::sleep(1h);
                });
            BOOST_ERROR("the inner group swallowed the cancellation");
        });
        BOOST_ERROR("the outer group swallowed the cancellation");
    }(inner_child, outer_child));
    co_await tulip::sleep(1s);
    t.cancel();
    auto e = co_await error_of(t.wait());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(inner_child.cancelled);
    BOOST_TEST(outer_child.cancelled);
    BOOST_TEST(t.cancelling() == 1);
}

BOOST_TULIP_TEST_CASE(taskgroup_nested_inner_error_reaches_the_outer_group_nested)
{
    probe outer_child;
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& outer) -> tulip::awaitable<void> {
            outer.create_task(sleeper(1h, outer_child));
            co_await tulip::with_task_group(
                [&](tulip::task_group& inner) -> tulip::awaitable<void> {
                    inner.create_task(fail_after(1s, "deep"));
                    co_await tulip::sleep(1h);
                });
        }));
    BOOST_TEST(outer_child.cancelled);
    auto g = as_group(e);
    BOOST_REQUIRE(g.has_value());
    BOOST_REQUIRE(g->exceptions().size() == 1u);
    auto inner = as_group(g->exceptions()[0]); // the body's error: the inner group
    BOOST_REQUIRE(inner.has_value());
    BOOST_TEST((whats(*inner) == std::vector<std::string>{"deep"}));
    BOOST_TEST(g->contains<std::runtime_error>());
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(taskgroup_inner_group_failing_while_the_outer_group_aborts_keeps_counts)
{
    // The outer group cancels its body (a child failed) while an inner group in the body
    // also fails: both groups' bookkeeping must leave cancelling() at 0.
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& outer) -> tulip::awaitable<void> {
            outer.create_task(fail_after(1s, "outer child"));
            co_await tulip::with_task_group(
                [&](tulip::task_group& inner) -> tulip::awaitable<void> {
                    inner.create_task([]() -> tulip::awaitable<void> {
                        try {
                            co_await tulip::sleep(1h);
                        } catch (...) {
                        }
                        throw std::runtime_error("inner cleanup");
                    }());
                    co_await tulip::sleep(1h);
                });
        }));
    auto g = as_group(e);
    BOOST_REQUIRE(g.has_value());
    BOOST_TEST(g->exceptions().size() == 2u); // the outer child's error and the inner group
    BOOST_TEST(g->contains<tulip::exception_group>());
    BOOST_TEST(tulip::current_task().cancelling() == 0);
    const auto start = now();
    co_await tulip::sleep(1s);
    BOOST_TEST((now() - start == 1s));
}

// --- create_task on a closing group ------------------------------------------------------

BOOST_TULIP_TEST_CASE(taskgroup_create_task_while_shutting_down_throws_invalid_state_error)
{
    std::exception_ptr create_error;
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(fail_after(1s, "boom"));
            std::exception_ptr c;
            try {
                co_await tulip::sleep(1h);
            } catch (...) {
                c = std::current_exception();
            }
            BOOST_TEST(tg.shutting_down());
            try {
                probe p;
                tg.create_task(sleeper(1s, p));
            } catch (...) {
                create_error = std::current_exception();
            }
            std::rethrow_exception(c);
        }));
    BOOST_TEST(as_group(e).has_value());
    BOOST_REQUIRE(create_error);
    BOOST_CHECK_THROW(std::rethrow_exception(create_error), tulip::invalid_state_error);
    BOOST_TEST(what_of(create_error).find("shutting down") != std::string::npos);
}

BOOST_TULIP_TEST_CASE(taskgroup_create_task_on_a_finished_group_throws_invalid_state_error)
{
    std::optional<tulip::task_group> kept;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        kept = tg; // a copy of the handle outlives the group
        co_return;
    });
    BOOST_REQUIRE(kept.has_value());
    probe p;
    BOOST_CHECK_THROW(kept->create_task(sleeper(1s, p)), tulip::invalid_state_error);
    BOOST_CHECK_THROW(kept->call_later(1s, [] {}), tulip::invalid_state_error);
    BOOST_TEST(!p.started);
    kept->cancel(); // does nothing
    BOOST_TEST(kept->size() == 0u);
}

// --- task_group::cancel() (cpython#108951) --------------------------------------------

BOOST_TULIP_TEST_CASE(taskgroup_cancel_stops_the_group_without_an_error_cpython_108951)
{
    probe a, b;
    const auto start = now();
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.create_task(sleeper(1h, a));
        tg.create_task(sleeper(1h, b));
        co_await tulip::sleep(1s);
        tg.cancel();
        co_return;
    });
    BOOST_TEST(a.cancelled);
    BOOST_TEST(b.cancelled);
    BOOST_TEST((now() - start == 1s));
}

BOOST_TULIP_TEST_CASE(taskgroup_cancel_from_a_child_cancels_the_body_and_returns_default_value)
{
    bool body_cancelled = false;
    int v = co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<int> {
        tg.create_task([](tulip::task_group g) -> tulip::awaitable<void> {
            co_await tulip::sleep(1s);
            g.cancel();
        }(tg));
        std::exception_ptr c;
        try {
            co_await tulip::sleep(1h);
        } catch (...) {
            c = std::current_exception();
        }
        body_cancelled = tulip::is_cancellation(c);
        if (c)
            std::rethrow_exception(c);
        co_return 7;
    });
    BOOST_TEST(body_cancelled);
    BOOST_TEST(v == 0); // int{}: the body gave no value
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(taskgroup_cancel_returns_the_body_value_if_the_body_had_finished)
{
    probe p;
    auto v = co_await tulip::with_task_group(
        [&](tulip::task_group& tg) -> tulip::awaitable<std::optional<int>> {
            tg.create_task([](tulip::task_group g) -> tulip::awaitable<void> {
                co_await tulip::sleep(1s);
                g.cancel();
            }(tg));
            tg.create_task(sleeper(1h, p));
            co_return 42;
        });
    BOOST_TEST((v == std::optional<int>(42)));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(taskgroup_cancel_from_the_body_without_suspending_returns_its_value)
{
    int v = co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<int> {
        tg.cancel();
        co_return 5;
    });
    BOOST_TEST(v == 5);
    BOOST_TEST(tulip::current_task().cancelling() == 0);
    const auto start = now();
    co_await tulip::sleep(1s); // no cancellation left over
    BOOST_TEST((now() - start == 1s));
}

BOOST_TULIP_TEST_CASE(taskgroup_cancel_makes_create_task_throw)
{
    probe p;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.cancel();
        BOOST_TEST(tg.shutting_down());
        BOOST_CHECK_THROW(tg.create_task(sleeper(1s, p)), tulip::invalid_state_error);
        co_return;
    });
}

BOOST_TULIP_TEST_CASE(taskgroup_cancel_after_a_child_failed_still_throws_the_errors)
{
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(fail_after(1s, "boom"));
            tg.create_task([](tulip::task_group g) -> tulip::awaitable<void> {
                try {
                    co_await tulip::sleep(1h);
                } catch (...) {
                }
                g.cancel(); // too late: the group is already failing
            }(tg));
            co_await tulip::sleep(1h);
        }));
    auto g = as_group(e);
    BOOST_REQUIRE(g.has_value());
    BOOST_TEST((whats(*g) == std::vector<std::string>{"boom"}));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(taskgroup_cancel_and_outer_cancel_together_propagate_the_outer_cancel)
{
    // cpython#155433: the group's own cancel is undone, the outer one is kept.
    bool after_group = false;
    auto t = tulip::create_task([](bool& after) -> tulip::awaitable<void> {
        co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task([]() -> tulip::awaitable<void> {
                std::exception_ptr e;
                try {
                    co_await tulip::sleep(1h);
                } catch (...) {
                    e = std::current_exception();
                }
                co_await tulip::sleep(5s); // slow cleanup: the group waits
                std::rethrow_exception(e);
            }());
            co_await tulip::sleep(1s);
            tg.cancel();
            co_await tulip::sleep(1h); // cancelled by the group
        });
        after = true;
    }(after_group));
    co_await tulip::sleep(2s); // the group is waiting for the child's cleanup
    t.cancel("outer");
    auto e = co_await error_of(t.wait());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(!after_group);
}

BOOST_TULIP_TEST_CASE(
    taskgroup_cancel_after_the_body_returned_and_outer_cancel_propagate_it_cpython_155433)
{
    // cpython#155433 exactly: the body has returned, a child stops the group, then the
    // task is cancelled from outside while the group waits. Both cancels are consumed by
    // the group's wait; only its own may be undone.
    bool after_group = false;
    auto t = tulip::create_task([](bool& after) -> tulip::awaitable<void> {
        co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task([](tulip::task_group g) -> tulip::awaitable<void> {
                co_await tulip::sleep(1s);
                g.cancel();
            }(tg));
            tg.create_task([]() -> tulip::awaitable<void> {
                std::exception_ptr e;
                try {
                    co_await tulip::sleep(1h);
                } catch (...) {
                    e = std::current_exception();
                }
                co_await tulip::sleep(5s); // slow cleanup: the group waits
                std::rethrow_exception(e);
            }());
            co_return;
        });
        after = true;
    }(after_group));
    co_await tulip::sleep(2s);
    t.cancel("outer");
    auto e = co_await error_of(t.wait());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(!after_group);
}

// --- max_concurrency ----------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(taskgroup_max_concurrency_keeps_at_most_n_children_running)
{
    int running = 0, peak = 0, ran = 0;
    const auto start = now();
    co_await tulip::with_task_group(
        [&](tulip::task_group& tg) -> tulip::awaitable<void> {
            for (int i = 0; i < 10; ++i)
                tg.create_task([](int& running, int& peak, int& ran) -> tulip::awaitable<void> {
                    ++running;
                    peak = std::max(peak, running);
                    co_await tulip::sleep(1s);
                    --running;
                    ++ran;
                }(running, peak, ran));
            co_return;
        },
        tulip::task_group_options{.max_concurrency = 3});
    BOOST_TEST(peak == 3);
    BOOST_TEST(ran == 10);
    BOOST_TEST((now() - start == 4s)); // 3 + 3 + 3 + 1
}

BOOST_TULIP_TEST_CASE(taskgroup_max_concurrency_starts_waiting_children_fifo)
{
    std::vector<int> order;
    co_await tulip::with_task_group(
        [&](tulip::task_group& tg) -> tulip::awaitable<void> {
            for (int i = 0; i < 6; ++i)
                tg.create_task([](std::vector<int>& order, int i) -> tulip::awaitable<void> {
                    order.push_back(i);
                    co_await tulip::sleep(std::chrono::seconds(10 - i)); // later ones end first
                }(order, i));
            co_return;
        },
        tulip::task_group_options{.max_concurrency = 2});
    BOOST_TEST((order == std::vector<int>{0, 1, 2, 3, 4, 5}));
}

BOOST_TULIP_TEST_CASE(taskgroup_max_concurrency_waiting_child_counts_in_size)
{
    probe a, b;
    co_await tulip::with_task_group(
        [&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(sleeper(1s, a));
            tg.create_task(sleeper(1s, b));
            BOOST_TEST(tg.size() == 2u);
            co_await tulip::sleep(500ms);
            BOOST_TEST(a.started);
            BOOST_TEST(!b.started); // waiting for the slot, yet a child
            BOOST_TEST(tg.size() == 2u);
            co_await tulip::sleep(1s);
            BOOST_TEST(b.started);
        },
        tulip::task_group_options{.max_concurrency = 1});
}

BOOST_TULIP_TEST_CASE(taskgroup_max_concurrency_cancelled_waiting_child_never_runs_its_body)
{
    probe a, b, c;
    co_await tulip::with_task_group(
        [&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(sleeper(1s, a));
            auto tb = tg.create_task(sleeper(1s, b));
            tg.create_task(sleeper(1s, c));
            co_await tulip::sleep(500ms);
            tb.cancel();
            co_await tulip::sleep(0s);
            BOOST_TEST(tb.cancelled());
        },
        tulip::task_group_options{.max_concurrency = 1});
    BOOST_TEST(a.finished);
    BOOST_TEST(!b.started);
    BOOST_TEST(c.finished); // the slot went on to the next one
}

BOOST_TULIP_TEST_CASE(
    taskgroup_max_concurrency_child_cancelled_after_its_slot_was_granted_passes_it_on)
{
    probe b, c;
    co_await tulip::with_task_group(
        [&](tulip::task_group& tg) -> tulip::awaitable<void> {
            auto first = tg.create_task(nap(1s));
            auto tb = tg.create_task(sleeper(1s, b));
            tg.create_task(sleeper(1s, c));
            // Runs right after the group's own done callback, which has just granted the
            // slot to tb: tb is cancelled before it resumes.
            first.add_done_callback([tb]() mutable {
                BOOST_TEST(!tb.done());
                tb.cancel();
            });
            co_await first.wait();
            co_await tulip::sleep(0s);
            co_await tulip::sleep(0s);
            BOOST_TEST(tb.cancelled());
        },
        tulip::task_group_options{.max_concurrency = 1});
    BOOST_TEST(!b.started);
    BOOST_TEST(c.finished);
}

BOOST_TULIP_TEST_CASE(taskgroup_max_concurrency_error_cancels_waiting_children_before_they_run)
{
    probe waiting;
    auto e = co_await error_of(tulip::with_task_group(
        [&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(fail_after(1s, "boom"));
            tg.create_task(sleeper(1s, waiting));
            co_return;
        },
        tulip::task_group_options{.max_concurrency = 1}));
    BOOST_TEST(as_group(e).has_value());
    BOOST_TEST(!waiting.started);
}

BOOST_TULIP_TEST_CASE(taskgroup_max_concurrency_does_not_limit_the_body)
{
    const auto start = now();
    probe a;
    co_await tulip::with_task_group(
        [&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(sleeper(2s, a));
            co_await tulip::sleep(1s); // the body runs beside the one allowed child
        },
        tulip::task_group_options{.max_concurrency = 1});
    BOOST_TEST((now() - start == 2s));
}

// --- call_later ---------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(taskgroup_call_later_runs_the_callback_after_the_delay)
{
    std::optional<tulip::duration> at;
    const auto start = now();
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.call_later(3s, [&] { at = now() - start; });
        co_return;
    });
    BOOST_REQUIRE(at.has_value());
    BOOST_TEST((*at == 3s));
}

BOOST_TULIP_TEST_CASE(taskgroup_call_later_is_waited_for_and_counts_in_size)
{
    bool ran = false;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.call_later(1h, [&] { ran = true; });
        BOOST_TEST(tg.size() == 1u);
        co_return;
    });
    BOOST_TEST(ran);
}

BOOST_TULIP_TEST_CASE(taskgroup_call_later_callback_can_create_tasks_in_the_group)
{
    probe p;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.call_later(1s, [&, tg]() mutable { tg.create_task(sleeper(1s, p)); });
        co_return;
    });
    BOOST_TEST(p.finished);
}

BOOST_TULIP_TEST_CASE(taskgroup_call_later_awaits_a_callback_returning_an_awaitable)
{
    probe p;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.call_later(1s, [&] { return sleeper(2s, p); });
        co_return;
    });
    BOOST_TEST(p.finished);
}

BOOST_TULIP_TEST_CASE(taskgroup_call_later_throwing_callback_fails_the_group)
{
    probe sibling;
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(sleeper(1h, sibling));
            tg.call_later(1s, [] { throw std::runtime_error("callback"); });
            co_return;
        }));
    auto g = as_group(e);
    BOOST_REQUIRE(g.has_value());
    BOOST_TEST((whats(*g) == std::vector<std::string>{"callback"}));
    BOOST_TEST(sibling.cancelled);
}

BOOST_TULIP_TEST_CASE(taskgroup_call_later_is_cancelled_by_group_cancel)
{
    bool ran = false;
    const auto start = now();
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.call_later(1h, [&] { ran = true; });
        co_await tulip::sleep(1s);
        tg.cancel();
    });
    BOOST_TEST(!ran);
    BOOST_TEST((now() - start == 1s));
}

BOOST_TULIP_TEST_CASE(taskgroup_call_later_returned_task_cancels_the_call)
{
    bool ran = false;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        auto t = tg.call_later(1h, [&] { ran = true; });
        co_await tulip::sleep(1s);
        t.cancel();
    });
    BOOST_TEST(!ran);
}

BOOST_TULIP_TEST_CASE(taskgroup_call_later_is_not_limited_by_max_concurrency)
{
    std::optional<tulip::duration> at;
    const auto start = now();
    probe p;
    co_await tulip::with_task_group(
        [&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(sleeper(5s, p));
            tg.call_later(1s, [&] { at = now() - start; });
            co_return;
        },
        tulip::task_group_options{.max_concurrency = 1});
    BOOST_REQUIRE(at.has_value());
    BOOST_TEST((*at == 1s));
}

BOOST_TULIP_TEST_CASE(taskgroup_nested_groups_failing_at_the_same_time_keep_cancelling_at_zero)
{
    // cpython#116720's shape: both groups cancel the same parent task at once.
    auto e = co_await error_of(
        tulip::with_task_group([&](tulip::task_group& outer) -> tulip::awaitable<void> {
            outer.create_task(fail_after(1s, "outer"));
            co_await tulip::with_task_group(
                [&](tulip::task_group& inner) -> tulip::awaitable<void> {
                    inner.create_task(fail_after(1s, "inner"));
                    co_await tulip::sleep(1h);
                });
        }));
    auto g = as_group(e);
    BOOST_REQUIRE(g.has_value());
    BOOST_TEST(g->contains<tulip::exception_group>());
    auto [inner_part, rest] = g->split<std::runtime_error>();
    BOOST_TEST(inner_part.has_value());
    BOOST_TEST(!rest.has_value());
    BOOST_TEST(tulip::current_task().cancelling() == 0);
    const auto start = now();
    co_await tulip::sleep(1s);
    BOOST_TEST((now() - start == 1s));
}

// --- with timeout (timeout.hpp) -----------------------------------------------------------

BOOST_TULIP_TEST_CASE(taskgroup_inside_timeout_expiry_cancels_everything_and_raises_timeout_error)
{
    probe body, child;
    const auto start = now();
    auto e = co_await error_of(tulip::timeout(2s, sleepy_group(body, child)));
    BOOST_REQUIRE(e);
    BOOST_CHECK_THROW(std::rethrow_exception(e), tulip::timeout_error);
    BOOST_TEST(body.cancelled);
    BOOST_TEST(child.cancelled);
    BOOST_TEST((now() - start == 2s));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(taskgroup_error_inside_timeout_passes_through_unchanged)
{
    auto e = co_await error_of(tulip::timeout(
        1h, tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(fail_after(1s, "boom"));
            co_await tulip::sleep(1h);
        })));
    auto g = as_group(e);
    BOOST_REQUIRE(g.has_value());
    BOOST_TEST((whats(*g) == std::vector<std::string>{"boom"}));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
}

BOOST_TULIP_TEST_CASE(taskgroup_timeout_in_the_body_is_local_to_the_body)
{
    probe child;
    bool timed_out = false;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.create_task(sleeper(5s, child));
        try {
            co_await tulip::timeout(1s, nap(1h));
        } catch (const tulip::timeout_error&) {
            timed_out = true;
        }
    });
    BOOST_TEST(timed_out);
    BOOST_TEST(child.finished); // not cancelled by the body's timeout
}

BOOST_TULIP_TEST_CASE(taskgroup_error_and_timeout_expiry_at_once_leave_no_cancel_behind)
{
    // The group's own cancel and the timeout's land together; the group's errors win and
    // both cancels are undone.
    auto e = co_await error_of(tulip::timeout(
        1s, tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(fail_after(1s, "boom"));
            co_await tulip::sleep(1h);
        })));
    BOOST_TEST(static_cast<bool>(e));
    BOOST_TEST(!tulip::is_cancellation(e));
    BOOST_TEST(tulip::current_task().cancelling() == 0);
    const auto start = now();
    co_await tulip::sleep(1s);
    BOOST_TEST((now() - start == 1s));
}

BOOST_TULIP_TEST_CASE(
    taskgroup_nested_in_timeouts_and_groups_never_swallow_an_outer_cancel_cpython_116720_155433)
{
    // cpython#116720 / #155433: group > timeout > group, cancelled from outside.
    probe outer_child, inner_child, inner_body;
    bool reached_after = false;
    auto t = tulip::create_task([](probe& oc, probe& ic, probe& ib,
                                   bool& after) -> tulip::awaitable<void> {
        co_await tulip::with_task_group([&](tulip::task_group& outer) -> tulip::awaitable<void> {
            outer.create_task(sleeper(1h, oc));
            co_await tulip::timeout(1h, sleepy_group(ib, ic));
            after = true;
        });
        after = true;
    }(outer_child, inner_child, inner_body, reached_after));
    co_await tulip::sleep(1s);
    t.cancel("outer");
    auto e = co_await error_of(t.wait());
    BOOST_TEST(tulip::is_cancellation(e));
    BOOST_TEST(outer_child.cancelled);
    BOOST_TEST(inner_child.cancelled);
    BOOST_TEST(inner_body.cancelled);
    BOOST_TEST(!reached_after);
    BOOST_TEST(t.cancelling() == 1);
}

BOOST_TULIP_TEST_CASE(taskgroup_nested_in_timeout_with_failing_child_and_outer_cancel_rearms_it)
{
    // timeout > group whose child fails in its cleanup, while the task is cancelled from
    // outside: the exception_group comes out and the cancellation still arrives.
    std::exception_ptr first, second;
    auto t = tulip::create_task(
        [](std::exception_ptr& first, std::exception_ptr& second) -> tulip::awaitable<void> {
            first = co_await error_of(tulip::timeout(
                1h, tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
                    tg.create_task([]() -> tulip::awaitable<void> {
                        try {
                            co_await tulip::sleep(1h);
                        } catch (...) {
                        }
                        throw std::runtime_error("cleanup failed");
                    }());
                    co_await tulip::sleep(1h);
                })));
            second = co_await error_of(nap(1s));
        }(first, second));
    co_await tulip::sleep(1s);
    t.cancel();
    co_await error_of(t.wait());
    BOOST_TEST(as_group(first).has_value());
    BOOST_TEST(tulip::is_cancellation(second));
}

// --- plain Asio coroutines, run by io_context::run() without a Tulip runner -------------

namespace {

struct plain_group_outcomes
{
    int value = 0;
    bool child_finished = false;
    std::exception_ptr failure;
    probe sibling;
    bool body_cancelled = false;
};

tulip::awaitable<int> set_and_return(bool& flag, int v)
{
    flag = true;
    co_return v;
}

tulip::awaitable<void> fail_now(std::string what)
{
    co_await asio::post(asio::use_awaitable);
    throw std::runtime_error(what);
}

// Each group starts after a resumption from a plain Asio handler, so that no task or loop
// callback is current.
asio::awaitable<void> plain_groups(plain_group_outcomes& r)
{
    co_await asio::post(asio::use_awaitable);
    // Bodies are named: g++ 12 miscompiles a capturing lambda next to a co_await.
    auto succeeding = [&r](tulip::task_group& tg) -> tulip::awaitable<int> {
        auto child = tg.create_task(set_and_return(r.child_finished, 20));
        int v = co_await child.wait();
        co_return 1 + v;
    };
    auto failing = [&r](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.create_task(sleeper(1h, r.sibling));
        tg.create_task(fail_now("boom"));
        try {
            co_await tulip::sleep(1h);
        } catch (...) {
            r.body_cancelled = true;
            throw;
        }
    };
    r.value = co_await tulip::with_task_group(succeeding);
    co_await asio::post(asio::use_awaitable);
    try {
        co_await tulip::with_task_group(failing);
    } catch (...) {
        r.failure = std::current_exception();
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(taskgroup_works_in_a_plain_co_spawn_coroutine_without_a_runner)
{
    asio::io_context ioc;
    plain_group_outcomes r;
    std::exception_ptr failed;
    asio::co_spawn(ioc, plain_groups(r), [&](std::exception_ptr e) { failed = e; });
    const auto start = std::chrono::steady_clock::now();
    ioc.run();
    BOOST_TEST(!failed, (failed ? what_of(failed) : ""));
    BOOST_TEST(r.child_finished);
    BOOST_TEST(r.value == 21);
    // A failing child cancels its siblings and the body, and the group reports it.
    BOOST_TEST(r.sibling.started);
    BOOST_TEST(r.sibling.cancelled);
    BOOST_TEST(r.body_cancelled);
    BOOST_TEST_REQUIRE(static_cast<bool>(r.failure));
    try {
        std::rethrow_exception(r.failure);
    } catch (const tulip::exception_group& g) {
        BOOST_TEST_REQUIRE(g.exceptions().size() == 1u);
        BOOST_TEST(what_of(g.exceptions()[0]) == "boom");
    } catch (...) {
        BOOST_FAIL("not an exception_group: " + what_of(std::current_exception()));
    }
    BOOST_TEST((std::chrono::steady_clock::now() - start < 1min));
}

BOOST_AUTO_TEST_SUITE_END()
