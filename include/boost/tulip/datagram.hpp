//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DATAGRAM_HPP
#define BOOST_TULIP_DATAGRAM_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/detail/transport_registry.hpp>
#include <boost/tulip/detail/unix_socket_file.hpp>
#include <boost/tulip/detail/write_marks.hpp>
#include <boost/tulip/event_loop.hpp>

#include <boost/asio/basic_datagram_socket.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/local/datagram_protocol.hpp>
#include <boost/system/error_code.hpp>

#include <any>
#include <concepts>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace boost::tulip {

template <class Protocol>
class basic_datagram_transport;

// tag::outline[]
/** Options of `create_datagram_endpoint` (trivially copyable: the g++ 12 rule of
    the manual's g++ 12 list). Both apply to UDP only; a Unix datagram endpoint ignores them. */
struct datagram_options
{
    /// SO_REUSEPORT: several endpoints may bind the same address and port (Linux spreads
    /// the datagrams among them). asyncio's `reuse_port`.
    bool reuse_port = false;
    /// SO_BROADCAST: sending to a broadcast address is allowed. asyncio's `allow_broadcast`.
    bool allow_broadcast = false;
};

/** What a datagram endpoint delivers to (asyncio.DatagramProtocol), for the Asio protocol
    `Protocol`: `asio::ip::udp` (`datagram_protocol`) or `asio::local::datagram_protocol`
    (`unix_datagram_protocol`).

    It is not a `base_protocol`: that one's `connection_made` takes a stream `transport&`,
    and a datagram transport is not one (no `write`, no end of stream, no reading pause),
    so a datagram protocol has the same four lifecycle callbacks with its own transport
    type.

    The callbacks run on the loop's thread, one at a time, never inside a call the
    protocol made on its transport: an error of a `sendto` comes later, through
    `error_received`. They must not throw: an exception escaping one goes to the loop's
    exception handler and aborts the endpoint.
*/
template <class Protocol>
class basic_datagram_protocol
{
public:
    using protocol_type = Protocol;
    using endpoint_type = typename Protocol::endpoint;
    using transport_type = basic_datagram_transport<Protocol>;

    virtual ~basic_datagram_protocol() = default;

    /// The endpoint is up, before any other callback. `t` stays valid until
    /// `connection_lost` has returned; keep `t.shared_from_this()` to hold it longer.
    virtual void connection_made(transport_type& t) { (void)t; }
    /// A datagram (possibly empty) arrived from `from`. `data` is valid during the call
    /// only (the transport's receive buffer). For an unnamed Unix sender `from` has an
    /// empty path (nothing can be sent back to it).
    virtual void datagram_received(std::string_view data, const endpoint_type& from)
    {
        (void)data;
        (void)from;
    }
    /** A send or receive failed, and the endpoint goes on: `connection_refused` after an
        ICMP "port unreachable" (a connected UDP endpoint whose peer is not listening),
        `message_size` for a datagram too large to send or to receive (a received one
        over 64 KiB is dropped), `host_unreachable`, `network_unreachable`, ... */
    virtual void error_received(boost::system::error_code ec) { (void)ec; }
    /// The endpoint is closed: `exc` is null after `close()`/`abort()`, else the error
    /// (`boost::system::system_error`) that ended it. Called exactly once.
    virtual void connection_lost(std::exception_ptr exc) { (void)exc; }
    /// The send queue went above its high-water mark.
    virtual void pause_writing() {}
    /// The send queue drained to its low-water mark (after a pause).
    virtual void resume_writing() {}

protected:
    basic_datagram_protocol() noexcept = default;
    basic_datagram_protocol(const basic_datagram_protocol&) = default;
    basic_datagram_protocol& operator=(const basic_datagram_protocol&) = default;
};

/// The protocol of a UDP endpoint.
using datagram_protocol = basic_datagram_protocol<boost::asio::ip::udp>;
/// The protocol of a Unix datagram endpoint.
using unix_datagram_protocol = basic_datagram_protocol<boost::asio::local::datagram_protocol>;
// end::outline[]

