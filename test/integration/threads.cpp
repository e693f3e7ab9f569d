//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Thread bridges on real threads: to_thread, run_in_executor and the loop's default
// executor (made on first use, sized, replaced, shut down with and without a timeout).

#include <boost/tulip/threads.hpp>

#include <boost/tulip/context.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/task.hpp>

#include <boost/tulip/test.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

BOOST_AUTO_TEST_SUITE(threads_suite)

namespace {

std::size_t thread_count()
{
    std::size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/task"))
        ++n;
    return n;
}

// A gate a job blocks on until the test opens it.
struct latch
{
    std::promise<void> p;
    std::shared_future<void> f = p.get_future().share();
    void open() { p.set_value(); }
    void wait() const { f.wait(); }
};

// Counts its live instances: a result that was dropped is destroyed, never delivered.
struct counted
{
    static inline std::atomic<int> live{0};
    int value = 0;
    explicit counted(int v)
        : value(v)
    {
        ++live;
    }
    counted(const counted& o)
        : value(o.value)
    {
        ++live;
    }
    counted(counted&& o) noexcept
        : value(o.value)
    {
        ++live;
    }
    counted& operator=(const counted&) = default;
    ~counted() { --live; }
};

tulip::context_var<std::string> request_id("request_id");

} // namespace

BOOST_TULIP_TEST_CASE_REALTIME(to_thread_runs_on_the_default_executor_and_returns_its_result)
{
    const auto loop_thread = std::this_thread::get_id();
    auto f = [](int a, int b) { return std::make_pair(a + b, std::this_thread::get_id()); };
    auto [sum, where] = co_await tulip::to_thread(f, 40, 2);
    BOOST_TEST(sum == 42);
    BOOST_TEST((where != loop_thread));
    // The default executor is the loop's own thread pool.
    auto ex = tulip::get_running_loop().default_executor();
    BOOST_TEST((ex.target<asio::thread_pool::executor_type>() != nullptr));
}

BOOST_TULIP_TEST_CASE_REALTIME(to_thread_rethrows_what_the_function_throws)
{
    auto f = [] { throw std::domain_error("bad input"); };
    bool caught = false;
    try {
        co_await tulip::to_thread(f);
    } catch (const std::domain_error& e) {
        caught = std::string(e.what()) == "bad input";
    }
    BOOST_TEST(caught);
}

BOOST_TULIP_TEST_CASE_REALTIME(to_thread_moves_its_arguments_into_the_job)
{
    auto owned = std::make_unique<int>(7);
    auto f = [](std::unique_ptr<int>& p) { return *p * 6; };
    const int r = co_await tulip::to_thread(f, std::move(owned));
    BOOST_TEST(r == 42);
    BOOST_TEST(!owned);
}

BOOST_TULIP_TEST_CASE_REALTIME(to_thread_sees_the_callers_context_variables)
{
    auto tok = request_id.set("req-17");
    auto f = [] {
        std::string seen = request_id.get("none");
        // A set in the job stays in the job's copy of the context.
        auto t = request_id.set("changed-in-thread");
        return seen + "/" + request_id.get();
    };
    const std::string seen = co_await tulip::to_thread(f);
    BOOST_TEST(seen == "req-17/changed-in-thread");
    BOOST_TEST(request_id.get() == "req-17");
}

BOOST_TULIP_TEST_CASE_REALTIME(cancelling_to_thread_resumes_at_once_and_drops_the_result)
{
    auto gate = std::make_shared<latch>();
    std::atomic<bool> finished{false};
    auto blocked = [gate, &finished] {
        gate->wait();
        finished = true;
        return counted(5);
    };
    auto waiter = [&]() -> tulip::awaitable<int> {
        counted c = co_await tulip::to_thread(blocked);
        co_return c.value;
    };
    auto t = tulip::create_task(waiter());
    co_await tulip::sleep(20ms);
    const auto before = steady::now();
    t.cancel("stop waiting");
    bool cancelled = false;
    std::string message;
    try {
        co_await t.wait();
    } catch (const tulip::cancelled_error& e) {
        cancelled = true;
        message = e.message();
    }
    BOOST_TEST(cancelled);
    BOOST_TEST(message == "stop waiting");
    BOOST_TEST(!finished.load()); // the cancellation did not wait for the thread
    BOOST_TEST((steady::now() - before < 1s));
    // The function runs on; its result, when it comes, is dropped.
    gate->open();
    while (!finished.load())
        co_await tulip::sleep(5ms);
    co_await tulip::sleep(20ms); // the job's return reaches the loop
    BOOST_TEST(counted::live.load() == 0);
}

