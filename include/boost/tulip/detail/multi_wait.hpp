//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_MULTI_WAIT_HPP
#define BOOST_TULIP_DETAIL_MULTI_WAIT_HPP

#include <boost/tulip/detail/future_base.hpp>
#include <boost/tulip/detail/suspended_op.hpp>
#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <cstddef>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>

namespace boost::tulip::detail {

// What one wait on many futures waits for (gather, gather_settled, and the three
// `return_when` values of wait).
enum class multi_wait_mode : unsigned char
{
    gather,         // every child; the first failure or cancellation completes it
    gather_settled, // every child, whatever its outcome
    first_completed,
    first_exception,
    all_completed
};

class multi_wait;

// The shared state behind a child: a task or future handle, or the state itself.
inline future_base* state_of(future_base* f) noexcept
{
    return f;
}

template <class H>
    requires requires(const H& h)
    {
        h.get_state();
    }
future_base* state_of(const H& h) noexcept
{
    return h.get_state();
}

// A waiter node on one child. The nodes of one wait are one array owned by the wait,
// so waiting on n children costs one allocation, not n coroutines.
class multi_wait_node final : public op_node
{
public:
    void complete(boost::system::error_code ec, delivery d) override;
    void destroy() noexcept override;

    multi_wait* owner = nullptr;
    future_base* child = nullptr; // valid while attached (the child holds the node)
    bool attached = false;
};

// Waits for several futures or tasks and completes one handler, once. References: one
// per attached node, one for the timeout callback while it is scheduled, and local
// guards; the cancellation handler in the awaiter's slot holds a plain pointer (it is
// cleared before the wait goes away). Every completion is posted.
class multi_wait
{
public:
    multi_wait(event_loop& loop, multi_wait_mode mode, std::size_t n, task_base* awaiter)
        : loop_(loop)
        , nodes_(new multi_wait_node[n])
        , size_(n)
        , remaining_(n)
        , mode_(mode)
        , awaiter_(awaiter)
    {}
    multi_wait(const multi_wait&) = delete;
    multi_wait& operator=(const multi_wait&) = delete;
    virtual ~multi_wait() = default;

    // Attaches to every child (a child already done counts at once), then installs the
    // cancellation handler and the timeout. Children must be non-null.
    template <class Range>
    void start(const Range& children, std::optional<clock::time_point> deadline);

    void on_child_done(future_base& child);
    // From the cancellation handler: wait leaves its tasks; gather cancels its children.
    void cancel();
    void on_timeout();

    void add_ref() noexcept { ++refs_; }
    void release() noexcept
    {
        if (--refs_ == 0)
            delete this;
    }

protected:
    // Invokes the handler with `e` (null: the wait is over; else the exception to throw).
    virtual void complete_handler(std::exception_ptr e) = 0;
    virtual void install_cancellation() = 0;
    virtual void clear_slot() noexcept = 0;

    event_loop& loop_;

private:
    bool gathering() const noexcept
    {
        return mode_ == multi_wait_mode::gather || mode_ == multi_wait_mode::gather_settled;
    }
    void finish(std::exception_ptr e);

