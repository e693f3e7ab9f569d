//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/detail/handler_loop.hpp>
#include <boost/tulip/detail/sync_waiter.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

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

// One function watching a signal: the loop's user-level handler (add_signal_handler), or
// a library part's watch (loop_access::watch_signal).
struct signal_watcher
{
    std::function<void()> fn;
    context ctx;
    std::uint64_t id = 0;
    bool active = true; // false once removed, even during a delivery
};

// Everything the loop runs for one signal, over one asio::signal_set: the user's handler
// (at most one: add_signal_handler replaces it, as asyncio does) and the library's watches
// (any number, never replaced by the user's handler nor by each other).
struct signal_entry
{
    signal_entry(boost::asio::io_context& ioc, int signum)
        : set(ioc, signum)
    {}
    boost::asio::signal_set set;
    std::shared_ptr<signal_watcher> user;
    std::vector<std::shared_ptr<signal_watcher>> watches;
    event_loop* loop = nullptr;
    int signum = 0;
    bool registered = true; // still in the loop's table (false: do not wait again)

    bool empty() const noexcept { return !user && watches.empty(); }
};

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
    try {
        invoke();
    } catch (...) {
        loop->call_exception_handler({"Exception in callback", std::current_exception(), {}});
    }
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
        loop->cancel_timer(this);
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

namespace {
std::atomic<int> virtual_clock_loops{0}; // live loops with a virtual clock
} // namespace

void loop_access::use_virtual_clock(event_loop& l)
{
    l.virtual_now_ = std::chrono::steady_clock::now();
    if (!l.virtual_clock_)
        virtual_clock_loops.fetch_add(1, std::memory_order_relaxed);
    l.virtual_clock_ = true;
    if (l.armed_) {
        l.armed_ = false;
        ++l.arm_generation_;
        l.timer_->cancel();
    }
}

void loop_access::advance_to(event_loop& l, clock::time_point t)
{
    if (t > l.virtual_now_)
        l.virtual_now_ = t;
    l.run_due_timers();
}

std::optional<clock::time_point> loop_access::next_deadline(event_loop& l)
{
    return l.next_deadline();
}

std::vector<future_base*> loop_access::unfinished_tasks(const event_loop& l)
{
    std::vector<future_base*> v;
    v.reserve(l.task_count_);
    for (future_base* t = l.tasks_; t; t = t->next_)
        v.push_back(t);
    return v;
}

void loop_access::begin_drive(event_loop& l) noexcept
{
    ++l.drivers_;
}
void loop_access::end_drive(event_loop& l) noexcept
{
    --l.drivers_;
}
bool loop_access::stop_requested(const event_loop& l) noexcept
{
    return l.stopping_;
}
void loop_access::clear_stop(event_loop& l) noexcept
{
    l.stopping_ = false;
}
bool loop_access::has_signal_handler(const event_loop& l, int signum) noexcept
{
    auto it = l.signals_.find(signum);
    return it != l.signals_.end() && it->second->user != nullptr;
}

std::uint64_t loop_access::watch_signal(event_loop& l, int signum, std::function<void()> f)
{
    auto w = l.make_signal_watcher(std::move(f));
    const std::uint64_t id = w->id;
    l.signal_entry_for(signum).watches.push_back(std::move(w));
    return id;
}

bool loop_access::unwatch_signal(event_loop& l, int signum, std::uint64_t id) noexcept
{
    auto it = l.signals_.find(signum);
    if (it == l.signals_.end())
        return false;
    auto& watches = it->second->watches;
    auto w = std::find_if(watches.begin(), watches.end(), [id](auto& p) { return p->id == id; });
    if (w == watches.end())
        return false;
    (*w)->active = false;
    watches.erase(w);
    l.drop_signal_entry_if_empty(it->first);
    return true;
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
    , debug_(debug_from_environment())
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
    if (virtual_clock_)
        detail::virtual_clock_loops.fetch_sub(1, std::memory_order_relaxed);
    // Handles may outlive the loop: make their states forget it.
    for (auto* head : {&tasks_, &unretrieved_}) {
        while (detail::future_base* f = *head) {
            *head = f->next_;
            f->prev_ = f->next_ = nullptr;
            f->in_unretrieved_ = false;
            f->loop_ = nullptr;
        }
    }
}

void event_loop::shutdown()
{
    detail::abandon_primitives(primitives_);
    closed_.store(true, std::memory_order_release);
    detail::loop_access::drop_asyncgens(*this);
    timer_.reset();
    signals_.clear();
    auto heap = std::move(heap_);
    heap_.clear();
    tombstones_ = 0;
    for (auto& e : heap)
        e.node->drop_handler();
    for (auto& e : heap)
        e.node->release();
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
    schedule_timer(when, n);
    return timer_handle(std::move(p));
}

void event_loop::schedule_timer(clock::time_point when, detail::timer_node* n)
{
    heap_.push_back({when, ++timer_seq_, n});
    std::push_heap(heap_.begin(), heap_.end(), detail::timer_entry_later{});
    arm_timer();
}

void event_loop::cancel_timer(detail::timer_node* n) noexcept
{
    n->cancelled = true;
    ++tombstones_;
    drop_tombstones_on_top();
    if (tombstones_ > 64 && tombstones_ > heap_.size() / 2)
        compact_timers();
    if (heap_.empty() && armed_) {
        // Nothing left to wait for: let the io_context run out of work.
        armed_ = false;
        ++arm_generation_;
        timer_->cancel();
    }
}

