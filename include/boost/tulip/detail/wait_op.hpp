//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_WAIT_OP_HPP
#define BOOST_TULIP_DETAIL_WAIT_OP_HPP

#include <boost/tulip/detail/future_base.hpp>
#include <boost/tulip/detail/suspended_op.hpp>
#include <boost/tulip/event_loop.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/detail/throw_error.hpp>
#include <boost/asio/error.hpp>
#include <boost/smart_ptr/intrusive_ptr.hpp>

#include <exception>
#include <optional>

namespace boost::tulip::detail {

// A wait until a future or task is done (co_await of wait(), async_wait). Cancelling the
// coroutine that awaits cancels what it awaits (asyncio); a cancellation requested while
// the awaiter ran or was ready to run interrupts only the wait (asyncio throws it at the
// resume point, before the await).
struct future_waiter : op_node
{
    future_waiter(boost::intrusive_ptr<future_base> s, task_base* a) noexcept
        : st(std::move(s))
        , awaiter(a)
    {}

    boost::intrusive_ptr<future_base> st;
    task_base* awaiter; // the task that awaits, if any (for its cancel message)

    // What the task tree shows (it tells a task from a future by the object).
    static constexpr const await_desc& desc = awaiting_future;

    template <class Op>
    void on_cancel(Op&)
    {
        boost::intrusive_ptr<future_base> f = st; // completing the wait frees this node
        if (cancel_interrupts_only(awaiter))
            f->abort_waiter(this);
        else
            f->cancel_from_awaiter(awaiter);
    }
};

// A wait for a shielded task: cancelling the waiter takes it out of the task's waiters
// (the waiter then reports the cancellation) and leaves the task alone.
struct shielded_waiter : future_waiter
{
    using future_waiter::future_waiter;

    static constexpr const await_desc& desc = awaiting_shield;

    template <class Op>
    void on_cancel(Op&)
    {
        boost::intrusive_ptr<future_base> f = st; // completing the wait frees this node
        f->abort_waiter(this);
    }
};

// For wait() and shield: resumes the awaiter with whether its wait was interrupted
// (decided when the wait completed, not when the awaiter runs); the awaiter then reads
// the outcome from the state, on the loop.
struct resume_completion
{
    bool interrupted;

    static resume_completion make(future_waiter& w, boost::system::error_code) noexcept
    {
        return {!w.st->done()};
    }

    static resume_completion done(future_base&) noexcept { return {false}; }

    template <class Handler>
    void operator()(Handler&& h) const
    {
        static_cast<Handler&&>(h)(interrupted);
    }
};

// For async_wait(): void(std::exception_ptr[, T]), the outcome taken when the wait
// completes.
template <class T, class State>
struct outcome_completion
{
    std::exception_ptr e;
    std::optional<T> value;

    static outcome_completion make(future_waiter& w, boost::system::error_code) noexcept
    {
        return of(*w.st, w.awaiter);
    }

    static outcome_completion done(future_base& f) noexcept { return of(f, nullptr); }

    // Never throws: what fails to be taken (a move-only result already moved out to
    // another waiter, a throwing move) becomes this waiter's exception, so the other
    // waiters are still woken.
    static outcome_completion of(future_base& f, task_base* awaiter) noexcept
    {
        try {
            if (!f.done())
                return {interrupted_wait(awaiter), std::nullopt};
            std::exception_ptr e = f.outcome();
            if (e)
                return {std::move(e), std::nullopt};
            return {nullptr, static_cast<State&>(f).take()};
        } catch (...) {
            return {std::current_exception(), std::nullopt};
        }
    }

    template <class Handler>
    void operator()(Handler&& h)
    {
        if (value)
            static_cast<Handler&&>(h)(e, std::move(*value));
        else
            static_cast<Handler&&>(h)(e, T{});
    }
};

template <class State>
struct outcome_completion<void, State>
{
    std::exception_ptr e;

    static outcome_completion make(future_waiter& w, boost::system::error_code) noexcept
    {
        return of(*w.st, w.awaiter);
    }

    static outcome_completion done(future_base& f) noexcept { return of(f, nullptr); }

