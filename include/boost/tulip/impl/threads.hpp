//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_THREADS_HPP
#define BOOST_TULIP_IMPL_THREADS_HPP

#include <boost/tulip/detail/suspended_op.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <optional>
#include <tuple>
#include <typeinfo>
#include <utility>

namespace boost::tulip::detail {

inline constexpr await_desc awaiting_thread_job{"to_thread / run_in_executor"};

// What runs on the job's thread: the callable, in the caller's context. Destroyed unrun
// (an executor that dropped it), it fails the job, so its awaiter never waits forever.
template <class T, class Fn>
class job_runner
{
public:
    job_runner(boost::intrusive_ptr<offloaded_job_of<T>> job, std::shared_ptr<thread_gate> gate,
               Fn fn, context ctx) noexcept(std::is_nothrow_move_constructible_v<Fn>)
        : job_(std::move(job))
        , gate_(std::move(gate))
        , fn_(std::move(fn))
        , ctx_(std::move(ctx))
    {}
    job_runner(job_runner&&) = default;
    job_runner& operator=(job_runner&&) = delete;

    ~job_runner()
    {
        if (job_) {
            job_->error = std::make_exception_ptr(
                invalid_state_error("the executor dropped the job before running it"));
            hand_back();
        }
    }

    void operator()()
    {
        gate_->started(job_.get());
        try {
            if constexpr (std::is_void_v<T>) {
                ctx_.run(fn_);
                job_->value.emplace();
            } else {
                job_->value.emplace(ctx_.run(fn_));
            }
        } catch (...) {
            job_->error = std::current_exception();
        }
        hand_back();
    }

private:
    void hand_back() noexcept
    {
        auto job = std::move(job_);
        auto gate = std::move(gate_);
        gate->finish(job.get());
    }

    boost::intrusive_ptr<offloaded_job_of<T>> job_;
    std::shared_ptr<thread_gate> gate_;
    Fn fn_;
    context ctx_;
};

// The loop's side of a job: a suspended operation's node. Its work guard keeps the loop's
// io_context from running out of work while the job is away (io_context::run, the test
// runner).
struct job_waiter : job_waiter_base
{
    job_waiter(boost::intrusive_ptr<offloaded_job> j, task_base* a,
               boost::asio::io_context::executor_type ex) noexcept
        : job_waiter_base(std::move(j))
        , awaiter(a)
        , work(std::move(ex))
    {}

    task_base* awaiter;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;

    // The thread cannot be stopped: stop waiting for it, at once; its outcome is dropped.
    template <class Op>
    void on_cancel(Op& op)
    {
        loop_threads(op.loop()).remove_waiter(this);
        job->waiter = nullptr;
        op.complete(boost::asio::error::operation_aborted, delivery::posted);
    }
};

// The outcome handed to the handler: `void(std::exception_ptr, V)` (`V` is `T`, or
// `std::optional<T>` for the awaitable forms, which need no default `T`), or
// `void(std::exception_ptr)` for a void job.
template <class T, bool Optional>
struct job_completion
{
    std::exception_ptr e;
    std::optional<T> value;

    static job_completion failed(std::exception_ptr e) noexcept { return {std::move(e), {}}; }

    static job_completion make(job_waiter& w, boost::system::error_code ec) noexcept
    {
        if (ec)
            return failed(interrupted_wait(w.awaiter));
        auto& j = static_cast<offloaded_job_of<T>&>(*w.job);
        if (j.error)
            return failed(j.error);
        try {
            return {nullptr, std::move(j.value)};
        } catch (...) {
            return failed(std::current_exception());
        }
    }

    template <class Handler>
    void operator()(Handler&& h)
    {
        if constexpr (Optional)
            static_cast<Handler&&>(h)(e, std::move(value));
        else if (value)
            static_cast<Handler&&>(h)(e, std::move(*value));
        else
            static_cast<Handler&&>(h)(e, T{});
    }
};

template <bool Optional>
struct job_completion<void, Optional>
{
    std::exception_ptr e;

    static job_completion failed(std::exception_ptr e) noexcept { return {std::move(e)}; }