namespace detail {
struct datagram_transport_key
{
    explicit datagram_transport_key() = default;
};
} // namespace detail

// tag::outline[]
/** A datagram socket as its protocol drives it (asyncio's DatagramTransport), made by
    `create_datagram_endpoint`: `datagram_transport` (UDP) or `unix_datagram_transport`.

    It lives in a `std::shared_ptr` and, while open, keeps itself alive: dropping every
    handle does not close it; call `close()` or `abort()`. It is loop-local: call it on
    its loop's thread only. Its socket is close-on-exec. When its io_context is destroyed
    with the endpoint still open, it ends as the stream transports do: the socket is
    closed (and its Unix socket file removed), no protocol callback runs, and the
    endpoint lets go of its protocol, so that a protocol that holds it and the endpoint
    are both freed.

    Receiving: each datagram is read into the endpoint's 64 KiB buffer and handed to
    `datagram_received`; a few per wake-up, so that a flood does not starve the loop.

    Sending is never awaited and never drops silently: `sendto` hands the datagram to the
    kernel at once where it can, and where the kernel would block (EAGAIN, and ENOBUFS
    under a flood) it keeps a copy in the send queue, which is sent in order as the
    socket allows. Flow control is the protocol's `pause_writing`/`resume_writing` around
    the queue's marks (defaults 64 KiB and 16 KiB of datagram bytes).
*/
template <class Protocol>
class basic_datagram_transport
    : public std::enable_shared_from_this<basic_datagram_transport<Protocol>>
    , private detail::registered_transport
{
public:
    using protocol_type = Protocol;
    using endpoint_type = typename Protocol::endpoint;
    using socket_type = boost::asio::basic_datagram_socket<Protocol>;
    using protocol_interface = basic_datagram_protocol<Protocol>;

    /** Sends `data` (empty is a legal datagram) to `to`.
        On a connected endpoint `to` must be its remote endpoint.
        A failure is reported later through `error_received` (an ICMP error left by an
        earlier datagram is reported, and this one sent all the same); a datagram the
        kernel refuses for good (too large, unreachable network) is then dropped.
        @throws invalid_state_error after `close()` or `abort()` (nothing is sent).
        @throws std::invalid_argument if `to` is not the connected endpoint's peer. */
    void sendto(std::string_view data, const endpoint_type& to)
    {
        send(boost::asio::const_buffer(data.data(), data.size()), &to);
    }
    void sendto(boost::asio::const_buffer data, const endpoint_type& to) { send(data, &to); }
    void sendto(std::span<const std::byte> data, const endpoint_type& to)
    {
        send(boost::asio::const_buffer(data.data(), data.size()), &to);
    }
    /** Sends `data` to the connected peer.
        @throws std::invalid_argument if the endpoint was made without a remote endpoint.
        Else as above. */
    void sendto(std::string_view data)
    {
        send(boost::asio::const_buffer(data.data(), data.size()), nullptr);
    }
    void sendto(boost::asio::const_buffer data) { send(data, nullptr); }
    void sendto(std::span<const std::byte> data)
    {
        send(boost::asio::const_buffer(data.data(), data.size()), nullptr);
    }

    /** Closes gracefully; idempotent. Receiving stops at once; the send queue is sent,
        then the socket is closed (a Unix socket file this endpoint bound is removed if it
        is still the one it made) and `connection_lost(nullptr)` follows, from the loop. */
    void close();
    /// Closes at once, dropping the send queue; `connection_lost(nullptr)` follows from
    /// the loop. Idempotent.
    void abort();
    /// True once `close()` or `abort()` was called or the endpoint was lost.
    bool is_closing() const noexcept { return closing_; }

    /// Bytes of datagrams in the send queue (not yet taken by the kernel).
    std::size_t get_write_buffer_size() const noexcept { return buffered_; }
    /// Sets the send queue's marks in bytes: `high` (default 64 KiB) and `low` (default
    /// `high / 4`). @throws std::invalid_argument if `low > high`.
    void set_write_buffer_limits(std::optional<std::size_t> high = std::nullopt,
                                 std::optional<std::size_t> low = std::nullopt);
    /// The marks as `{low, high}` (asyncio's order).
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept
    {
        return marks_.get();
    }

    /** A property of the endpoint, or empty for an unknown name, a `T` that does not
        match, or a closed endpoint: `"sockname"` (`endpoint_type`), `"peername"`
        (`endpoint_type`, connected endpoints only), `"socket"` (the native handle,
        `int`). */
    template <class T>
    std::optional<T> get_extra_info(std::string_view name) const
    {
        std::any v = extra_info(name);
        if (const T* p = std::any_cast<T>(&v))
            return *p;
        return std::nullopt;
    }

    /// The protocol the endpoint delivers to (null once `connection_lost` has returned).
    const std::shared_ptr<protocol_interface>& get_protocol() const noexcept { return protocol_; }
    /// Switches the protocol; the next callback goes to `p`.
    void set_protocol(std::shared_ptr<protocol_interface> p) noexcept { protocol_ = std::move(p); }

    event_loop& get_loop() const noexcept { return *loop_; }

    // end::outline[]
    basic_datagram_transport(detail::datagram_transport_key, event_loop& loop, socket_type s,
                             std::optional<endpoint_type> remote,
                             std::shared_ptr<protocol_interface> p, std::string owned_path);
    ~basic_datagram_transport();

    // From create_datagram_endpoint, on the loop: connection_made, then receiving.
    void start();

private:
    struct pending
    {
        std::string data;
        endpoint_type to;
        bool retried = false;
    };

    void send(boost::asio::const_buffer data, const endpoint_type* to);
    boost::system::error_code try_send(boost::asio::const_buffer data, const endpoint_type& to);
    void arm_read();
    void read_batch();
    void arm_write();
    void retry_write_later();
    void flush(bool woken);
    void finish(std::exception_ptr exc);
    void fatal(boost::system::error_code ec);
    void post_error(boost::system::error_code ec);
    void post_flow(bool pause);
    template <class F>
    void call_protocol(F&& f) noexcept;
    std::any extra_info(std::string_view name) const;
    void shutdown_transport() noexcept override;

    event_loop* loop_;
    socket_type socket_;
    std::optional<endpoint_type> remote_;
    std::shared_ptr<protocol_interface> protocol_;
    detail::unix_socket_file owned_file_; // a Unix socket file this endpoint bound
    std::unique_ptr<char[]> rbuf_;
    std::deque<pending> queue_;
    std::size_t buffered_ = 0;
    detail::write_marks marks_; // the send queue's, and whether the protocol is paused
    timer_handle retry_;
    bool writing_ = false; // a write wait or retry is armed
    bool closing_ = false;
    bool closed_ = false; // the socket is closed; connection_lost is on its way
    // tag::outline[]
};

