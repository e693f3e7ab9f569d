//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_EVENT_LOOP_HPP
#define BOOST_TULIP_EVENT_LOOP_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/tulip/context.hpp>
#include <boost/tulip/detail/asyncgen_registry.hpp>
#include <boost/tulip/detail/callback_node.hpp>
#include <boost/tulip/detail/signal_table.hpp>
#include <boost/tulip/detail/task_registry.hpp>
#include <boost/tulip/detail/thread_state.hpp>
#include <boost/tulip/detail/timer_queue.hpp>
#include <boost/tulip/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace boost::tulip {
struct awaitable_token_t;

class event_loop;
// Defined in future.hpp and task.hpp; this header needs their names only.
template <class T>
class future;
template <class T = void>
class task;
using any_task = task<>;

namespace detail {

class sync_object;
class thread_bridge;

// Whether, and by how many frames, the loop is driven (runner::run, the test runner),
// and whether stop() asked the one driving it to return.
class loop_run_state
{
public:
    void begin_drive() noexcept { ++drivers_; }
    void end_drive() noexcept { --drivers_; }
    bool driven() const noexcept { return drivers_ > 0; }
    void request_stop() noexcept { stopping_.store(true, std::memory_order_release); }
    bool stop_requested() const noexcept { return stopping_.load(std::memory_order_acquire); }
    void clear_stop() noexcept { stopping_.store(false, std::memory_order_release); }

private:
    int drivers_ = 0;
    std::atomic<bool> stopping_{false}; // stop() may come from any thread
};

// The loop's parts, for the library's own code: each reaches the one it needs and uses
// that part's interface.
timer_queue& loop_timers(event_loop& l) noexcept;
task_registry& loop_tasks(event_loop& l) noexcept;
asyncgen_registry& loop_asyncgens(event_loop& l) noexcept;
signal_table& loop_signals(event_loop& l) noexcept;
loop_run_state& loop_run(event_loop& l) noexcept;
// Work sent to other threads and the default executor (thread_bridge.hpp).
thread_bridge& loop_threads(event_loop& l);
// The primitives and queues bound to the loop (sync_waiter.hpp), a list through them:
// their waiters are freed, unrun, when the loop shuts down.
sync_object*& loop_primitives(event_loop& l) noexcept;
// The receive buffer the loop's transports share (64 KiB, made on first use): a byte
// stream's data_received views it, so a connection that has not spoken holds no receive
// buffer.
std::span<char> loop_read_buffer(event_loop& l);
} // namespace detail

// tag::outline[]
/** The loop's clock: `std::chrono::steady_clock` time, or virtual time under the test
    runner. `clock::now()` is the running loop's `time()`, or steady time outside a loop.
*/
struct clock
{
    using duration = std::chrono::steady_clock::duration;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::steady_clock::time_point;
    static constexpr bool is_steady = true;
    static time_point now() noexcept;
};

/** A callback scheduled with `call_soon` (asyncio.Handle).

    Thread safety: the handle of a `call_soon_threadsafe` callback may be used, copied and
    destroyed on any thread, even after its loop is gone. A handle of `call_soon`,
    `call_later` or `call_at` belongs to the loop's thread.
*/
class handle
{
public:
    handle() noexcept = default;
    /** Prevents the callback from running; does nothing if it already ran, is running
        or was cancelled. After a cancel from another thread the callback never starts,
        and its function object is destroyed on the loop's thread. */
    void cancel() noexcept;
    /** Whether the callback will never run: `cancel()` came before it started, or the
        loop closed with it still queued. */
    bool cancelled() const noexcept;
    explicit operator bool() const noexcept { return node_ != nullptr; }
    // end::outline[]

protected:
    friend class event_loop;
    explicit handle(boost::intrusive_ptr<detail::callback_node> n) noexcept
        : node_(std::move(n))
    {}
    boost::intrusive_ptr<detail::callback_node> node_;
    // tag::outline[]
};

/// A callback scheduled with `call_later` or `call_at` (asyncio.TimerHandle).
class timer_handle : public handle
{
public:
    timer_handle() noexcept = default;
    /// The time, on the loop's clock, when the callback is due.
    clock::time_point when() const noexcept;
    // end::outline[]

private:
    friend class event_loop;
    using handle::handle;
    // tag::outline[]
};

/** What the loop's exception handler receives (`exception_context`).

    A template only so that this header need not define `task`: the one type used is
    `exception_context`, whose `task` is an `any_task`. Reading `task` needs
    `<boost/tulip/task.hpp>`.
*/
template <class Task>
struct basic_exception_context
{
    /// What happened, in one line.
    std::string message;
    /// The exception, if any.
    std::exception_ptr exception;
    /// The task concerned, if any.
    Task task;
};
using exception_context = basic_exception_context<any_task>;

