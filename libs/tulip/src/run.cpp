//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/run.hpp>

#include <boost/tulip/debug.hpp>
#include <boost/tulip/detail/thread_bridge.hpp>

#include <boost/tulip/exception_group.hpp>

#include <algorithm>
#include <csignal>
#include <mutex>
#include <thread>
#include <vector>

namespace boost::tulip {

runner::runner(run_options opts)
    : opts_(std::move(opts))
{}

runner::~runner()
{
    close();
}

event_loop& runner::get_loop()
{
    if (closed_)
        throw invalid_state_error("runner is closed");
    if (!ioc_) {
        ioc_ = std::make_unique<boost::asio::io_context>(1);
        loop_ = &get_event_loop(*ioc_);
        if (opts_.debug)
            loop_->set_debug(*opts_.debug);
    }
    return *loop_;
}

void runner::check_can_run()
{
    event_loop& loop = get_loop();
    if (loop.is_running())
        throw invalid_state_error("runner::run: the event loop is already running");
    if (detail::current.loop)
        throw invalid_state_error("runner::run cannot be called from a running event loop");
}

void runner::drive(any_task main)
{
    event_loop& loop = *loop_;
    detail::drive_scope driving(loop);

    // asyncio.Runner: the first SIGINT cancels the main task and gives the signal its
    // default disposition back, so a second one ends the process.
    const bool own_sigint = opts_.handle_sigint && !detail::loop_signals(loop).has_handler(SIGINT);
    if (own_sigint)
        loop.add_signal_handler(SIGINT, [main, &loop]() mutable {
            loop.remove_signal_handler(SIGINT);
            main.cancel("interrupted by SIGINT");
        });
    struct sigint_guard
    {
        event_loop& loop;
        bool active;
        ~sigint_guard()
        {
            if (active)
                loop.remove_signal_handler(SIGINT);
        }
    } remove_sigint{loop, own_sigint};

    // Run until the main task is done: its done callback stops the io_context, so the
    // loop runs at io_context::run speed.
    auto& ioc = *ioc_;
    main.add_done_callback([&ioc] { ioc.stop(); });
    ioc.restart();
    ioc.run();
    detail::loop_run(loop).clear_stop();
    ioc.restart();
    // Else stop(), or io_context::stop() called directly: a suspended task holds work,
    // so the io_context cannot simply have run out of it.
    if (!main.done()) {
        // Other threads waiting on run_coroutine_threadsafe futures learn it now instead
        // of waiting for a loop that may never run again (zigpy/bellows#745).
        detail::loop_threads(loop).abandon_calls(
            "run_coroutine_threadsafe: the event loop stopped before the coroutine finished", true);
        throw invalid_state_error("event loop stopped before the main task completed");
    }
}

void runner::close()
{
    if (closed_)
        return;
    closed_ = true;
    if (!ioc_)
        return;
    event_loop& loop = *loop_;
    {
        // asyncio's _cancel_all_tasks: cancel what is left and let it finish.
        detail::drive_scope driving(loop);
        auto tasks = all_tasks(loop);
        if (loop.get_debug() && !tasks.empty())
            loop.call_exception_handler({std::to_string(tasks.size()) +
                                             " task(s) still pending when the loop closed; "
                                             "cancelling them:\n" +
                                             format_task_tree(loop),
                                         nullptr,
                                         {}});
        for (auto& t : tasks)
            if (!static_cast<detail::task_base*>(t.get_state())->shielded()) // DESIGN sec. 7
                t.cancel();
        detail::run_until(loop, [&] {
            return std::all_of(tasks.begin(), tasks.end(),
                               [](const any_task& t) { return t.done(); });
        });
        for (auto& t : tasks) {
            if (t.done() && !t.cancelled())
                if (auto e = t.exception())
                    loop.call_exception_handler(
                        {"unhandled exception during runner shutdown", e, t});
        }
        detail::close_asyncgens(loop);
        detail::close_default_executor(loop, opts_.executor_shutdown_timeout);
    }
    loop_ = nullptr;
    ioc_.reset();
}

// --- run_per_core --------------------------------------------------------------------------

namespace {

// What the loops of run_per_core share: which loops are open (to cancel their main tasks
// through call_soon_threadsafe) and what failed.
struct per_core_state
{
    // Loop thread only, one per loop: its main task, and a cancel that came before it.
    struct slot
    {
        any_task main;
        bool cancel_requested = false;
    };

