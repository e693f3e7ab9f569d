//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_SLEEP_HPP
#define BOOST_TULIP_SLEEP_HPP

#include <boost/tulip/detail/sleep_op.hpp>
#include <boost/tulip/event_loop.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

namespace boost::tulip {

// tag::outline[]
/** Waits for `d` on the loop's clock (asyncio `sleep`).

    `sleep(0s)` (or a negative duration) yields: the caller resumes on a later loop
    iteration, after the callbacks and tasks already ready. Timers of one loop share one
    heap behind one Asio timer; under the test runner the clock is virtual.

    The default token is `asio::deferred`, so `co_await tulip::sleep(1s)` works inside
    any `asio::awaitable`. A handler with no associated executor runs on the loop.

    @par Completion Signature
    `void(boost::system::error_code)`: success, `asio::error::operation_aborted` if
    cancelled, or `tulip::error::loop_closed`.

    @par Per-Operation Cancellation
    `terminal`, `partial` and `total`: the timer is removed and the operation completes
    with `operation_aborted`; nothing else changes.
*/
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
              CompletionToken = boost::asio::deferred_t>
auto sleep(duration d, CompletionToken&& token = CompletionToken{})
{
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        detail::initiate_sleep{}, token, true, d, clock::time_point{});
}

/// Waits until `when` on the loop's clock. Same contract as `sleep`.
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
              CompletionToken = boost::asio::deferred_t>
auto sleep_until(clock::time_point when, CompletionToken&& token = CompletionToken{})
{
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        detail::initiate_sleep{}, token, false, duration{}, when);
}
// end::outline[]

} // namespace boost::tulip

#endif
