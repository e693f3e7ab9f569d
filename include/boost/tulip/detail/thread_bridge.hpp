//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_THREAD_BRIDGE_HPP
#define BOOST_TULIP_DETAIL_THREAD_BRIDGE_HPP

// The loop's side of work sent to other threads (to_thread, run_in_executor, the default
// executor's shutdown). Three parties meet here:
//  - the loop's thread, which starts a job and awaits it (a suspended operation);
//  - the thread that runs the job (an executor's), which hands the outcome back;
//  - the loop's shutdown, after which nothing may be posted to its io_context.
// The gate (shared by the loop and every job) is the one place they synchronise: a job
// hands its outcome back under the gate's mutex, and only while the loop is open.

#include <boost/tulip/detail/future_base.hpp>
#include <boost/tulip/detail/op_node.hpp>
#include <boost/tulip/event_loop.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/smart_ptr/intrusive_ptr.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace boost::asio {
class thread_pool;
}

namespace boost::tulip::detail {

class thread_gate;

// A job sent off the loop: shared by the thread that runs it and the loop that awaits
// it. The outcome is written by the job's thread before it hands the job back and read
// by the loop after (the post in between orders the two).
class offloaded_job
{
public:
    offloaded_job(const offloaded_job&) = delete;
    offloaded_job& operator=(const offloaded_job&) = delete;

    // Loop thread only: the operation awaiting the outcome, null once nothing does (it
    // was cancelled, or the loop shut down).
    op_node* waiter = nullptr;
    event_loop* loop = nullptr;

    // The failure; the value, if any, is in the derived job.
    std::exception_ptr error;

    // Under the gate's mutex: the in-flight list and what a stuck-job report shows.
    offloaded_job* prev = nullptr;
    offloaded_job* next = nullptr;
    const char* what = "";                              // the callable's type
    std::chrono::steady_clock::time_point started_at{}; // when a thread began running it
    bool running = false;
    bool on_default = false; // sent to the default executor: shutdown waits for it

    friend void intrusive_ptr_add_ref(offloaded_job* j) noexcept
    {
        j->refs_.fetch_add(1, std::memory_order_relaxed);
    }
    friend void intrusive_ptr_release(offloaded_job* j) noexcept
    {
        if (j->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete j;
    }

    // On the loop's thread, once the job is back: completes the waiting operation, if any.
    void returned();

protected:
    offloaded_job() = default;
    virtual ~offloaded_job() = default;

private:
    std::atomic<std::size_t> refs_{0};
};

// A job with a result of type T (std::monostate-like `none` for void).
struct no_value
{};
template <class T>
class offloaded_job_of : public offloaded_job
{
public:
    using value_type = std::conditional_t<std::is_void_v<T>, no_value, T>;
    std::optional<value_type> value;
};

// run_coroutine_threadsafe's shared state, as the loop sees it.
struct threadsafe_link;
class threadsafe_call
{
public:
    virtual ~threadsafe_call() = default;
    // Loop thread: the loop gives up on the call (it stopped or closed with the task
    // unfinished, or before it started): the future fails with `e` if still pending.
    virtual void fail_on_loop(std::exception_ptr e) noexcept = 0;

    threadsafe_link* link = nullptr; // loop thread only: while the task runs
};

// The loop's record of a run_coroutine_threadsafe task still running.
struct threadsafe_link
{
    std::shared_ptr<threadsafe_call> call;
    boost::intrusive_ptr<future_base> task;
    threadsafe_link* prev = nullptr;
    threadsafe_link* next = nullptr;
};

// The meeting point of a loop and its jobs' threads (see the file comment).
class thread_gate
{
public:
    explicit thread_gate(event_loop& l) noexcept
        : loop_(&l)
    {}

    // Loop thread: the job is about to be sent to a thread (`on_default`: the default
    // executor's, which shutdown_default_executor waits for).
    void enter(offloaded_job* j, const char* what, bool on_default);
    // Job's thread: it begins running.
    void started(offloaded_job* j) noexcept;
    // Job's thread: it is done (or dropped unrun): posts its return to the loop if the
    // loop is still open, else drops it.
    void finish(offloaded_job* j) noexcept;

    // Loop's shutdown: nothing is posted to the loop's io_context after this.
    void close() noexcept;

    // Any thread: posts `f` to the loop if it is open; false if it is closed.
    template <class F>
    bool post_to_loop(F&& f)
    {
        std::lock_guard lock(m_);
        if (!loop_)
            return false;
        boost::asio::post(loop_->get_io_context(), static_cast<F&&>(f));
        return true;
    }
    // Any thread: whether this thread is running the (open) loop.
    bool on_loop_thread() const noexcept;

