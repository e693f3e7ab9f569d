//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_SUSPENDED_OP_HPP
#define BOOST_TULIP_DETAIL_SUSPENDED_OP_HPP

// The one kernel of Tulip's suspended operations (sleep, future and task waits, shield,
// gather/wait, the primitives, the queues). A new operation (a stream read, an accept):
//  1. Node: a struct deriving from op_node (or sync_waiter) with the operation's data and
//     `template <class Op> void on_cancel(Op& op)`, its cancellation rule (e.g. leave the
//     list it waits in, then `op.complete(operation_aborted, delivery::posted)`).
//  2. Completion: `static C make(Node&, error_code)` that copies the outcome out of the
//     node, on the loop's thread, and `operator()(Handler&&)` that calls the handler with
//     it and reads nothing else (it may run on the handler's executor, another thread).
//  3. Initiation: if the result is there, `deliver(loop, h, C{...}, delivery::immediate)`;
//     else `auto* op = new suspended_op<H, Node, C>(loop, std::move(h), args...)`,
//     `op->arm(desc, object)` (what the task awaits, for the task tree: awaiting.hpp),
//     and link `op` where the waking party finds it (a list, or the completion handler
//     of an Asio socket op underneath, which stores the bytes in the node and calls
//     `op->complete(ec, delivery::posted)`).
// Everything that reads or writes task_base is below under "the awaiting task".

#include <boost/tulip/detail/awaiting.hpp>
#include <boost/tulip/detail/future_base.hpp>
#include <boost/tulip/detail/handler_loop.hpp>
#include <boost/tulip/detail/op_node.hpp>
#include <boost/tulip/detail/recycled.hpp>
#include <boost/tulip/detail/task_base.hpp>
#include <boost/tulip/detail/thread_state.hpp>
#include <boost/tulip/error.hpp>
#include <boost/tulip/event_loop.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace boost::tulip::detail {

// ---- the awaiting task ------------------------------------------------------------------
// An operation's only contact with task_base: one function each.

// The task whose coroutine starts the operation, if any.
inline task_base* awaiting_task() noexcept
{
    return current.task;
}

// What the task tree shows `t` suspended on: the operation `d` on `object` (see
// awaiting.hpp; `value` for a kind that shows a number, such as a sleep's deadline).
inline void show_awaiting(task_base* t, const await_desc& d, const void* object = nullptr) noexcept
{
    set_awaiting(t, d, object);
}
inline void show_awaiting_value(task_base* t, const await_desc& d, std::int64_t value) noexcept
{
    set_awaiting_value(t, d, value);
}

// Whether a cancellation of `t` being emitted now only interrupts its wait: it was
// requested while the task was ready to run (asyncio throws it at the resume point), so
// what the task awaits is left alone.
inline bool cancel_interrupts_only(const task_base* t) noexcept
{
    return t && t->delivering_runnable_cancel();
}

// The outcome for a waiter whose wait was interrupted before what it awaited was done.
inline std::exception_ptr interrupted_wait(task_base* awaiter)
{
    return std::make_exception_ptr(
        cancelled_error(awaiter ? awaiter->cancel_message() : std::string()));
}

// ---- delivery ---------------------------------------------------------------------------

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

// Handlers that resume a coroutine of Asio's (co_await of a deferred operation or of
// use_awaitable): Asio starts the operation after the coroutine has suspended, so an
// immediate completion may resume it inline.
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

// Immediate completions run inline, nested, on one thread: past this many, post, so that
// a loop of operations that complete at once does not grow the stack without bound.
inline constexpr int max_inline_completions = 8;

