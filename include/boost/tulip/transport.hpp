//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_TRANSPORT_HPP
#define BOOST_TULIP_TRANSPORT_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/event_loop.hpp>

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <any>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl

namespace boost::tulip {

class transport;

namespace detail {

class tls_pending;

// Who learns that a transport has ended (a server counts its connections by their
// transports, as asyncio's Server._attach/_detach): told once, after the protocol's
// connection_lost has returned, or when the transport hands its connection to another
// transport (start_tls in place).
class transport_watcher
{
public:
    virtual void transport_ended(std::uint64_t id) noexcept = 0;
    virtual void transport_replaced(std::uint64_t id, std::shared_ptr<transport> t) noexcept = 0;
    // Between the two transports of start_tls in place: the connection has no transport,
    // only the TLS handshake `h`, which is what stopping the connection cancels. Ends with
    // transport_replaced (the handshake succeeded) or transport_ended.
    virtual void transport_upgrading(std::uint64_t id, std::shared_ptr<tls_pending> h) noexcept = 0;

protected:
    ~transport_watcher() = default;
};

struct transport_watch_access;

} // namespace detail

// tag::outline[]
/** What every protocol receives from its transport (asyncio.BaseProtocol).

    The callbacks run on the loop's thread, one at a time, never inside a call the
    protocol made on its transport (a `write` that fails does not call `connection_lost`
    from inside `write`: the loss is reported from the loop). They must not throw: an
    exception escaping one goes to the loop's exception handler and aborts the connection.
*/
class base_protocol
{
public:
    virtual ~base_protocol() = default;

    /// The connection is up. `t` stays valid until `connection_lost` has returned; keep
    /// `t.shared_from_this()` to hold it longer.
    virtual void connection_made(transport& t) { (void)t; }
    /// The connection is closed: `exc` is null after a clean close (`close()`, the
    /// peer's end of stream), else the error (`boost::system::system_error`, e.g.
    /// `connection_reset`). Called exactly once, after `connection_made`.
    virtual void connection_lost(std::exception_ptr exc) { (void)exc; }
    /// The transport's write buffer went above its high-water mark.
    virtual void pause_writing() {}
    /// The transport's write buffer drained to its low-water mark (after a pause).
    virtual void resume_writing() {}

    /// Whether this is a `buffered_protocol` (fixed at construction; no virtual call).
    bool is_buffered() const noexcept { return buffered_; }

protected:
    base_protocol() noexcept = default;
    explicit base_protocol(bool buffered) noexcept
        : buffered_(buffered)
    {}
    base_protocol(const base_protocol&) = default;
    base_protocol& operator=(const base_protocol&) = default;

private:
    bool buffered_ = false;
};

/** A stream protocol that receives the bytes as views (asyncio.Protocol). */
class protocol : public base_protocol
{
public:
    /// Bytes arrived. `data` is valid during the call only (it is the transport's
    /// receive buffer): copy what must outlive it.
    virtual void data_received(std::string_view data) { (void)data; }
    /// The peer sent its end of stream. Return true to keep the connection open for
    /// writing (a half-closed connection); false closes the transport.
    virtual bool eof_received() { return false; }
};

/** A stream protocol that receives bytes straight into its own memory
    (asyncio.BufferedProtocol): one copy fewer, and the path of zero-copy reads. */
class buffered_protocol : public base_protocol
{
public:
    buffered_protocol() noexcept
        : base_protocol(true)
    {}

