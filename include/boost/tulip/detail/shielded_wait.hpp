//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_SHIELDED_WAIT_HPP
#define BOOST_TULIP_DETAIL_SHIELDED_WAIT_HPP

#include <boost/tulip/detail/wait_op.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>

namespace boost::tulip::detail {

// A wait for a shielded task (shield(), and timeout's wait for its inner work).
using initiate_shielded_wait = initiate_wait<shielded_waiter, resume_completion>;

// Waits until `st` is done; a cancellation of the caller stays pending meanwhile (it is
// delivered at the caller's next suspension).
inline boost::asio::awaitable<void> wait_until_done(boost::intrusive_ptr<future_base> st)
{
    if (!st->done())
        co_await boost::asio::async_initiate<const boost::asio::deferred_t&, void(bool)>(
            initiate_shielded_wait{}, boost::asio::deferred, st, false);
}

} // namespace boost::tulip::detail

#endif