    static job_completion make(job_waiter& w, boost::system::error_code ec) noexcept
    {
        if (ec)
            return failed(interrupted_wait(w.awaiter));
        return {static_cast<offloaded_job&>(*w.job).error};
    }

    template <class Handler>
    void operator()(Handler&& h)
    {
        static_cast<Handler&&>(h)(e);
    }
};

// Where a job goes: the loop's default executor, or an executor of the caller's.
struct default_target
{
    static constexpr bool on_default = true;
    boost::asio::thread_pool* pool = nullptr;
    std::optional<boost::asio::any_io_executor> other;

    // Throws invalid_state_error once the default executor is shut down.
    void resolve(event_loop& loop)
    {
        thread_bridge& b = loop_threads(loop);
        pool = b.own_pool();
        if (!pool)
            other.emplace(b.default_executor());
    }

    template <class Runner>
    void submit(Runner&& r)
    {
        if (pool)
            boost::asio::post(pool->get_executor(), static_cast<Runner&&>(r));
        else
            boost::asio::post(*other, static_cast<Runner&&>(r));
    }
};

template <class Executor>
struct executor_target
{
    static constexpr bool on_default = false;
    Executor ex;

    void resolve(event_loop&) noexcept {}

    template <class Runner>
    void submit(Runner&& r)
    {
        boost::asio::post(ex, static_cast<Runner&&>(r));
    }
};

template <class T, class Completion>
struct initiate_job
{
    template <class Handler, class Target, class Fn>
    void operator()(Handler&& handler, Target target, Fn fn, const char* what) const
    {
        using handler_type = std::decay_t<Handler>;
        event_loop& loop = loop_for_handler(handler);
        handler_type h(static_cast<Handler&&>(handler));
        try {
            if (loop.is_closed())
                throw invalid_state_error("to_thread: the event loop is closed");
            target.resolve(loop);
        } catch (...) {
            deliver(loop, std::move(h), Completion::failed(std::current_exception()),
                    delivery::posted);
            return;
        }
        boost::intrusive_ptr<offloaded_job_of<T>> job(new offloaded_job_of<T>);
        job->loop = &loop;
        thread_bridge& threads = loop_threads(loop);
        auto* op = new suspended_op<handler_type, job_waiter, Completion>(
            loop, std::move(h), job, awaiting_task(), loop.get_executor());
        job->waiter = op;
        threads.add_waiter(op);
        op->arm(awaiting_thread_job);
        threads.gate()->enter(job.get(), what, Target::on_default);
        job_runner<T, Fn> runner(std::move(job), threads.gate(), std::move(fn), copy_context());
        try {
            target.submit(std::move(runner));
        } catch (...) {
            // The runner, destroyed unrun (here or inside the executor), failed the job:
            // its awaiter receives the error.
        }
    }
};

// The awaitable forms: the outcome travels as `(exception_ptr, optional<T>)` through a
// deferred operation (the one shape Asio 1.26 awaits for every T, DESIGN sec. 8).
template <class T, class Target, class Fn>
boost::asio::awaitable<T> await_job(Target target, Fn fn, const char* what)
{
    static_assert(!std::is_reference_v<T>, "to_thread: the function must return a value");
    using completion = job_completion<T, true>;
    if constexpr (std::is_void_v<T>) {
        auto op =
            boost::asio::async_initiate<const boost::asio::as_tuple_t<boost::asio::deferred_t>&,
                                        void(std::exception_ptr)>(
                initiate_job<T, completion>{}, boost::asio::as_tuple(boost::asio::deferred),
                std::move(target), std::move(fn), what);
        auto [e] = co_await std::move(op);
        if (e)
            std::rethrow_exception(e);
    } else {
        auto op =
            boost::asio::async_initiate<const boost::asio::as_tuple_t<boost::asio::deferred_t>&,
                                        void(std::exception_ptr, std::optional<T>)>(
                initiate_job<T, completion>{}, boost::asio::as_tuple(boost::asio::deferred),
                std::move(target), std::move(fn), what);
        auto [e, v] = co_await std::move(op);
        if (e)
            std::rethrow_exception(e);
        co_return std::move(*v);
    }
}

// `f(args...)` as one callable owning decayed copies, called as lvalues.
template <class F, class... Args>
auto bind_job(F&& f, Args&&... args)
{
    return [f = std::decay_t<F>(static_cast<F&&>(f)),
            args = std::tuple<std::decay_t<Args>...>(static_cast<Args&&>(
                args)...)]() mutable -> thread_result_t<F, Args...> { return std::apply(f, args); };
}

} // namespace boost::tulip::detail