BOOST_TULIP_TEST_CASE_REALTIME(run_in_executor_runs_on_the_given_executor_with_the_context)
{
    asio::thread_pool pool(2);
    auto tok = request_id.set("pool-job");
    auto on_pool = [&pool] {
        return std::make_pair(pool.get_executor().running_in_this_thread(), request_id.get());
    };
    auto [in_pool, id] = co_await tulip::run_in_executor(pool.get_executor(), on_pool);
    BOOST_TEST(in_pool);
    BOOST_TEST(id == "pool-job"); // asyncio's run_in_executor loses it (cpython#78195)

    // A strand: jobs posted through it never overlap.
    auto strand = asio::make_strand(pool.get_executor());
    std::atomic<int> inside{0};
    std::atomic<bool> overlapped{false};
    auto serial = [&] {
        if (++inside > 1)
            overlapped = true;
        std::this_thread::sleep_for(5ms);
        --inside;
        return strand.running_in_this_thread();
    };
    auto a = tulip::create_task(tulip::run_in_executor(strand, serial));
    auto b = tulip::create_task(tulip::run_in_executor(strand, serial));
    auto c = tulip::create_task(tulip::run_in_executor(strand, serial));
    BOOST_TEST(co_await a.wait());
    BOOST_TEST(co_await b.wait());
    BOOST_TEST(co_await c.wait());
    BOOST_TEST(!overlapped.load());

    // nullptr: the loop's default executor, as asyncio's None.
    auto where = [] { return std::this_thread::get_id(); };
    auto id_default = co_await tulip::run_in_executor(nullptr, where);
    BOOST_TEST((id_default != std::this_thread::get_id()));
    pool.join();
}

BOOST_TULIP_TEST_CASE_REALTIME(async_run_in_executor_completes_a_callback_on_the_loop)
{
    auto& loop = tulip::get_running_loop();
    tulip::event done;
    int value = 0;
    std::exception_ptr error;
    bool on_loop = false;
    auto f = [] { return 9; };
    tulip::async_run_in_executor(nullptr, f, [&](std::exception_ptr e, int v) {
        error = e;
        value = v;
        on_loop = loop.get_io_context().get_executor().running_in_this_thread();
        done.set();
    });
    co_await done.wait();
    BOOST_TEST(!error);
    BOOST_TEST(value == 9);
    BOOST_TEST(on_loop);
}

BOOST_TULIP_TEST_CASE(to_thread_works_under_the_virtual_clock_runner)
{
    // The job holds work on the loop: the runner waits for it instead of declaring a
    // deadlock or jumping time.
    auto f = [] {
        std::this_thread::sleep_for(30ms);
        return 3;
    };
    const int r = co_await tulip::to_thread(f);
    BOOST_TEST(r == 3);
}

BOOST_AUTO_TEST_CASE(default_executor_is_made_on_first_use_with_the_size_set)
{
    tulip::runner r;
    auto& loop = r.get_loop();
    const std::size_t before = thread_count();
    r.run([]() -> tulip::awaitable<void> { co_return; }());
    BOOST_TEST(thread_count() == before); // no use, no pool
    loop.set_default_executor(3);
    r.run([]() -> tulip::awaitable<void> {
        auto f = [] { return 1; };
        co_await tulip::to_thread(f);
    }());
    const std::size_t with_pool = thread_count();
    BOOST_TEST(with_pool >= before + 3); // a sanitizer may add a helper thread of its own
    r.close();
    // close() joined the pool's threads. A joined thread can stay listed in
    // /proc/self/task for a moment after pthread_join returns (the kernel wakes the joiner
    // before it reaps the thread): wait for the listing, within a bound.
    std::size_t after = thread_count();
    for (auto until = std::chrono::steady_clock::now() + 5s;
         with_pool - after < 3u && std::chrono::steady_clock::now() < until; after = thread_count())
        std::this_thread::sleep_for(1ms);
    BOOST_TEST(with_pool - after == 3u);
}

