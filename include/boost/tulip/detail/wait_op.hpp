//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_WAIT_OP_HPP
#define BOOST_TULIP_DETAIL_WAIT_OP_HPP

// First: event_loop.hpp includes the task and future headers at its end.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/detail/future_base.hpp>
#include <boost/tulip/detail/task_base.hpp>
#include <boost/tulip/detail/thread_state.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

namespace boost::tulip::detail {

// Invokes a completion handler through its associated executor (the loop's by default):
// inline when allowed (dispatch), else on a later iteration (post).
// A completion ready to run: `invoke(std::move(handler))`. It keeps the handler's
// associated executor, allocator and cancellation slot (see the associator below), so
// post and dispatch take Asio's direct path to the handler's executor.
template <class Handler, class Invoke>
struct bound_completion
{
    Handler handler;
    Invoke invoke;

    void operator()() { invoke(std::move(handler)); }
};

// Invokes `h` as `invoke(std::move(h))` through the handler's associated executor:
// inline when allowed (dispatch), else on a later iteration (post). A handler with no
// executor of its own runs on the loop, as a loop callback.
template <class Handler, class Invoke>
void deliver(event_loop& loop, Handler&& h, Invoke invoke, bool allow_inline)
{
    using handler_type = std::decay_t<Handler>;
    using executor = boost::asio::associated_executor_t<handler_type, boost::asio::system_executor>;
    if constexpr (std::is_same_v<executor, boost::asio::system_executor>) {
        auto f = boost::asio::bind_executor(
            loop.get_executor(),
            [l = &loop, h = static_cast<Handler&&>(h), invoke = std::move(invoke)]() mutable {
                scoped_thread_state scope(nullptr, nullptr, l);
                invoke(std::move(h));
            });
        if (allow_inline)
            boost::asio::dispatch(std::move(f));
        else
            boost::asio::post(std::move(f));
    } else {
        bound_completion<handler_type, Invoke> f{static_cast<Handler&&>(h), std::move(invoke)};
        if (allow_inline)
            boost::asio::dispatch(std::move(f));
        else
            boost::asio::post(std::move(f));
    }
}

// Cancelling the coroutine that awaits a future cancels the future (asyncio).
// A cancellation requested while the awaiter ran or was ready to run interrupts only the
// wait (asyncio throws it at the resume point, before the await).
struct wait_cancellation
{
    boost::intrusive_ptr<future_base> st;
    task_base* awaiter;
    waiter* w; // alive while this handler is installed: completion clears the slot

    void operator()(boost::asio::cancellation_type_t type)
    {
        using ct = boost::asio::cancellation_type;
        if ((type & (ct::terminal | ct::partial | ct::total)) == ct::none)
            return;
        if (awaiter && awaiter->delivering_runnable_cancel())
            st->abort_waiter(w);
        else
            st->cancel_from_awaiter(awaiter);
    }
};

// The outcome for a waiter whose wait was interrupted before the future was done.
inline std::exception_ptr interrupted_wait(task_base* awaiter)
{
    return std::make_exception_ptr(
        cancelled_error(awaiter ? awaiter->cancel_message() : std::string()));
}

// Deliver: callable (Handler&&, future_base&) that invokes the handler with the outcome.
template <class Handler, class Deliver>
class wait_op final
    : public waiter
    , public recycled
{
public:
    wait_op(boost::intrusive_ptr<future_base> st, Handler h, task_base* awaiter)
        : st_(std::move(st))
        , h_(std::move(h))
        , awaiter_(awaiter)
    {}

    void complete(bool resume_inline) override
    {
        auto st = std::move(st_);
        Handler h(std::move(h_));
        task_base* awaiter = awaiter_;
        delete this;
        auto slot = boost::asio::get_associated_cancellation_slot(h);
        if (slot.is_connected())
            slot.clear();
        event_loop& loop = st->loop();
        deliver(
            loop, std::move(h),
            [st = std::move(st), awaiter](Handler&& h) mutable {
                Deliver{}(std::move(h), *st, awaiter);
            },
            resume_inline);
    }

    void destroy() noexcept override { delete this; }

private:
    boost::intrusive_ptr<future_base> st_;
    Handler h_;
    task_base* awaiter_; // the task that awaits, if any (for its cancel message)
};

template <class Deliver>
struct initiate_wait
{
    template <class Handler>
    void operator()(Handler&& handler, boost::intrusive_ptr<future_base> st) const
    {
        using handler_type = std::decay_t<Handler>;
        if (st->done()) {
            event_loop& loop = st->loop();
            deliver(
                loop, static_cast<Handler&&>(handler),
                [st = std::move(st)](handler_type&& h) mutable {
                    Deliver{}(std::move(h), *st, nullptr);
                },
                false);
            return;
        }
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        task_base* awaiter = current.task;
        future_base& f = *st;
        auto* w = new wait_op<handler_type, Deliver>(st, static_cast<Handler&&>(handler), awaiter);
        if (slot.is_connected())
            slot.template emplace<wait_cancellation>(wait_cancellation{std::move(st), awaiter, w});
        set_awaiting(awaiter, awaiting_future, &f);
        f.add_waiter(w);
    }
};

// For wait(): resumes the awaiter, which then reads the outcome from the state.
struct deliver_nothing
{
    template <class Handler>
    void operator()(Handler&& h, future_base&, task_base*) const
    {
        static_cast<Handler&&>(h)();
    }
};

// For async_wait(): void(std::exception_ptr[, T]).
template <class T, class State>
struct deliver_outcome
{
    template <class Handler>
    void operator()(Handler&& h, future_base& f, task_base* awaiter) const
    {
        std::exception_ptr e = f.done() ? f.outcome() : interrupted_wait(awaiter);
        if constexpr (std::is_void_v<T>) {
            static_cast<Handler&&>(h)(e);
        } else {
            if (e)
                static_cast<Handler&&>(h)(e, T{});
            else
                static_cast<Handler&&>(h)(e, static_cast<State&>(f).take());
        }
    }
};

// What the boost::asio::associator specialisations of a handler wrapper derive from: every
// associated characteristic (executor, allocator, cancellation slot, ...) of `Wrapper` is
// that of the handler it wraps, its `handler` member.
template <template <class, class> class Associator, class Wrapper, class Handler,
          class DefaultCandidate>
struct forward_associator : Associator<Handler, DefaultCandidate>
{
    static typename Associator<Handler, DefaultCandidate>::type get(const Wrapper& w) noexcept
    {
        return Associator<Handler, DefaultCandidate>::get(w.handler);
    }

    static auto get(const Wrapper& w, const DefaultCandidate& d) noexcept
        -> decltype(Associator<Handler, DefaultCandidate>::get(w.handler, d))
    {
        return Associator<Handler, DefaultCandidate>::get(w.handler, d);
    }
};

} // namespace boost::tulip::detail

namespace boost::asio {

template <template <class, class> class Associator, class Handler, class Invoke,
          class DefaultCandidate>
struct associator<Associator, boost::tulip::detail::bound_completion<Handler, Invoke>,
                  DefaultCandidate>
    : boost::tulip::detail::forward_associator<
          Associator, boost::tulip::detail::bound_completion<Handler, Invoke>, Handler,
          DefaultCandidate>
{};

} // namespace boost::asio

#endif