namespace boost::tulip {

template <class F, class... Args>
    requires std::invocable < std::decay_t<F>
&, std::decay_t<Args>&... >
       boost::asio::awaitable<thread_result_t<F, Args...>> to_thread(F&& f, Args&&... args)
{
    return detail::await_job<thread_result_t<F, Args...>>(
        detail::default_target{},
        detail::bind_job(static_cast<F&&>(f), static_cast<Args&&>(args)...),
        typeid(std::decay_t<F>).name());
}

template <executor Executor, class F>
    requires std::invocable < std::decay_t<F>
& > boost::asio::awaitable<std::invoke_result_t<std::decay_t<F>&>>
    run_in_executor(const Executor& ex, F&& f)
{
    return detail::await_job<std::invoke_result_t<std::decay_t<F>&>>(
        detail::executor_target<Executor>{ex}, std::decay_t<F>(static_cast<F&&>(f)),
        typeid(std::decay_t<F>).name());
}

template <class F>
    requires std::invocable < std::decay_t<F>
& > boost::asio::awaitable<std::invoke_result_t<std::decay_t<F>&>> run_in_executor(std::nullptr_t,
                                                                                   F&& f)
{
    return detail::await_job<std::invoke_result_t<std::decay_t<F>&>>(
        detail::default_target{}, std::decay_t<F>(static_cast<F&&>(f)),
        typeid(std::decay_t<F>).name());
}

template <class Executor, class F,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(
              detail::job_signature<std::invoke_result_t<std::decay_t<F>&>>) CompletionToken>
    requires(std::invocable<std::decay_t<F>&> &&
             (executor<Executor> || std::is_null_pointer_v<Executor>))
auto async_run_in_executor(const Executor& ex, F&& f, CompletionToken&& token)
{
    using result = std::invoke_result_t<std::decay_t<F>&>;
    static_assert(!std::is_reference_v<result>, "run_in_executor: f must return a value");
    using completion = detail::job_completion<result, false>;
    using fn_type = std::decay_t<F>;
    if constexpr (std::is_null_pointer_v<Executor>)
        return boost::asio::async_initiate<CompletionToken, detail::job_signature<result>>(
            detail::initiate_job<result, completion>{}, token, detail::default_target{},
            fn_type(static_cast<F&&>(f)), typeid(fn_type).name());
    else
        return boost::asio::async_initiate<CompletionToken, detail::job_signature<result>>(
            detail::initiate_job<result, completion>{}, token,
            detail::executor_target<Executor>{ex}, fn_type(static_cast<F&&>(f)),
            typeid(fn_type).name());
}

} // namespace boost::tulip

// --- run_coroutine_threadsafe --------------------------------------------------------------

