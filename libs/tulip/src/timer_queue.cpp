//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/detail/timer_queue.hpp>

#include <boost/tulip/detail/thread_state.hpp>

#include <algorithm>
#include <atomic>

namespace boost::tulip::detail {

namespace {
std::atomic<int> virtual_clock_queues{0}; // live timer queues on virtual time
} // namespace

bool any_virtual_clock() noexcept
{
    return virtual_clock_queues.load(std::memory_order_relaxed) > 0;
}

timer_queue::~timer_queue()
{
    if (virtual_)
        virtual_clock_queues.fetch_sub(1, std::memory_order_relaxed);
}

void timer_queue::schedule(time_point when, timer_node* n)
{
    heap_.push_back({when, ++seq_, n});
    std::push_heap(heap_.begin(), heap_.end(), timer_entry_later{});
    arm();
}

void timer_queue::cancel(timer_node* n) noexcept
{
    n->cancelled = true;
    ++tombstones_;
    drop_tombstones_on_top();
    if (tombstones_ > 64 && tombstones_ > heap_.size() / 2)
        compact();
    if (heap_.empty())
        disarm(); // nothing left to wait for: let the io_context run out of work
}

void timer_queue::disarm() noexcept
{
    if (!armed_ || !timer_)
        return;
    armed_ = false;
    ++arm_generation_;
    timer_->cancel();
}

void timer_queue::drop_tombstones_on_top() noexcept
{
    while (!heap_.empty() && heap_.front().node->cancelled) {
        std::pop_heap(heap_.begin(), heap_.end(), timer_entry_later{});
        timer_node* n = heap_.back().node;
        heap_.pop_back();
        --tombstones_;
        n->release();
    }
}

void timer_queue::compact()
{
    auto live = std::partition(heap_.begin(), heap_.end(),
                               [](const timer_entry& e) { return !e.node->cancelled; });
    for (auto it = live; it != heap_.end(); ++it)
        it->node->release();
    heap_.erase(live, heap_.end());
    std::make_heap(heap_.begin(), heap_.end(), timer_entry_later{});
    tombstones_ = 0;
}

std::optional<timer_queue::time_point> timer_queue::next_deadline() noexcept
{
    drop_tombstones_on_top();
    if (heap_.empty())
        return std::nullopt;
    return heap_.front().when;
}

void timer_queue::use_virtual_clock()
{
    virtual_now_ = std::chrono::steady_clock::now();
    if (!virtual_)
        virtual_clock_queues.fetch_add(1, std::memory_order_relaxed);
    virtual_ = true;
    disarm();
}

void timer_queue::advance_to(time_point t)
{
    if (t > virtual_now_)
        virtual_now_ = t;
    run_due();
}

void timer_queue::run_due()
{
    // Deadlines are compared with one reading of the clock, so a timer scheduled by a
    // callback fired here waits for the next round.
    const time_point at = now();
    while (!heap_.empty() && heap_.front().when <= at) {
        std::pop_heap(heap_.begin(), heap_.end(), timer_entry_later{});
        timer_node* n = heap_.back().node;
        heap_.pop_back();
        if (n->cancelled) {
            --tombstones_;
            n->release();
            continue;
        }
        n->fire();
    }
}

void timer_queue::arm()
{
    if (virtual_ || closed_)
        return;
    drop_tombstones_on_top();
    if (heap_.empty())
        return;
    const time_point next = heap_.front().when;
    if (armed_ && armed_at_ <= next)
        return;
    armed_ = true;
    armed_at_ = next;
    const std::uint64_t generation = ++arm_generation_;
    if (!timer_)
        timer_.emplace(ioc_);
    timer_->expires_at(next);
    timer_->async_wait([this, generation](const boost::system::error_code&) {
        if (generation != arm_generation_)
            return; // re-armed or disarmed since
        armed_ = false;
        struct rearm
        {
            timer_queue* q;
            ~rearm() { q->arm(); }
        } guard{this};
        scoped_thread_state scope(nullptr, nullptr, &owner_);
        run_due();
    });
}

void timer_queue::shutdown() noexcept
{
    closed_ = true;
    armed_ = false;
    ++arm_generation_;
    timer_.reset();
    auto heap = std::move(heap_);
    heap_.clear();
    tombstones_ = 0;
    for (auto& e : heap)
        e.node->drop_handler();
    for (auto& e : heap)
        e.node->release();
}

} // namespace boost::tulip::detail
