//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/run.hpp>

#include <boost/tulip/test.hpp>

#include <chrono>
#include <csignal>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

namespace {

tulip::awaitable<int> answer()
{
    co_await tulip::sleep(0s);
    co_return 42;
}

tulip::awaitable<void> nothing()
{
    co_return;
}

tulip::awaitable<int> fail_with(std::string what)
{
    co_await tulip::sleep(0s);
    throw std::runtime_error(what);
}

// --- leftover tasks -------------------------------------------------------------------

struct leftover_state
{
    bool started = false;
    bool saw_cancellation = false;
    bool cleanup_done = false;
};

// Waits "forever"; on cancellation awaits a cleanup step, then lets the cancellation go.
tulip::awaitable<void> lingering(leftover_state* s)
{
    s->started = true;
    std::exception_ptr e;
    try {
        co_await tulip::sleep(10h);
    } catch (const std::exception& ex) {
        s->saw_cancellation = tulip::is_cancellation(ex);
        e = std::current_exception();
    }
    co_await tulip::sleep(0s); // cleanup that needs the loop
    s->cleanup_done = true;
    if (e)
        std::rethrow_exception(e);
}

tulip::awaitable<int> main_leaving_a_task(leftover_state* s)
{
    tulip::create_task(lingering(s), {.name = "lingering"});
    co_await tulip::sleep(0s); // let it start
    co_return 1;
}

struct reported
{
    std::string message;
    std::string what;
    std::string task_name;
};

tulip::awaitable<void> fails_when_cancelled()
{
    try {
        co_await tulip::sleep(10h);
    } catch (const std::exception&) {
        throw std::runtime_error("cleanup failed");
    }
}

tulip::awaitable<void> main_leaving_a_failing_task(std::vector<reported>* out)
{
    tulip::get_running_loop().set_exception_handler(
        [out](tulip::event_loop&, const tulip::exception_context& c) {
            reported r{c.message, {}, c.task ? c.task.get_name() : std::string()};
            try {
                if (c.exception)
                    std::rethrow_exception(c.exception);
            } catch (const std::exception& ex) {
                r.what = ex.what();
            }
            out->push_back(r);
        });
    tulip::create_task(fails_when_cancelled(), {.name = "worker"});
    co_await tulip::sleep(0s);
}

// --- runner ---------------------------------------------------------------------------

struct two_runs
{
    tulip::event_loop* loop_in_first = nullptr;
    tulip::event_loop* loop_in_second = nullptr;
    tulip::future<int> wake;
    tulip::task<int> background;
    int ticks = 0;
};

tulip::awaitable<int> background_work(two_runs* s)
{
    int v = co_await s->wake.wait();
    ++s->ticks;
    co_return v * 2;
}

tulip::awaitable<void> first_run(two_runs* s)
{
    s->loop_in_first = &tulip::get_running_loop();
    s->wake = tulip::get_running_loop().create_future<int>();
    s->background = tulip::create_task(background_work(s), {.name = "background"});
    co_await tulip::sleep(0s);
}

tulip::awaitable<int> second_run(two_runs* s)
{
    s->loop_in_second = &tulip::get_running_loop();
    s->wake.set_result(21);
    co_return co_await s->background.wait();
}

tulip::awaitable<void> main_that_stops_the_loop()
{
    tulip::get_running_loop().stop();
    auto never = tulip::get_running_loop().create_future<>();
    co_await never.wait();
}

tulip::awaitable<bool> main_calling_run_inside(std::string* what)
{
    try {
        tulip::run(answer());
    } catch (const tulip::invalid_state_error& e) {
        *what = e.what();
        co_return true;
    }
    co_return false;
}

tulip::awaitable<bool> main_calling_its_runner(tulip::runner* r)
{
    try {
        r->run(answer());
    } catch (const tulip::invalid_state_error&) {
        co_return true;
    }
    co_return false;
}

bool* debug_seen = nullptr;

tulip::awaitable<void> record_debug()
{
    *debug_seen = tulip::get_running_loop().get_debug();
    co_return;
}

// --- SIGINT ---------------------------------------------------------------------------

tulip::awaitable<void> main_interrupted_once()
{
    ::raise(SIGINT);
    co_await tulip::sleep(10s); // cancelled by the SIGINT long before it elapses
}

tulip::awaitable<void> main_interrupted_twice()
{
    ::raise(SIGINT);
    std::exception_ptr e;
    try {
        co_await tulip::sleep(10s);
    } catch (...) {
        e = std::current_exception();
    }
    ::raise(SIGINT); // must end the process
    co_await tulip::sleep(0s);
    if (e)
        std::rethrow_exception(e);
}

} // namespace

BOOST_AUTO_TEST_SUITE(run_suite)

BOOST_AUTO_TEST_CASE(run_returns_the_value_of_the_main_coroutine)
{
    BOOST_TEST(tulip::run(answer()) == 42);
    BOOST_CHECK_NO_THROW(tulip::run(nothing()));
}

