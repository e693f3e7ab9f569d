//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_AWAITABLE_TRAITS_HPP
#define BOOST_TULIP_DETAIL_AWAITABLE_TRAITS_HPP

#include <boost/asio/awaitable.hpp>

#include <type_traits>

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

} // namespace boost::tulip::detail

#endif