    /// Memory for the next receive, at least one byte; `sizehint` is what the transport
    /// would like (it may be ignored). The memory stays the protocol's; the transport
    /// writes into it before the next callback and then calls `buffer_updated`.
    virtual boost::asio::mutable_buffer get_buffer(std::size_t sizehint) = 0;
    /// `n` bytes were written at the start of the buffer from the last `get_buffer`.
    virtual void buffer_updated(std::size_t n) = 0;
    /// As `protocol::eof_received`.
    virtual bool eof_received() { return false; }
};

/** One connection's byte stream as its protocol drives it (asyncio's Transport: the
    read and write sides together). TCP and Unix sockets are the transports of this
    header; TLS, serial ports and pipes are others, behind the same interface, and
    `stream_reader`/`stream_writer` run on any of them.

    A transport lives in a `std::shared_ptr` (take `shared_from_this()`); while it is
    open it keeps itself alive, so dropping every handle does not close it: call
    `close()` or `abort()`. It is loop-local: call it on its loop's thread only. When
    its io_context shuts down (is destroyed) with the transport open, the transport is
    ended as Asio ends its own objects: the socket is closed, no protocol callback runs
    (no `connection_lost`), and the transport lets go of itself and of its protocol. Like
    any Asio I/O object, it must not outlive its io_context.

    Writes never block and are never awaited: `write` hands the bytes to the kernel at
    once where it can and keeps the rest in the write buffer, which drains as the socket
    allows. Flow control is the protocol's `pause_writing`/`resume_writing` around the
    buffer's high- and low-water marks (defaults 64 KiB and 16 KiB, as asyncio's).

    Errors: a write after `close()`, `abort()` or `write_eof()` throws
    `invalid_state_error` and sends nothing. A write after the connection was lost (the
    peer reset it) throws `boost::system::system_error` with the error that ended it;
    the protocol has had or will have `connection_lost` with the same error.
*/
class transport : public std::enable_shared_from_this<transport>
{
public:
    virtual ~transport() = default;

    /// Sends `data` (copied where the kernel does not take it at once).
    void write(std::string_view data)
    {
        boost::asio::const_buffer b(data.data(), data.size());
        write_buffers(&b, 1);
    }
    void write(boost::asio::const_buffer data) { write_buffers(&data, 1); }
    void write(std::span<const std::byte> data)
    {
        boost::asio::const_buffer b(data.data(), data.size());
        write_buffers(&b, 1);
    }
    /// Sends every element of `lines` in order, as one write (one system call where the
    /// kernel takes them all). Elements convert to `std::string_view`.
    template <class Range>
    void writelines(const Range& lines);

    /// Closes the write side once the write buffer is sent (`shutdown(SHUT_WR)`); reading
    /// goes on. @throws invalid_state_error where `can_write_eof()` is false.
    virtual void write_eof() = 0;
    /// Whether this transport can half-close (TCP and Unix sockets: yes; TLS: no).
    virtual bool can_write_eof() const noexcept = 0;

    /** Closes gracefully; idempotent. Reading stops at once; the write buffer is sent,
        then a FIN; then the transport reads and drops what the peer still sends, for a
        bounded time (1 s), so that the kernel does not answer unread input with an RST
        that would destroy the peer's copy of our last bytes. Then the socket is closed
        and `connection_lost(nullptr)` follows (from the loop, never inside `close`). */
    virtual void close() = 0;
    /// Closes at once: the write buffer is dropped and the peer sees an RST (SO_LINGER 0).
    /// `connection_lost(nullptr)` follows from the loop. Idempotent.
    virtual void abort() = 0;
    /// True once `close()` or `abort()` was called or the connection was lost.
    virtual bool is_closing() const noexcept = 0;

    /// Stops delivering received bytes to the protocol (the kernel's window then pushes
    /// back on the peer). Idempotent, as in Python 3.7+.
    virtual void pause_reading() = 0;
    /// Delivers received bytes again. Idempotent.
    virtual void resume_reading() = 0;
    virtual bool is_reading() const noexcept = 0;

    /// Sets the write buffer's marks in bytes: `high` (default 64 KiB) and `low` (default
    /// `high / 4`). @throws std::invalid_argument if `low > high`.
    virtual void set_write_buffer_limits(std::optional<std::size_t> high = std::nullopt,
                                         std::optional<std::size_t> low = std::nullopt) = 0;
    /// Bytes in the write buffer (not yet taken by the kernel).
    virtual std::size_t get_write_buffer_size() const noexcept = 0;
    /// The marks as `{low, high}` (asyncio's order).
    virtual std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept = 0;

    /** A property of the connection, or empty for an unknown name or a `T` that does not
        match: `"peername"`, `"sockname"` (`asio::ip::tcp::endpoint`,
        `asio::local::stream_protocol::endpoint`), `"socket"` (the native handle, `int`);
        TLS transports add `"ssl_object"` (`SSL*`), `"peercert"` (the certificate's DER
        bytes, `std::string`), `"cipher"`, `"version"` (`std::string`). */
    template <class T>
    std::optional<T> get_extra_info(std::string_view name) const
    {
        std::any v = extra_info(name);
        if (const T* p = std::any_cast<T>(&v))
            return *p;
        return std::nullopt;
    }

