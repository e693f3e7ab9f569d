//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/threads.hpp>

#include <boost/tulip/task.hpp>
#include <boost/tulip/timeout.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/core/demangle.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <thread>

namespace boost::tulip {

namespace detail {

// --- the job's return --------------------------------------------------------------------

void offloaded_job::returned()
{
    op_node* w = waiter;
    if (!w)
        return; // cancelled: the outcome is dropped with the job
    waiter = nullptr;
    loop_threads(*loop).remove_waiter(static_cast<job_waiter_base*>(w));
    // The job's own loop event: the awaiting coroutine may resume inline.
    w->complete({}, delivery::dispatched);
}

namespace {

// The handler a job's thread posts to the loop.
struct job_return
{
    boost::intrusive_ptr<offloaded_job> job;
    void operator()() const { job->returned(); }
};

} // namespace

// --- the gate ----------------------------------------------------------------------------

void thread_gate::enter(offloaded_job* j, const char* what, bool on_default)
{
    std::lock_guard lock(m_);
    j->what = what;
    j->on_default = on_default;
    j->prev = nullptr;
    j->next = head_;
    if (head_)
        head_->prev = j;
    head_ = j;
    if (on_default)
        ++default_count_;
}

void thread_gate::started(offloaded_job* j) noexcept
{
    std::lock_guard lock(m_);
    j->running = true;
    j->started_at = std::chrono::steady_clock::now();
}

void thread_gate::finish(offloaded_job* j) noexcept
{
    std::lock_guard lock(m_);
    if (j->prev)
        j->prev->next = j->next;
    else
        head_ = j->next;
    if (j->next)
        j->next->prev = j->prev;
    j->prev = j->next = nullptr;
    if (loop_) {
        try {
            boost::asio::post(loop_->get_io_context(),
                              job_return{boost::intrusive_ptr<offloaded_job>(j)});
        } catch (...) {
            // Out of memory for the handler: the awaiter is freed with the loop instead.
        }
    }
    if (j->on_default && --default_count_ == 0)
        idle_.notify_all();
}

void thread_gate::close() noexcept
{
    std::lock_guard lock(m_);
    loop_ = nullptr;
}

bool thread_gate::on_loop_thread() const noexcept
{
    std::lock_guard lock(m_);
    return loop_ && loop_->get_io_context().get_executor().running_in_this_thread();
}

void thread_gate::wait_default_idle()
{
    std::unique_lock lock(m_);
    idle_.wait(lock, [this] { return default_count_ == 0; });
}

std::vector<thread_gate::stuck_job> thread_gate::default_in_flight() const
{
    std::vector<stuck_job> out;
    std::lock_guard lock(m_);
    const auto now = std::chrono::steady_clock::now();
    for (offloaded_job* j = head_; j; j = j->next)
        if (j->on_default)
            out.push_back(
                {boost::core::demangle(j->what), j->running,
                 j->running ? now - j->started_at : std::chrono::steady_clock::duration{}});
    return out;
}

std::size_t thread_gate::default_count() const
{
    std::lock_guard lock(m_);
    return default_count_;
}

// --- the loop's part ---------------------------------------------------------------------

std::size_t default_pool_threads() noexcept
{
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return std::min<std::size_t>(32, cores + 4);
}

thread_bridge::thread_bridge(event_loop& l)
    : loop_(l)
    , gate_(std::make_shared<thread_gate>(l))
{}

thread_bridge::~thread_bridge()
{
    shutdown();
}

void thread_bridge::check_open() const
{
    if (shut_down_)
        throw invalid_state_error("the default executor was shut down");
    if (loop_.is_closed())
        throw invalid_state_error("the event loop is closed");
}

boost::asio::thread_pool* thread_bridge::own_pool()
{
    check_open();
    if (user_executor_)
        return nullptr;
    if (!pool_current_) {
        pools_.push_back(std::make_shared<boost::asio::thread_pool>(
            pool_threads_ ? pool_threads_ : default_pool_threads()));
        pool_current_ = true;
    }
    return pools_.back().get();
}

boost::asio::any_io_executor thread_bridge::default_executor()
{
    if (auto* p = own_pool())
        return p->get_executor();
    return *user_executor_;
}

void thread_bridge::set_default_executor(std::size_t threads)
{
    check_open();
    pool_threads_ = std::max<std::size_t>(1, threads);
    user_executor_.reset();
    pool_current_ = false; // the next use makes a pool of this size; an old one is joined later
}

void thread_bridge::set_default_executor(boost::asio::any_io_executor ex)
{
    check_open();
    if (!ex)
        throw std::invalid_argument("set_default_executor: an empty executor");
    user_executor_ = std::move(ex);
    pool_current_ = false;
}

std::vector<std::shared_ptr<boost::asio::thread_pool>> thread_bridge::take_pools()
{
    shut_down_ = true;
    user_executor_.reset();
    pool_current_ = false;
    return std::exchange(pools_, {});
}

void thread_bridge::shutdown() noexcept
{
    if (closed_)
        return;
    closed_ = true;
    gate_->close();
    shut_down_ = true;
    abandon_calls("run_coroutine_threadsafe: the event loop closed before the coroutine "
                  "finished",
                  false);
    user_executor_.reset();
    // The operations still awaiting jobs can never complete: free them unrun, as the
    // loop frees every other suspended operation.
    while (op_node* w = waiters_.pop_front()) {
        static_cast<job_waiter_base*>(w)->job->waiter = nullptr;
        w->destroy();
    }
    // asyncio's loop.close(): shutdown(wait=False). Queued jobs will not run (their
    // awaiters are gone); a job running now keeps its thread: the pool is joined on a
    // thread of its own when one may still be busy, so closing never hangs on it.
    auto pools = std::exchange(pools_, {});
    pool_current_ = false;
    for (auto& p : pools)
        p->stop();
    if (!pools.empty()) {
        if (gate_->default_count() == 0) {
            for (auto& p : pools)
                p->join();
        } else {
            try {
                std::thread([pools = std::move(pools)]() mutable {
                    for (auto& p : pools)
                        p->join();
                }).detach();
            } catch (...) {
                // No thread to spare: leave the pools to their threads; never block here.
                for (auto& p : pools)
                    new std::shared_ptr<boost::asio::thread_pool>(std::move(p));
            }
        }
    }
}

void thread_bridge::adopt(std::shared_ptr<threadsafe_call> c,
                          boost::intrusive_ptr<future_base> task)
{
    auto* l = new threadsafe_link{std::move(c), std::move(task), nullptr, calls_};
    if (calls_)
        calls_->prev = l;
    calls_ = l;
    l->call->link = l;
}

void thread_bridge::release(threadsafe_call& c) noexcept
{
    threadsafe_link* l = c.link;
    if (!l)
        return;
    c.link = nullptr;
    if (l->prev)
        l->prev->next = l->next;
    else
        calls_ = l->next;
    if (l->next)
        l->next->prev = l->prev;
    delete l;
}

void thread_bridge::abandon_calls(const char* why, bool cancel_tasks) noexcept
{
    while (threadsafe_link* l = calls_) {
        calls_ = l->next;
        l->call->link = nullptr;
        l->call->fail_on_loop(std::make_exception_ptr(invalid_state_error(why)));
        if (cancel_tasks && !l->task->done()) {
            try {
                l->task->cancel(why);
            } catch (...) {
            }
        }
        delete l;
    }
}

thread_bridge& loop_threads(event_loop& l)
{
    return *l.threads_;
}

// The final shutdown of run() and runner::close().
void close_default_executor(event_loop& l, std::optional<duration> timeout)
{
    thread_bridge& b = loop_threads(l);
    if (b.default_shut_down())
        return;
    if (!b.has_pools() && b.gate()->default_count() == 0) {
        (void)b.take_pools(); // never used: nothing to wait for, and no task to run
        return;
    }
    auto t = spawn_task(l, l.shutdown_default_executor(timeout),
                        task_options{.name = "shutdown_default_executor"}, BOOST_CURRENT_LOCATION);
    run_until(l, [&] { return t.done(); });
}

} // namespace detail

// --- the public API ----------------------------------------------------------------------

boost::asio::any_io_executor event_loop::default_executor()
{
    return threads_->default_executor();
}

void event_loop::set_default_executor(std::size_t threads)
{
    threads_->set_default_executor(threads);
}

void event_loop::set_default_executor(boost::asio::any_io_executor ex)
{
    threads_->set_default_executor(std::move(ex));
}

namespace {

std::string format_stuck(const std::vector<detail::thread_gate::stuck_job>& jobs)
{
    std::ostringstream out;
    for (const auto& j : jobs) {
        out << "\n  " << j.what;
        if (j.running)
            out << " (running for " << std::chrono::duration<double>(j.for_how_long).count()
                << " s)";
        else
            out << " (queued, not started)";
    }
    return out.str();
}

// A job target that is a new thread of its own (the executor's join).
struct new_thread
{
    static constexpr bool on_default = false;
    void resolve(event_loop&) noexcept {}
    template <class Runner>
    void submit(Runner&& r)
    {
        std::thread(static_cast<Runner&&>(r)).detach();
    }
};

} // namespace

boost::asio::awaitable<void> event_loop::shutdown_default_executor(std::optional<duration> timeout)
{
    detail::thread_bridge& b = *threads_;
    if (b.default_shut_down())
        co_return;
    std::shared_ptr<detail::thread_gate> gate = b.gate();
    auto pools = b.take_pools();
    if (pools.empty() && gate->default_count() == 0)
        co_return;
    // Joining blocks, so it happens on a thread of its own (as asyncio does), awaited as
    // any job is: a timeout stops the wait and leaves that thread to finish the join.
    auto join = [pools = std::move(pools), gate]() mutable {
        for (auto& p : pools)
            p->join();
        gate->wait_default_idle(); // jobs on an executor set by set_default_executor
        pools.clear();             // destroyed here, not on the loop's thread
    };
    auto wait = detail::await_job<void>(new_thread{}, std::move(join), "shutdown_default_executor");
    if (!timeout) {
        co_await std::move(wait);
        co_return;
    }
    bool timed_out = false;
    try {
        co_await tulip::timeout(*timeout, std::move(wait));
    } catch (const timeout_error&) {
        timed_out = true;
    }
    if (timed_out)
        call_exception_handler(
            {"shutdown_default_executor: the default executor did not finish within " +
                 std::to_string(std::chrono::duration<double>(*timeout).count()) +
                 " s; its threads are left to finish on their own. Jobs still in flight:" +
                 format_stuck(gate->default_in_flight()),
             std::make_exception_ptr(
                 timeout_error("the default executor did not shut down in time")),
             {}});
}

boost::asio::awaitable<void> shutdown_default_executor(std::optional<duration> timeout)
{
    return get_running_loop().shutdown_default_executor(timeout);
}

} // namespace boost::tulip
