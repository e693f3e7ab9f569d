//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/generator.hpp>

#include <boost/tulip/async_with.hpp>

#include <string>
#include <vector>

namespace boost::tulip {
namespace detail {

void generator_core::first_iteration() noexcept
{
    event_loop* l = current.loop;
    if (!l || l->is_closed())
        return; // plain Asio code: no loop to close it later
    loop = l;
    loop_asyncgens(*l).add(*this);
}

void generator_core::unregister() noexcept
{
    if (!loop)
        return;
    loop_asyncgens(*loop).remove(*this);
    loop = nullptr;
}

void generator_core::last_release() noexcept
{
    if (state == generator_state::suspended && loop && !loop->is_closed()) {
        if (!finalizer_tried) {
            // asyncio's finalizer hook: a task closes it. The task's coroutine holds a
            // reference; if that task is cancelled before it starts, the reference comes
            // back here and the generator stays listed for shutdown_asyncgens().
            finalizer_tried = true;
            try {
                spawn_task(*loop, close_for_loop(),
                           task_options{.name = "async generator finalizer"},
                           BOOST_CURRENT_LOCATION);
            } catch (...) {
                // Could not schedule: the reference dropped by the unstarted coroutine
                // left it listed, for shutdown_asyncgens() or the loop's shutdown.
            }
        }
        return;
    }
    destroy_frame();
}

void report_generator_close_error(std::exception_ptr e) noexcept
{
    if (event_loop* l = current.loop)
        l->call_exception_handler({"an error occurred during closing of an asynchronous generator",
                                   std::move(e), current_task()});
}

void throw_generator_running(const char* op)
{
    throw invalid_state_error(std::string("async_generator::") + op +
                              ": the generator is already running (one next(), asend(), "
                              "athrow() or aclose() at a time)");
}

void close_asyncgens(event_loop& l)
{
    if (loop_asyncgens(l).empty())
        return;
    auto t = spawn_task(l, l.shutdown_asyncgens(), task_options{.name = "shutdown_asyncgens"},
                        BOOST_CURRENT_LOCATION);
    run_until(l, [&] { return t.done(); });
}

} // namespace detail

awaitable<void> event_loop::shutdown_asyncgens()
{
    std::vector<any_task> closers;
    for (detail::generator_core* g : asyncgens_.suspended())
        closers.push_back(detail::spawn_task(
            *this, g->close_for_loop(), task_options{.name = "aclose"}, BOOST_CURRENT_LOCATION));
    for (auto& t : closers) {
        try {
            co_await t.wait();
        } catch (...) {
            // close_for_loop reports its own errors; only a cancellation gets here.
        }
    }
}

awaitable<void> async_exit_stack::aclose()
{
    std::vector<std::exception_ptr> errors;
    std::exception_ptr cancellation;
    while (!exits_.empty()) {
        std::unique_ptr<exit_base> x = std::move(exits_.back());
        exits_.pop_back();
        try {
            co_await x->run();
        } catch (...) {
            auto e = std::current_exception();
            if (!cancellation && is_cancellation(e))
                cancellation = e;
            else
                errors.push_back(e);
        }
    }
    if (cancellation) {
        // A cancellation is never turned into something else: it goes on, and the other
        // exits' errors go to the loop's exception handler.
        if (event_loop* l = detail::current.loop)
            for (auto& e : errors)
                l->call_exception_handler(
                    {"async_exit_stack: an exit failed during a cancellation", e, current_task()});
        std::rethrow_exception(cancellation);
    }
    if (errors.size() == 1)
        std::rethrow_exception(errors.front());
    if (!errors.empty())
        throw exception_group("async_exit_stack: " + std::to_string(errors.size()) +
                                  " exits failed",
                              std::move(errors));
}

} // namespace boost::tulip
