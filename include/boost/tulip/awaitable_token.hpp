//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_AWAITABLE_TOKEN_HPP
#define BOOST_TULIP_AWAITABLE_TOKEN_HPP

#include <boost/tulip/detail/config.hpp>
#include <boost/tulip/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/system/error_code.hpp>

#include <tuple>

namespace boost::tulip {

// tag::outline[]
/** The completion token of operations that can fail with a Tulip exception type
    (`queue::get`, `queue::put`, `barrier::wait`).

    With it, an operation whose completion signature is
    `void(boost::system::error_code, Ts...)` returns an `asio::awaitable<R>` (`R` is
    `void`, `T`, or `std::tuple<Ts...>`): `co_await op()` yields the value, and throws
    the Tulip exception type that matches a Tulip error code (`queue_shut_down`,
    `broken_barrier_error`, `invalid_state_error`, `timeout_error`), or
    `boost::system::system_error` for any other code (a cancellation stays a
    `system_error` with `asio::error::operation_aborted`, as for Asio operations).

    The operation starts when the awaitable is awaited (like `asio::use_awaitable`).
    Pass any other token (`asio::deferred`, `asio::use_awaitable`, a callback) to see the
    `error_code` instead.
*/
struct awaitable_token_t
{
    constexpr awaitable_token_t() noexcept = default;
};

/// The default completion token of `queue::get`, `queue::put` and `barrier::wait`.
inline constexpr awaitable_token_t awaitable_token{};

/** Throws the exception that `awaitable_token` maps `ec` to (see above).
    Precondition: `ec` is an error. */
[[noreturn]] void throw_tulip_error(const boost::system::error_code& ec);
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/awaitable_token.hpp>

#endif