// The delivery rule, the one place that decides how a handler runs:
// - a handler with no executor of its own runs on the loop, as a loop callback;
//   any other runs on its associated executor (a task's, a strand, use_future's);
// - `immediate`: an Asio coroutine resumes inline (at most max_inline_completions deep),
//   any other handler is posted (Asio's rule: never inside the initiating function);
// - `dispatched`: dispatched (inline when the handler's executor allows it here);
// - `posted`: posted (the party that completed it goes on first).
// `invoke` holds the values the handler gets, taken on the loop's thread: it reads no
// operation state, since it may run on the handler's executor, on another thread.
template <class Handler, class Invoke>
void deliver(event_loop& loop, Handler&& h, Invoke invoke, delivery d)
{
    using handler_type = std::decay_t<Handler>;
    bool run_inline = d == delivery::dispatched;
    int* nesting = nullptr;
    if constexpr (is_coroutine_handler<handler_type>::value) {
        if (d == delivery::immediate && current.inline_completions < max_inline_completions) {
            run_inline = true;
            nesting = &++current.inline_completions;
        }
    }
    struct unnest
    {
        int* n;
        ~unnest()
        {
            if (n)
                --current.inline_completions;
        }
    } restore{nesting};
    using executor = boost::asio::associated_executor_t<handler_type, boost::asio::system_executor>;
    if constexpr (std::is_same_v<executor, boost::asio::system_executor>) {
        auto f = boost::asio::bind_executor(
            loop.get_executor(),
            [l = &loop, h = static_cast<Handler&&>(h), invoke = std::move(invoke)]() mutable {
                scoped_thread_state scope(nullptr, nullptr, l);
                invoke(std::move(h));
            });
        if (run_inline)
            boost::asio::dispatch(std::move(f));
        else
            boost::asio::post(std::move(f));
    } else {
        bound_completion<handler_type, Invoke> f{static_cast<Handler&&>(h), std::move(invoke)};
        if (run_inline)
            boost::asio::dispatch(std::move(f));
        else
            boost::asio::post(std::move(f));
    }
}

// Completes a handler with an error_code only.
struct code_completion
{
    boost::system::error_code ec;

    template <class Node>
    static code_completion make(Node&, boost::system::error_code ec) noexcept
    {
        return {ec};
    }

    template <class Handler>
    void operator()(Handler&& h) const
    {
        static_cast<Handler&&>(h)(ec);
    }
};

// Completes a handler with values taken earlier.
template <class... Values>
struct values_completion
{
    std::tuple<Values...> values;

    template <class Handler>
    void operator()(Handler&& h)
    {
        std::apply(static_cast<Handler&&>(h), std::move(values));
    }
};

// Whether `h` runs on the loop's thread: it has no executor of its own, or one of the
// loop's io_context (a task's, a strand of it, a coroutine's there; one loop, one thread).
template <class Handler>
bool runs_on_loop(const Handler& h, event_loop& loop) noexcept
{
    using executor = boost::asio::associated_executor_t<Handler, boost::asio::system_executor>;
    if constexpr (std::is_same_v<executor, boost::asio::system_executor>)
        return true;
    else {
        boost::asio::execution_context& ctx = boost::asio::query(
            boost::asio::get_associated_executor(h), boost::asio::execution::context);
        return &ctx == static_cast<boost::asio::execution_context*>(&loop.get_io_context());
    }
}

// The completion handler of work run on the loop (a coroutine co_spawned there) for a
// handler that runs elsewhere (use_future, another io_context): the values arrive on the
// loop's thread and go on to the handler through deliver(). The handler's cancellation
// slot and allocator are this one's; its executor is not (the work's stays the loop's).
template <class Handler>
struct on_loop_then_handler
{
    Handler handler;
    event_loop* loop;

    template <class... Values>
    void operator()(Values... v)
    {
        deliver(*loop, std::move(handler), values_completion<Values...>{{std::move(v)...}},
                delivery::posted);
    }
};

// ---- cancellation -----------------------------------------------------------------------

// The one handler a suspended operation installs in its handler's cancellation slot:
// `terminal`, `partial` and `total` apply the operation's rule (`op->cancel()`), which
// may complete the operation and so clear the slot, destroying this handler.
template <class Op>
struct cancellation_handler
{
    Op* op;

    void operator()(boost::asio::cancellation_type_t type) const
    {
        using ct = boost::asio::cancellation_type;
        if ((type & (ct::terminal | ct::partial | ct::total)) != ct::none)
            op->cancel(); // touch nothing after
    }
};

template <class Handler, class Op>
void install_cancellation(Handler& h, Op* op)
{
    auto slot = boost::asio::get_associated_cancellation_slot(h);
    if (slot.is_connected())
        slot.template emplace<cancellation_handler<Op>>(cancellation_handler<Op>{op});
}

template <class Handler>
void clear_cancellation(Handler& h) noexcept
{
    auto slot = boost::asio::get_associated_cancellation_slot(h);
    if (slot.is_connected())
        slot.clear();
}

// ---- outstanding work -------------------------------------------------------------------

