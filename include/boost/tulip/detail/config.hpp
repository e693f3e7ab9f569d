//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_CONFIG_HPP
#define BOOST_TULIP_DETAIL_CONFIG_HPP

#include <boost/config.hpp>
#include <boost/version.hpp>

#if BOOST_VERSION < 108100
#error "Boost.Tulip requires Boost 1.81 or newer"
#endif

#if !defined(__cpp_impl_coroutine) || __cplusplus < 202002L
#error "Boost.Tulip requires C++20 with coroutines"
#endif

#include <chrono>

namespace boost::tulip {

/// The duration type used by every Tulip timing function.
using duration = std::chrono::steady_clock::duration;

} // namespace boost::tulip

#endif
