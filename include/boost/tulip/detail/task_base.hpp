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
#include <string>
#include <string_view>

namespace boost::tulip::detail {

inline constexpr std::size_t task_name_capacity = 63;

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
class task_base : public future_base
{
public:
    task_base(event_loop& loop, context ctx, std::string name,
              const boost::source_location& where) noexcept;
    ~task_base() override;

    bool cancel(std::string msg) override;
    int cancelling() const noexcept { return cancel_requests_; }
    int uncancel() noexcept;

    std::string name() const;
    void set_name(std::string_view name) { name_.assign(name.substr(0, task_name_length(name))); }
    const boost::source_location& created_at() const noexcept { return created_at_; }

    bool is_task() const noexcept override { return true; }
    std::string describe() const override;

    // The coroutine's body returned or threw: the task is done at once.
    void finish(std::exception_ptr e) noexcept;
    // finish(e), then resumes the awaiters on a later iteration: what the task's bottom
    // frame does when the body is over.
    void finish_and_wake(std::exception_ptr e);
    // The task was cancelled before its first step: clears the request and returns the
    // cancelled_error its awaiters get (out of line, so it costs the frame nothing).
    std::exception_ptr take_cancel_before_start();

    // Emits the pending cancellation if the coroutine is suspended in an operation that
    // can be cancelled; else it stays pending until the end of a later step.
    // `requested_while_runnable`: the request came while the task was ready to run
    // (asyncio throws it at the resume point), so the operation it has just suspended in
    // is interrupted without being cancelled itself (an awaited task or future is left
    // alone). A request made during the task's own step is not of that kind: asyncio
    // cancels what the step then awaits.
    void deliver_cancel(bool requested_while_runnable) noexcept;

    // At the end of a step: delivers a cancellation that came during it or while the
    // task was ready to run.
    void deliver_cancel_after_step() noexcept { deliver_cancel(!cancel_in_own_step_); }

    // The task's coroutine state, read and written by its steps. The flags and counts
    // come first: they fill the end of future_base's padding (every task has these).
    bool has_cancel_state = false;
    bool pending_cancel = false;
    bool shielded = false; // set by shield(): run() awaits it at shutdown, never cancels it
    bool delivering_runnable_cancel = false; // set while deliver_cancel(true) emits
    std::uint32_t steps = 0;                 // resumptions so far

private:
    int cancel_requests_ = 0;
    bool cancel_in_own_step_ = false; // the pending request was made by the task's step

public:
    context ctx;
    boost::asio::cancellation_signal signal;
    boost::asio::cancellation_state cancel_state;

    // What the task is suspended on, as far as Tulip knows (for task trees); cleared by
    // each step.
    awaiting_record awaiting;
    // The task whose task group, gather or wait made this one (for task trees). Not
    // owned: valid only while that task is unfinished, which the tree checks.
    task_base* parent = nullptr;

private:
    std::string name_;

public:
    std::uint64_t number = 0; // for the default name "Task-N"

private:
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
