//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/run.hpp>

#include <boost/tulip/debug.hpp>
#include <boost/tulip/detail/thread_bridge.hpp>

#include <csignal>

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

} // namespace boost::tulip
