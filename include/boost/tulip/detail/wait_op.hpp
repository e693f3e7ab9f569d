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

} // namespace boost::tulip::detail

#endif
