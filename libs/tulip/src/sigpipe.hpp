//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_SRC_SIGPIPE_HPP
#define BOOST_TULIP_SRC_SIGPIPE_HPP

namespace boost::tulip::detail {

// SIGPIPE never ends the program: before Tulip writes where the kernel may raise it (a
// pipe, sendfile(2): neither has MSG_NOSIGNAL), this sets it to ignored if it is at its
// default, as Python does at start-up. A handler the program installed is left alone.
// True when SIGPIPE is ignored on return; false when a handler is installed (the caller
// then keeps the signal from reaching it). Children get the default back (subprocess).
bool ignore_sigpipe() noexcept;

// A count of the changes to SIGPIPE's disposition that Tulip makes through its own signal
// handlers (add_signal_handler and the like install Asio's handler; removing the last one
// restores the default). A connection that found SIGPIPE ignored remembers the count then
// and looks again once it moved (sendfile_run). Any thread.
unsigned sigpipe_epoch() noexcept;
void sigpipe_disposition_changed() noexcept;

} // namespace boost::tulip::detail

#endif
