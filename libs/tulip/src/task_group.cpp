//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/task_group.hpp>

#include <boost/tulip/detail/described_wait.hpp>
#include <boost/tulip/detail/thread_state.hpp>

namespace boost::tulip {
namespace detail {

namespace {

void describe_exit(std::string& out, const void* group)
{
    const std::size_t n = static_cast<const task_group_state*>(group)->size();
    out += " (" + std::to_string(n) + (n == 1 ? " task" : " tasks") + " left)";
}

// The parent at the end of with_task_group, waiting for the children.
constexpr await_desc awaiting_group_exit{"task_group exit", await_kind::custom, nullptr,
                                         &describe_exit};

} // namespace

const await_desc awaiting_group_slot{"waiting for a task_group slot"};

std::shared_ptr<task_group_state> task_group_state::enter(task_base* parent,
                                                          std::size_t max_concurrency)
{
    return std::make_shared<task_group_state>(task_handle(parent), max_concurrency);
}

task_group_state::task_group_state(any_task parent, std::size_t max_concurrency) noexcept
    : parent_(std::move(parent))
    , max_concurrency_(max_concurrency)
{}

void task_group_state::check_open(const char* op) const
{
    if (finished_ || (exiting_ && live_ == 0))
        throw invalid_state_error(std::string(op) + ": the task group is finished");
    if (aborting_)
        throw invalid_state_error(std::string(op) + ": the task group is shutting down");
}

task_group_state::admission task_group_state::admit(bool bounded)
{
    admission a;
    if (!bounded || max_concurrency_ == 0)
        return a;
    if (running_ < max_concurrency_ && slot_queue_.empty()) {
        ++running_;
        a.holds_slot = true;
        return a;
    }
    a.gate = loop().create_future<void>();
    return a;
}

void task_group_state::cancel_admission(const admission& a) noexcept
{
    if (a.holds_slot)
        release_slot();
}

void task_group_state::track(any_task t, admission a)
{
    // Drawn beneath the parent in task trees; the parent outlives it (parent_ holds it).
    static_cast<task_base*>(t.get_state())->parent = static_cast<task_base*>(parent_.get_state());
    auto it = children_.insert(children_.end(), child{t, a.gate, a.holds_slot});
    ++live_;
    if (a.gate) {
        it->queued = true;
        slot_queue_.push_back(it);
    }
    // A child that finished eagerly is accounted for now, as asyncio 3.12 does: if it
    // failed, the group is shutting down before create_task returns.
    if (t.done()) {
        on_child_done(it);
        return;
    }
    auto self = shared_from_this();
    t.add_done_callback([self, it]() { self->on_child_done(it); });
    // An eager child may have stopped the group before it was tracked (cpython gh-155418).
    if (aborting_ && !t.done())
        t.cancel();
}

void task_group_state::release_slot()
{
    --running_;
    // Hand the slot to the first waiter still wanting it, FIFO.
    while (running_ < max_concurrency_ && !slot_queue_.empty()) {
        child_iter it = slot_queue_.front();
        slot_queue_.pop_front();
        it->queued = false;
        if (it->gone) {
            children_.erase(it);
            continue;
        }
        // Cancelled while waiting (its gate went with it): its done callback is coming.
        if (it->task.done() || it->gate.done())
            continue;
        it->holds_slot = true;
        ++running_;
        it->gate.set_result();
    }
}

void task_group_state::on_child_done(child_iter it)
{
    any_task t = it->task;
    const bool held = it->holds_slot;
    it->holds_slot = false;
    --live_;
    if (it->queued)
        it->gone = true; // erased when release_slot reaches it
    else
        children_.erase(it);
    if (held)
        release_slot();

    if (on_completed_ && live_ == 0 && !on_completed_.done())
        on_completed_.set_result();

    if (t.cancelled())
        return;
    std::exception_ptr e = t.exception();
    if (!e)
        return;
    errors_.push_back(e);
    if (parent_.done()) {
        // with_task_group always outlives its children; report rather than lose it.
        parent_.get_loop().call_exception_handler(
            {"task group child failed after its parent task finished", e, t});
        return;
    }
    if (!aborting_ && !parent_cancel_requested_) {
        // Stop the body too: the parent is cancelled here and uncancelled in exit().
        abort();
        parent_cancel_requested_ = true;
        parent_.cancel();
    }
}

void task_group_state::abort()
{
    aborting_ = true;
    for (auto& c : children_)
        if (!c.gone && !c.task.done())
            c.task.cancel();
}

void task_group_state::cancel()
{
    if (finished_ || (exiting_ && live_ == 0))
        return;
    if (aborting_)
        return;
    abort();
    if (!parent_cancel_requested_) {
        parent_cancel_requested_ = true;
        parent_.cancel();
    }
}

std::size_t task_group_state::size() const noexcept
{
    std::size_t n = 0;
    for (const auto& c : children_)
        if (!c.gone && !c.task.done())
            ++n;
    return n;
}

boost::asio::awaitable<void> task_group_state::exit(std::exception_ptr body_error)
{
    // Keeps the state alive until the end, whatever the handles do.
    auto self = shared_from_this();
    exiting_ = true;
    std::exception_ptr propagate; // the cancellation to let out
    if (body_error) {
        if (is_cancellation(body_error))
            propagate = body_error;
        if (!aborting_)
            abort();
    }

    // Waits in a loop: each cancellation of the parent (from outside, or the group's own)
    // interrupts one wait.
    std::exception_ptr pending; // the last cancellation seen while waiting
    while (live_ > 0) {
        if (!on_completed_)
            on_completed_ = loop().create_future<void>();
        std::exception_ptr e;
        try {
            co_await wait_described(on_completed_, awaiting_group_exit, this);
        } catch (...) {
            e = std::current_exception();
        }
        if (e) {
            if (!is_cancellation(e))
                std::rethrow_exception(e);
            pending = e;
            if (!aborting_) {
                // The enclosing task is being cancelled while the children still run.
                propagate = e;
                abort();
            }
        }
        on_completed_ = future<void>();
    }
    finished_ = true;

    if (parent_cancel_requested_) {
        if (parent_.uncancel() == 0)
            propagate = nullptr; // only our own cancel was there
        else if (!propagate)
            propagate = pending; // the remaining cancel is someone else's (#155433)
    }

    if (propagate && errors_.empty())
        std::rethrow_exception(propagate);

    if (body_error && !is_cancellation(body_error))
        errors_.push_back(body_error);

    if (!errors_.empty()) {
        // An outer cancellation consumed on the way must not be lost behind the group
        // (cpython#116720): re-arm it for the next suspension, keeping the count.
        if (parent_.cancelling() > 0) {
            parent_.uncancel();
            parent_.cancel();
        }
        auto errors = std::move(errors_);
        errors_.clear();
        throw exception_group("unhandled errors in a task group", std::move(errors));
    }
}

void throw_if_cancel_pending()
{
    task_base* t = current.task;
    if (t && t->cancel_pending())
        std::rethrow_exception(t->take_pending_cancel());
}

} // namespace detail

void task_group::cancel()
{
    if (st_)
        st_->cancel();
}

std::size_t task_group::size() const noexcept
{
    return st_ ? st_->size() : 0;
}

bool task_group::shutting_down() const noexcept
{
    return st_ && st_->shutting_down();
}

} // namespace boost::tulip
