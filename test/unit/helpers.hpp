//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Small coroutines and exception readers the unit tests share.

#ifndef BOOST_TULIP_TEST_UNIT_HELPERS_HPP
#define BOOST_TULIP_TEST_UNIT_HELPERS_HPP

#include <boost/tulip/error.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>

#include <exception>
#include <string>

namespace tulip_test {

inline boost::tulip::awaitable<void> set_flag(bool& flag)
{
    flag = true;
    co_return;
}

inline boost::tulip::awaitable<int> value_after(boost::tulip::duration d, int v)
{
    co_await boost::tulip::sleep(d);
    co_return v;
}

// what() of a std::exception, or a marker.
inline std::string what_of(const std::exception_ptr& e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (const std::exception& x)
    {
        return x.what();
    }
    catch (...)
    {
        return "<not a std::exception>";
    }
}

// The message of a cancelled_error, or a marker if `e` is something else.
inline std::string cancel_message(const std::exception_ptr& e)
{
    if (!e)
        return "<no exception>";
    try
    {
        std::rethrow_exception(e);
    }
    catch (const boost::tulip::cancelled_error& c)
    {
        return c.message();
    }
    catch (...)
    {
        return "<not a cancelled_error>";
    }
}

} // namespace tulip_test

#endif
