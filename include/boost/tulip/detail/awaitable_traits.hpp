//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_AWAITABLE_TRAITS_HPP
#define BOOST_TULIP_DETAIL_AWAITABLE_TRAITS_HPP

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <type_traits>
#include <utility>

namespace boost::tulip::detail {

// Whether `A` is an `asio::awaitable`, and what awaiting it gives: `U` for
// `awaitable<U, E>`, `A` itself for a plain value (a callable may return either).
template <class A>
struct awaitable_traits : std::false_type
{
    using value_type = A;
};
template <class U, class E>
struct awaitable_traits<boost::asio::awaitable<U, E>> : std::true_type
{
    using value_type = U;
};

template <class A>
inline constexpr bool is_awaitable_v = awaitable_traits<A>::value;
template <class A>
using awaitable_value_t = typename awaitable_traits<A>::value_type;

// An asynchronous operation object: started by calling it, as an rvalue, with a
// completion token (what `asio::deferred` makes, and Tulip's operations return with
// their default token). Lvalues are refused: the operation is consumed.
template <class A>
concept async_operation =
    !std::is_lvalue_reference_v<A> && !std::is_const_v<std::remove_reference_t<A>> &&
    boost::asio::is_async_operation<std::remove_cvref_t<A>>::value;

// What the combinators accept as work to await: an `awaitable<T>` on the default
// executor or an asynchronous operation, both as rvalues (neither can be awaited twice).
template <class A>
concept awaitable_operation = async_operation<A> ||
    (!std::is_lvalue_reference_v<A> && !std::is_const_v<std::remove_reference_t<A>> &&
     std::is_same_v<std::remove_cvref_t<A>,
                    boost::asio::awaitable<awaitable_value_t<std::remove_cvref_t<A>>>>);

// The one conversion of such work into an `awaitable<T>`, lazy as an awaitable is. An
// operation is started with `use_awaitable`, which works for every completion signature
// in Asio 1.26 (awaiting the operation directly does not for `void(exception_ptr, T)`).
// `T` is what `co_await op` gives inside an awaitable: `void`, the value, or a tuple of
// values, with an `error_code` thrown as `system_error` and an `exception_ptr` rethrown.
template <awaitable_operation A>
auto as_awaitable(A&& work)
{
    if constexpr (is_awaitable_v<std::remove_cvref_t<A>>)
        return std::remove_cvref_t<A>(std::move(work));
    else
        return std::move(work)(boost::asio::use_awaitable);
}

// `T` for work that `as_awaitable` turns into an `awaitable<T>`.
template <class A>
using operation_value_t = typename decltype(as_awaitable(std::declval<A>()))::value_type;

} // namespace boost::tulip::detail

#endif
