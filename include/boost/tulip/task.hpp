//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_TASK_HPP
#define BOOST_TULIP_TASK_HPP

#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/detail/awaitable_traits.hpp>
#include <boost/tulip/detail/handle_base.hpp>
#include <boost/tulip/detail/handler_loop.hpp>
#include <boost/tulip/detail/task_base.hpp>
#include <boost/tulip/detail/task_executor.hpp>
#include <boost/tulip/detail/task_thread.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/blocking.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/require.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <boost/assert/source_location.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace boost::tulip {

template <class T>
using awaitable = boost::asio::awaitable<T>;

struct task_options;
template <class T>
class task;
namespace detail {
template <class T, class Inner>
task<T> spawn_task_on(event_loop& loop, const Inner& inner, awaitable<T> coro, task_options opts,
                      const boost::source_location& where);
// A handle of `t` (a live task of this thread's loop), for the library's own code.
task<> task_handle(task_base* t) noexcept;
} // namespace detail

// tag::outline[]
/// Refers to a context for `task_options::ctx`: a context, a pointer to one (null for
/// none) or an optional one. It does not own it.
class context_ref
{
public:
    context_ref() noexcept = default;
    context_ref(const context& c) noexcept
        : p_(&c)
    {}
    context_ref(const context* c) noexcept
        : p_(c)
    {}
    context_ref(const std::optional<context>& c) noexcept
        : p_(c ? &*c : nullptr)
    {}
    context_ref(std::nullopt_t) noexcept {}

    explicit operator bool() const noexcept { return p_ != nullptr; }
    const context& operator*() const noexcept { return *p_; }
    const context* get() const noexcept { return p_; }

private:
    const context* p_ = nullptr;
};

/** A task name stored inline, so that `task_options` owns it and stays trivially
    copyable. Every task name (this one and `task::set_name`'s) follows one rule: at most
    `capacity` bytes; a longer name is cut to its first `capacity` bytes, and further back
    to the start of a UTF-8 character rather than split one. */
class task_name
{
public:
    static constexpr std::size_t capacity = detail::task_name_capacity;

    task_name() noexcept = default;
    task_name(std::string_view s) noexcept
        : size_(static_cast<unsigned char>(detail::task_name_length(s)))
    {
        std::char_traits<char>::copy(data_, s.data(), size_);
    }
    task_name(const std::string& s) noexcept
        : task_name(std::string_view(s))
    {}
    task_name(const char* s) noexcept
        : task_name(std::string_view(s))
    {}

    std::string_view view() const noexcept { return {data_, size_}; }
    operator std::string_view() const noexcept { return view(); }
    bool empty() const noexcept { return size_ == 0; }

private:
    char data_[capacity] = {};
    unsigned char size_ = 0;
};

/** Options of `create_task`. `ctx` is read during the call only (so
    `{.ctx = copy_context()}` is fine); `name` is held by value.

    Deliberately trivially copyable: g++ 12 destroys an aggregate temporary twice when it
    appears in a full-expression that also contains a `co_await`, as in
    `create_task(work(co_await next()), {.name = n})`; with no destructor, nothing breaks.
*/
struct task_options
{
    /// The task's name; empty gives "Task-N".
    task_name name{};
    /// The context to run in (copied); by default a copy of the creator's current context.
    context_ref ctx{};
    /// Run the body at once, up to its first suspension (asyncio 3.12 eager tasks).
    bool eager = false;
};

static_assert(std::is_trivially_copyable_v<task_options>);

/** A scheduled coroutine with a handle (asyncio.Task).

    Copies of a handle refer to one task. The loop owns every unfinished task: dropping
    the last handle neither cancels nor destroys it. `task<>` (`any_task`) is the
    type-erased handle every `task<T>` converts to. A handle belongs to its loop's thread.
*/
// (`T` defaults to `void`: see the declaration in event_loop.hpp.)
template <class T>
class task : public detail::handle_base<T, detail::task_state<T>, task<T>>
{
public:
    /// An empty handle (`current_task()` outside a task).
    task() noexcept = default;

    /// Any task, as `task<>` (whose `result()` and `wait()` give no value).
    template <class U>
    task(const task<U>& other) noexcept requires(std::is_void_v<T> && !std::is_void_v<U>)
        : base(other.st_)
    {}

    /** Requests cancellation: the operation the coroutine is suspended in (or the next
        one it starts) completes with `operation_aborted`, which surfaces as an exception
        for which `is_cancellation()` is true; once. Awaiters of a task that ends
        cancelled get `cancelled_error(msg)`. Returns false if the task is done. */
    bool cancel(std::string msg = {}) { return tb().cancel(std::move(msg)); }
    /// The number of cancellation requests not undone by `uncancel()`.
    int cancelling() const noexcept { return tb().cancelling(); }
    /// Undoes one cancellation request; returns the remaining count.
    int uncancel() noexcept { return tb().uncancel(); }