/** An asyncio-style event loop: an Asio service attached to one `io_context`.

    It holds the task registry, the timer heap, the exception handler and the debug
    settings. Only an `io_context` can own one: `use_service<event_loop>` compiles for an
    `io_context` only.

    Threads: every member is for the thread running the loop, except
    `call_soon_threadsafe`, `stop`, `is_closed`, `get_io_context` and `get_executor`,
    which any thread may call while the loop's `io_context` exists (as for
    `asio::post` to it), and the `handle` of a `call_soon_threadsafe` callback (see
    `handle`). From another thread, `call_soon_threadsafe` is the way in: it can run
    anything else on the loop.
*/
class event_loop : public boost::asio::execution_context::service
{
public:
    using executor_type = boost::asio::io_context::executor_type;
    using exception_handler = std::function<void(event_loop&, const exception_context&)>;

    /// The `io_context` this loop is attached to.
    boost::asio::io_context& get_io_context() noexcept { return ioc_; }
    executor_type get_executor() noexcept { return ioc_.get_executor(); }

    /// The current time on the loop's clock (asyncio `loop.time()`).
    clock::time_point time() const noexcept;

    /// Schedules `f()` to run on the next loop iteration, in the current context or `ctx`.
    template <class F>
    handle call_soon(F&& f, std::optional<boost::tulip::context> ctx = std::nullopt);

    /** `call_soon` that may be called from any thread (asyncio `call_soon_threadsafe`).

        `f` is moved into the loop at once and runs, and is destroyed, on the loop's
        thread, in `ctx` or in the context current on the calling thread. A loop waiting
        for work wakes at once. Callbacks from one thread run in the order they were
        scheduled. The returned handle may be cancelled from any thread; a callback
        still queued when the loop closes never runs and its handle reports
        `cancelled()`.
        @throws invalid_state_error if the loop is closed (asyncio raises RuntimeError).
    */
    template <class F>
    handle call_soon_threadsafe(F&& f, std::optional<boost::tulip::context> ctx = std::nullopt);

    /// Schedules `f()` to run after `delay` (asyncio `call_later`).
    template <class F>
    timer_handle call_later(duration delay, F&& f,
                            std::optional<boost::tulip::context> ctx = std::nullopt);

    /// Schedules `f()` to run at `when` on the loop's clock (asyncio `call_at`).
    template <class F>
    timer_handle call_at(clock::time_point when, F&& f,
                         std::optional<boost::tulip::context> ctx = std::nullopt);

    /// A new pending future bound to this loop (defined in `<boost/tulip/future.hpp>`).
    template <class T = void>
    future<T> create_future();

    /** Sets the handler called for errors no one else can receive: exceptions of
        callbacks, task exceptions never retrieved, slow steps in debug mode. An empty
        function restores the default (which writes to stderr). */
    void set_exception_handler(exception_handler h);
    const exception_handler& get_exception_handler() const noexcept { return handler_; }
    /// Calls the exception handler, or `default_exception_handler` if none is set.
    void call_exception_handler(const exception_context& ctx) noexcept;
    /// Writes `ctx` to stderr.
    void default_exception_handler(const exception_context& ctx) noexcept;

    /// Debug mode (asyncio's): slow steps are reported, tasks record where they were made.
    void set_debug(bool enabled) noexcept { debug_ = enabled; }
    bool get_debug() const noexcept { return debug_; }
    /// Steps longer than this are reported in debug mode (default 100 ms).
    duration slow_callback_duration() const noexcept { return slow_callback_duration_; }
    void set_slow_callback_duration(duration d) noexcept { slow_callback_duration_ = d; }

    /** Stops the loop: `run`/`runner::run` return (with an error) as soon as possible.
        Any thread may call it. */
    void stop() noexcept;
    /// Whether the loop is being run (by `run`/`runner`, or `io_context::run` on this thread).
    bool is_running() const noexcept;
    /** Whether the loop was closed (its `io_context` shut down, or `runner::close`). Any
        thread may call it. */
    bool is_closed() const noexcept { return closed_.load(std::memory_order_acquire); }

    /** Runs `f()` on the loop (in the context current now) each time signal `signum`
        arrives. The loop has one such handler per signal: this one replaces any earlier
        one (asyncio). It does not replace what else watches the signal: Tulip's own
        watches (child processes will watch SIGCHLD), another loop's handler, or an
        `asio::signal_set` of the program; all of them see each arrival.
        @throws boost::system::system_error if the signal cannot be caught.
        @throws invalid_state_error if the loop is closed. */
    template <class F>
    void add_signal_handler(int signum, F&& f);
    /** Removes this loop's handler for `signum`; returns whether there was one. The
        signal gets its default disposition back once nothing else in the process
        watches it. */
    bool remove_signal_handler(int signum);

