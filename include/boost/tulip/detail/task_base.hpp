//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_TASK_BASE_HPP
#define BOOST_TULIP_DETAIL_TASK_BASE_HPP

#include <boost/tulip/detail/awaiting.hpp>
#include <boost/tulip/detail/future_base.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_state.hpp>

#include <boost/assert/source_location.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace boost::tulip::detail {

inline constexpr std::size_t task_name_capacity = 63;
static_assert(task_name_capacity <= 255, "task_base stores a name's length in one byte");

// The length `s` keeps as a task name: at most task_name_capacity bytes, never ending
// inside a UTF-8 character.
constexpr std::size_t task_name_length(std::string_view s) noexcept
{
    if (s.size() <= task_name_capacity)
        return s.size();
    std::size_t n = task_name_capacity;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return n;
}

// A task is a future driven by a coroutine (asyncio.Task is a Future subclass).
//
// Cancellation and finishing go through the members below, never through the state
// itself: a request (cancel) is counted and stays pending until the coroutine is
// suspended in an operation that can take it (deliver_cancel); uncancel undoes a
// request; take_pending_cancel turns a pending one into an exception its caller throws
// instead; finish_and_wake is the one place a task ends.
class task_base : public future_base
{
public:
    task_base(event_loop& loop, context ctx, std::string_view name,
              const boost::source_location& where);
    ~task_base() override;

    // --- cancellation (asyncio's Task.cancel, cancelling, uncancel) ---

    // Requests cancellation (with `msg`, if not empty, as the message): delivered now if
    // the coroutine is suspended in an operation that can take it, else at the end of the
    // step running now or of the next one. False if the task is done.
    bool cancel(std::string msg) override;
    int cancelling() const noexcept { return cancel_requests_; }
    // Undoes one request; the pending delivery goes with the last one.
    int uncancel() noexcept;
    // Whether a request is still to be delivered.
    bool cancel_pending() const noexcept { return pending_cancel_; }
    // Takes the pending request, which will then never be delivered at a suspension, and
    // returns the cancelled_error to throw in its place; null if none was pending.
    std::exception_ptr take_pending_cancel();
    // True while deliver_cancel(true) emits: the request came while the task was ready to
    // run, so the operation it interrupts is not cancelled itself (an awaited task or
    // future is left alone, as asyncio leaves it).
    bool delivering_runnable_cancel() const noexcept { return delivering_runnable_cancel_; }

    // Emits the pending cancellation if the coroutine is suspended in an operation that
    // can be cancelled; else it stays pending until the end of a later step.
    // `requested_while_runnable`: see delivering_runnable_cancel(). A request made during
    // the task's own step is not of that kind: asyncio cancels what the step then awaits.
    void deliver_cancel(bool requested_while_runnable) noexcept;
    // At the end of a step: delivers a cancellation that came during it or while the
    // task was ready to run.
    void deliver_cancel_after_step() noexcept { deliver_cancel(!cancel_in_own_step_); }

    // shield(): run() awaits such a task at shutdown, never cancels it.
    void mark_shielded() noexcept { shielded_ = true; }
    bool shielded() const noexcept { return shielded_; }

    // --- the coroutine ---

    // The task's first step: connects its cancellation signal to the coroutine thread it
    // launches, which gets this slot and state.
    boost::asio::cancellation_slot attach_cancellation() noexcept
    {
        cancel_state_ = boost::asio::cancellation_state(signal_.slot());
        has_cancel_state_ = true;
        return signal_.slot();
    }
    boost::asio::cancellation_state& cancellation_state() noexcept { return cancel_state_; }

    // Whether operations started by a coroutine whose cancellation slot is `slot` are
    // cancelled by this task's requests alone: the slot is that of the state the task
    // gave its coroutine thread (not a state the coroutine reset).
    bool owns_cancellation_slot(const boost::asio::cancellation_slot& slot) noexcept
    {
        return has_cancel_state_ && slot == cancel_state_.slot();
    }
    // A frame wait that this task cancels directly (instead of through its slot) while
    // it is suspended in it; null when it completes.
    void set_cancel_target(op_node* op) noexcept { cancel_target_ = op; }
    void clear_cancel_target(op_node* op) noexcept
    {
        if (cancel_target_ == op)
            cancel_target_ = nullptr;
    }

    // The one place a task ends: its body returned or threw (or it was cancelled before
    // its first step). Done at once; the awaiters resume on a later iteration.
    void finish_and_wake(std::exception_ptr e);

    // --- identity ---

    std::string name() const;
    void set_name(std::string_view name);
    const boost::source_location& created_at() const noexcept { return created_at_; }

    bool is_task() const noexcept override { return true; }
    std::string describe() const override;

private:
    void finish(std::exception_ptr e) noexcept;

    // The flags and the count come first: they fill the end of future_base's last word
    // (every task has these), with no hole before the next pointer.
    bool has_cancel_state_ : 1 = false;
    bool pending_cancel_ : 1 = false;
    bool cancel_in_own_step_ : 1 = false; // the pending request was made by the task's step
    bool shielded_ : 1 = false;
    bool delivering_runnable_cancel_ : 1 = false;

public:
    bool started : 1 = false; // its first step has run

public:
    // The end of a context is padding: the count goes there.
    [[no_unique_address]] context ctx;

private:
    int cancel_requests_ = 0;

private:
    boost::asio::cancellation_signal signal_;
    boost::asio::cancellation_state cancel_state_;
    // A wait suspended in the frame of this task's coroutine that the task cancels itself,
    // with no handler in its cancellation slot (see frame_wait_room).
    op_node* cancel_target_ = nullptr;

public:
    // What the task is suspended on, as far as Tulip knows (for task trees); cleared by
    // each step.
    awaiting_record awaiting;
    // The task whose task group, gather or wait made this one (for task trees). Not
    // owned: valid only while that task is unfinished, which the tree checks.
    task_base* parent = nullptr;
    std::uint64_t number = 0; // for the default name "Task-N"

private:
    // A given name is in the extras (future_extras::name): most tasks go by "Task-N".
    boost::source_location created_at_;
};

template <class T>
class task_state final
    : public task_base
    , public value_holder<T>
{
public:
    using task_base::task_base;
};

} // namespace boost::tulip::detail

#endif