namespace boost::tulip::detail {

// The state a concurrent_future shares with the loop: the outcome under a mutex, a
// condition variable for blocked threads, and the done callbacks.
template <class T>
class concurrent_state
    : public threadsafe_call
    , public std::enable_shared_from_this<concurrent_state<T>>
{
public:
    using value_type = std::conditional_t<std::is_void_v<T>, no_value, T>;

    struct callback_base
    {
        virtual ~callback_base() = default;
        virtual void call(concurrent_future<T>& f) = 0;
    };
    template <class F>
    struct callback : callback_base
    {
        F f;
        explicit callback(F fn)
            : f(std::move(fn))
        {}
        void call(concurrent_future<T>& fut) override { f(fut); }
    };
    using callbacks = std::vector<std::unique_ptr<callback_base>>;

    explicit concurrent_state(event_loop& l)
        : loop_(&l)
        , gate_(loop_threads(l).gate())
    {}

    event_loop& loop() const noexcept { return *loop_; }

    bool done() const
    {
        std::lock_guard lock(m_);
        return done_;
    }
    bool cancelled() const
    {
        std::lock_guard lock(m_);
        return cancelled_;
    }

    // Completes the state with what `fill` sets, if still pending; true if it did. The
    // callbacks it had are moved to `out`.
    template <class Fill>
    bool complete(Fill fill, callbacks& out)
    {
        std::lock_guard lock(m_);
        if (done_)
            return false;
        fill();
        done_ = true;
        out = std::move(callbacks_);
        cv_.notify_all();
        return true;
    }

    // Runs `cbs` here (a thread running the loop, or any thread once the loop is closed).
    void run_callbacks(callbacks cbs) noexcept
    {
        if (cbs.empty())
            return;
        concurrent_future<T> self(this->shared_from_this());
        for (auto& cb : cbs) {
            try {
                cb->call(self);
            } catch (...) {
                if (event_loop* l = current.loop)
                    l->call_exception_handler({"Exception in a concurrent_future done callback",
                                               std::current_exception(),
                                               {}});
            }
        }
    }

    void fail_on_loop(std::exception_ptr e) noexcept override
    {
        callbacks cbs;
        if (complete([&] { error_ = std::move(e); }, cbs))
            run_callbacks(std::move(cbs));
    }

    // Loop thread: the task is done; its outcome becomes the future's.
    void finish_from_task(const task<T>& t) noexcept
    {
        loop_threads(*loop_).release(*this);
        callbacks cbs;
        bool completed = false;
        try {
            if (t.cancelled()) {
                completed = complete(
                    [&] {
                        cancelled_ = true;
                        error_ = std::make_exception_ptr(cancelled_error("the task was cancelled"));
                    },
                    cbs);
            } else if (auto e = t.exception()) {
                completed = complete([&] { error_ = e; }, cbs);
            } else if constexpr (std::is_void_v<T>) {
                completed = complete([&] { value_.emplace(); }, cbs);
            } else {
                completed = complete([&] { value_.emplace(t.result()); }, cbs);
            }
        } catch (...) {
            completed = complete([&] { error_ = std::current_exception(); }, cbs);
        }
        if (completed)
            run_callbacks(std::move(cbs));
    }

    bool cancel()
    {
        callbacks cbs;
        const bool completed = complete(
            [&] {
                cancelled_ = true;
                error_ = std::make_exception_ptr(
                    cancelled_error("cancelled through concurrent_future::cancel"));
            },
            cbs);
        if (!completed)
            return false;
        // The task stops on its loop (cpython#105836); the callbacks run there too.
        auto self = this->shared_from_this();
        auto on_loop = [self, cbs = std::move(cbs)]() mutable {
            scoped_thread_state scope(nullptr, nullptr, self->loop_);
            if (threadsafe_link* l = self->link)
                l->task->cancel("cancelled through concurrent_future::cancel");
            self->run_callbacks(std::move(cbs));
        };
        post_or_run(std::move(on_loop));
        return true;
    }

    template <class F>
    void add_done_callback(F f)
    {
        {
            std::lock_guard lock(m_);
            if (!done_) {
                callbacks_.push_back(std::make_unique<callback<F>>(std::move(f)));
                return;
            }
        }
        callbacks cbs;
        cbs.push_back(std::make_unique<callback<F>>(std::move(f)));
        auto self = this->shared_from_this();
        post_or_run([self, cbs = std::move(cbs)]() mutable {
            scoped_thread_state scope(nullptr, nullptr, self->loop_);
            self->run_callbacks(std::move(cbs));
        });
    }

    // Blocks until done or `deadline`; throws instead on the loop's thread.
    bool wait_until(std::optional<std::chrono::steady_clock::time_point> deadline) const
    {
        {
            std::lock_guard lock(m_);
            if (done_)
                return true;
        }
        if (current.loop == loop_ || gate_->on_loop_thread())
            throw invalid_state_error(
                "concurrent_future: waiting on the loop's own thread would deadlock (the "
                "loop cannot run while its thread blocks); co_await the task instead");
        std::unique_lock lock(m_);
        if (!deadline) {
            cv_.wait(lock, [this] { return done_; });
            return true;
        }
        return cv_.wait_until(lock, *deadline, [this] { return done_; });
    }

    T get()
    {
        wait_until(std::nullopt);
        std::lock_guard lock(m_);
        if (error_)
            std::rethrow_exception(error_);
        if constexpr (!std::is_void_v<T>) {
            if constexpr (std::is_copy_constructible_v<T>) {
                return *value_;
            } else {
                if (!value_)
                    throw invalid_state_error("concurrent_future::get: the result was taken");
                T v = std::move(*value_);
                value_.reset();
                return v;
            }
        }
    }

private:
    // Posts `f` to the loop, or runs it here if the loop is closed.
    template <class F>
    void post_or_run(F f)
    {
        if (!gate_->post_to_loop(std::move(f)))
            f(); // not moved from: the gate refused it before touching it
    }

    event_loop* loop_; // dereferenced on the loop's thread only
    std::shared_ptr<thread_gate> gate_;
    mutable std::mutex m_;
    mutable std::condition_variable cv_;
    bool done_ = false;
    bool cancelled_ = false;
    std::optional<value_type> value_;
    std::exception_ptr error_;
    callbacks callbacks_;
};

// The loop callback that starts the coroutine. Destroyed unrun (the loop closed with it
// queued), it fails the future.
template <class T>
class start_threadsafe
{
public:
    start_threadsafe(std::shared_ptr<concurrent_state<T>> st, boost::asio::awaitable<T> coro)
        : st_(std::move(st))
        , coro_(std::move(coro))
    {}
    start_threadsafe(start_threadsafe&&) noexcept = default;
    start_threadsafe& operator=(start_threadsafe&&) = delete;
    ~start_threadsafe()
    {
        if (st_)
            st_->fail_on_loop(std::make_exception_ptr(invalid_state_error(
                "run_coroutine_threadsafe: the event loop closed before the coroutine started")));
    }

