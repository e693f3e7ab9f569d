//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/debug.hpp>

#include <boost/tulip/detail/handler_loop.hpp>
#include <boost/tulip/detail/sync_waiter.hpp>
#include <boost/tulip/detail/thread_bridge.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string_view>

namespace boost::tulip {

boost::asio::execution_context::id event_loop::id;

namespace {

bool debug_from_environment() noexcept
{
    const char* v = std::getenv("BOOST_TULIP_DEBUG");
    return v && *v && std::string_view(v) != "0";
}

} // namespace

namespace detail {

void callback_node::run() noexcept
{
    state_type expected = pending;
    if (!state.compare_exchange_strong(expected, done, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
        // Cancelled, perhaps from another thread: that cancel left the callable (and the
        // count, for a threadsafe node) to the loop's thread.
        if (expected == was_cancelled && threadsafe)
            loop->pending_callbacks_.fetch_sub(1, std::memory_order_relaxed);
        discard();
        return;
    }
    loop->pending_callbacks_.fetch_sub(1, std::memory_order_relaxed);
    scoped_thread_state scope(nullptr, &ctx, loop);
    // Debug mode times a callback as it times a task step.
    const bool timed = loop->get_debug();
    const clock::time_point start = timed ? loop->time() : clock::time_point();
    try {
        invoke();
    } catch (...) {
        loop->call_exception_handler({"Exception in callback", std::current_exception(), {}});
    }
    if (timed)
        report_if_slow(*loop, start, typeid(*this));
    discard();
}

bool callback_node::cancel() noexcept
{
    state_type expected = pending;
    if (!state.compare_exchange_strong(expected, was_cancelled, std::memory_order_acq_rel,
                                       std::memory_order_acquire))
        return false;
    // Possibly another thread, possibly racing with the loop's shutdown: touch nothing
    // but the node. The queued run() drops the callable on the loop's thread.
    if (threadsafe)
        return true;
    loop->pending_callbacks_.fetch_sub(1, std::memory_order_relaxed);
    discard();
    if (in_heap)
        loop_timers(*loop).cancel(this);
    return true;
}

void callback_node::abandon() noexcept
{
    // The loop closed with the callback still queued: it will never run. Called where the
    // loop is torn down, so the callable goes there too, not on a handle's thread.
    state_type expected = pending;
    state.compare_exchange_strong(expected, was_cancelled, std::memory_order_acq_rel,
                                  std::memory_order_acquire);
    discard();
}

void callback_node::fire()
{
    in_heap = false;
    run();
    intrusive_ptr_release(this);
}

void callback_node::release() noexcept
{
    in_heap = false;
    abandon();
    intrusive_ptr_release(this);
}

event_loop* attached_loop(boost::asio::execution_context& ctx)
{
    if (!boost::asio::has_service<event_loop>(ctx))
        return nullptr;
    // A loop exists, so `ctx` is an io_context: the loop's constructor takes nothing else,
    // and Asio refuses a service whose context() is not the one it is added to.
    return &boost::asio::use_service<event_loop>(static_cast<boost::asio::io_context&>(ctx));
}

std::string format_exception_context(const exception_context& c);

} // namespace detail

// --- handles -------------------------------------------------------------------------

void handle::cancel() noexcept
{
    if (node_)
        node_->cancel();
}

bool handle::cancelled() const noexcept
{
    return node_ && node_->cancelled_before_run();
}

clock::time_point timer_handle::when() const noexcept
{
    return node_ ? node_->when : clock::time_point{};
}

// --- the loop ------------------------------------------------------------------------

// Every live loop, so that get_running_loop() in plain Asio code (an io_context handler
// or a co_spawn coroutine, where no task or loop callback set current.loop) finds the loop
// of the io_context this thread runs.
namespace {
std::mutex live_loops_mutex;
std::vector<event_loop*> live_loops;
} // namespace

event_loop::event_loop(boost::asio::io_context& ioc)
    : boost::asio::execution_context::service(ioc)
    , ioc_(ioc)
    , timers_(*this, ioc)
    , signals_(*this, ioc)
    , debug_(debug_from_environment())
    , threads_(std::make_unique<detail::thread_bridge>(*this))
{
    std::lock_guard lock(live_loops_mutex);
    live_loops.push_back(this);
}

event_loop::~event_loop()
{
    {
        std::lock_guard lock(live_loops_mutex);
        std::erase(live_loops, this);
    }
    // Handles may outlive the loop: make their states forget it.
    tasks_.forget_loop();
}

void event_loop::shutdown()
{
    detail::abandon_primitives(primitives_);
    closed_.store(true, std::memory_order_release);
    // Before the io_context's own shutdown: no job's thread posts to it after this.
    threads_->shutdown();
    asyncgens_.drop_all();
    signals_.shutdown();
    timers_.shutdown();
}

namespace {

// The posted operation of call_soon: runs the node, or, destroyed unrun because the
// io_context shut down, marks it as never to run.
struct run_callback
{
    boost::intrusive_ptr<detail::callback_node> node;