// What a suspended operation holds on its handler's executor when that executor is not
// the loop's (another io_context, a thread pool): outstanding work, as Asio's own
// operations hold it, so that executor's run() does not return while the handler is still
// to come. Nothing for a handler without an executor, a coroutine (its task or co_spawn
// holds the work), or one on the loop's own io_context (the loop's work is the loop's).
template <class Handler>
class handler_work
{
    using executor = boost::asio::associated_executor_t<Handler, boost::asio::system_executor>;
    static constexpr bool may_track = !std::is_same_v<executor, boost::asio::system_executor> &&
                                      !is_coroutine_handler<Handler>::value &&
                                      boost::asio::execution::executor<executor>;

public:
    handler_work(const Handler& h, event_loop& loop)
    {
        if constexpr (may_track) {
            if (!runs_on_loop(h, loop))
                work_.emplace(
                    boost::asio::prefer(boost::asio::get_associated_executor(h),
                                        boost::asio::execution::outstanding_work.tracked));
        }
    }

private:
    struct none
    {};
    using tracked = std::decay_t<decltype(boost::asio::prefer(
        std::declval<const executor&>(), boost::asio::execution::outstanding_work.tracked))>;
    std::conditional_t<may_track, std::optional<tracked>, none> work_;
};

// ---- the suspended operation ------------------------------------------------------------

// A suspended operation: `Node` (an op_node with the operation's data and cancellation
// rule `on_cancel`) plus the handler. Completing it takes the outcome out of the node
// (`Completion::make`), clears the slot, frees the operation, then delivers.
template <class Handler, class Node, class Completion>
class suspended_op final
    : public Node
    , public recycled
{
public:
    template <class... A>
    suspended_op(event_loop& loop, Handler&& h, A&&... a)
        : Node(static_cast<A&&>(a)...)
        , h_(std::move(h))
        , loop_(&loop)
        , work_(h_, loop)
    {}

    event_loop& loop() const noexcept { return *loop_; }

    // Installs the cancellation handler (if the handler has a slot and the operation can
    // be cancelled) and shows what the awaiting task waits on: `d` on `object`.
    void arm(const await_desc& d, const void* object = nullptr, bool cancellable = true)
    {
        if (cancellable)
            install_cancellation(h_, this);
        show_awaiting(awaiting_task(), d, object);
    }
    // The same for an operation whose description shows a number (a sleep's deadline).
    void arm_value(const await_desc& d, std::int64_t value)
    {
        install_cancellation(h_, this);
        show_awaiting_value(awaiting_task(), d, value);
    }

    // From the cancellation handler.
    void cancel() { Node::on_cancel(*this); }

    void complete(boost::system::error_code ec, delivery d) override
    {
        // The outcome first: `make` turns a failure to take it into the handler's error
        // (see outcome_completion), so a waiter never leaves its operation half done.
        auto c = Completion::make(static_cast<Node&>(*this), ec);
        Handler h(std::move(h_));
        // Held until the completion is handed to the handler's executor.
        [[maybe_unused]] handler_work<Handler> work(std::move(work_));
        event_loop& loop = *loop_;
        clear_cancellation(h);
        if (Node::release_op())
            delete this;
        deliver(loop, std::move(h), std::move(c), d);
    }

    void destroy() noexcept override
    {
        clear_cancellation(h_);
        {
            [[maybe_unused]] Handler h(std::move(h_)); // what it owns (coroutine frames) goes now
        }
        if (Node::release_op())
            delete this;
    }

private:
    Handler h_;
    event_loop* loop_;
    [[no_unique_address]] handler_work<Handler> work_;
};

} // namespace boost::tulip::detail

namespace boost::asio {

template <class Handler, class CancellationSlot>
struct associated_cancellation_slot<boost::tulip::detail::on_loop_then_handler<Handler>,
                                    CancellationSlot>
{
    using type = associated_cancellation_slot_t<Handler, CancellationSlot>;

    static type get(const boost::tulip::detail::on_loop_then_handler<Handler>& h,
                    const CancellationSlot& s = CancellationSlot()) noexcept
    {
        return associated_cancellation_slot<Handler, CancellationSlot>::get(h.handler, s);
    }
};

template <class Handler, class Allocator>
struct associated_allocator<boost::tulip::detail::on_loop_then_handler<Handler>, Allocator>
{
    using type = associated_allocator_t<Handler, Allocator>;

    static type get(const boost::tulip::detail::on_loop_then_handler<Handler>& h,
                    const Allocator& a = Allocator()) noexcept
    {
        return associated_allocator<Handler, Allocator>::get(h.handler, a);
    }
};

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
