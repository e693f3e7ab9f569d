//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_SYNC_WAITER_HPP
#define BOOST_TULIP_DETAIL_SYNC_WAITER_HPP

// event_loop.hpp first: the detail headers rely on it being complete.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/detail/handler_loop.hpp>
#include <boost/tulip/detail/recycled.hpp>
#include <boost/tulip/detail/task_base.hpp>
#include <boost/tulip/detail/thread_state.hpp>
#include <boost/tulip/detail/wait_op.hpp>
#include <boost/tulip/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <string>
#include <thread>
#include <utility>

namespace boost::tulip::detail {

class sync_object;

// A suspended operation of a primitive (lock acquire, event wait, queue get, ...), linked
// in the primitive's FIFO. Once a primitive chooses it (it gets the lock, the permit, the
// item) or fails it, `complete` schedules its handler and frees the node at once, so a
// cancellation arriving afterwards cannot reach it.
class sync_waiter
{
public:
    sync_waiter* prev = nullptr;
    sync_waiter* next = nullptr;
    sync_object* owner = nullptr; // whose cancel_waiter the slot handler calls
    unsigned char tag = 0;        // which of the owner's lists holds it

    // Chosen (`ec` clear) or failed: clear the slot handler, schedule the completion,
    // free the node.
    virtual void complete(boost::system::error_code ec) = 0;
    // Free without invoking the handler (the io_context is shutting down).
    virtual void destroy() noexcept = 0;

protected:
    ~sync_waiter() = default;
};

// An intrusive FIFO of waiters: O(1) push, pop and removal, no allocation.
class waiter_list
{
public:
    bool empty() const noexcept { return head_ == nullptr; }
    std::size_t size() const noexcept { return size_; }
    sync_waiter* front() const noexcept { return head_; }

    void push_back(sync_waiter* w) noexcept
    {
        w->next = nullptr;
        w->prev = tail_;
        if (tail_)
            tail_->next = w;
        else
            head_ = w;
        tail_ = w;
        ++size_;
    }

    void remove(sync_waiter* w) noexcept
    {
        if (w->prev)
            w->prev->next = w->next;
        else
            head_ = w->next;
        if (w->next)
            w->next->prev = w->prev;
        else
            tail_ = w->prev;
        w->prev = w->next = nullptr;
        --size_;
    }

    sync_waiter* pop_front() noexcept
    {
        sync_waiter* w = head_;
        if (w)
            remove(w);
        return w;
    }

    // Fails every waiter with `ec` (each completion is posted).
    void fail_all(boost::system::error_code ec)
    {
        while (sync_waiter* w = pop_front())
            w->complete(ec);
    }

    void destroy_all() noexcept
    {
        while (sync_waiter* w = pop_front())
            w->destroy();
    }

private:
    sync_waiter* head_ = nullptr;
    sync_waiter* tail_ = nullptr;
    std::size_t size_ = 0;
};

// The primitives bound to one io_context: when it shuts down (destroyed with waiters
// pending), their waiters are freed without being invoked while the context can still
// take the work their handlers post on destruction.
class sync_registry final : public boost::asio::execution_context::service
{
public:
    inline static boost::asio::execution_context::id id;

    explicit sync_registry(boost::asio::execution_context& ctx)
        : boost::asio::execution_context::service(ctx)
    {}

    void add(sync_object* p) noexcept;
    void remove(sync_object* p) noexcept;

private:
    void shutdown() override;

    sync_object* head_ = nullptr;
};

// What every primitive shares: its name for error messages, the loop it is bound to
// (asyncio's _LoopBoundMixin: the loop of first use), cancellation of its waiters.
class sync_object
{
public:
    explicit sync_object(const char* kind) noexcept
        : kind_(kind)
    {}
    sync_object(const sync_object&) = delete;
    sync_object& operator=(const sync_object&) = delete;

    // The slot handler of `w` fired: take it out and complete it as cancelled (or, for
    // a condition waiter, what the condition decides).
    virtual void cancel_waiter(sync_waiter* w) = 0;

    const char* kind() const noexcept { return kind_; }
    event_loop* bound_loop() const noexcept { return loop_; }

protected:
    ~sync_object();

    // For an operation's start: binds to `l` on first use, or says why it cannot run.
    boost::system::error_code bind_for_op(event_loop& l) noexcept
    {
        if (loop_ == &l) [[likely]]
            return {};
        if (l.is_closed())
            return error::loop_closed;
        if (loop_)
            return error::invalid_state;
        try {
            bind_slow(l);
        } catch (...) {
            return error::invalid_state;
        }
        return {};
    }

