// Precompiled header of the Boost.Test suites (test/CMakeLists.txt).
// Only stable, heavy headers belong here. The file that defines BOOST_TEST_MODULE
// (main.cpp) is compiled without it.
#ifndef BOOST_TULIP_TEST_PCH_HPP
#define BOOST_TULIP_TEST_PCH_HPP

#include <boost/asio.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/tulip.hpp>
#include <boost/tulip/test.hpp>

#endif