/// The transport of a UDP endpoint.
using datagram_transport = basic_datagram_transport<boost::asio::ip::udp>;
/// The transport of a Unix datagram endpoint.
using unix_datagram_transport = basic_datagram_transport<boost::asio::local::datagram_protocol>;

/// A protocol factory for endpoints of `Protocol`: returns `std::shared_ptr<P>`, `P`
/// derived from `basic_datagram_protocol<Protocol>`.
template <class F, class Protocol>
concept datagram_protocol_factory = std::invocable<F&> && requires(std::invoke_result_t<F&> p)
{
    typename std::invoke_result_t<F&>::element_type;
    requires std::derived_from<typename std::invoke_result_t<F&>::element_type,
                               basic_datagram_protocol<Protocol>>;
    requires std::same_as<std::invoke_result_t<F&>,
                          std::shared_ptr<typename std::invoke_result_t<F&>::element_type>>;
};

/// What `create_datagram_endpoint` completes with: the transport and the protocol.
template <class Protocol, class P>
using datagram_endpoint =
    std::pair<std::shared_ptr<basic_datagram_transport<Protocol>>, std::shared_ptr<P>>;

/// The endpoint types `create_datagram_endpoint` takes.
template <class E>
concept datagram_endpoint_type = std::same_as<E, boost::asio::ip::udp::endpoint> ||
    std::same_as<E, boost::asio::local::datagram_protocol::endpoint>;