    /// The protocol the transport delivers to.
    const std::shared_ptr<base_protocol>& get_protocol() const noexcept { return protocol_; }
    /// Switches the protocol; the next callback goes to `p` (asyncio's set_protocol).
    void set_protocol(std::shared_ptr<base_protocol> p) noexcept { protocol_ = std::move(p); }

    event_loop& get_loop() const noexcept { return *loop_; }

    /** Whether a `buffered_protocol`'s memory is filled at once: this transport calls
        `get_buffer`, receives into the memory and calls `buffer_updated` before anything
        else runs on the loop (the socket, pipe and serial transports: readiness, then a
        non-blocking read). Where false (TLS), the memory from `get_buffer` may be held
        across a wait, so the protocol must not hand out memory it shares. */
    bool receives_synchronously() const noexcept { return receives_synchronously_; }

protected:
    transport(event_loop& loop, std::shared_ptr<base_protocol> p,
              bool receives_synchronously = false) noexcept
        : loop_(&loop)
        , protocol_(std::move(p))
        , receives_synchronously_(receives_synchronously)
    {}

    /// The one virtual call of every write: `n` buffers, sent in order.
    virtual void write_buffers(const boost::asio::const_buffer* bufs, std::size_t n) = 0;
    /// The value of `get_extra_info(name)`, or an empty `std::any`.
    virtual std::any extra_info(std::string_view name) const = 0;

    /// For implementations: the connection has ended (call after `connection_lost` has
    /// returned): whoever watches the transport (its server) stops counting it.
    void notify_ended() noexcept
    {
        if (auto w = std::exchange(watcher_, {}).lock())
            w->transport_ended(watch_id_);
    }

private:
    friend struct detail::transport_watch_access;