    /// The task's name: the one given, else "Task-N".
    std::string get_name() const { return tb().name(); }
    /// Renames the task; a name longer than `task_name::capacity` bytes is cut as
    /// `task_name` cuts it.
    void set_name(std::string_view name) { tb().set_name(name); }
    /** A copy of the task's context as it is now (O(1); asyncio `Task.get_context()`).
        A snapshot: `context_var::set` calls made in it, or through `run` on it, change
        the copy only; the task's own context is changed by the task alone. */
    context get_context() const noexcept { return tb().ctx; }
    /// Where the task was created.
    const boost::source_location& created_at() const noexcept { return tb().created_at(); }
    // end::outline[]

private:
    using base = detail::handle_base<T, detail::task_state<T>, task<T>>;
    friend base;
    template <class>
    friend class task;
    template <class U, class Inner>
    friend task<U> detail::spawn_task_on(event_loop&, const Inner&, awaitable<U>, task_options,
                                         const boost::source_location&);
    friend task<> current_task() noexcept;
    friend std::vector<task<>> all_tasks(event_loop&);
    friend task<> detail::task_handle(detail::task_base*) noexcept;

    explicit task(boost::intrusive_ptr<detail::future_base> st) noexcept
        : base(std::move(st))
    {}
    detail::task_base& tb() const noexcept { return static_cast<detail::task_base&>(*this->st_); }
    // tag::outline[]
};

/// The type-erased task handle.
using any_task = task<>;

/// Whether two handles refer to the same task, whatever their value types (a `task<int>`
/// and the `any_task` made from it are equal).
template <class A, class B>
bool operator==(const task<A>& a, const task<B>& b) noexcept
{
    return a.get_state() == b.get_state();
}

/** Schedules `coro` as a task on the running loop (asyncio `create_task`): the current
    task's or loop callback's, else, in plain Asio code, the loop attached to the
    io_context this thread runs.
    @throws no_running_loop if there is none. */
template <class T>
task<T> create_task(awaitable<T> coro, task_options opts = {},
                    const boost::source_location& where = BOOST_CURRENT_LOCATION);

/** Schedules `coro` as a task on the loop of `ex`'s io_context (attached on first use),
    from plain Asio code on the loop's thread, or before the io_context runs. Every step
    of the task runs through `ex`: an io_context executor, a strand of one, or an
    `any_io_executor` holding either; another task's executor stands for the executor it
    wraps. @throws std::invalid_argument if `ex` does not belong to an io_context. */
template <detail::executor_like Executor, class T>
task<T> create_task(const Executor& ex, awaitable<T> coro, task_options opts = {},
                    const boost::source_location& where = BOOST_CURRENT_LOCATION);

/// `create_task(ioc.get_executor(), coro, opts)`.
template <class T>
task<T> create_task(boost::asio::io_context& ioc, awaitable<T> coro, task_options opts = {},
                    const boost::source_location& where = BOOST_CURRENT_LOCATION);

/// The running task, or an empty handle outside a task.
any_task current_task() noexcept;

/// The running loop's unfinished tasks.
std::vector<any_task> all_tasks();
/// The unfinished tasks of `loop` (asyncio `all_tasks(loop)`).
std::vector<any_task> all_tasks(event_loop& loop);

/** `create_task` of an asynchronous operation with its completion token still to give
    (an rvalue, such as `tulip::sleep(1s)`, `ev.wait()` or
    `timer.async_wait(asio::deferred)`): the task awaits it, and its `T` is what
    `co_await` on the operation gives (an `error_code` is thrown as
    `boost::system::system_error`). The operation starts when the task first runs. */
template <detail::async_operation Op>
task<detail::operation_value_t<Op>>
create_task(Op&& op, task_options opts = {},
            const boost::source_location& where = BOOST_CURRENT_LOCATION);

/// `create_task(ex, coro)` of an asynchronous operation.
template <detail::executor_like Executor, detail::async_operation Op>
task<detail::operation_value_t<Op>>
create_task(const Executor& ex, Op&& op, task_options opts = {},
            const boost::source_location& where = BOOST_CURRENT_LOCATION);

/// `create_task(ioc, coro)` of an asynchronous operation.
template <detail::async_operation Op>
task<detail::operation_value_t<Op>>
create_task(boost::asio::io_context& ioc, Op&& op, task_options opts = {},
            const boost::source_location& where = BOOST_CURRENT_LOCATION);
// end::outline[]