namespace detail {
template <class Factory>
using factory_protocol_t = typename std::invoke_result_t<Factory&>::element_type;
template <class Endpoint, class Factory>
using datagram_signature =
    void(boost::system::error_code,
         datagram_endpoint<typename Endpoint::protocol_type, factory_protocol_t<Factory>>);
} // namespace detail

/** Opens a datagram endpoint (asyncio's `loop.create_datagram_endpoint`): a UDP socket
    for `asio::ip::udp::endpoint`s, a Unix datagram socket for
    `asio::local::datagram_protocol::endpoint`s, with the protocol `factory()` returns.

    - `local`: the address to bind. A default UDP endpoint (`{}`, 0.0.0.0 port 0) binds
      an ephemeral port, or with a `remote` lets the kernel pick the local address on
      connect. A Unix path: a stale socket file there (nothing bound to it any more) is
      removed first; a live socket, or a file that is not a socket, is left alone and the
      bind fails with `address_in_use`; the file is removed on close if it is still the
      one this endpoint made. An empty Unix path binds an abstract autobound address
      (Linux), so that peers can answer.
    - `remote`: if given (not the default endpoint / an empty path), the socket is
      connected: `sendto(data)` goes there, only its datagrams are received, and an ICMP
      "port unreachable" reaches `error_received(connection_refused)`.
    - `opts`: `datagram_options` (UDP only).

    `connection_made` has run (from the loop) when the operation completes; datagrams
    are received from then on. The socket is non-blocking and close-on-exec.

    The factory is called once, before the socket is opened. With `awaitable_token` an
    exception it throws comes out of the `co_await`; with another token the factory must
    not throw. Write a capturing lambda into a named variable before the `co_await` (the
    g++ 12 rule of the manual's list).

    @par Completion Signature
    `void(boost::system::error_code, std::pair<std::shared_ptr<basic_datagram_transport<
    Protocol>>, std::shared_ptr<P>>)`, `P` the factory's protocol type: the error of
    `open`, `bind` or `connect` (`address_in_use`, `access_denied`, ...), thrown as
    `boost::system::system_error` by the default token; the pair is empty then.

    @par Per-Operation Cancellation
    None: the endpoint is made at once, the completion only waits for `connection_made`
    to run. (Close the endpoint if the awaiting task was cancelled meanwhile and has no
    use for it.)
*/
template <class Factory, datagram_endpoint_type Endpoint>
    requires datagram_protocol_factory<Factory, typename Endpoint::protocol_type>
[[nodiscard]] auto create_datagram_endpoint(Factory factory, const Endpoint& local);
template <class Factory, datagram_endpoint_type Endpoint>
    requires datagram_protocol_factory<Factory, typename Endpoint::protocol_type>
[[nodiscard]] auto create_datagram_endpoint(Factory factory, const Endpoint& local,
                                            const Endpoint& remote);
template <class Factory, datagram_endpoint_type Endpoint>
    requires datagram_protocol_factory<Factory, typename Endpoint::protocol_type>
[[nodiscard]] auto create_datagram_endpoint(Factory factory, const Endpoint& local,
                                            const Endpoint& remote, datagram_options opts);
template <class Factory, datagram_endpoint_type Endpoint, class CompletionToken>
    requires datagram_protocol_factory<Factory, typename Endpoint::protocol_type>
[[nodiscard]] auto create_datagram_endpoint(Factory factory, const Endpoint& local,
                                            const Endpoint& remote, datagram_options opts,
                                            CompletionToken&& token);
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/datagram.hpp>

#endif
