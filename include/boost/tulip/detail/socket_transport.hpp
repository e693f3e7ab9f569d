//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_SOCKET_TRANSPORT_HPP
#define BOOST_TULIP_DETAIL_SOCKET_TRANSPORT_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <functional>
#include <memory>
#include <string>

namespace boost::tulip {
class base_protocol;
class event_loop;
class transport;
} // namespace boost::tulip

namespace boost::tulip::detail {

/** Sets FD_CLOEXEC on `fd` (Asio 1.26 leaves its sockets inheritable).
    @throws boost::system::system_error if fcntl fails. */
void set_cloexec(int fd);

/** The transport of a connected stream socket (`Protocol` is `asio::ip::tcp` or
    `asio::local::stream_protocol`; the socket belongs to `loop`'s io_context).

    Makes the socket non-blocking and close-on-exec (and TCP_NODELAY for TCP), then, from
    the loop (posted, as asyncio's call_soon), calls `proto->connection_made` and starts
    reading. The transport keeps itself alive until `connection_lost` has been delivered.

    Reactor style, as asyncio and uvloop: the transport reads and writes with non-blocking
    system calls when the socket is ready, so a connection that has not spoken holds no
    receive buffer (a `protocol` gets views of the loop's receive buffer, a
    `buffered_protocol` gets the bytes in its own memory) and a write goes to the kernel at
    once. See reactor_transport.hpp for how its waits meet Asio's edge-triggered epoll
    reactor (a 2 KiB receive buffer once bytes have arrived).
    @throws boost::system::system_error if the socket cannot be configured. */
template <class Protocol>
std::shared_ptr<transport> make_socket_transport(event_loop& loop,
                                                 boost::asio::basic_stream_socket<Protocol> socket,
                                                 std::shared_ptr<base_protocol> proto);

extern template std::shared_ptr<transport>
make_socket_transport<boost::asio::ip::tcp>(event_loop&,
                                            boost::asio::basic_stream_socket<boost::asio::ip::tcp>,
                                            std::shared_ptr<base_protocol>);
extern template std::shared_ptr<transport>
make_socket_transport<boost::asio::local::stream_protocol>(
    event_loop&, boost::asio::basic_stream_socket<boost::asio::local::stream_protocol>,
    std::shared_ptr<base_protocol>);

/** Takes the socket out of a live transport made by `make_socket_transport` with this
    `Protocol`, without closing it (start_tls in place): the transport ends without
    `connection_lost`, its pending receive cancelled. `done` gets the socket and the bytes
    the transport had received but not delivered to its protocol (they come after those the
    protocol holds); bytes the kernel holds stay for the next owner. `done` runs from the
    loop, never inside this call.
    @throws invalid_state_error if `t` is not such a transport, is closing, or has bytes
    to send. */
template <class Protocol>
void release_socket(
    transport& t,
    std::function<void(boost::asio::basic_stream_socket<Protocol>, std::string)> done);

extern template void release_socket<boost::asio::ip::tcp>(
    transport&,
    std::function<void(boost::asio::basic_stream_socket<boost::asio::ip::tcp>, std::string)>);
extern template void release_socket<boost::asio::local::stream_protocol>(
    transport&,
    std::function<void(boost::asio::basic_stream_socket<boost::asio::local::stream_protocol>,
                       std::string)>);

/// Whether `t` is a socket transport of this `Protocol` (one `release_socket` accepts).
template <class Protocol>
bool is_socket_transport(const transport& t) noexcept;

extern template bool is_socket_transport<boost::asio::ip::tcp>(const transport&) noexcept;
extern template bool
is_socket_transport<boost::asio::local::stream_protocol>(const transport&) noexcept;

/// Which directions a descriptor transport carries: a socket or a serial port both, a
/// pipe one.
enum class transport_direction
{
    both,
    read_only,
    write_only
};

/** The transport of a descriptor that is not a socket (a pipe end, a tty), with the socket
    transport's rules for writing, flow control, reading and connection_lost. Differences:
    `close` closes the descriptor once the write buffer is sent (no lingering);
    `write_eof` closes a write-only descriptor the same way (asyncio's write pipe) and is
    refused on a two-way one; a write-only descriptor reports its reader going away as
    `broken_pipe` at once; a read-only one refuses writes (`invalid_state_error`) and
    closes after its end of file; `get_extra_info<int>("fd")` is the descriptor.
    @throws boost::system::system_error if the descriptor cannot be configured. */
std::shared_ptr<transport> make_descriptor_transport(event_loop& loop,
                                                     boost::asio::posix::stream_descriptor d,
                                                     std::shared_ptr<base_protocol> proto,
                                                     transport_direction direction);

} // namespace boost::tulip::detail

#endif
