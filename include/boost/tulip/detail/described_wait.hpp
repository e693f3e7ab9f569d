//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_DESCRIBED_WAIT_HPP
#define BOOST_TULIP_DETAIL_DESCRIBED_WAIT_HPP

#include <boost/tulip/detail/awaiting.hpp>
#include <boost/tulip/detail/wait_op.hpp>
#include <boost/tulip/future.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

namespace boost::tulip::detail {

// `f.async_wait(deferred)` for a future internal to a library operation (a task group's
// exit, as_completed's wake-up), shown in the task tree as `d` on `object` rather than as
// "awaiting a future".
template <class T>
auto wait_described(const future<T>& f, const await_desc& d, const void* object)
{
    using initiation = initiate_wait<future_waiter, outcome_completion<T, future_state<T>>>;
    return boost::asio::async_initiate<const boost::asio::deferred_t&, wait_signature<T>>(
        initiation{&d, object}, boost::asio::deferred,
        boost::intrusive_ptr<future_base>(f.get_state()), true);
}

} // namespace boost::tulip::detail

#endif
