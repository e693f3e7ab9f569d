//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_TIMER_NODE_HPP
#define BOOST_TULIP_DETAIL_TIMER_NODE_HPP

#include <chrono>
#include <cstdint>

namespace boost::tulip::detail {

// An entry of the loop's timer heap. The heap holds one reference; a cancelled node stays
// in the heap as a tombstone until it surfaces or the heap is compacted.
class timer_node
{
public:
    // Called once by the loop when the deadline passes; consumes the heap's reference.
    virtual void fire() = 0;
    // The heap drops its reference without firing (tombstone, or loop shutdown).
    virtual void release() noexcept = 0;
    // Loop shutdown: destroy a pending handler without invoking it, breaking the cycle
    // handler -> coroutine frames -> task -> cancellation slot -> node.
    virtual void drop_handler() noexcept {}

    bool cancelled = false;

protected:
    ~timer_node() = default;
};

struct timer_entry
{
    std::chrono::steady_clock::time_point when;
    std::uint64_t seq;
    timer_node* node;
};

// Orders a max-heap so that the earliest deadline (then the earliest scheduled) is on top.
struct timer_entry_later
{
    bool operator()(const timer_entry& a, const timer_entry& b) const noexcept
    {
        return a.when > b.when || (a.when == b.when && a.seq > b.seq);
    }
};

} // namespace boost::tulip::detail

#endif