BOOST_AUTO_TEST_CASE(run_rethrows_the_exception_of_the_main_coroutine)
{
    BOOST_CHECK_EXCEPTION(
        tulip::run(fail_with("main failed")), std::runtime_error,
        [](const std::runtime_error& e) { return std::string(e.what()) == "main failed"; });
}

BOOST_AUTO_TEST_CASE(run_cancels_and_awaits_tasks_left_running_at_exit)
{
    leftover_state s;
    BOOST_TEST(tulip::run(main_leaving_a_task(&s)) == 1);
    BOOST_TEST(s.started);
    BOOST_TEST(s.saw_cancellation);
    BOOST_TEST(s.cleanup_done); // awaited, not merely cancelled
}

BOOST_AUTO_TEST_CASE(leftover_task_failure_at_shutdown_goes_to_the_exception_handler)
{
    std::vector<reported> seen;
    BOOST_CHECK_NO_THROW(tulip::run(main_leaving_a_failing_task(&seen)));
    BOOST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(seen[0].what == "cleanup failed");
    BOOST_TEST(seen[0].task_name == "worker");
    BOOST_TEST(!seen[0].message.empty());
}

BOOST_AUTO_TEST_CASE(runner_runs_several_times_on_one_loop_and_tasks_survive_between_runs)
{
    tulip::runner r;
    two_runs s;
    r.run(first_run(&s));
    BOOST_REQUIRE(static_cast<bool>(s.background));
    BOOST_TEST(!s.background.done());
    BOOST_TEST(r.run(second_run(&s)) == 42);
    BOOST_TEST(s.ticks == 1);
    BOOST_TEST(s.loop_in_first == &r.get_loop());
    BOOST_TEST(s.loop_in_second == &r.get_loop());
    r.close();
}

BOOST_AUTO_TEST_CASE(runner_close_is_idempotent_and_run_after_close_throws)
{
    tulip::runner r;
    BOOST_TEST(r.run(answer()) == 42);
    tulip::event_loop& loop = r.get_loop();
    BOOST_TEST(!loop.is_running());
    r.close();
    BOOST_CHECK_NO_THROW(r.close());
    BOOST_CHECK_THROW(r.run(answer()), tulip::invalid_state_error);
    BOOST_CHECK_THROW(r.get_loop(), tulip::invalid_state_error);

    tulip::runner unused;
    unused.close();
    BOOST_CHECK_THROW(unused.run(answer()), tulip::invalid_state_error);
}

BOOST_AUTO_TEST_CASE(loop_stop_inside_main_makes_runner_run_throw_invalid_state_error)
{
    tulip::runner r;
    BOOST_CHECK_THROW(r.run(main_that_stops_the_loop()), tulip::invalid_state_error);
    // The runner is still usable after a stop (asyncio's loop can be run again).
    BOOST_TEST(r.run(answer()) == 42);
    r.close();
}

BOOST_AUTO_TEST_CASE(run_inside_a_running_loop_is_rejected)
{
    std::string what;
    BOOST_TEST(tulip::run(main_calling_run_inside(&what)) == true);
    BOOST_TEST_MESSAGE("nested run: " << what);
}

BOOST_AUTO_TEST_CASE(runner_run_inside_its_own_loop_is_rejected)
{
    tulip::runner r;
    BOOST_TEST(r.run(main_calling_its_runner(&r)) == true);
    r.close();
}

BOOST_AUTO_TEST_CASE(run_options_debug_sets_the_loop_debug_mode)
{
    bool seen = false;
    debug_seen = &seen;
    tulip::run(record_debug(), {.debug = true});
    BOOST_TEST(seen);
    tulip::run(record_debug(), {.debug = false});
    BOOST_TEST(!seen);
    tulip::runner r({.debug = true});
    BOOST_TEST(r.get_loop().get_debug());
    debug_seen = nullptr;
}

BOOST_AUTO_TEST_CASE(sigint_cancels_the_main_task_and_run_throws_a_cancellation)
{
    bool caught = false;
    try {
        tulip::run(main_interrupted_once());
    } catch (const std::exception& e) {
        caught = true;
        BOOST_TEST(tulip::is_cancellation(e));
        BOOST_TEST(dynamic_cast<const tulip::cancelled_error*>(&e) != nullptr);
    }
    BOOST_TEST(caught);
}

BOOST_AUTO_TEST_CASE(second_sigint_ends_the_process)
{
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        try {
            tulip::run(main_interrupted_twice());
        } catch (...) {
        }
        ::_exit(0); // survived the second SIGINT
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
    BOOST_TEST(WIFSIGNALED(status));
    if (WIFSIGNALED(status))
        BOOST_TEST(WTERMSIG(status) == SIGINT);
    else
        BOOST_TEST_MESSAGE("child exited with " << WEXITSTATUS(status));
}

BOOST_AUTO_TEST_SUITE_END()
