//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_HPP
#define BOOST_TULIP_HPP

// Everything but TLS (tulip/tls.hpp) and the test runner (tulip/test.hpp).
#include <boost/tulip/as_completed.hpp>
#include <boost/tulip/asio_stream.hpp>
#include <boost/tulip/async_with.hpp>
#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/context.hpp>
#include <boost/tulip/datagram.hpp>
#include <boost/tulip/debug.hpp>
#include <boost/tulip/error.hpp>
#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/exception_group.hpp>
#include <boost/tulip/file.hpp>
#include <boost/tulip/future.hpp>
#include <boost/tulip/gather.hpp>
#include <boost/tulip/generator.hpp>
#include <boost/tulip/queue.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/serial.hpp>
#include <boost/tulip/sendfile.hpp>
#include <boost/tulip/server.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/streams.hpp>
#include <boost/tulip/subprocess.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/task_group.hpp>
#include <boost/tulip/threads.hpp>
#include <boost/tulip/timeout.hpp>
#include <boost/tulip/transport.hpp>
#include <boost/tulip/wait.hpp>

#endif
