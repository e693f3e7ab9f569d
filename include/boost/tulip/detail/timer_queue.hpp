//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_TIMER_QUEUE_HPP
#define BOOST_TULIP_DETAIL_TIMER_QUEUE_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/tulip/detail/timer_node.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace boost::tulip {
class event_loop;
namespace detail {

// The loop's timers (sleep, call_later, timeouts): one heap behind one asio::steady_timer,
// so that a million sleeps cost one heap push each, and the loop's clock, which the test
// runner makes virtual. Loop thread only.
class timer_queue
{
public:
    using time_point = std::chrono::steady_clock::time_point;

    timer_queue(event_loop& owner, boost::asio::io_context& ioc) noexcept
        : owner_(owner)
        , ioc_(ioc)
    {}
    ~timer_queue();
    timer_queue(const timer_queue&) = delete;
    timer_queue& operator=(const timer_queue&) = delete;

    // The loop's time: steady time, or the virtual time the test runner moves.
    time_point now() const noexcept
    {
        return virtual_ ? virtual_now_ : std::chrono::steady_clock::now();
    }

    // Queues `n` (which holds a reference for the heap) to fire at `when`.
    void schedule(time_point when, timer_node* n);
    // Marks `n` as a tombstone: it will be released, never fired.
    void cancel(timer_node* n) noexcept;
    // The earliest live deadline, if any.
    std::optional<time_point> next_deadline() noexcept;

    // Virtual time (test runner): the clock stops at steady time now and moves only
    // through advance_to, which fires what is then due.
    void use_virtual_clock();
    void advance_to(time_point t);

    // Loop shutdown: no more arming; handlers dropped, then every node released.
    void shutdown() noexcept;

private:
    void run_due();
    void arm();
    void drop_tombstones_on_top() noexcept;
    void compact();
    void disarm() noexcept;

    event_loop& owner_;
    boost::asio::io_context& ioc_;
    // Made on first use: an Asio timer brings in the reactor, which a loop that only
    // runs tasks and callbacks does not need.
    std::optional<boost::asio::steady_timer> timer_;
    std::vector<timer_entry> heap_;
    std::uint64_t seq_ = 0;
    std::size_t tombstones_ = 0;
    bool armed_ = false;
    bool closed_ = false;
    bool virtual_ = false;
    time_point armed_at_{};
    std::uint64_t arm_generation_ = 0;
    time_point virtual_now_{};
};

// Whether some live loop has a virtual clock (then plain Asio code reads its time).
bool any_virtual_clock() noexcept;

} // namespace detail
} // namespace boost::tulip

#endif
