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

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>

namespace boost::tulip {

// tag::outline[]
/** The completion token of operations that can fail with a Tulip exception type
    (`queue::get`, `queue::put`, `barrier::wait`, and the stream operations).

    With it, an operation whose completion signature is
    `void(boost::system::error_code, Ts...)` returns an `asio::awaitable<R>` (`R` is
    `void`, `T`, or `std::tuple<Ts...>`): `co_await op()` yields the value, and on an
    error throws what the operation's error mapper makes of the completion (see
    `default_error_mapper`): the Tulip exception type that matches a Tulip error code
    (`queue_shut_down`, `broken_barrier_error`, `invalid_state_error`, `timeout_error`,
    `incomplete_read_error` with its bytes), or `boost::system::system_error` for any
    other code (a cancellation stays a `system_error` with
    `asio::error::operation_aborted`, as for Asio operations).

    It is an ordinary Asio completion token (an `async_result` specialisation): the
    operation starts when the awaitable is awaited (like `asio::use_awaitable`). Pass any
    other token (`asio::deferred`, `asio::use_awaitable`, a callback) to see the
    `error_code` and the values instead.

    @par Customisation
    An operation whose failure carries data beyond its completion's values gives its
    initiation object (the function object passed to `async_initiate`) a const member
    `error_mapper()` returning a function object `f`; `awaitable_token` takes it before
    the operation starts and, on an error, calls `f(ec, values...)` with lvalues of the
    completion's values, which must throw. `readexactly(n)` uses it to say how many bytes
    it expected. Without that member, `default_error_mapper{}` is used.
*/
struct awaitable_token_t
{
    constexpr awaitable_token_t() noexcept = default;
};

/// The default completion token of `queue::get`, `queue::put`, `barrier::wait` and of
/// operations whose failures are best seen as Tulip exceptions.
inline constexpr awaitable_token_t awaitable_token{};

/** Throws the exception that `awaitable_token` maps `ec` to (see above).
    Precondition: `ec` is an error. */
[[noreturn]] void throw_tulip_error(const boost::system::error_code& ec);

/** The mapping of a read's completion `void(error_code, std::string)`:
    `tulip::error::incomplete_read` throws `incomplete_read_error(std::move(partial),
    expected)`; any other code is thrown as by `throw_tulip_error(ec)` (the bytes are then
    dropped). Precondition: `ec` is an error. */
[[noreturn]] void throw_tulip_error(const boost::system::error_code& ec, std::string& partial,
                                    std::ptrdiff_t expected = -1);

/** What `awaitable_token` throws for a failed completion `(ec, values...)` when the
    operation names no error mapper: a completion carrying one `std::string` goes to the
    read mapping above (an incomplete read's bytes travel in the exception); any other
    completion to `throw_tulip_error(ec)`, the values being dropped. */
struct default_error_mapper
{
    [[noreturn]] void operator()(const boost::system::error_code& ec, std::string& bytes) const
    {
        throw_tulip_error(ec, bytes);
    }
    template <class... Ts>
    [[noreturn]] void operator()(const boost::system::error_code& ec, Ts&...) const
    {
        throw_tulip_error(ec);
    }
};
// end::outline[]

namespace detail {

// The default token of an operation on an object that has an executor, as Asio's own
// I/O objects choose it: the executor's default completion token when it names one
// (`asio::as_default_on`, `executor_with_default`), else Tulip's `Fallback`. Boost 1.81
// gives an executor without one a default of `void`, hence the fallback.
template <class Executor, class Fallback>
struct default_token
{
    using type = Fallback;
};
template <class Executor, class Fallback>
    requires(!std::is_void_v<boost::asio::default_completion_token_t<Executor>>)
struct default_token<Executor, Fallback>
{
    using type = boost::asio::default_completion_token_t<Executor>;
};
template <class Executor, class Fallback = awaitable_token_t>
using default_token_t = typename default_token<Executor, Fallback>::type;

} // namespace detail
} // namespace boost::tulip

#include <boost/tulip/impl/awaitable_token.hpp>

#endif