BOOST_TULIP_TEST_CASE_REALTIME(set_default_executor_takes_any_executor)
{
    asio::thread_pool mine(1);
    auto& loop = tulip::get_running_loop();
    loop.set_default_executor(mine.get_executor());
    auto f = [&mine] { return mine.get_executor().running_in_this_thread(); };
    BOOST_TEST(co_await tulip::to_thread(f));
    // Shutting the default executor down waits for the loop's jobs but leaves a pool it
    // does not own running.
    co_await loop.shutdown_default_executor();
    std::promise<bool> still_runs;
    asio::post(mine, [&] { still_runs.set_value(true); });
    BOOST_TEST(still_runs.get_future().get());
    mine.join();
}

BOOST_TULIP_TEST_CASE_REALTIME(shutdown_default_executor_waits_for_running_jobs)
{
    std::atomic<bool> finished{false};
    auto slow = [&finished] {
        std::this_thread::sleep_for(150ms);
        finished = true;
    };
    // Fire and forget: the awaiting task is not waited for, the job is.
    auto t = tulip::create_task(tulip::to_thread(slow));
    co_await tulip::sleep(10ms);
    co_await tulip::shutdown_default_executor();
    BOOST_TEST(finished.load());
    co_await t.wait();
    // The default executor is gone for good.
    auto f = [] { return 0; };
    bool refused = false;
    try {
        co_await tulip::to_thread(f);
    } catch (const tulip::invalid_state_error&) {
        refused = true;
    }
    BOOST_TEST(refused);
    // A second shutdown does nothing.
    co_await tulip::shutdown_default_executor();
}

BOOST_AUTO_TEST_CASE(shutdown_default_executor_timeout_reports_stuck_jobs_and_returns)
{
    auto gate = std::make_shared<latch>();
    std::string report;
    {
        tulip::runner r;
        r.get_loop().set_exception_handler(
            [&](tulip::event_loop&, const tulip::exception_context& c) { report += c.message; });
        const auto before = steady::now();
        r.run([](std::shared_ptr<latch> g) -> tulip::awaitable<void> {
            auto stuck = [g] { g->wait(); };
            auto t = tulip::create_task(tulip::to_thread(stuck));
            co_await tulip::sleep(10ms);
            co_await tulip::shutdown_default_executor(100ms);
            t.cancel();
        }(gate));
        BOOST_TEST((steady::now() - before < 2s)); // it never hangs on the stuck thread
        r.close();
    }
    BOOST_TEST(report.find("did not finish within") != std::string::npos);
    BOOST_TEST(report.find("running for") != std::string::npos);
    gate->open(); // let the abandoned thread end
}

BOOST_AUTO_TEST_CASE(run_shuts_the_default_executor_down)
{
    std::atomic<bool> finished{false};
    tulip::run([](std::atomic<bool>& done) -> tulip::awaitable<void> {
        auto slow = [&done] {
            std::this_thread::sleep_for(100ms);
            done = true;
        };
        // Left running when main returns: run() cancels the awaiting task, then waits
        // for the job itself.
        tulip::create_task(tulip::to_thread(slow));
        co_await tulip::sleep(10ms);
    }(finished));
    BOOST_TEST(finished.load());
}

BOOST_AUTO_TEST_CASE(runner_close_gives_up_on_a_stuck_job_after_its_timeout)
{
    auto gate = std::make_shared<latch>();
    std::string report;
    const auto before = steady::now();
    {
        tulip::run_options opts;
        opts.executor_shutdown_timeout = 100ms;
        tulip::runner r(opts);
        r.get_loop().set_exception_handler(
            [&](tulip::event_loop&, const tulip::exception_context& c) { report += c.message; });
        r.run([](std::shared_ptr<latch> g) -> tulip::awaitable<void> {
            auto stuck = [g] { g->wait(); };
            tulip::create_task(tulip::to_thread(stuck));
            co_await tulip::sleep(10ms);
        }(gate));
        r.close();
    }
    BOOST_TEST((steady::now() - before < 2s));
    BOOST_TEST(report.find("did not finish within") != std::string::npos);
    gate->open();
}

