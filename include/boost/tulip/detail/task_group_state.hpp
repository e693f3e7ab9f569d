//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_TASK_GROUP_STATE_HPP
#define BOOST_TULIP_DETAIL_TASK_GROUP_STATE_HPP

#include <boost/tulip/detail/described_wait.hpp>
#include <boost/tulip/future.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <deque>
#include <exception>
#include <list>
#include <memory>
#include <vector>

namespace boost::tulip::detail {

// The bookkeeping of one task group (the non-template part of with_task_group and
// task_group), shared by the handles and by the children's done callbacks.
class task_group_state : public std::enable_shared_from_this<task_group_state>
{
public:
    // Made at the start of with_task_group, in the calling task (the parent).
    static std::shared_ptr<task_group_state> enter(task_base* parent, std::size_t max_concurrency);

    task_group_state(any_task parent, std::size_t max_concurrency) noexcept;

    // Throws invalid_state_error unless children can be added (`op` names the call).
    void check_open(const char* op) const;

    event_loop& loop() const { return parent_.get_loop(); }

    // A new child must wait for a concurrency slot: returns the future that grants it
    // (an empty handle if the child may start at once, with a slot if limited).
    // `bounded` is false for call_later children.
    struct admission
    {
        future<void> gate; // empty: start at once
        bool holds_slot = false;
    };
    admission admit(bool bounded);
    // Undoes admit() when the task could not be created.
    void cancel_admission(const admission& a) noexcept;
    // Registers a created child.
    void track(any_task t, admission a);

    // task_group::cancel().
    void cancel();
    std::size_t size() const noexcept;
    bool shutting_down() const noexcept { return aborting_; }

    // The end of with_task_group, after the body returned (`body_error` null) or threw:
    // waits for the children, then throws the exception_group or the cancellation to
    // propagate, or returns normally.
    boost::asio::awaitable<void> exit(std::exception_ptr body_error);

private:
    struct child
    {
        any_task task;
        future<void> gate;
        bool holds_slot = false;
        bool queued = false; // in slot_queue_
        bool gone = false;   // done and accounted for; erased when it leaves the queue
    };
    using child_iter = std::list<child>::iterator;

    void on_child_done(child_iter it);
    void release_slot();
    void abort();

    any_task parent_;
    std::size_t max_concurrency_;
    std::list<child> children_;
    std::deque<child_iter> slot_queue_;
    std::size_t live_ = 0;    // children whose done callback has not run yet
    std::size_t running_ = 0; // children holding a slot
    std::vector<std::exception_ptr> errors_;
    future<void> on_completed_;
    bool exiting_ = false;
    bool aborting_ = false;
    bool finished_ = false;
    bool parent_cancel_requested_ = false;
};

// A child waiting for a concurrency slot, in task trees.
extern const await_desc awaiting_group_slot;

// Used by the gate of a child waiting for a concurrency slot: a cancellation requested
// after the slot was granted but before the child resumed stops it before its body runs.
void throw_if_cancel_pending();

} // namespace boost::tulip::detail

#endif