    /** Closes every async generator of this loop still suspended at a `co_yield`
        (asyncio `loop.shutdown_asyncgens()`), concurrently, each in a task running its
        `aclose()`; errors go to the exception handler. `run()` and `runner::close()` call
        it after cancelling the remaining tasks. */
    boost::asio::awaitable<void> shutdown_asyncgens();

    /** The loop's default executor: where `to_thread` and `run_in_executor(nullptr, f)`
        run blocking work (asyncio's default `ThreadPoolExecutor`).

        Unless `set_default_executor` gave another one, it is an executor of the loop's own
        `asio::thread_pool`, made on first use with `min(32, cores + 4)` threads (Python's
        default size, meant for blocking I/O). Work posted to it directly is the caller's
        to bring back to the loop; prefer `to_thread` / `run_in_executor`, which hand the
        outcome back safely and which `shutdown_default_executor` waits for. Loop thread.
        @throws invalid_state_error after `shutdown_default_executor()`, or once the loop
                is closed (asyncio raises RuntimeError). */
    boost::asio::any_io_executor default_executor();

    /** Makes the default executor a new pool of the loop's own with `threads` threads
        (at least one). A pool made before keeps running the jobs it has and is joined by
        `shutdown_default_executor`. Loop thread.
        @throws invalid_state_error after `shutdown_default_executor()` or once closed. */
    void set_default_executor(std::size_t threads);

    /** Makes `ex` the default executor (asyncio `loop.set_default_executor(executor)`).
        The loop does not own it: `shutdown_default_executor` waits for the loop's jobs
        on it, but does not stop it. A pool the loop made before is joined by
        `shutdown_default_executor`. Loop thread. Same errors. */
    void set_default_executor(boost::asio::any_io_executor ex);

    /** Shuts the default executor down and waits for its jobs (asyncio
        `loop.shutdown_default_executor(timeout)`, Python 3.12).

        Waits, without blocking the loop, until every job sent through `to_thread` or
        `run_in_executor` to the default executor has finished, then joins the loop's own
        pools (so work posted to `default_executor()` directly is waited for too). With a
        `timeout`, gives up after it: the exception handler receives a report naming each
        job still queued or running (and for how long), the pools are left to finish on a
        thread of their own, and the call returns normally. A thread cannot be interrupted:
        a job that never returns keeps its thread, but never hangs the loop's shutdown.
        After it, `default_executor()`, `to_thread` and `run_in_executor(nullptr, ...)`
        throw `invalid_state_error`. Calling it again does nothing. `run()` and
        `runner::close()` call it with `run_options::executor_shutdown_timeout`.
        Cancelling the awaiting task stops the wait; the pools still finish on their own. */
    boost::asio::awaitable<void>
    shutdown_default_executor(std::optional<duration> timeout = std::nullopt);
    /** Sends `count` bytes (0: to the end) of `file` from `offset` over the connected
        stream socket `sock` (asyncio `loop.sock_sendfile`): `async_sendfile(sock, file,
        offset, count, fallback, token)`, so zero-copy `sendfile(2)` where the kernel can,
        else read/write in 256 KiB steps, or with `fallback = false`
        `sendfile_not_available`. Defined in `<boost/tulip/sendfile.hpp>`; completion,
        file position and cancellation as `async_sendfile`. */
    template <class Socket, class File, class CompletionToken = awaitable_token_t>
    auto sock_sendfile(Socket& sock, File&& file, std::uint64_t offset = 0, std::size_t count = 0,
                       bool fallback = true, CompletionToken&& token = CompletionToken{});
    // end::outline[]

    /// Number of callbacks scheduled but not yet run or cancelled.
    std::size_t pending_callbacks() const noexcept
    {
        return pending_callbacks_.load(std::memory_order_relaxed);
    }