    event_loop* loop_;
    std::shared_ptr<base_protocol> protocol_;
    std::weak_ptr<detail::transport_watcher> watcher_;
    std::uint64_t watch_id_ = 0;
    bool receives_synchronously_;
};

namespace detail {

struct transport_watch_access
{
    static void watch(transport& t, std::weak_ptr<transport_watcher> w, std::uint64_t id) noexcept
    {
        t.watcher_ = std::move(w);
        t.watch_id_ = id;
    }
    // `from` hands its connection over to `to` (start_tls in place): the watch moves.
    static void hand_over(transport& from, const std::shared_ptr<transport>& to) noexcept
    {
        auto w = std::exchange(from.watcher_, {}).lock();
        if (!w)
            return;
        to->watcher_ = w;
        to->watch_id_ = from.watch_id_;
        w->transport_replaced(from.watch_id_, to);
    }
    static void end(transport& t) noexcept { t.notify_ended(); }
    // `t` has given its socket to the TLS handshake `h` (start_tls in place); the watch
    // stays on `t` until `hand_over` or `end`.
    static void upgrading(transport& t, std::shared_ptr<tls_pending> h) noexcept
    {
        if (auto w = t.watcher_.lock())
            w->transport_upgrading(t.watch_id_, std::move(h));
    }
};

} // namespace detail
// end::outline[]

template <class Range>
void transport::writelines(const Range& lines)
{
    // A small array on the stack covers the common case (a header and a body); more
    // lines are written in groups, each one call.
    boost::asio::const_buffer bufs[16];
    std::size_t n = 0;
    for (const auto& line : lines) {
        std::string_view s(line);
        bufs[n++] = boost::asio::const_buffer(s.data(), s.size());
        if (n == std::size(bufs)) {
            write_buffers(bufs, n);
            n = 0;
        }
    }
    if (n)
        write_buffers(bufs, n);
}

// tag::connect[]
/** How a client connection is made (`create_connection`, `open_connection`).

    Trivially destructible, so that a temporary of it may sit next to a `co_await` (the
    g++ 12 rule of the manual); the strings it points to are the caller's, kept alive
    until the call completes.
*/
struct connection_options
{
    /// The stream reader's buffer limit (`open_connection`; asyncio's `limit`).
    std::size_t limit = 65536;
    /// Bind each attempt's socket to this local address (and port, 0 for any) first.
    std::optional<boost::asio::ip::tcp::endpoint> local_addr;
    /// Happy eyeballs (RFC 8305): start the next address's attempt after this delay
    /// if the current one has not finished; the first to connect wins. Empty: one
    /// attempt at a time, each to its end (asyncio's default).
    std::optional<duration> happy_eyeballs_delay;
    /// Reorder the resolved addresses by family: this many of the first family, then
    /// one of each family in turn. 0: as resolved, or 1 when `happy_eyeballs_delay` is
    /// set (asyncio's rule).
    int interleave = 0;
    /// TLS (the tulip_ssl library): the context; null for a plain connection. Without
    /// Boost::tulip_ssl linked, a non-null one is refused (`std::invalid_argument`: "TLS
    /// needs Boost::tulip_ssl").
    const boost::asio::ssl::context* ssl = nullptr;
    /// TLS: the name to send (SNI) and verify; empty: the host connected to.
    std::string_view server_hostname;
    duration ssl_handshake_timeout = std::chrono::seconds(60);
    duration ssl_shutdown_timeout = std::chrono::seconds(30);
};
// end::connect[]
// A destructor would be run twice by g++ 12 for a temporary next to a co_await. (Not
// trivially copyable: Asio's endpoint has a copy constructor of its own.)
static_assert(std::is_trivially_destructible_v<connection_options>);
// tag::connect[]

/** Connects to `host`:`port` over TCP and runs a protocol made by `factory()` on the
    connection (asyncio `loop.create_connection`).

    Every address `host` resolves to is tried in order (IPv6 and IPv4 alike), each
    socket bound to `options.local_addr` first if given; with
    `options.happy_eyeballs_delay` the attempts overlap (RFC 8305). The first to connect
    wins; the others are cancelled and their sockets closed. The protocol is made when the
    operation starts; its `connection_made` has run when the completion handler runs (on
    the loop).

    @par Completion Signature
    `void(boost::system::error_code, std::pair<std::shared_ptr<transport>,
    std::shared_ptr<P>>)`, where `factory()` returns `std::shared_ptr<P>`. On an error the
    error code is the first failure (`host_not_found`, `connection_refused`, ...). With
    `awaitable_token` (the default), one failure, or several with the same code, throws
    `boost::system::system_error`; several different failures throw an `exception_group`
    of a `system_error` each, in the order they failed.

    @par Per-Operation Cancellation
    `terminal`, `partial` and `total`: the name lookup and every attempt stop, their
    sockets are closed, and the operation completes with `operation_aborted`.

    With `options.ssl` (Boost::tulip_ssl linked), the TLS handshake runs after the
    connection and before the completion; its failure is the operation's error
    (`tls_verify_category()` for a refused certificate, `asio::error::timed_out` after
    `ssl_handshake_timeout`).

    @throws std::invalid_argument if `options.ssl` is set and Boost::tulip_ssl is not
    linked, or for a Unix connection with `ssl` and no `server_hostname`.
*/
template <class Factory, class CompletionToken = awaitable_token_t>
auto create_connection(Factory&& factory, std::string_view host, std::string_view port,
                       const connection_options& options = {}, CompletionToken&& token = {});
/// The same with a numeric port.
template <class Factory, class CompletionToken = awaitable_token_t>
auto create_connection(Factory&& factory, std::string_view host, std::uint16_t port,
                       const connection_options& options = {}, CompletionToken&& token = {});

/** `create_connection` to the Unix stream socket at `path`
    (asyncio `loop.create_unix_connection`); `options.local_addr` and the happy eyeballs
    fields do not apply. Completion and cancellation as `create_connection`. */
template <class Factory, class CompletionToken = awaitable_token_t>
auto create_unix_connection(Factory&& factory, const std::filesystem::path& path,
                            const connection_options& options = {}, CompletionToken&& token = {});

/** Runs a protocol made by `factory()` on a socket connected elsewhere (accepted by the
    program's own acceptor, or from `asio::connect`) (asyncio
    `loop.connect_accepted_socket`). `Protocol` is `asio::ip::tcp` or
    `asio::local::stream_protocol`; the socket belongs to the running loop's io_context.
    The socket is made close-on-exec and non-blocking (TCP_NODELAY for TCP).

    @par Completion Signature
    `void(boost::system::error_code, std::pair<std::shared_ptr<transport>,
    std::shared_ptr<P>>)`; it completes at once (posted), after `connection_made`.
*/
template <class Factory, class Protocol, class CompletionToken = awaitable_token_t>
auto connect_accepted_socket(Factory&& factory, boost::asio::basic_stream_socket<Protocol> socket,
                             CompletionToken&& token = {});
// end::connect[]

} // namespace boost::tulip

#include <boost/tulip/impl/transport.hpp>

#endif