namespace detail {

// What a task's bottom frame holds for the task, in one object: a reference to it, and the
// task counted as outstanding work of its io_context (through `Inner`, the executor the
// task's steps run on) and, for the test runner, in the loop's count of work from tasks, as the
// task's own tracked executor would count it. So io_context::run() does not return while
// a task waits (on a Tulip event, say). On an io_context's own executor (nearly every
// task) the work is counted through the loop, with no executor kept: the bottom frame is
// in every task, and this makes it one size class smaller. Both counts end when the frame
// goes, unless the loop has gone first (with its count and its io_context's scheduler).
template <class Inner>
class task_hold
{
    using work_type = std::decay_t<decltype(boost::asio::prefer(
        std::declval<const Inner&>(), boost::asio::execution::outstanding_work.tracked))>;
#if defined(BOOST_ASIO_NO_TS_EXECUTORS)
    static constexpr bool through_loop = false;
#else
    static constexpr bool through_loop = tracks_work<work_type>();
#endif

    struct none
    {};

    static auto make_work(const Inner& inner) noexcept
    {
        if constexpr (through_loop)
            return none{};
        else
            return boost::asio::prefer(inner, boost::asio::execution::outstanding_work.tracked);
    }

public:
    task_hold(boost::intrusive_ptr<task_base> t, const Inner& inner) noexcept
        : keep_(std::move(t))
        , work_(make_work(inner))
    {
        if constexpr (through_loop) {
            if (event_loop* l = keep_->loop_if_open()) {
                inner.on_work_started();
                loop_tasks(*l).work().fetch_add(1, std::memory_order_relaxed);
            }
        }
    }
    task_hold(task_hold&& o) noexcept = default;
    task_hold& operator=(task_hold&&) = delete;
    ~task_hold()
    {
        if constexpr (through_loop) {
            if (keep_) {
                if (event_loop* l = keep_->loop_if_open()) {
                    loop_tasks(*l).work().fetch_sub(1, std::memory_order_relaxed);
                    l->get_io_context().get_executor().on_work_finished();
                }
            }
        }
    }

    task_base* operator->() const noexcept
    {
        return keep_.get();
    }
    task_base& operator*() const noexcept
    {
        return *keep_;
    }

private:
    boost::intrusive_ptr<task_base> keep_;
    [[no_unique_address]] std::conditional_t<through_loop, none, work_type> work_;
};

// The bottom frame of a task's coroutine thread: runs the body, stores its outcome,
// finishes the task and wakes its awaiters (on a later iteration, as asyncio schedules
// them). When it returns, the thread frees its frames at once: an eager task that never
// suspends is done, and freed, when create_task returns (asyncio 3.12).
template <class T, class Inner>
thread_entry<typename awaitable<T>::executor_type> run_task(task_hold<Inner> t, awaitable<T> body)
{
    // Only what lives across the suspension is in this frame (every task has one): no
    // exception_ptr, since the outcome is passed on where it is known.
    if (t->cancel_pending()) {
        // Cancelled before its first step: the body never runs.
        t->finish_and_wake(t->take_pending_cancel());
        co_return;
    }
    try {
        if constexpr (std::is_void_v<T>)
            co_await std::move(body);
        else
            static_cast<task_state<T>&>(*t).value.emplace(co_await std::move(body));
    } catch (...) {
        t->finish_and_wake(std::current_exception());
        co_return;
    }
    t->finish_and_wake(nullptr);
}

// A task's first step: connects the task's cancellation signal to the thread it
// launches. Run through the task's executor, which makes the task current.
template <class T, class Executor>
struct task_launch
{
    boost::intrusive_ptr<task_base> st;
    awaitable<T> body;
    Executor ex;

