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
#include <boost/tulip/detail/callback_node.hpp>
#include <boost/tulip/detail/thread_state.hpp>
#include <boost/tulip/detail/timer_node.hpp>
#include <boost/tulip/error.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::tulip {

struct exception_context;
template <class T>
class future;
template <class T>
class task;
namespace detail {
class future_base;
class task_base;
struct signal_entry;
struct signal_watcher;
struct loop_access;
class generator_core;
class sync_object;
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

    /// A new pending future bound to this loop.
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
    friend class detail::future_base;
    friend class detail::task_base;
    friend struct detail::loop_access;

    void shutdown() override;

    handle schedule_soon(detail::callback_node* n);
    handle schedule_soon_threadsafe(detail::callback_node* n);
    timer_handle schedule_at(clock::time_point when, detail::callback_node* n);
    void add_signal_handler_impl(int signum, std::function<void()> f);
    std::shared_ptr<detail::signal_watcher> make_signal_watcher(std::function<void()> f);
    detail::signal_entry& signal_entry_for(int signum);
    void drop_signal_entry_if_empty(int signum) noexcept;

    // Timer heap (sleep and call_later). Loop thread only.
    void schedule_timer(clock::time_point when, detail::timer_node* n);
    void cancel_timer(detail::timer_node* n) noexcept;

    void run_due_timers();
    void arm_timer();
    void drop_tombstones_on_top() noexcept;
    void compact_timers();
    std::optional<clock::time_point> next_deadline() noexcept;

    boost::asio::io_context& ioc_;
    // Made on first use: an Asio timer brings in the reactor, which a loop that only
    // runs tasks and callbacks does not need.
    std::optional<boost::asio::steady_timer> timer_;

    std::vector<detail::timer_entry> heap_;
    std::uint64_t timer_seq_ = 0;
    std::size_t tombstones_ = 0;
    bool armed_ = false;
    clock::time_point armed_at_{};
    std::uint64_t arm_generation_ = 0;

    bool virtual_clock_ = false;
    clock::time_point virtual_now_{};

    // Unfinished tasks (for all_tasks), then finished ones whose exception no one has
    // retrieved yet: both intrusive lists threaded through the futures themselves.
    detail::future_base* tasks_ = nullptr;
    detail::future_base* unretrieved_ = nullptr;
    std::size_t task_count_ = 0;
    std::uint64_t tasks_created_ = 0;

    exception_handler handler_;
    bool debug_ = false;
    duration slow_callback_duration_ = std::chrono::milliseconds(100);
    std::atomic<bool> closed_{false}; // read by call_soon_threadsafe on any thread
    std::atomic<bool> stopping_{false};
    int drivers_ = 0; // runner::run frames driving this loop
    std::atomic<std::size_t> pending_callbacks_{0};
    std::map<int, std::shared_ptr<detail::signal_entry>> signals_;
    std::uint64_t signal_watch_seq_ = 0;
    detail::generator_core* asyncgens_ = nullptr; // started, unfinished async generators
    detail::sync_object* primitives_ = nullptr;   // primitives and queues bound to this loop
    // Work counted on the io_context through tracked task executors (co_spawn's guards for
    // tasks and the coroutines they spawn): the test runner tells it from I/O in flight.
    std::atomic<long> task_work_{0};
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
// end::outline[]

namespace detail {
// What the test runner and the task tree need from a loop, and users do not.
struct loop_access
{
    static void use_virtual_clock(event_loop& l);
    static void advance_to(event_loop& l, clock::time_point t);
    static std::optional<clock::time_point> next_deadline(event_loop& l);
    static std::vector<future_base*> unfinished_tasks(const event_loop& l);
    static void begin_drive(event_loop& l) noexcept;
    static void end_drive(event_loop& l) noexcept;
    static bool stop_requested(const event_loop& l) noexcept;
    static void clear_stop(event_loop& l) noexcept;
    // Runs the loop's io_context until `done()` holds or it is out of work, so that what
    // is left can never finish (runner::close, close_asyncgens). A stop() only pauses it.
    template <class Done>
    static void run_until(event_loop& l, Done done)
    {
        auto& ioc = l.get_io_context();
        ioc.restart();
        while (!done()) {
            if (ioc.run_one() == 0) {
                if (ioc.stopped() && !stop_requested(l))
                    break;
                clear_stop(l);
                ioc.restart();
            }
        }
    }
    // Whether the loop has a user-level handler (add_signal_handler) for `signum`.
    static bool has_signal_handler(const event_loop& l, int signum) noexcept;
    // A watch of `signum` by a part of the library (child processes will watch SIGCHLD):
    // runs `f` on each arrival beside the user's handler, which neither replaces it nor is
    // replaced by it. Returns the id that unwatch_signal takes.
    static std::uint64_t watch_signal(event_loop& l, int signum, std::function<void()> f);
    static bool unwatch_signal(event_loop& l, int signum, std::uint64_t id) noexcept;
    static task<void> task_handle(task_base* t);
    static std::uint64_t register_task(event_loop& l, task_base& t);
    static void schedule_timer(event_loop& l, clock::time_point when, timer_node* n)
    {
        l.schedule_timer(when, n);
    }
    static void cancel_timer(event_loop& l, timer_node* n) noexcept { l.cancel_timer(n); }
    // Async generators (generator.cpp): the list, shutdown_asyncgens() driven to its end
    // (runner::close), and dropping them all when the loop shuts down.
    static generator_core*& asyncgens(event_loop& l) noexcept { return l.asyncgens_; }
    // The primitives and queues bound to the loop (sync_waiter.hpp): their waiters are
    // freed, unrun, when the loop shuts down.
    static sync_object*& primitives(event_loop& l) noexcept { return l.primitives_; }
    static void close_asyncgens(event_loop& l);
    static void drop_asyncgens(event_loop& l) noexcept;
    static std::atomic<long>& task_work(event_loop& l) noexcept { return l.task_work_; }
};

// Marks the loop as driven (is_running() is true) for a scope: runner and test runner.
class drive_scope
{
public:
    explicit drive_scope(event_loop& l) noexcept
        : loop_(l)
    {
        loop_access::begin_drive(loop_);
    }
    ~drive_scope() { loop_access::end_drive(loop_); }
    drive_scope(const drive_scope&) = delete;
    drive_scope& operator=(const drive_scope&) = delete;

private:
    event_loop& loop_;
};
} // namespace detail

} // namespace boost::tulip

// In this order: the definitions first, then the handles that use them.
#include <boost/tulip/impl/event_loop.hpp>

#include <boost/tulip/future.hpp>

#include <boost/tulip/task.hpp>

#endif