    // Binds to `l` on first use; throws invalid_state_error for another loop.
    void bind(event_loop& l)
    {
        if (loop_ != &l) [[unlikely]]
            bind_slow(l);
    }

    // For synchronous members: throws if called from another loop or thread.
    void check_thread() const
    {
        if (loop_ && current.loop != loop_) [[unlikely]]
            check_thread_slow();
    }

    // Frees the waiters without invoking them (the io_context is shutting down).
    virtual void abandon_waiters() noexcept = 0;
    // Posts operation_aborted to the waiters (the object is being destroyed).
    virtual void fail_waiters_on_destroy() noexcept = 0;

    // Call from the most derived destructor, while the waiter lists still exist.
    void unbind() noexcept;

    [[noreturn]] void throw_state(const char* what) const;

private:
    friend class sync_registry;

    void bind_slow(event_loop& l);
    void check_thread_slow() const;

    const char* kind_;
    event_loop* loop_ = nullptr;
    sync_registry* registry_ = nullptr;
    std::thread::id thread_{};
    sync_object* reg_prev_ = nullptr;
    sync_object* reg_next_ = nullptr;
};

// A primitive whose waiters wait in one FIFO (all but the queues): a cancelled waiter
// leaves it and completes with operation_aborted.
class fifo_sync_object : public sync_object
{
public:
    using sync_object::sync_object;

    void cancel_waiter(sync_waiter* w) override
    {
        waiters_.remove(w);
        w->complete(boost::asio::error::operation_aborted);
    }

protected:
    ~fifo_sync_object() = default;

    void abandon_waiters() noexcept override { waiters_.destroy_all(); }
    void fail_waiters_on_destroy() noexcept override
    {
        waiters_.fail_all(boost::asio::error::operation_aborted);
    }

    waiter_list waiters_;
};

inline void sync_registry::add(sync_object* p) noexcept
{
    p->reg_prev_ = nullptr;
    p->reg_next_ = head_;
    if (head_)
        head_->reg_prev_ = p;
    head_ = p;
}

inline void sync_registry::remove(sync_object* p) noexcept
{
    if (p->reg_prev_)
        p->reg_prev_->reg_next_ = p->reg_next_;
    else
        head_ = p->reg_next_;
    if (p->reg_next_)
        p->reg_next_->reg_prev_ = p->reg_prev_;
    p->reg_prev_ = p->reg_next_ = nullptr;
}

inline void sync_registry::shutdown()
{
    while (sync_object* p = head_) {
        remove(p);
        p->registry_ = nullptr;
        p->loop_ = nullptr;
        p->abandon_waiters();
    }
}

inline void sync_object::bind_slow(event_loop& l)
{
    if (loop_) {
        throw invalid_state_error(std::string(kind_) +
                                  " is bound to another event loop (primitives are loop-local: "
                                  "use it only from the loop of its first use)");
    }
    if (l.is_closed())
        throw invalid_state_error(std::string(kind_) + ": the event loop is closed");
    auto& reg = boost::asio::use_service<sync_registry>(l.get_io_context());
    reg.add(this);
    registry_ = &reg;
    loop_ = &l;
    thread_ = std::this_thread::get_id();
}

inline void sync_object::check_thread_slow() const
{
    // No running loop here: plain Asio code on the loop's own thread is fine.
    if (current.loop == nullptr && std::this_thread::get_id() == thread_)
        return;
    throw invalid_state_error(std::string(kind_) +
                              " used from another event loop or thread (primitives are "
                              "loop-local: use call_soon_threadsafe to reach its loop)");
}

inline void sync_object::throw_state(const char* what) const
{
    throw invalid_state_error(std::string(kind_) + ": " + what);
}

inline void sync_object::unbind() noexcept
{
    if (registry_) {
        registry_->remove(this);
        registry_ = nullptr;
        if (!loop_->is_closed())
            fail_waiters_on_destroy();
        else
            abandon_waiters();
        loop_ = nullptr;
    }
}

inline sync_object::~sync_object() = default;

// ---- completions ------------------------------------------------------------------------

// Handlers that resume a coroutine of Asio's (co_await of a deferred operation or of
// use_awaitable): an immediate completion may resume them inline, since Asio starts the
// operation after the coroutine has suspended.
template <class H>
struct is_coroutine_handler : std::false_type
{};
template <class Sig, class Ex>
struct is_coroutine_handler<boost::asio::detail::awaitable_async_op_handler<Sig, Ex>>
    : std::true_type
{};
template <class Ex, class... Ts>
struct is_coroutine_handler<boost::asio::detail::awaitable_handler<Ex, Ts...>> : std::true_type
{};
template <class H>
struct is_coroutine_handler<boost::asio::detail::as_tuple_handler<H>> : is_coroutine_handler<H>
{};

// Nesting of inline completions on this thread: past a few, post, so that a loop of
// immediate completions does not grow the stack without bound.
inline thread_local int inline_completions = 0;

// Completes an operation that did not have to wait. A coroutine resumes inline (no
// needless trip through the loop); any other handler is posted, as Asio requires.
template <class Handler, class Invoke>
void complete_now(event_loop& loop, Handler&& h, Invoke invoke)
{
    if constexpr (is_coroutine_handler<std::decay_t<Handler>>::value) {
        if (inline_completions < 8) {
            ++inline_completions;
            struct restore
            {
                ~restore() { --inline_completions; }
            } r;
            deliver(loop, static_cast<Handler&&>(h), std::move(invoke), true);
            return;
        }
    }
    deliver(loop, static_cast<Handler&&>(h), std::move(invoke), false);
}

// The slot handler of a waiting operation.
struct sync_cancellation
{
    sync_waiter* w;