BOOST_AUTO_TEST_CASE(a_loop_closed_with_a_job_in_flight_frees_the_awaiter)
{
    auto gate = std::make_shared<latch>();
    std::atomic<bool> finished{false};
    {
        asio::io_context ioc;
        auto body = [](std::shared_ptr<latch> g, std::atomic<bool>& done) -> tulip::awaitable<int> {
            auto stuck = [g, &done] {
                g->wait();
                done = true;
                return counted(1);
            };
            counted c = co_await tulip::to_thread(stuck);
            co_return c.value;
        };
        auto t = tulip::create_task(ioc, body(gate, finished));
        ioc.run_for(30ms);
        BOOST_TEST(!t.done());
        // The io_context goes with the job still running: the awaiting coroutine is freed
        // unrun, and the job's late return finds the loop closed.
    }
    gate->open();
    while (!finished.load())
        std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(20ms);
    BOOST_TEST(counted::live.load() == 0);
}

// --- run_coroutine_threadsafe ----------------------------------------------------------------

namespace {

// A loop run by a thread of its own, as a program that feeds it from other threads has.
struct loop_thread
{
    asio::io_context ioc{1};
    tulip::event_loop& loop = tulip::get_event_loop(ioc);
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
    std::thread thread{[this] { ioc.run(); }};

    ~loop_thread()
    {
        work.reset();
        ioc.stop();
        thread.join();
    }
};

tulip::awaitable<int> answer_after(std::chrono::milliseconds d)
{
    co_await tulip::sleep(d);
    co_return 42;
}

tulip::awaitable<int> fail_after(std::chrono::milliseconds d)
{
    co_await tulip::sleep(d);
    throw std::domain_error("no answer");
}

} // namespace

BOOST_AUTO_TEST_CASE(run_coroutine_threadsafe_get_blocks_and_returns_or_rethrows)
{
    loop_thread lt;
    auto f = tulip::run_coroutine_threadsafe(answer_after(20ms), lt.loop);
    BOOST_TEST(f.valid());
    BOOST_TEST(f.get() == 42);
    BOOST_TEST(f.done());
    BOOST_TEST(f.get() == 42); // a copyable result can be read again

    auto g = tulip::run_coroutine_threadsafe(fail_after(5ms), lt.loop);
    BOOST_CHECK_THROW(g.get(), std::domain_error);
    BOOST_TEST(!g.cancelled());
}

BOOST_AUTO_TEST_CASE(run_coroutine_threadsafe_wait_for_reports_whether_done)
{
    loop_thread lt;
    auto f = tulip::run_coroutine_threadsafe(answer_after(300ms), lt.loop);
    BOOST_TEST(!f.wait_for(10ms));
    BOOST_TEST(!f.done());
    BOOST_TEST(f.wait_for(10s));
    BOOST_TEST(f.done());
    BOOST_TEST(f.get() == 42);
}

BOOST_AUTO_TEST_CASE(concurrent_future_cancel_really_stops_the_task)
{
    // cpython#105836: cancelling the future must stop the task on its loop.
    loop_thread lt;
    std::atomic<bool> started{false}, stopped{false};
    auto forever = [](std::atomic<bool>& s, std::atomic<bool>& done) -> tulip::awaitable<int> {
        struct on_exit
        {
            std::atomic<bool>& flag;
            ~on_exit() { flag = true; }
        } guard{done};
        s = true;
        for (;;)
            co_await tulip::sleep(1ms);
    };
    auto f = tulip::run_coroutine_threadsafe(forever(started, stopped), lt.loop);
    while (!started.load())
        std::this_thread::sleep_for(1ms);
    BOOST_TEST(f.cancel());
    BOOST_TEST(f.done());
    BOOST_TEST(f.cancelled());
    BOOST_CHECK_THROW(f.get(), tulip::cancelled_error);
    BOOST_TEST(!f.cancel()); // already done
    const auto deadline = steady::now() + 5s;
    while (!stopped.load() && steady::now() < deadline)
        std::this_thread::sleep_for(1ms);
    BOOST_TEST(stopped.load());
}