    std::unique_ptr<multi_wait_node[]> nodes_;
    std::size_t size_;
    std::size_t remaining_;
    std::size_t refs_ = 0;
    timer_handle timer_;
    multi_wait_mode mode_;
    bool finished_ = false;
    bool cancel_requested_ = false;
    task_base* awaiter_; // for the cancel message; alive while the wait is pending
};

inline void intrusive_ptr_add_ref(multi_wait* p) noexcept
{
    p->add_ref();
}

inline void intrusive_ptr_release(multi_wait* p) noexcept
{
    p->release();
}

inline void multi_wait_node::complete(boost::system::error_code, delivery)
{
    // Done, or taken off a child still pending (the wait is over): on_child_done tells.
    multi_wait* o = owner;
    attached = false;
    o->on_child_done(*child);
    o->release();
}

inline void multi_wait_node::destroy() noexcept
{
    // The child is being destroyed unfinished (the loop is going away).
    attached = false;
    owner->release();
}

template <class Range>
void multi_wait::start(const Range& children, std::optional<clock::time_point> deadline)
{
    boost::intrusive_ptr<multi_wait> guard(this);
    std::size_t i = 0;
    for (auto&& c : children) {
        future_base* f = state_of(c);
        multi_wait_node& n = nodes_[i++];
        n.owner = this;
        n.child = f;
        if (f->done()) {
            on_child_done(*f);
        } else if (!finished_ || mode_ == multi_wait_mode::gather) {
            // After a gather failed, its other children are still followed, so that
            // their exceptions are marked retrieved (asyncio).
            n.attached = true;
            add_ref();
            f->add_waiter(&n);
        }
    }
    if (finished_)
        return;
    install_cancellation();
    if (deadline)
        timer_ = loop_.call_at(
            *deadline, [self = boost::intrusive_ptr<multi_wait>(this)] { self->on_timeout(); });
}

inline void multi_wait::on_child_done(future_base& child)
{
    if (finished_) {
        // asyncio's gather marks the exceptions of the other children retrieved.
        if (mode_ == multi_wait_mode::gather && child.done())
            (void)child.outcome();
        return;
    }
    --remaining_;
    switch (mode_) {
    case multi_wait_mode::gather:
        if (std::exception_ptr e = child.outcome())
            return finish(std::move(e));
        break;
    case multi_wait_mode::first_completed:
        return finish(nullptr);
    case multi_wait_mode::first_exception:
        if (!child.cancelled() && child.exception())
            return finish(nullptr);
        break;
    case multi_wait_mode::gather_settled:
    case multi_wait_mode::all_completed:
        break;
    }
    if (remaining_ == 0)
        finish(cancel_requested_ ? interrupted_wait(awaiter_) : nullptr);
}

inline void multi_wait::cancel()
{
    if (finished_)
        return;
    if (!gathering()) {
        // asyncio.wait: the awaiter gets the cancellation, the tasks keep running.
        finish(interrupted_wait(awaiter_));
        return;
    }
    // gather: cancel every child; the awaiter gets the cancellation when a child ends
    // cancelled (gather) or when all are done (gather_settled).
    boost::intrusive_ptr<multi_wait> guard(this);
    cancel_requested_ = true;
    for (std::size_t i = 0; i < size_; ++i)
        if (nodes_[i].attached)
            nodes_[i].child->cancel_from_awaiter(awaiter_);
}

inline void multi_wait::on_timeout()
{
    if (!finished_)
        finish(nullptr);
}

inline void multi_wait::finish(std::exception_ptr e)
{
    if (finished_)
        return;
    finished_ = true;
    boost::intrusive_ptr<multi_wait> guard(this);
    timer_.cancel();
    // May destroy the cancellation handler while it runs (a cancellation that completed a
    // child at once): nothing below touches it.
    clear_slot();
    if (!gathering()) {
        // asyncio.wait removes its callbacks from the tasks still pending.
        for (std::size_t i = 0; i < size_; ++i)
            if (nodes_[i].attached)
                nodes_[i].child->abort_waiter(&nodes_[i]);
    }
    complete_handler(std::move(e));
}

template <class Handler>
class multi_wait_op final : public multi_wait
{
public:
    multi_wait_op(Handler h, event_loop& loop, multi_wait_mode mode, std::size_t n,
                  task_base* awaiter)
        : multi_wait(loop, mode, n, awaiter)
        , h_(std::move(h))
    {}

    ~multi_wait_op() override
    {
        // Destroyed undelivered (the loop is going away): detach from the slot first.
        if (h_)
            clear_slot();
    }

private:
    struct exception_completion
    {
        std::exception_ptr e;

        template <class H>
        void operator()(H&& h)
        {
            static_cast<H&&>(h)(std::move(e));
        }
    };

    void complete_handler(std::exception_ptr e) override
    {
        Handler h(std::move(*h_));
        h_.reset();
        deliver(loop_, std::move(h), exception_completion{std::move(e)}, delivery::posted);
    }

    void install_cancellation() override
    {
        detail::install_cancellation(*h_, static_cast<multi_wait*>(this));
    }

    void clear_slot() noexcept override { clear_cancellation(*h_); }

    std::optional<Handler> h_;
};

struct initiate_multi_wait
{
    template <class Handler, class Range>
    void operator()(Handler&& handler, multi_wait_mode mode, const Range* children,
                    std::optional<clock::time_point> deadline) const
    {
        using handler_type = std::decay_t<Handler>;
        event_loop& loop = state_of(*std::begin(*children))->loop();
        task_base* awaiter = awaiting_task();
        show_awaiting(awaiter, children_desc<Range>(mode), children);
        auto* op = new multi_wait_op<handler_type>(static_cast<Handler&&>(handler), loop, mode,
                                                   std::size(*children), awaiter);
        op->start(*children, deadline);
    }
};

// Checks what an initiation cannot report: a child is set and belongs to the running
// loop (when there is one).
inline void check_child(const future_base* f, const char* what)
{
    if (!f)
        throw invalid_state_error(std::string(what) + ": an empty task handle");
    if (event_loop* cur = current.loop; cur && f->loop_if_open() != cur)
        throw invalid_state_error(std::string(what) +
                                  ": a task belongs to another event loop than the caller");
}

template <class Range>
void check_children(const Range& children, const char* what)
{
    for (auto&& c : children)
        check_child(state_of(c), what);
}

// Completes with `void(std::exception_ptr)` when the wait is over; inside an awaitable,
// `co_await wait_children(...)` rethrows that exception. `children` must outlive it and
// not be empty.
template <class Range>
auto wait_children(multi_wait_mode mode, const Range& children,
                   std::optional<clock::time_point> deadline)
{
    return boost::asio::async_initiate<const boost::asio::deferred_t&, void(std::exception_ptr)>(
        initiate_multi_wait{}, boost::asio::deferred, mode, &children, deadline);
}

} // namespace boost::tulip::detail

#endif