    void operator()()
    {
        using thread_executor = typename awaitable<T>::executor_type;
        task_base& t = *st;
        auto slot = t.attach_cancellation();
        using inner_type = std::decay_t<decltype(ex.inner())>;
        launch_thread(
            run_task<T>(task_hold<inner_type>(std::move(st), ex.inner()), std::move(body)),
            thread_executor(ex), slot, t.cancellation_state());
    }
};

// Runs the task's first step on `ex` (the task's executor): now if `eager` and `ex`
// allows it (on the loop's thread), else on a later iteration.
template <class T, class Executor>
void start_task(task_state<T>* st, awaitable<T> coro, const Executor& ex, bool eager)
{
    task_launch<T, Executor> launch{boost::intrusive_ptr<task_base>(st), std::move(coro), ex};
    if (eager)
        ex.execute(std::move(launch));
    else
        boost::asio::require(ex, boost::asio::execution::blocking.never).execute(std::move(launch));
}

// Creates a task on `loop` whose steps run through `inner` (the loop's executor, or a
// strand or other executor of the loop's io_context).
template <class T, class Inner>
task<T> spawn_task_on(event_loop& loop, const Inner& inner, awaitable<T> coro, task_options opts,
                      const boost::source_location& where)
{
    if (loop.is_closed())
        throw invalid_state_error("create_task: the event loop is closed");
    context ctx = opts.ctx ? *opts.ctx : copy_context();
    auto* st = new detail::task_state<T>(loop, std::move(ctx), opts.name.view(), where);
    boost::intrusive_ptr<detail::future_base> ref(st);
    detail::loop_tasks(loop).add(*st);
    // A lazy task is its state and the body's frame until its first step (asyncio).
    start_task(st, std::move(coro), basic_task_executor<Inner>(inner, st), opts.eager);
    return task<T>(std::move(ref));
}

template <class T>
task<T> spawn_task(event_loop& loop, awaitable<T> coro, task_options opts,
                   const boost::source_location& where)
{
    return spawn_task_on(loop, loop.get_executor(), std::move(coro), opts, where);
}

// What a task created on `ex` runs its steps through: the io_context's own executor when
// `ex` is (or holds) one, else `ex` as an any_io_executor (a strand, say). Another task's
// executor stands for the executor it wraps: tasks do not nest.
template <class Executor, class F>
decltype(auto) with_step_executor(const Executor& ex, F&& f)
{
    using ioc_executor = boost::asio::io_context::executor_type;
    if constexpr (is_io_context_executor<Executor>::value) {
        return f(ex.context().get_executor());
    } else if constexpr (is_task_executor<Executor>::value) {
        return with_step_executor(ex.inner(), static_cast<F&&>(f));
    } else if constexpr (std::is_same_v<Executor, boost::asio::any_io_executor>) {
        if (auto* e = ex.template target<ioc_executor>())
            return f(*e);
        if (auto* e = ex.template target<task_executor>())
            return f(e->inner());
        if (auto* e = ex.template target<any_task_executor>())
            return with_step_executor(e->inner(), static_cast<F&&>(f));
        return f(ex);
    } else {
        return f(boost::asio::any_io_executor(ex));
    }
}

// For an operation that acts on the task it is awaited in (a timeout, a task group), when
// `task_of_executor(ex)` found none: the awaiting coroutine is a plain Asio one. Runs `op`
// as an eager task of its own, on that coroutine's executor `ex` and in an empty context,
// and awaits it: the coroutine's cancellation slot cancels that task.
template <class T>
awaitable<T> in_own_task(const boost::asio::any_io_executor& ex, awaitable<T> op, const char* what)
{
    event_loop* loop = loop_of_executor(ex);
    if (!loop)
        throw invalid_state_error(std::string(what) +
                                  ": awaited in a coroutine whose executor does not belong to "
                                  "an io_context; run it as a task with "
                                  "tulip::create_task(ioc, ...)");
    const context empty;
    task<T> t = with_step_executor(ex, [&](const auto& inner) {
        return spawn_task_on(*loop, inner, std::move(op),
                             task_options{.name = what, .ctx = &empty, .eager = true},
                             BOOST_CURRENT_LOCATION);
    });
    co_return co_await t.wait();
}

} // namespace detail

template <class T>
task<T> create_task(awaitable<T> coro, task_options opts, const boost::source_location& where)
{
    return detail::spawn_task(get_running_loop(), std::move(coro), opts, where);
}

template <detail::executor_like Executor, class T>
task<T> create_task(const Executor& ex, awaitable<T> coro, task_options opts,
                    const boost::source_location& where)
{
    event_loop* loop = detail::loop_of_executor(ex);
    if (!loop)
        throw std::invalid_argument("create_task: the executor does not belong to an io_context");
    return detail::with_step_executor(ex, [&](const auto& inner) {
        return detail::spawn_task_on(*loop, inner, std::move(coro), opts, where);
    });
}

template <class T>
task<T> create_task(boost::asio::io_context& ioc, awaitable<T> coro, task_options opts,
                    const boost::source_location& where)
{
    return detail::spawn_task(get_event_loop(ioc), std::move(coro), opts, where);
}

template <detail::async_operation Op>
task<detail::operation_value_t<Op>> create_task(Op&& op, task_options opts,
                                                const boost::source_location& where)
{
    return create_task(detail::as_awaitable(std::move(op)), opts, where);
}

template <detail::executor_like Executor, detail::async_operation Op>
task<detail::operation_value_t<Op>> create_task(const Executor& ex, Op&& op, task_options opts,
                                                const boost::source_location& where)
{
    return create_task(ex, detail::as_awaitable(std::move(op)), opts, where);
}

template <detail::async_operation Op>
task<detail::operation_value_t<Op>> create_task(boost::asio::io_context& ioc, Op&& op,
                                                task_options opts,
                                                const boost::source_location& where)
{
    return create_task(ioc, detail::as_awaitable(std::move(op)), opts, where);
}

} // namespace boost::tulip

#endif