BOOST_AUTO_TEST_CASE(concurrent_future_done_callbacks_run_on_the_loop_thread)
{
    loop_thread lt;
    const auto loop_id = lt.thread.get_id();
    std::promise<std::pair<std::thread::id, int>> before, after;
    auto f = tulip::run_coroutine_threadsafe(answer_after(20ms), lt.loop);
    f.add_done_callback([&before](tulip::concurrent_future<int>& d) {
        before.set_value({std::this_thread::get_id(), d.get()});
    });
    auto [id1, v1] = before.get_future().get();
    BOOST_TEST((id1 == loop_id));
    BOOST_TEST(v1 == 42);
    // Added once done: still run on the loop's thread, not the caller's.
    f.add_done_callback([&after](tulip::concurrent_future<int>& d) {
        after.set_value({std::this_thread::get_id(), d.get()});
    });
    auto [id2, v2] = after.get_future().get();
    BOOST_TEST((id2 == loop_id));
    BOOST_TEST(v2 == 42);
}

BOOST_TULIP_TEST_CASE_REALTIME(
    concurrent_future_get_on_the_loop_thread_throws_instead_of_deadlocking)
{
    auto f = tulip::run_coroutine_threadsafe(answer_after(10ms), tulip::get_running_loop());
    bool refused = false;
    try {
        f.get();
    } catch (const tulip::invalid_state_error& e) {
        refused = std::string(e.what()).find("deadlock") != std::string::npos;
    }
    BOOST_TEST(refused);
    BOOST_CHECK_THROW(f.wait_for(1ms), tulip::invalid_state_error);
    // Once done, reading it on the loop's thread is fine.
    while (!f.done())
        co_await tulip::sleep(5ms);
    BOOST_TEST(f.get() == 42);
}

BOOST_AUTO_TEST_CASE(a_stopped_loop_fails_the_pending_futures)
{
    // zigpy/bellows#745: a loop stopped (not closed) left the future pending forever.
    tulip::runner r;
    auto& loop = r.get_loop();
    std::atomic<bool> started{false};
    std::promise<std::string> outcome;
    std::thread other([&] {
        auto body = [](std::atomic<bool>& s) -> tulip::awaitable<int> {
            s = true;
            co_await tulip::sleep(1h);
            co_return 1;
        };
        // Queued until the loop runs it.
        auto f = tulip::run_coroutine_threadsafe(body(started), loop);
        try {
            f.get();
            outcome.set_value("returned");
        } catch (const tulip::invalid_state_error& e) {
            outcome.set_value(e.what());
        } catch (...) {
            outcome.set_value("other error");
        }
    });
    auto main = [](std::atomic<bool>& s) -> tulip::awaitable<void> {
        while (!s.load())
            co_await tulip::sleep(1ms);
        tulip::get_running_loop().stop();
        co_await tulip::sleep(1h);
    };
    BOOST_CHECK_THROW(r.run(main(started)), tulip::invalid_state_error);
    const std::string what = outcome.get_future().get();
    other.join();
    BOOST_TEST(what.find("stopped before the coroutine finished") != std::string::npos, what);
    r.close();
}

BOOST_AUTO_TEST_CASE(a_closed_loop_fails_the_pending_futures)
{
    tulip::concurrent_future<int> queued, running;
    {
        asio::io_context ioc;
        auto& loop = tulip::get_event_loop(ioc);
        running = tulip::run_coroutine_threadsafe(answer_after(1h), loop);
        ioc.run_for(20ms); // started, suspended in its sleep
        BOOST_TEST(!running.done());
        queued = tulip::run_coroutine_threadsafe(answer_after(1ms), loop);
    }
    std::string started_msg, queued_msg;
    try {
        running.get();
    } catch (const tulip::invalid_state_error& e) {
        started_msg = e.what();
    }
    try {
        queued.get();
    } catch (const tulip::invalid_state_error& e) {
        queued_msg = e.what();
    }
    BOOST_TEST(started_msg.find("closed before the coroutine finished") != std::string::npos,
               started_msg);
    BOOST_TEST(queued_msg.find("closed before the coroutine started") != std::string::npos,
               queued_msg);
}

BOOST_AUTO_TEST_SUITE_END()