    void operator()(boost::asio::cancellation_type_t type) const
    {
        using ct = boost::asio::cancellation_type;
        if ((type & (ct::terminal | ct::partial | ct::total)) == ct::none)
            return;
        // The owner may complete the waiter, which clears the slot and destroys this
        // handler: nothing here may touch `this` afterwards.
        sync_waiter* w0 = w;
        w0->owner->cancel_waiter(w0);
    }
};

// A waiting operation: `Waiter` (a sync_waiter with the operation's data) plus the
// handler. `Completion::make(waiter, ec)` takes the data out and returns what invokes the
// handler later.
template <class Handler, class Waiter, class Completion>
class sync_op final
    : public Waiter
    , public recycled
{
public:
    template <class... A>
    sync_op(event_loop& loop, Handler&& h, A&&... a)
        : Waiter(static_cast<A&&>(a)...)
        , h_(std::move(h))
        , loop_(&loop)
    {}

    // Installs the slot handler (if the handler has a slot) and records what the task
    // awaits.
    void arm(const await_desc& what)
    {
        auto slot = boost::asio::get_associated_cancellation_slot(h_);
        if (slot.is_connected())
            slot.template emplace<sync_cancellation>(sync_cancellation{this});
        set_awaiting(current.task, what, this->owner);
    }

    void complete(boost::system::error_code ec) override
    {
        Handler h(std::move(h_));
        auto c = Completion::make(static_cast<Waiter&>(*this), ec);
        event_loop& loop = *loop_;
        auto slot = boost::asio::get_associated_cancellation_slot(h);
        if (slot.is_connected())
            slot.clear();
        delete this;
        deliver(loop, std::move(h), std::move(c), false);
    }

    void destroy() noexcept override
    {
        auto slot = boost::asio::get_associated_cancellation_slot(h_);
        if (slot.is_connected())
            slot.clear();
        delete this;
    }

private:
    Handler h_;
    event_loop* loop_;
};

// Suspends an operation of `owner`: queues a `Waiter` (made from `a...`) holding the
// handler at the back of `list` (`tag` says which of the owner's lists it is) and installs
// its cancellation handler; `what` is what the awaiting task is shown to await.
template <class Waiter, class Completion, class Handler, class... A>
void enqueue_waiter(sync_object& owner, waiter_list& list, unsigned char tag,
                    const await_desc& what, event_loop& loop, Handler&& handler, A&&... a)
{
    using handler_type = std::decay_t<Handler>;
    auto* op = new sync_op<handler_type, Waiter, Completion>(
        loop, handler_type(static_cast<Handler&&>(handler)), static_cast<A&&>(a)...);
    op->owner = &owner;
    op->tag = tag;
    list.push_back(op);
    op->arm(what);
}

// Waiter data for operations that complete with an error_code only.
struct plain_waiter : sync_waiter
{};

struct plain_completion
{
    boost::system::error_code ec;

    template <class Waiter>
    static plain_completion make(Waiter&, boost::system::error_code ec) noexcept
    {
        return {ec};
    }

    template <class Handler>
    void operator()(Handler&& h)
    {
        static_cast<Handler&&>(h)(ec);
    }
};

} // namespace boost::tulip::detail

#endif
