//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_SHIELDED_WAIT_HPP
#define BOOST_TULIP_DETAIL_SHIELDED_WAIT_HPP

// First: it includes the runtime headers in an order that works.
#include <boost/tulip/task.hpp>

#include <boost/tulip/detail/wait_op.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/deferred.hpp>

namespace boost::tulip::detail {

// A wait for a shielded task: cancelling the waiter takes the waiter out of the task's
// waiters (the waiter then reports the cancellation) and leaves the task alone.
struct shield_cancellation
{
    boost::intrusive_ptr<future_base> st;
    waiter* w; // alive while this handler is installed: completion clears the slot

    void operator()(boost::asio::cancellation_type_t type)
    {
        using ct = boost::asio::cancellation_type;
        if ((type & (ct::terminal | ct::partial | ct::total)) == ct::none)
            return;
        future_base* f = st.get();
        f->abort_waiter(w); // clears the slot, destroying this handler: touch nothing after
    }
};

struct initiate_shielded_wait
{
    template <class Handler>
    void operator()(Handler&& handler, boost::intrusive_ptr<future_base> st,
                    bool interruptible) const
    {
        using handler_type = std::decay_t<Handler>;
        if (st->done()) {
            event_loop& loop = st->loop();
            deliver(
                loop, static_cast<Handler&&>(handler), [](handler_type&& h) { std::move(h)(); },
                false);
            return;
        }
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        task_base* awaiter = current.task;
        future_base& f = *st;
        auto* w = new wait_op<handler_type, deliver_nothing>(st, static_cast<Handler&&>(handler),
                                                             awaiter);
        if (interruptible && slot.is_connected())
            slot.template emplace<shield_cancellation>(shield_cancellation{std::move(st), w});
        set_awaiting(awaiter, awaiting_shield, &f);
        f.add_waiter(w);
    }
};

// Waits until `st` is done; a cancellation of the caller stays pending meanwhile (it is
// delivered at the caller's next suspension).
inline boost::asio::awaitable<void> wait_until_done(boost::intrusive_ptr<future_base> st)
{
    if (!st->done())
        co_await boost::asio::async_initiate<const boost::asio::deferred_t&, void()>(
            initiate_shielded_wait{}, boost::asio::deferred, st, false);
}

} // namespace boost::tulip::detail

#endif
