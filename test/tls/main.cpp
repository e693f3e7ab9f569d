//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The TLS suite: its own executable, linked with Boost::tulip_ssl (and so OpenSSL), so
// that the integration suite keeps checking the plain library's refusal of `ssl`.
#define BOOST_TEST_MODULE tulip_tls_tests
#include <boost/test/unit_test.hpp>