    static boost::asio::execution_context::id id;
    /// Made by `use_service<event_loop>(ioc)`: the owner is an `io_context`, by type.
    explicit event_loop(boost::asio::io_context& ioc);
    ~event_loop() override;
    event_loop(const event_loop&) = delete;
    event_loop& operator=(const event_loop&) = delete;

private:
    friend class handle;
    friend class timer_handle;
    friend class detail::callback_node;
    friend detail::timer_queue& detail::loop_timers(event_loop&) noexcept;
    friend detail::task_registry& detail::loop_tasks(event_loop&) noexcept;
    friend detail::asyncgen_registry& detail::loop_asyncgens(event_loop&) noexcept;
    friend detail::signal_table& detail::loop_signals(event_loop&) noexcept;
    friend detail::loop_run_state& detail::loop_run(event_loop&) noexcept;
    friend detail::thread_bridge& detail::loop_threads(event_loop&);
    friend detail::sync_object*& detail::loop_primitives(event_loop&) noexcept;
    friend std::span<char> detail::loop_read_buffer(event_loop&);

    void shutdown() override;

    handle schedule_soon(detail::callback_node* n);
    handle schedule_soon_threadsafe(detail::callback_node* n);
    timer_handle schedule_at(clock::time_point when, detail::callback_node* n);
    void add_signal_handler_impl(int signum, std::function<void()> f);

    boost::asio::io_context& ioc_;
    // The parts, each owning its state.
    detail::timer_queue timers_;
    detail::task_registry tasks_;
    detail::asyncgen_registry asyncgens_;
    detail::signal_table signals_;
    detail::loop_run_state run_;

    exception_handler handler_;
    bool debug_ = false;
    duration slow_callback_duration_ = std::chrono::milliseconds(100);
    std::atomic<bool> closed_{false}; // read by call_soon_threadsafe on any thread
    std::atomic<std::size_t> pending_callbacks_{0};
    detail::sync_object* primitives_ = nullptr;      // primitives and queues bound to this loop
    std::unique_ptr<char[]> read_buffer_;            // loop_read_buffer
    std::unique_ptr<detail::thread_bridge> threads_; // loop_threads
    // tag::outline[]
};

/// The loop attached to `ioc`, attaching a new one on first use.
event_loop& get_event_loop(boost::asio::io_context& ioc);

/** The loop running the current task or callback (asyncio `get_running_loop()`); in
    plain Asio code (a handler, a `co_spawn` coroutine), the loop attached to the
    io_context this thread runs.
    @throws no_running_loop if there is none. */
event_loop& get_running_loop();

/// `get_running_loop().call_soon(...)` and friends.
template <class F>
handle call_soon(F&& f, std::optional<boost::tulip::context> ctx = std::nullopt);
template <class F>
handle call_soon_threadsafe(event_loop& loop, F&& f,
                            std::optional<boost::tulip::context> ctx = std::nullopt);
template <class F>
timer_handle call_later(duration delay, F&& f,
                        std::optional<boost::tulip::context> ctx = std::nullopt);
template <class F>
timer_handle call_at(clock::time_point when, F&& f,
                     std::optional<boost::tulip::context> ctx = std::nullopt);

/// `get_running_loop().shutdown_default_executor(timeout)`.
boost::asio::awaitable<void>
shutdown_default_executor(std::optional<duration> timeout = std::nullopt);
// end::outline[]

namespace detail {
inline timer_queue& loop_timers(event_loop& l) noexcept
{
    return l.timers_;
}
inline task_registry& loop_tasks(event_loop& l) noexcept
{
    return l.tasks_;
}
inline asyncgen_registry& loop_asyncgens(event_loop& l) noexcept
{
    return l.asyncgens_;
}
inline signal_table& loop_signals(event_loop& l) noexcept
{
    return l.signals_;
}
inline loop_run_state& loop_run(event_loop& l) noexcept
{
    return l.run_;
}
inline sync_object*& loop_primitives(event_loop& l) noexcept
{
    return l.primitives_;
}

// Runs the loop's io_context until `done()` holds or it is out of work, so that what is
// left can never finish (runner::close, close_asyncgens). A stop() only pauses it.
template <class Done>
void run_until(event_loop& l, Done done)
{
    auto& ioc = l.get_io_context();
    ioc.restart();
    while (!done()) {
        if (ioc.run_one() == 0) {
            if (ioc.stopped() && !loop_run(l).stop_requested())
                break;
            loop_run(l).clear_stop();
            ioc.restart();
        }
    }
}

// Marks the loop as driven (is_running() is true) for a scope: runner and test runner.
class drive_scope
{
public:
    explicit drive_scope(event_loop& l) noexcept
        : loop_(l)
    {
        loop_run(loop_).begin_drive();
    }
    ~drive_scope() { loop_run(loop_).end_drive(); }
    drive_scope(const drive_scope&) = delete;
    drive_scope& operator=(const drive_scope&) = delete;

private:
    event_loop& loop_;
};
} // namespace detail

} // namespace boost::tulip

#include <boost/tulip/impl/event_loop.hpp>

#endif
