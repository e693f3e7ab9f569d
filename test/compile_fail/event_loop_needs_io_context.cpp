//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Must not compile: an event_loop attached to an execution context that is not an
// io_context. With BOOST_TULIP_EXPECT_ACCEPTED it must compile (the control, so that the
// refusal is this one and not a broken include).
//
// The refusal is a hard error inside Asio's service factory, not a substitution failure,
// so a requires-expression cannot observe it: hence a compiler run (test/CMakeLists.txt).

#include <boost/tulip/event_loop.hpp>

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

int main()
{
    boost::asio::io_context ioc;
    (void)boost::asio::use_service<boost::tulip::event_loop>(ioc);
#ifndef BOOST_TULIP_EXPECT_ACCEPTED
    boost::asio::thread_pool pool(1);
    boost::asio::execution_context& not_an_io_context = pool;
    (void)boost::asio::use_service<boost::tulip::event_loop>(not_an_io_context);
#endif
}