    void operator()()
    {
        auto st = std::move(st_);
        if (st->done())
            return; // cancelled before it started
        event_loop& loop = st->loop();
        auto t =
            spawn_task(loop, std::move(coro_), task_options{.name = "run_coroutine_threadsafe"},
                       BOOST_CURRENT_LOCATION);
        loop_threads(loop).adopt(st, boost::intrusive_ptr<future_base>(t.get_state()));
        t.add_done_callback([st](const task<T>& done) { st->finish_from_task(done); });
    }

private:
    std::shared_ptr<concurrent_state<T>> st_;
    boost::asio::awaitable<T> coro_;
};

} // namespace boost::tulip::detail

namespace boost::tulip {

template <class T>
T concurrent_future<T>::get()
{
    return st_->get();
}

template <class T>
bool concurrent_future<T>::wait_for(duration d) const
{
    const auto now = std::chrono::steady_clock::now();
    const auto deadline = d >= std::chrono::steady_clock::time_point::max() - now
                              ? std::chrono::steady_clock::time_point::max()
                              : now + d;
    return st_->wait_until(deadline);
}

template <class T>
bool concurrent_future<T>::done() const
{
    return st_->done();
}

template <class T>
bool concurrent_future<T>::cancelled() const
{
    return st_->cancelled();
}

template <class T>
bool concurrent_future<T>::cancel()
{
    return st_->cancel();
}

template <class T>
template <class F>
void concurrent_future<T>::add_done_callback(F f)
{
    static_assert(std::is_invocable_v<F&, concurrent_future<T>&>,
                  "add_done_callback: f(concurrent_future<T>&) must be callable");
    st_->add_done_callback(std::move(f));
}

template <class T>
concurrent_future<T> run_coroutine_threadsafe(boost::asio::awaitable<T> coro, event_loop& loop)
{
    auto st = std::make_shared<detail::concurrent_state<T>>(loop);
    loop.call_soon_threadsafe(detail::start_threadsafe<T>(st, std::move(coro)));
    return concurrent_future<T>(std::move(st));
}

} // namespace boost::tulip

#endif