    // Blocks until no job sent to the default executor is in flight.
    void wait_default_idle();

    struct stuck_job
    {
        std::string what;
        bool running;
        std::chrono::steady_clock::duration for_how_long;
    };
    // The default executor's jobs in flight now: running ones, with their running time,
    // and queued ones.
    std::vector<stuck_job> default_in_flight() const;
    std::size_t default_count() const;

private:
    mutable std::mutex m_;
    std::condition_variable idle_;
    event_loop* loop_; // null once closed
    offloaded_job* head_ = nullptr;
    std::size_t default_count_ = 0;
};

// The waiting side of a job, as the loop's list holds it: one base so that the loop's
// shutdown can tell each job that nothing awaits it any more.
struct job_waiter_base : op_node
{
    explicit job_waiter_base(boost::intrusive_ptr<offloaded_job> j) noexcept
        : job(std::move(j))
    {}
    boost::intrusive_ptr<offloaded_job> job;
};

// The loop's part: the gate, the operations awaiting jobs, the default executor.
class thread_bridge
{
public:
    explicit thread_bridge(event_loop& l);
    ~thread_bridge();
    thread_bridge(const thread_bridge&) = delete;
    thread_bridge& operator=(const thread_bridge&) = delete;

    // Any thread: set once, at the loop's creation.
    const std::shared_ptr<thread_gate>& gate() const noexcept { return gate_; }

    // The operations awaiting a job (loop thread only).
    void add_waiter(job_waiter_base* w) noexcept { waiters_.push_back(w); }
    void remove_waiter(job_waiter_base* w) noexcept { waiters_.remove(w); }

    // The default executor: the loop's own pool (made on first use) or the user's.
    // @throws invalid_state_error after shutdown_default_executor or once closed.
    boost::asio::any_io_executor default_executor();
    // The loop's own pool, if it is the default executor (made on first use); null if a
    // user's executor is the default. Same errors.
    boost::asio::thread_pool* own_pool();
    void set_default_executor(std::size_t threads);
    void set_default_executor(boost::asio::any_io_executor ex);

    // run_coroutine_threadsafe's tasks (loop thread only): `adopt` records one while it
    // runs, `release` forgets it once done, `abandon_calls` fails the futures of those
    // still running (the loop stopped or closes) and, if `cancel_tasks`, cancels them.
    void adopt(std::shared_ptr<threadsafe_call> c, boost::intrusive_ptr<future_base> task);
    void release(threadsafe_call& c) noexcept;
    void abandon_calls(const char* why, bool cancel_tasks) noexcept;

    // For shutdown_default_executor: marks the default executor shut down and hands over
    // what must be waited for (the loop's pools, to join).
    std::vector<std::shared_ptr<boost::asio::thread_pool>> take_pools();
    bool default_shut_down() const noexcept { return shut_down_; }
    bool has_pools() const noexcept { return !pools_.empty(); }

    // The loop's shutdown (event_loop::shutdown): closes the gate, frees the waiting
    // operations unrun, stops the loop's pools and lets them go.
    void shutdown() noexcept;

private:
    void check_open() const;

    event_loop& loop_;
    std::shared_ptr<thread_gate> gate_;
    op_list waiters_;
    threadsafe_link* calls_ = nullptr;
    std::vector<std::shared_ptr<boost::asio::thread_pool>> pools_; // back() is current
    std::optional<boost::asio::any_io_executor> user_executor_;
    std::size_t pool_threads_ = 0; // 0: the default size
    bool pool_current_ = false;    // pools_.back() is the default executor
    bool shut_down_ = false;
    bool closed_ = false;
};

thread_bridge& loop_threads(event_loop& l);

// The completion of a job with result T.
template <class T>
struct job_signature_of
{
    using type = void(std::exception_ptr, T);
};
template <>
struct job_signature_of<void>
{
    using type = void(std::exception_ptr);
};
template <class T>
using job_signature = typename job_signature_of<T>::type;

// run() and runner::close(): runs shutdown_default_executor(timeout) to its end.
void close_default_executor(event_loop& l, std::optional<duration> timeout);

// The default pool's size when none was set: Python's ThreadPoolExecutor default,
// min(32, cores + 4), for blocking I/O rather than computation.
std::size_t default_pool_threads() noexcept;

} // namespace boost::tulip::detail

#endif
