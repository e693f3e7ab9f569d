//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_TLS_HOOKS_HPP
#define BOOST_TULIP_DETAIL_TLS_HOOKS_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl

namespace boost::tulip {
class base_protocol;
class event_loop;
class transport;
} // namespace boost::tulip

namespace boost::tulip::detail {

// The link between the plain library and Boost::tulip_ssl. The plain library knows TLS
// only through this table, which tulip_ssl fills when it is linked (a static initializer
// there, kept by the link option of the Boost::tulip_ssl target): a program that never
// uses TLS links no OpenSSL, and the `ssl` options of connections and servers work as
// soon as tulip_ssl is part of the program.

// What one TLS connection needs, owned (the caller's strings need not outlive the call).
struct tls_settings
{
    boost::asio::ssl::context* ctx = nullptr;
    bool server_side = false;
    std::string server_hostname; // SNI and the name verified (clients)
    std::chrono::steady_clock::duration handshake_timeout = std::chrono::seconds(60);
    std::chrono::steady_clock::duration shutdown_timeout = std::chrono::seconds(30);
    std::string initial_data; // bytes already read that belong to the TLS stream
};

// A handshake on its way; once it has succeeded, the connection waiting for its protocol.
class tls_pending
{
public:
    virtual ~tls_pending() = default;
    // Stops the handshake (the socket is closed); `done` still runs, with an error.
    virtual void cancel() noexcept = 0;
    // After `done({})`: the TLS transport carrying `p` (its connection_made is posted).
    virtual std::shared_ptr<transport> make_transport(std::shared_ptr<base_protocol> p) = 0;
};

// Called once, from a handler on the loop (never inside the start call), with the
// handshake's outcome.
using tls_done = std::function<void(boost::system::error_code)>;

// Replaces the transport under a stream pair with TLS over the same socket (start_tls in
// place); defined by tulip_ssl (streams.cpp calls it through the table).
class stream_protocol;

struct tls_hooks
{
    std::shared_ptr<tls_pending> (*start_tcp)(event_loop& loop, boost::asio::ip::tcp::socket s,
                                              const tls_settings& settings, tls_done done);
    std::shared_ptr<tls_pending> (*start_unix)(event_loop& loop,
                                               boost::asio::local::stream_protocol::socket s,
                                               const tls_settings& settings, tls_done done);
};

// The table, or null when tulip_ssl is not linked.
const tls_hooks* get_tls_hooks() noexcept;
void set_tls_hooks(const tls_hooks* hooks) noexcept;

// The table or std::invalid_argument("... TLS needs Boost::tulip_ssl"), `what` naming the
// option.
const tls_hooks& require_tls_hooks(const char* what);

} // namespace boost::tulip::detail

#endif
