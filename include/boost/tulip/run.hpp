//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_RUN_HPP
#define BOOST_TULIP_RUN_HPP

#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/assert/source_location.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

namespace boost::tulip {

// tag::outline[]
/// Options of `run` and `runner`.
struct run_options
{
    /// Debug mode; unset means the environment variable `BOOST_TULIP_DEBUG=1`.
    std::optional<bool> debug;
    /// First SIGINT cancels the main task; a second one ends the process.
    bool handle_sigint = true;
    /** How long closing waits for the default executor's jobs
        (`shutdown_default_executor(timeout)`): 5 minutes, asyncio's
        `THREAD_JOIN_TIMEOUT`. Past it the stuck jobs are reported and closing goes on. */
    duration executor_shutdown_timeout = std::chrono::minutes(5);
};

/** Runs coroutines on a loop of its own (asyncio.Runner).

    Each `run` schedules its argument as the main task and runs the loop until it is
    done; tasks it leaves behind keep running in later `run` calls. `close()` (or the
    destructor) cancels and awaits every remaining task, then destroys the loop.
*/
class runner
{
public:
    explicit runner(run_options opts = {});
    ~runner();
    runner(const runner&) = delete;
    runner& operator=(const runner&) = delete;

    /** Runs `main` as a task until it is done and returns its result (or rethrows).
        @throws invalid_state_error if closed, if called from inside a running loop (this
                one or another: a loop blocks its thread), or if `stop()` stopped the loop
                before `main` finished; `main` is then not run. */
    template <class T>
    T run(awaitable<T> main, const boost::source_location& where = BOOST_CURRENT_LOCATION);

    event_loop& get_loop();

    /** Cancels and awaits the remaining tasks, reports their errors, closes the async
        generators, shuts the default executor down (`shutdown_default_executor` with
        `run_options::executor_shutdown_timeout`), closes the loop. */
    void close();
    // end::outline[]

private:
    void check_can_run();
    void drive(any_task main);

    run_options opts_;
    std::unique_ptr<boost::asio::io_context> ioc_;
    event_loop* loop_ = nullptr;
    bool closed_ = false;
    // tag::outline[]
};

/** Runs `main` on a new loop and returns its result (asyncio.run): makes an
    io_context, runs `main` as a task, then cancels and awaits every remaining task,
    closes the async generators, shuts the default executor down and destroys the context. SIGINT
   cancels the main task; a second SIGINT ends the process.
*/
template <class T>
T run(awaitable<T> main, run_options opts = {},
      const boost::source_location& where = BOOST_CURRENT_LOCATION);

/** Runs `n` loops, each on a thread of its own with its own `io_context`, and blocks until
    every one has finished (share-nothing scaling: one loop per core).

    Loop `i` runs `factory(i)` (called on that loop's thread, inside the loop, so it may
    start servers and tasks) as its main task, under a `runner` with `opts`. Servers that
    should share a port set `server_options::reuse_port`, so the kernel spreads the
    connections over the loops. `n == 0` means one loop per hardware thread. `factory` is
    called from the `n` threads at once.

    - SIGINT (with `opts.handle_sigint`) cancels every main task; a second one ends the
      process, as for `run`.
    - The first main task that fails (with anything but a cancellation) cancels the others.
    - Afterwards the failures are rethrown: the one failure as it is, several as an
      `exception_group`. If the tasks were only cancelled (SIGINT), the first
      `cancelled_error` is rethrown, as `run` does; a main task that catches its
      cancellation and returns counts as finished.
*/
template <class Factory>
requires std::is_invocable_r_v<awaitable<void>, Factory&, std::size_t> void
run_per_core(std::size_t n, Factory factory, run_options opts = {});
// end::outline[]

namespace detail {
void run_per_core_impl(std::size_t n, std::function<awaitable<void>(std::size_t)> factory,
                       const run_options& opts);
} // namespace detail

template <class Factory>
requires std::is_invocable_r_v<awaitable<void>, Factory&, std::size_t> void
run_per_core(std::size_t n, Factory factory, run_options opts)
{
    detail::run_per_core_impl(n, std::move(factory), opts);
}

template <class T>
T runner::run(awaitable<T> main, const boost::source_location& where)
{
    check_can_run();
    auto t = detail::spawn_task(*loop_, std::move(main), task_options{.name = "main"}, where);
    drive(t);
    return t.result();
}

template <class T>
T run(awaitable<T> main, run_options opts, const boost::source_location& where)
{
    runner r(opts);
    if constexpr (std::is_void_v<T>) {
        r.run(std::move(main), where);
        r.close();
    } else {
        T value = r.run(std::move(main), where);
        r.close();
        return value;
    }
}

} // namespace boost::tulip

#endif