    explicit per_core_state(std::size_t n)
        : loops(n, nullptr)
        , slots(n)
    {}

    std::mutex m;
    std::vector<event_loop*> loops; // null once closed (under m)
    std::vector<slot> slots;
    std::vector<std::exception_ptr> failures; // not cancellations (under m)
    std::exception_ptr first_cancel;          // under m
    bool cancelling = false;                  // a failure cancelled the others (under m)

    // With m held: asks loop `i` to cancel its main task.
    void cancel_loop(std::size_t i)
    {
        if (event_loop* l = loops[i]) {
            try {
                l->call_soon_threadsafe([this, i] {
                    auto& s = slots[i];
                    if (s.main)
                        s.main.cancel("run_per_core: another loop failed");
                    else
                        s.cancel_requested = true;
                });
            } catch (const invalid_state_error&) {
                // Closing already: its main task is done.
            }
        }
    }

    void record(std::size_t who, std::exception_ptr e)
    {
        std::lock_guard lock(m);
        if (is_cancellation(e)) {
            if (!first_cancel)
                first_cancel = std::move(e);
            return;
        }
        failures.push_back(std::move(e));
        if (!cancelling) {
            cancelling = true;
            for (std::size_t i = 0; i < loops.size(); ++i)
                if (i != who)
                    cancel_loop(i);
        }
    }
};

awaitable<void> per_core_main(per_core_state& pc,
                              std::function<awaitable<void>(std::size_t)>& factory, std::size_t i)
{
    auto t = create_task(factory(i), task_options{.name = "main"});
    auto& s = pc.slots[i];
    s.main = t;
    if (s.cancel_requested)
        t.cancel("run_per_core: another loop failed");
    // Cancelling this task (SIGINT) cancels `t` through the wait.
    co_await t.wait();
}

} // namespace

void detail::run_per_core_impl(std::size_t n, std::function<awaitable<void>(std::size_t)> factory,
                               const run_options& opts)
{
    if (n == 0)
        n = std::max(1u, std::thread::hardware_concurrency());
    per_core_state pc(n);
    auto body = [&](std::size_t i) {
        try {
            runner r(opts);
            {
                std::lock_guard lock(pc.m);
                pc.loops[i] = &r.get_loop();
                if (pc.cancelling)
                    pc.cancel_loop(i);
            }
            try {
                r.run(per_core_main(pc, factory, i));
            } catch (...) {
                pc.record(i, std::current_exception());
            }
            pc.slots[i].main = {};
            {
                std::lock_guard lock(pc.m);
                pc.loops[i] = nullptr;
            }
            r.close();
        } catch (...) {
            pc.record(i, std::current_exception());
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(n);
    try {
        for (std::size_t i = 0; i < n; ++i)
            threads.emplace_back(body, i);
    } catch (...) {
        // No thread for the rest: stop the loops already started, then report.
        pc.record(n, std::current_exception());
    }
    for (auto& t : threads)
        t.join();
    if (pc.failures.size() == 1)
        std::rethrow_exception(pc.failures.front());
    if (pc.failures.size() > 1)
        throw exception_group("run_per_core: " + std::to_string(pc.failures.size()) +
                                  " loops failed",
                              std::move(pc.failures));
    if (pc.first_cancel)
        std::rethrow_exception(pc.first_cancel);
}

} // namespace boost::tulip