void event_loop::drop_tombstones_on_top() noexcept
{
    while (!heap_.empty() && heap_.front().node->cancelled) {
        std::pop_heap(heap_.begin(), heap_.end(), detail::timer_entry_later{});
        detail::timer_node* n = heap_.back().node;
        heap_.pop_back();
        --tombstones_;
        n->release();
    }
}

void event_loop::compact_timers()
{
    auto live = std::partition(heap_.begin(), heap_.end(),
                               [](const detail::timer_entry& e) { return !e.node->cancelled; });
    for (auto it = live; it != heap_.end(); ++it)
        it->node->release();
    heap_.erase(live, heap_.end());
    std::make_heap(heap_.begin(), heap_.end(), detail::timer_entry_later{});
    tombstones_ = 0;
}

std::optional<clock::time_point> event_loop::next_deadline() noexcept
{
    drop_tombstones_on_top();
    if (heap_.empty())
        return std::nullopt;
    return heap_.front().when;
}

void event_loop::run_due_timers()
{
    // Deadlines are compared with one reading of the clock, so a timer scheduled by a
    // callback fired here waits for the next round.
    const clock::time_point now = time();
    while (!heap_.empty() && heap_.front().when <= now) {
        std::pop_heap(heap_.begin(), heap_.end(), detail::timer_entry_later{});
        detail::timer_node* n = heap_.back().node;
        heap_.pop_back();
        if (n->cancelled) {
            --tombstones_;
            n->release();
            continue;
        }
        n->fire();
    }
}

void event_loop::arm_timer()
{
    if (virtual_clock_ || closed_.load(std::memory_order_relaxed))
        return;
    drop_tombstones_on_top();
    if (heap_.empty())
        return;
    const clock::time_point next = heap_.front().when;
    if (armed_ && armed_at_ <= next)
        return;
    armed_ = true;
    armed_at_ = next;
    const std::uint64_t generation = ++arm_generation_;
    if (!timer_)
        timer_.emplace(ioc_);
    timer_->expires_at(next);
    timer_->async_wait([this, generation](const boost::system::error_code&) {
        if (generation != arm_generation_)
            return; // re-armed or disarmed since
        armed_ = false;
        struct rearm
        {
            event_loop* loop;
            ~rearm() { loop->arm_timer(); }
        } guard{this};
        detail::scoped_thread_state scope(nullptr, nullptr, this);
        run_due_timers();
    });
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
    stopping_ = true;
    ioc_.stop();
}

bool event_loop::is_running() const noexcept
{
    return drivers_ > 0 || ioc_.get_executor().running_in_this_thread();
}

namespace {

void wait_for_signal(std::shared_ptr<detail::signal_entry> e)
{
    auto& set = e->set;
    set.async_wait([e = std::move(e)](const boost::system::error_code& ec, int) mutable {
        if (ec || !e->registered)
            return;
        event_loop& loop = *e->loop;
        // The user's handler first, then the watches in the order they were added. Held
        // here: a function may remove itself, or another one, while it runs.
        std::vector<std::shared_ptr<detail::signal_watcher>> batch;
        batch.reserve(e->watches.size() + 1);
        if (e->user)
            batch.push_back(e->user);
        batch.insert(batch.end(), e->watches.begin(), e->watches.end());
        for (auto& w : batch) {
            if (!w->active)
                continue;
            detail::scoped_thread_state scope(nullptr, &w->ctx, &loop);
            try {
                w->fn();
            } catch (...) {
                loop.call_exception_handler(
                    {"Exception in signal handler", std::current_exception(), {}});
            }
        }
        if (e->registered && !loop.is_closed())
            wait_for_signal(std::move(e));
    });
}

} // namespace

std::shared_ptr<detail::signal_watcher> event_loop::make_signal_watcher(std::function<void()> f)
{
    if (closed_.load(std::memory_order_relaxed))
        throw invalid_state_error("add_signal_handler: the event loop is closed");
    auto w = std::make_shared<detail::signal_watcher>();
    w->fn = std::move(f);
    w->ctx = copy_context();
    w->id = ++signal_watch_seq_;
    return w;
}

detail::signal_entry& event_loop::signal_entry_for(int signum)
{
    auto it = signals_.find(signum);
    if (it != signals_.end())
        return *it->second;
    // Throws if the signal cannot be caught; nothing is registered then.
    auto e = std::make_shared<detail::signal_entry>(ioc_, signum);
    e->loop = this;
    e->signum = signum;
    signals_.emplace(signum, e);
    wait_for_signal(e);
    return *e;
}

void event_loop::drop_signal_entry_if_empty(int signum) noexcept
{
    auto it = signals_.find(signum);
    if (it == signals_.end() || !it->second->empty())
        return;
    auto e = std::move(it->second);
    signals_.erase(it);
    e->registered = false;
    boost::system::error_code ignored;
    // Asio gives the signal its default disposition back once no signal_set in the
    // process (this loop's, another loop's, the user's own) still holds it.
    e->set.clear(ignored);
    e->set.cancel(ignored);
}

void event_loop::add_signal_handler_impl(int signum, std::function<void()> f)
{
    auto w = make_signal_watcher(std::move(f));
    auto& e = signal_entry_for(signum);
    if (e.user)
        e.user->active = false;
    e.user = std::move(w);
}

bool event_loop::remove_signal_handler(int signum)
{
    auto it = signals_.find(signum);
    if (it == signals_.end() || !it->second->user)
        return false;
    it->second->user->active = false;
    it->second->user.reset();
    drop_signal_entry_if_empty(signum);
    return true;
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
    if (virtual_clock_loops.load(std::memory_order_relaxed) > 0)
        if (event_loop* l = loop_running_here())
            return l->time();
    return std::chrono::steady_clock::now();
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