    static outcome_completion of(future_base& f, task_base* awaiter)
    {
        return {f.done() ? f.outcome() : interrupted_wait(awaiter)};
    }

    template <class Handler>
    void operator()(Handler&& h)
    {
        static_cast<Handler&&>(h)(e);
    }
};

// Starts a wait on `st`. `Waiter`: future_waiter or shielded_waiter; `interruptible`:
// whether it installs its cancellation handler. The task tree shows `desc` on `object`:
// by default the waiter's own description on the awaited state; a library operation
// that waits on an internal future names itself instead (a task group's exit).
template <class Waiter, class Completion>
struct initiate_wait
{
    const await_desc* desc = &Waiter::desc;
    const void* object = nullptr; // null: the awaited state

    template <class Handler>
    void operator()(Handler&& handler, boost::intrusive_ptr<future_base> st,
                    bool interruptible = true) const
    {
        using handler_type = std::decay_t<Handler>;
        event_loop& loop = st->loop();
        if (st->done()) {
            deliver(loop, static_cast<Handler&&>(handler), Completion::done(*st), delivery::posted);
            return;
        }
        future_base& f = *st;
        auto* op = new suspended_op<handler_type, Waiter, Completion>(
            loop, handler_type(static_cast<Handler&&>(handler)), std::move(st), awaiting_task());
        op->arm(*desc, object ? object : &f, interruptible);
        f.add_waiter(op);
    }
};

// ---- co_await of wait(): the waiter in the awaiting frame --------------------------------
// `co_await h.wait()` is a coroutine of its own (it returns an awaitable<T>). Its waiter
// node is built in that coroutine's frame instead of in a heap block of its own: the frame
// outlives the wait (the node holds the coroutine's thread of execution, which is what
// resumes it), and it holds the reference to the awaited state. The node's handler is
// that thread alone (frame_resume below); the outcome goes into the frame.

using frame_executor = boost::asio::any_io_executor;
using frame_thread = boost::asio::detail::awaitable_thread<frame_executor>;

// The signature tag of the handler that resumes a frame wait: see the specialisation of
// awaitable_async_op_handler at the end of this header.
struct frame_resume
{};

} // namespace boost::tulip::detail

namespace boost::asio::detail {

// The handler that resumes a frame wait: the coroutine's thread alone (the outcome is in
// the frame already). As Asio's own handlers for a co_await of an operation do, it
// reattaches the thread to the top frame (the wait's), clears the slot and pumps; it is a
// specialisation of their template for the access that needs.
template <class Executor>
class awaitable_async_op_handler<void(boost::tulip::detail::frame_resume), Executor>
    : public awaitable_thread<Executor>
{
public:
    explicit awaitable_async_op_handler(awaitable_thread<Executor>&& t) noexcept
        : awaitable_thread<Executor>(std::move(t))
    {}

    void operator()(bool)
    {
        this->entry_point()->top_of_stack_->attach_thread(this);
        this->entry_point()->top_of_stack_->clear_cancellation_slot();
        this->pump();
    }
};

} // namespace boost::asio::detail

namespace boost::tulip::detail {

using frame_resume_handler =
    boost::asio::detail::awaitable_async_op_handler<void(frame_resume), frame_executor>;

class frame_wait_op;

// The parameter of the coroutine of wait(), so in its frame: the awaited state, the
// outcome of the wait, and storage for the suspended wait.
struct frame_wait_room
{
    explicit frame_wait_room(boost::intrusive_ptr<future_base> s) noexcept
        : st(std::move(s))
    {}
    frame_wait_room(frame_wait_room&& o) noexcept
        : st(std::move(o.st))
    {}

    boost::intrusive_ptr<future_base> st;
    bool interrupted = false; // the wait completed before the state was done
    bool aborted = false;     // the thread was cancelled before the wait started
    // The awaiting task cancels the wait itself (task_base::set_cancel_target) instead of
    // through a handler in its cancellation slot, which would be a heap block of its own:
    // so when the coroutine's slot is the one the task gave its thread, whose only emitter
    // is the task.
    bool direct = false;
    alignas(void*) unsigned char bytes[5 * sizeof(void*) + sizeof(frame_thread)];

