//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_SLEEP_OP_HPP
#define BOOST_TULIP_DETAIL_SLEEP_OP_HPP

// First: event_loop.hpp includes the task and future headers at its end.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/detail/handler_loop.hpp>
#include <boost/tulip/detail/task_base.hpp>
#include <boost/tulip/detail/timer_node.hpp>
#include <boost/tulip/detail/wait_op.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/error.hpp>

#include <optional>

namespace boost::tulip::detail {

// Completes a handler with an error_code.
struct complete_with
{
    boost::system::error_code ec;
    template <class Handler>
    void operator()(Handler&& h) const
    {
        static_cast<Handler&&>(h)(ec);
    }
};

// A pending sleep in the timer heap. References: the heap's, and the cancellation
// handler's while it is installed in the caller's slot.
template <class Handler>
class sleep_op final
    : public timer_node
    , public recycled
{
public:
    sleep_op(event_loop& loop, Handler h)
        : loop_(loop)
        , h_(std::move(h))
    {}

    void fire() override
    {
        Handler h(std::move(*h_));
        h_.reset();
        auto slot = boost::asio::get_associated_cancellation_slot(h);
        if (slot.is_connected())
            slot.clear(); // drops the cancellation handler's reference
        event_loop& loop = loop_;
        release();
        deliver(loop, std::move(h), complete_with{}, true);
    }

    void release() noexcept override
    {
        if (--refs_ == 0)
            delete this;
    }

    void add_ref() noexcept { ++refs_; }

    void drop_handler() noexcept override
    {
        if (!h_)
            return;
        add_ref(); // the slot's handler and the frames may release references meanwhile
        auto slot = boost::asio::get_associated_cancellation_slot(*h_);
        if (slot.is_connected())
            slot.clear();
        h_.reset();
        release();
    }

    // From the cancellation slot: complete now with operation_aborted; the heap entry
    // stays as a tombstone.
    void abort()
    {
        if (!h_)
            return;
        Handler h(std::move(*h_));
        h_.reset();
        event_loop& loop = loop_;
        loop_timers(loop).cancel(this); // may release the heap's reference
        deliver(loop, std::move(h), complete_with{boost::asio::error::operation_aborted}, false);
    }

private:
    event_loop& loop_;
    std::optional<Handler> h_;
    std::size_t refs_ = 1;
};

template <class Op>
class sleep_cancellation
{
public:
    explicit sleep_cancellation(Op* op) noexcept
        : op_(op)
    {
        op_->add_ref();
    }
    sleep_cancellation(const sleep_cancellation&) = delete;
    sleep_cancellation& operator=(const sleep_cancellation&) = delete;
    ~sleep_cancellation() { op_->release(); }

    void operator()(boost::asio::cancellation_type_t type)
    {
        using ct = boost::asio::cancellation_type;
        if ((type & (ct::terminal | ct::partial | ct::total)) != ct::none)
            op_->abort();
    }

private:
    Op* op_;
};

struct initiate_sleep
{
    template <class Handler>
    void operator()(Handler&& handler, bool relative, duration d, clock::time_point at) const
    {
        using handler_type = std::decay_t<Handler>;
        event_loop& loop = loop_for_handler(handler);
        handler_type h(static_cast<Handler&&>(handler));
        if (loop.is_closed()) {
            deliver(loop, std::move(h), complete_with{error::loop_closed}, false);
            return;
        }
        if (relative && d <= duration::zero()) {
            // A yield: resume on a later iteration, behind what is ready now.
            deliver(loop, std::move(h), complete_with{}, false);
            return;
        }
        const clock::time_point now = loop.time();
        clock::time_point when = at;
        if (relative)
            when = d > clock::time_point::max() - now ? clock::time_point::max() : now + d;
        if (when <= now) {
            // A yield: resume on a later iteration, behind what is ready now.
            deliver(loop, std::move(h), complete_with{}, false);
            return;
        }
        auto slot = boost::asio::get_associated_cancellation_slot(h);
        auto* op = new sleep_op<handler_type>(loop, std::move(h));
        if (slot.is_connected())
            slot.template emplace<sleep_cancellation<sleep_op<handler_type>>>(op);
        set_awaiting_value(current.task, awaiting_sleep, when.time_since_epoch().count());
        loop_timers(loop).schedule(when, op);
    }
};

} // namespace boost::tulip::detail

#endif
