//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_THREADS_HPP
#define BOOST_TULIP_THREADS_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/tulip/context.hpp>
#include <boost/tulip/detail/thread_bridge.hpp>
#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/is_executor.hpp>

#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

namespace boost::tulip {

namespace detail {
template <class T>
class concurrent_state;
} // namespace detail

// tag::outline[]
/// What `to_thread(f, args...)` returns: `f`'s result for the decayed arguments.
template <class F, class... Args>
using thread_result_t = std::invoke_result_t<std::decay_t<F>&, std::decay_t<Args>&...>;

/// An Asio executor: what `run_in_executor` accepts (a `thread_pool`'s, a `strand`, ...).
template <class E>
concept executor = boost::asio::execution::executor<E> || boost::asio::is_executor<E>::value;

/** Runs `f(args...)` on the loop's default executor and awaits its result (asyncio
    `to_thread`).

    `f` and `args` are decay-copied (moved from rvalues) into the job, which calls them as
    lvalues on a thread of the default executor (`event_loop::default_executor()`), in
    a copy of the caller's context: context variables set before the call are visible in
    `f` (and what `f` sets stays in its copy). `f` has no running loop: it calls back into
    the loop with `call_soon_threadsafe` or `run_coroutine_threadsafe`. The result (or
    the exception `f` throws) comes back to the awaiting task on the loop's thread.

    @par Cancellation
    A thread cannot be interrupted: cancelling the awaiting task does not stop `f`. The
    cancellation is delivered at once (the task resumes with `cancelled_error`, it does not
    wait for `f`) and `f`'s result, when it comes, is dropped. `f`, its arguments and its
    result are destroyed on `f`'s thread or the loop's, whichever lets go last.

    @throws invalid_state_error if the default executor was shut down
            (`shutdown_default_executor`) or the loop is closed; a job the executor drops
            unrun (a stopped pool) fails with `invalid_state_error` too.
    @throws whatever `f` throws.
*/
template <class F, class... Args>
    requires std::invocable < std::decay_t<F>
&, std::decay_t<Args>&... > [[nodiscard]] boost::asio::awaitable<thread_result_t<F, Args...>>
                            to_thread(F&& f, Args&&... args);

/** Runs `f()` on `ex` (any Asio executor: a `thread_pool`'s, a `strand`, an
    `io_context`'s) and awaits its result (asyncio `loop.run_in_executor`).

    Unlike asyncio's, it carries the caller's context into `f`, as `to_thread` does
    (cpython#78195). Cancellation, lifetimes and errors are those of `to_thread`. `ex` and
    the context it belongs to must outlive the call.
*/
template <executor Executor, class F>
    requires std::invocable < std::decay_t<F>
& > [[nodiscard]] boost::asio::awaitable<std::invoke_result_t<std::decay_t<F>&>>
    run_in_executor(const Executor& ex, F&& f);

/// `run_in_executor` on the loop's default executor (asyncio passes `None`): `to_thread(f)`.
template <class F>
    requires std::invocable < std::decay_t<F>
& > [[nodiscard]] boost::asio::awaitable<std::invoke_result_t<std::decay_t<F>&>>
    run_in_executor(std::nullptr_t, F&& f);

/** `run_in_executor` as a universal Asio operation, for completion tokens other than
    `co_await` (callbacks, `asio::use_future`, `asio::deferred`, parallel groups).

    @par Completion Signature
    `void(std::exception_ptr, R)` (`void(std::exception_ptr)` if `R` is void), `R` being
    `f`'s result: the exception `f` threw (or a `cancelled_error`), else the result (a
    default-constructed `R` with an exception).

    @par Per-Operation Cancellation
    `terminal`, `partial` and `total`: the operation completes at once with a
    `cancelled_error`; `f` runs on, and its result is dropped.

    Started on the loop's thread (a task, a loop callback, or a handler of the loop's
    io_context). `ex = nullptr` means the default executor.
*/
template <class Executor, class F,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(
              detail::job_signature<std::invoke_result_t<std::decay_t<F>&>>) CompletionToken =
              boost::asio::deferred_t>
    requires(std::invocable<std::decay_t<F>&> &&
             (executor<Executor> || std::is_null_pointer_v<Executor>))
auto async_run_in_executor(const Executor& ex, F&& f, CompletionToken&& token = {});

/** The result of a coroutine run on a loop, for another thread
    (`run_coroutine_threadsafe`; asyncio returns a `concurrent.futures.Future`).

    Every member may be called from any thread; copies share one state. Done callbacks run
    on the loop's thread.
*/
template <class T = void>
class concurrent_future
{
public:
    /// An empty handle (`valid()` is false).
    concurrent_future() noexcept = default;

    /** Blocks until the coroutine is done, then returns its result or rethrows its
        exception. For a move-only `T` the result can be taken once.
        @throws cancelled_error if `cancel()` cancelled it or the task was cancelled.
        @throws invalid_state_error if called on the loop's own thread while pending (it
                would wait forever: the loop cannot run while its thread blocks), if the
                loop stopped or closed before the coroutine finished, or if a move-only
                result was already taken.
        @throws what the coroutine threw. */
    T get();

    /** Blocks for at most `d` until done; returns `done()`.
        @throws invalid_state_error on the loop's own thread while pending. */
    bool wait_for(duration d) const;

    /// Whether it is done (a result, an exception, or cancelled). Never blocks.
    bool done() const;
    /// Whether it was cancelled.
    bool cancelled() const;

    /** Cancels it: if still pending, it becomes done and cancelled at once, and the task
        running the coroutine is cancelled on its loop, where it really stops (at its next
        suspension point; cpython#105836). Returns false if it was already done. */
    bool cancel();

    /** Calls `f(concurrent_future<T>&)` on the loop's thread once done (at once, through
        the loop, if already done). If the loop is closed by then, `f` runs on the thread
        that completes the future or adds the callback. Exceptions from `f` go to the
        loop's exception handler (or are dropped once it is closed). */
    template <class F>
    void add_done_callback(F f);

    /// Whether it refers to a coroutine.
    bool valid() const noexcept { return st_ != nullptr; }
    // end::outline[]

private:
    template <class U>
    friend concurrent_future<U> run_coroutine_threadsafe(boost::asio::awaitable<U>, event_loop&);
    using state = detail::concurrent_state<T>;
    explicit concurrent_future(std::shared_ptr<state> st) noexcept
        : st_(std::move(st))
    {}
    friend state;
    std::shared_ptr<state> st_;
    // tag::outline[]
};

/** Submits `coro` to `loop` from any thread and returns a future for its result
    (asyncio `run_coroutine_threadsafe`).

    The coroutine runs as a task of `loop`, started by `call_soon_threadsafe` (so in a
    copy of the calling thread's context). If the loop stops (`event_loop::stop`, which
    makes `runner::run` return) or closes before the coroutine finished (or started), the
    future fails with `invalid_state_error` saying so, and a task left behind by a stop is
    cancelled: the other thread never waits forever (zigpy/bellows#745).
    @throws invalid_state_error if `loop` is closed. `loop` itself must still exist.
*/
template <class T>
concurrent_future<T> run_coroutine_threadsafe(boost::asio::awaitable<T> coro, event_loop& loop);
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/threads.hpp>

#endif