    struct start;
};

// A wait suspended in `room` (future_waiter's rules: cancelling the awaiter cancels what
// it awaits, unless the request only interrupts the wait).
class frame_wait_op final : public op_node
{
public:
    frame_wait_op(frame_wait_room& room, frame_thread&& thread, task_base* awaiter) noexcept
        : thread_(std::move(thread))
        , room_(&room)
        , awaiter_(awaiter)
    {}

    // Installs the cancellation handler (unless the task cancels it directly) and shows
    // what the task awaits.
    void arm()
    {
        if (!room_->direct)
            install_cancellation(thread_, this);
        show_awaiting(awaiter_, awaiting_future, room_->st.get());
    }

    // From the cancellation handler, or from the task (direct).
    void cancel()
    {
        future_base* f = room_->st.get(); // completing the wait destroys this node only
        if (cancel_interrupts_only(awaiter_))
            f->abort_waiter(this);
        else
            f->cancel_from_awaiter(awaiter_);
    }

    void complete(boost::system::error_code, delivery d) override
    {
        frame_wait_room& room = *room_;
        room.interrupted = !room.st->done();
        event_loop& loop = room.st->loop();
        leave();
        frame_resume_handler h(std::move(thread_));
        clear_cancellation(h);
        this->~frame_wait_op();
        deliver(loop, std::move(h), resume_completion{room.interrupted}, d);
    }

    void destroy() noexcept override
    {
        leave();
        clear_cancellation(thread_);
        {
            // What it owns (the coroutine's frames) goes now.
            [[maybe_unused]] frame_thread t(std::move(thread_));
        }
        this->~frame_wait_op();
    }

private:
    void leave() noexcept
    {
        if (room_->direct)
            awaiter_->clear_cancel_target(this);
    }

    frame_thread thread_;
    frame_wait_room* room_;
    task_base* awaiter_;
};

// What `co_await` runs once the coroutine has suspended (a function of the frame, which
// Asio's awaitable accepts): starts the wait.
struct frame_wait_room::start
{
    frame_wait_room* room;

    frame_thread* operator()(boost::asio::detail::awaitable_frame_base<frame_executor>* frame) const
    {
        static_assert(sizeof(frame_wait_op) <= sizeof(frame_wait_room::bytes));
        static_assert(alignof(frame_wait_op) <= alignof(void*));
        future_base& f = *room->st;
        event_loop& loop = f.loop();
        frame_thread* thread = frame->detach_thread();
        // Asio's rule for a co_await of an operation: a thread whose cancellation state is
        // already cancelled throws operation_aborted instead of starting it.
        const bool cancelled =
            thread->throw_if_cancelled() && !!thread->get_cancellation_state().cancelled();
        if (cancelled || f.done()) {
            room->aborted = cancelled;
            deliver(loop, frame_resume_handler(std::move(*thread)), resume_completion{false},
                    delivery::posted);
            return nullptr;
        }
        task_base* t = awaiting_task();
        room->direct = t && t->owns_cancellation_slot(thread->get_cancellation_slot());
        auto* op =
            ::new (static_cast<void*>(room->bytes)) frame_wait_op(*room, std::move(*thread), t);
        op->arm();
        if (room->direct)
            t->set_cancel_target(op);
        f.add_waiter(op);
        return nullptr;
    }
};

// The coroutine of wait(): waits until the state is done, then gives its result or
// throws.
template <class T, class State>
boost::asio::awaitable<T> wait_until_done(frame_wait_room room)
{
    if (!room.st->done()) {
        co_await frame_wait_room::start{&room};
        if (room.aborted)
            boost::asio::detail::throw_error(boost::asio::error::operation_aborted, "co_await");
        if (room.interrupted) // the wait itself was interrupted by a cancellation
            std::rethrow_exception(interrupted_wait(awaiting_task()));
    }
    room.st->check_result();
    if constexpr (!std::is_void_v<T>)
        co_return static_cast<State&>(*room.st).take();
}

} // namespace boost::tulip::detail

#endif
