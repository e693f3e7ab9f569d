//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_SLEEP_OP_HPP
#define BOOST_TULIP_DETAIL_SLEEP_OP_HPP

#include <boost/tulip/detail/handler_loop.hpp>
#include <boost/tulip/detail/suspended_op.hpp>
#include <boost/tulip/detail/timer_node.hpp>
#include <boost/tulip/event_loop.hpp>

#include <boost/asio/error.hpp>

#include <cstddef>

namespace boost::tulip::detail {

// A pending sleep: a node of the loop's timer heap. Its operation is held twice, by the
// heap and by its pending handler, and is freed when both are gone: a cancelled sleep
// stays in the heap as a tombstone.
class sleep_node
    : public op_node
    , public timer_node
{
public:
    // The heap's reference comes with the call.
    void fire() override
    {
        --refs_;
        complete({}, delivery::dispatched);
    }

    void release() noexcept override
    {
        if (--refs_ == 0)
            delete this;
    }

    void drop_handler() noexcept override
    {
        if (!cancelled) // a tombstone has no handler left
            destroy();
    }

    bool release_op() noexcept { return --refs_ == 0; }

    // From the cancellation slot: complete now with operation_aborted; the heap entry
    // stays as a tombstone.
    template <class Op>
    void on_cancel(Op& op)
    {
        loop_timers(op.loop()).cancel(this); // may drop the heap's reference
        op.complete(boost::asio::error::operation_aborted, delivery::posted);
    }

private:
    std::size_t refs_ = 2;
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
            deliver(loop, std::move(h), code_completion{error::loop_closed}, delivery::posted);
            return;
        }
        if (relative && d <= duration::zero()) {
            // A yield: resume on a later iteration, behind what is ready now.
            deliver(loop, std::move(h), code_completion{}, delivery::posted);
            return;
        }
        const clock::time_point now = loop.time();
        clock::time_point when = at;
        if (relative)
            when = d > clock::time_point::max() - now ? clock::time_point::max() : now + d;
        if (when <= now) {
            // A yield: resume on a later iteration, behind what is ready now.
            deliver(loop, std::move(h), code_completion{}, delivery::posted);
            return;
        }
        auto* op = new suspended_op<handler_type, sleep_node, code_completion>(loop, std::move(h));
        op->arm_value(awaiting_sleep, when.time_since_epoch().count());
        loop_timers(loop).schedule(when, op);
    }
};

} // namespace boost::tulip::detail

#endif