    run_callback(boost::intrusive_ptr<detail::callback_node> n) noexcept
        : node(std::move(n))
    {}
    run_callback(run_callback&&) noexcept = default;
    run_callback& operator=(run_callback&&) = delete;
    ~run_callback()
    {
        if (node)
            node->abandon();
    }
    void operator()()
    {
        auto n = std::move(node);
        n->run();
    }
};

} // namespace

handle event_loop::schedule_soon(detail::callback_node* n)
{
    boost::intrusive_ptr<detail::callback_node> p(n);
    if (closed_.load(std::memory_order_acquire))
        throw invalid_state_error("call_soon: the event loop is closed");
    pending_callbacks_.fetch_add(1, std::memory_order_relaxed);
    boost::asio::post(ioc_, run_callback(p));
    return handle(std::move(p));
}

handle event_loop::schedule_soon_threadsafe(detail::callback_node* n)
{
    boost::intrusive_ptr<detail::callback_node> p(n);
    // Before the node is published: cancel() from another thread reads it.
    n->threadsafe = true;
    if (closed_.load(std::memory_order_acquire))
        throw invalid_state_error("call_soon_threadsafe: the event loop is closed");
    pending_callbacks_.fetch_add(1, std::memory_order_relaxed);
    // io_context::post is thread-safe and wakes a loop blocked waiting for work (its
    // reactor or condition variable): no polling delay.
    boost::asio::post(ioc_, run_callback(p));
    return handle(std::move(p));
}

timer_handle event_loop::schedule_at(clock::time_point when, detail::callback_node* n)
{
    boost::intrusive_ptr<detail::callback_node> p(n);
    if (closed_.load(std::memory_order_relaxed))
        throw invalid_state_error("call_at: the event loop is closed");
    n->when = when;
    n->in_heap = true;
    pending_callbacks_.fetch_add(1, std::memory_order_relaxed);
    intrusive_ptr_add_ref(n); // the heap's reference
    timers_.schedule(when, n);
    return timer_handle(std::move(p));
}

void event_loop::set_exception_handler(exception_handler h)
{
    handler_ = std::move(h);
}

void event_loop::call_exception_handler(const exception_context& ctx) noexcept
{
    if (handler_) {
        try {
            handler_(*this, ctx);
            return;
        } catch (...) {
            default_exception_handler(
                {"Unhandled error in exception handler", std::current_exception(), ctx.task});
        }
    }
    default_exception_handler(ctx);
}

void event_loop::default_exception_handler(const exception_context& ctx) noexcept
{
    try {
        std::cerr << detail::format_exception_context(ctx) << '\n' << std::flush;
    } catch (...) {
    }
}

void event_loop::stop() noexcept
{
    run_.request_stop();
    ioc_.stop();
}

bool event_loop::is_running() const noexcept
{
    return run_.driven() || ioc_.get_executor().running_in_this_thread();
}

void event_loop::add_signal_handler_impl(int signum, std::function<void()> f)
{
    signals_.set_handler(signum, std::move(f));
}

bool event_loop::remove_signal_handler(int signum)
{
    return signals_.remove_handler(signum);
}

event_loop& get_event_loop(boost::asio::io_context& ioc)
{
    return boost::asio::use_service<event_loop>(ioc);
}

namespace detail {

// The loop of the io_context running on this thread, for plain Asio code.
static event_loop* loop_running_here() noexcept
{
    std::lock_guard lock(live_loops_mutex);
    for (event_loop* l : live_loops)
        if (l->get_executor().running_in_this_thread())
            return l;
    return nullptr;
}

clock::time_point time_outside_loop_code() noexcept
{
    // Only a test's virtual clock differs from steady time.
    if (any_virtual_clock())
        if (event_loop* l = loop_running_here())
            return l->time();
    return std::chrono::steady_clock::now();
}

std::span<char> loop_read_buffer(event_loop& l)
{
    constexpr std::size_t size = 64 * 1024;
    if (!l.read_buffer_)
        l.read_buffer_ = std::make_unique_for_overwrite<char[]>(size);
    return {l.read_buffer_.get(), size};
}

} // namespace detail

event_loop& get_running_loop()
{
    if (event_loop* l = detail::current.loop)
        return *l;
    // Plain Asio code run by an io_context whose loop is attached: that loop runs.
    if (event_loop* l = detail::loop_running_here())
        return *l;
    throw no_running_loop();
}

} // namespace boost::tulip
