//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_CONNECTOR_HPP
#define BOOST_TULIP_DETAIL_CONNECTOR_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/tulip/detail/awaiting.hpp>
#include <boost/tulip/detail/op_node.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <vector>

namespace boost::tulip {

class base_protocol;
class event_loop;
class transport;
struct connection_options;

namespace detail {

// The errors of the failed attempts of one connection, in the order they failed: shared
// by the connector (which fills it) and awaitable_token's error mapper (which reads it).
using connect_errors = std::vector<boost::system::error_code>;

// Where to connect: a host and port (TCP), or a Unix socket path.
struct connect_target
{
    bool is_unix = false;
    std::string host; // or the path
    std::string port;
    // Already resolved: tried in this order, `host` naming them for the task tree.
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;
};

// The non-template part of create_connection and create_unix_connection: resolves, makes
// the attempts (happy eyeballs), keeps each failure, and completes `op` once with the
// first connected socket or an error (the first failure; operation_aborted once
// cancelled). The operation's node points to it while it is pending.
class connector
{
public:
    virtual ~connector() = default;
    // Starts; `op` is completed (posted) exactly once, or destroyed with the connector.
    virtual void start(op_node* op) = 0;
    // Per-operation cancellation: stops every attempt, closes their sockets, completes the
    // operation with operation_aborted.
    virtual void cancel() = 0;
    // After a successful completion: the transport of the connected socket.
    virtual std::shared_ptr<transport> make_transport(std::shared_ptr<base_protocol> p) = 0;
    // "host:port" or the path, for the task tree.
    virtual const std::string& target() const noexcept = 0;
};

std::shared_ptr<connector> make_connector(event_loop& loop, connect_target target,
                                          const connection_options& opts,
                                          std::shared_ptr<connect_errors> errors);

// What the task tree shows while a connection is being made: "connecting to host:port".
void format_connect_target(std::string& out, const void* connector);
inline constexpr await_desc awaiting_connect{"connecting to", await_kind::custom, nullptr,
                                             &format_connect_target};

// awaitable_token's mapping of a failed connection: one failure (or several with one
// code) as its system_error, several different failures as an exception_group of them.
[[noreturn]] void throw_connect_error(const boost::system::error_code& ec,
                                      const connect_errors& errors);

// The TLS fields of connection_options need the TLS library (Boost::tulip_ssl): without it
// a non-null `ssl` is refused (std::invalid_argument); a Unix connection with TLS needs
// `server_hostname`.
void refuse_ssl(const connection_options& opts, bool is_unix = false);

} // namespace detail
} // namespace boost::tulip

#endif
