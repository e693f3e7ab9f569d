//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_SERVER_HPP
#define BOOST_TULIP_SERVER_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/context.hpp>
#include <boost/tulip/detail/op_node.hpp>
#include <boost/tulip/detail/tls_hooks.hpp>
#include <boost/tulip/detail/unix_socket_file.hpp>
#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/streams.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/transport.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl

namespace boost::tulip {

class server;

// tag::outline[]
/** Options of `start_server`, `start_unix_server`, `create_server` and
    `create_unix_server` (asyncio's keyword arguments). Trivially copyable, so that it may
    be written inside an awaited call (the g++ 12 rule of the manual). */
struct server_options
{
    /// The listen queue's length (`listen(2)`).
    int backlog = 100;
    /// `SO_REUSEADDR` (TCP only): rebind at once after a restart.
    bool reuse_address = true;
    /// `SO_REUSEPORT` (TCP only): several listeners (one loop per core) share the port.
    bool reuse_port = false;
    /// Accept at once; false waits for `start_serving()` or `serve_forever()`.
    bool start_serving = true;
    /// The stream reader's buffer limit of each connection (`stream_reader`).
    std::size_t limit = 64 * 1024;
    /// TLS for every connection (the tulip_ssl library): the context; null for plain
    /// connections. Without Boost::tulip_ssl linked, a non-null `ssl` makes the call throw
    /// `std::invalid_argument` ("TLS needs Boost::tulip_ssl"). Each connection's
    /// handshake runs before its handler starts (or its protocol's `connection_made`); a
    /// handshake that fails or outlasts `ssl_handshake_timeout` closes that connection
    /// only and is reported to the loop's exception handler ("TLS handshake failed").
    const boost::asio::ssl::context* ssl = nullptr;
    /// TLS handshake bound (with `ssl`).
    duration ssl_handshake_timeout = std::chrono::seconds(60);
    /// TLS close_notify wait bound (with `ssl`).
    duration ssl_shutdown_timeout = std::chrono::seconds(30);
};
// end::outline[]

static_assert(std::is_trivially_copyable_v<server_options>);

namespace detail {

class server_state;

// What a server does with an accepted, connected, close-on-exec socket: the stream
// servers start a task with a reader and a writer, the protocol servers a transport with
// the factory's protocol.
class connection_starter
{
public:
    virtual ~connection_starter() = default;
    virtual void start(server_state& st, boost::asio::ip::tcp::socket s) = 0;
    virtual void start(server_state& st, boost::asio::local::stream_protocol::socket s) = 0;
    // A TLS connection whose handshake has succeeded: `make` builds its transport.
    using transport_maker =
        std::function<std::shared_ptr<transport>(std::shared_ptr<base_protocol>)>;
    virtual void start_made(server_state& st, const transport_maker& make, std::string name) = 0;
};

// A waiter of wait_closed() (or of serve_forever(), `forever`).
struct server_waiter : op_node
{
    server_waiter(std::shared_ptr<server_state> s, bool forever) noexcept
        : st(std::move(s))
        , forever(forever)
    {}

    template <class Op>
    void on_cancel(Op& op);

    std::shared_ptr<server_state> st;
    bool forever;
    bool aborted = false; // serve_forever was cancelled: the server is closing for it
};

struct server_waiter_completion
{
    boost::system::error_code ec;

    static server_waiter_completion make(server_waiter& w, boost::system::error_code ec) noexcept
    {
        if (w.aborted && !ec)
            ec = boost::asio::error::operation_aborted;
        return {ec};
    }

    template <class Handler>
    void operator()(Handler&& h) const
    {
        static_cast<Handler&&>(h)(ec);
    }
};

// One listening socket.
struct server_listener
{
    server_listener(boost::asio::io_context& ioc, int fd, int family)
        : sd(ioc, fd)
        , family(family)
    {}

    boost::asio::posix::stream_descriptor sd; // waited on for readability; accept4 by hand
    int family;                               // AF_INET, AF_INET6 or AF_UNIX
    boost::asio::ip::tcp::endpoint local;     // TCP: the bound endpoint
    std::string label;                        // "127.0.0.1:8081", "[::1]:8081" or the path
    any_task accepter;
    bool out_of_resources = false; // an EMFILE-class episode has been reported
};

// One connection as the server counts it (asyncio's Server._clients): until its stream
// handler's task has ended and its transport has ended (connection_lost), whichever is
// later; a TLS connection from its accept, through its handshake.
struct server_connection
{
    std::shared_ptr<transport> t; // what close_clients/abort_clients close
    // During start_tls in place (no transport then): what they cancel instead. Weak: the
    // handshake's own operation keeps it, and it keeps the handler, which keeps the server.
    std::weak_ptr<tls_pending> upgrade;
    bool handler = false;  // a stream handler's task runs
    bool open = false;     // the transport has not ended
    bool stopping = false; // close_clients/abort_clients reached it
};

// The state every `server` handle shares.
class server_state final
    : public std::enable_shared_from_this<server_state>
    , public transport_watcher
{
public:
    server_state(event_loop& loop, std::shared_ptr<connection_starter> starter, std::size_t limit,
                 context ctx);
    ~server_state();

    event_loop& loop() const noexcept { return *loop_; }
    std::size_t limit() const noexcept { return limit_; }
    const context& captured_context() const noexcept { return ctx_; }

    // Listening sockets (start_server's binding step).
    boost::system::error_code listen_tcp(const std::vector<boost::asio::ip::tcp::endpoint>& eps,
                                         const server_options& o);
    boost::system::error_code listen_unix(const std::filesystem::path& path,
                                          const server_options& o);

    void start_serving();
    bool is_serving() const noexcept { return serving_ && !closed_; }
    bool is_closed() const noexcept { return closed_; }
    void close();
    void close_clients();
    void abort_clients();
    std::vector<boost::asio::ip::tcp::endpoint> sockets() const;
    const std::filesystem::path& path() const noexcept { return path_; }

    // Connections: counted from accept until both the stream handler's task (if any) and
    // the transport have ended, wherever the transport or a writer on it is kept.
    std::uint64_t attach();
    // The connection's transport is `t`; `handler`: a stream handler's task starts.
    void watch(std::uint64_t id, const std::shared_ptr<transport>& t, bool handler);
    void detach(std::uint64_t id);
    // A stream handler's task ended; `e` is what it threw.
    void handler_ended(std::uint64_t id, std::exception_ptr e);
    void transport_ended(std::uint64_t id) noexcept override;
    void transport_replaced(std::uint64_t id, std::shared_ptr<transport> t) noexcept override;
    void transport_upgrading(std::uint64_t id, std::shared_ptr<tls_pending> h) noexcept override;
    std::size_t active_connections() const noexcept { return connections_.size(); }

    // wait_closed / serve_forever bookkeeping.
    bool closed_and_idle() const noexcept
    {
        return closed_ && connections_.empty() && running_accepters_ == 0;
    }
    void add_waiter(server_waiter* w) noexcept { waiters_.push_back(w); }
    void remove_waiter(server_waiter* w) noexcept { waiters_.remove(w); }
    bool has_forever_waiter() const noexcept { return forever_waiters_ != 0; }
    void count_forever(int d) noexcept { forever_waiters_ += d; }

    // Failed accepts for lack of descriptors or memory (tests: the backoff bounds it).
    std::uint64_t resource_failures() const noexcept { return resource_failures_; }
    const std::string& label() const noexcept { return label_; }

    connection_starter& starter() noexcept { return *starter_; }

private:
    void wake_if_idle();
    void report(std::string message, std::exception_ptr e);
    void hand_over(server_listener& l, int fd);
    template <class Socket>
    void start_tls(Socket s, std::string name);
    void accepter_ended();
    void cancel_handshakes();
    std::vector<std::shared_ptr<transport>> open_transports() const;
    void take_spare() noexcept;
    void release_spare() noexcept;
    awaitable<void> accept_loop(server_listener* l);

    event_loop* loop_;
    std::shared_ptr<connection_starter> starter_;
    std::size_t limit_;
    context ctx_;
    std::vector<std::unique_ptr<server_listener>> listeners_;
    std::unordered_map<std::uint64_t, server_connection> connections_;
    std::uint64_t next_id_ = 1;
    op_list waiters_;
    int forever_waiters_ = 0;
    int running_accepters_ = 0;
    bool serving_ = false;
    bool closed_ = false;
    std::filesystem::path path_;           // Unix server
    detail::unix_socket_file socket_file_; // removed on close only if still ours
    std::uint64_t resource_failures_ = 0;
    int spare_fd_[2] = {-1, -1}; // freed for the out-of-descriptors report
    std::string label_;
    std::optional<tls_settings> tls_; // TLS servers
    // Connections whose TLS handshake runs (no transport yet): close_clients and
    // abort_clients stop them.
    std::unordered_map<std::uint64_t, std::shared_ptr<tls_pending>> handshakes_;
};

std::string format_peer(const boost::asio::ip::tcp::endpoint& ep);

// Resolves the hosts for a passive bind (asyncio's getaddrinfo(host, port, AI_PASSIVE)):
// numeric addresses at once, names with Asio's resolver, an empty host as every
// interface (0.0.0.0 and ::). `done` runs on the loop.
void resolve_passive(
    event_loop& loop, std::vector<std::string> hosts, unsigned short port,
    std::function<void(boost::system::error_code, std::vector<boost::asio::ip::tcp::endpoint>)>
        done);

void check_server_options(const server_options& o);

template <class F>
struct stream_starter;
template <class Factory>
struct protocol_starter;
struct initiate_start_tcp;
struct initiate_start_unix;
struct initiate_server_wait;

} // namespace detail

// tag::outline[]
/** A listening server (asyncio.Server): a cheap shared handle (copies refer to one
    server), made by `start_server`, `start_unix_server`, `create_server` or
    `create_unix_server`. It belongs to its loop's thread.

    Each accepted connection is handled on its own: a stream server runs the callback as
    a task of its own, named after the peer ("127.0.0.1:54321"), in its own copy of the
    context that was current when the server was started; a protocol server gives the
    connection a transport and a protocol from the factory.

    A server stays open until `close()` (dropping every handle does not close it: its
    accept tasks hold it, as the loop holds tasks). At the end of `tulip::run` its accept
    tasks are cancelled like every other task, which stops it listening.
*/
class server
{
public:
    /// An empty handle.
    server() noexcept = default;

    /// Starts accepting (idempotent; nothing after `close()`).
    void start_serving();

    /** Accepts until the server is closed (asyncio's serve_forever). Completes, with
        `void(error_code)`, once the server is closed and every connection's task has
        ended (as `wait_closed`).

        Cancellation: cancelling it closes the server (stops listening) and goes on
        waiting as `wait_closed` does, then completes with `operation_aborted` (with the
        default token: throws the cancellation). Established connections are kept, as in
        asyncio: call `close_clients()` or `abort_clients()` to end them. A second
        cancellation stops the wait at once.

        Errors: `invalid_state` if the server is closed or another `serve_forever` is
        running.
        @par Completion Signature `void(error_code)`.
        @par Per-Operation Cancellation `terminal`, `partial`, `total`: as above. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                  CompletionToken = awaitable_token_t>
    auto serve_forever(CompletionToken&& token = CompletionToken{}) const;

    /// Whether the server accepts connections.
    bool is_serving() const noexcept;

    /** Stops listening: the listening sockets are closed (a Unix server's file is
        removed if it is still the one it made). Established connections go on; see
        `close_clients`, `abort_clients`. Idempotent. */
    void close();

    /** Waits until the server is closed and every connection has ended: each stream
        handler's task has ended and each connection's transport has ended (its
        `connection_lost` has returned), also where a handler handed its writer to another
        task or a protocol keeps its transport. So it returns neither early nor, after
        `close_clients()`, never (asyncio's Server tracks its transports the same way:
        cpython#79033, #104344, #120866).
        @par Completion Signature `void(error_code)`.
        @par Per-Operation Cancellation `terminal`, `partial`, `total`: the wait ends with
        `operation_aborted`; the server is not affected. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                  CompletionToken = awaitable_token_t>
    auto wait_closed(CompletionToken&& token = CompletionToken{}) const;

    /// Closes every established connection gracefully (`transport::close`): buffered
    /// bytes are sent, then FIN. Every connection whose transport is still open is
    /// reached, also one whose handler has returned while a writer on it is kept
    /// elsewhere (moved into another task), or whose protocol keeps its transport;
    /// connections in their TLS handshake are dropped. Call `close()` first, or new
    /// connections come in.
    void close_clients();
    /// Aborts every established connection (`transport::abort`: RST); which ones as
    /// `close_clients`.
    void abort_clients();

    /// The bound local endpoints of a TCP server (with the ports chosen for port 0);
    /// empty after `close()` and for a Unix server.
    std::vector<boost::asio::ip::tcp::endpoint> sockets() const;
    /// The socket file of a Unix server; empty for a TCP server.
    std::filesystem::path path() const;

    event_loop& get_loop() const noexcept;

    /// `close()` then `wait_closed()`: what `async_with(srv, body)` awaits on exit
    /// (asyncio's `async with server`). Idle clients keep it waiting: close them in the
    /// body (`close_clients()`) where that matters.
    awaitable<void> async_close() const;

    explicit operator bool() const noexcept { return st_ != nullptr; }

    /// Accepts that failed for lack of descriptors or memory (EMFILE, ENFILE, ENOBUFS,
    /// ENOMEM), each followed by a 100 ms pause.
    std::uint64_t resource_failures() const noexcept;
    // end::outline[]

    explicit server(std::shared_ptr<detail::server_state> st) noexcept
        : st_(std::move(st))
    {}

private:
    std::shared_ptr<detail::server_state> st_;
    // tag::outline[]
};

/** A stream server on TCP (asyncio.start_server).

    Binds `host` (one name or address; empty: every interface, IPv4 and IPv6; a list:
    each of them) at `port` (0: an ephemeral port per socket, see `server::sockets()`),
    listens, and for each connection runs `cb(stream_reader, stream_writer)` (an
    `awaitable<void>`) as a task of its own. A handler's exception goes to the loop's
    exception handler ("Unhandled exception in client_connected_cb") and the connection
    is closed; the server goes on. When the handler's task ends, its reader and writer
    handles are gone and the connection closes gracefully, unless the handler kept a
    writer somewhere.

    Errors: binding (`address_in_use`, ...) and name resolution; nothing stays bound
    after an error. The server is started in the calling task's context; `cb` is kept
    (moved in) until the server's last connection has ended.
    @par Completion Signature `void(error_code, server)`.
    @par Per-Operation Cancellation None: it completes without waiting for the network,
    save for resolving host names.
    @throws std::invalid_argument for a non-null `options.ssl` without Boost::tulip_ssl, a
    zero `limit` or a negative `backlog`.
*/
template <class Callback, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server))
                              CompletionToken = awaitable_token_t>
auto start_server(Callback cb, std::string_view host, unsigned short port,
                  server_options options = {}, CompletionToken&& token = CompletionToken{});
/// The same on several hosts (`{"127.0.0.1", "::1"}`).
template <class Callback, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server))
                              CompletionToken = awaitable_token_t>
auto start_server(Callback cb, std::initializer_list<std::string_view> hosts, unsigned short port,
                  server_options options = {}, CompletionToken&& token = CompletionToken{});
/// The same on a named list of hosts (g++ 12 miscompiles an `std::initializer_list` inside
/// an awaited call: there, name the list, `std::string_view hosts[] = {...}`).
template <class Callback, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server))
                              CompletionToken = awaitable_token_t>
auto start_server(Callback cb, std::span<const std::string> hosts, unsigned short port,
                  server_options options = {}, CompletionToken&& token = CompletionToken{});
template <class Callback, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server))
                              CompletionToken = awaitable_token_t>
auto start_server(Callback cb, std::span<const std::string_view> hosts, unsigned short port,
                  server_options options = {}, CompletionToken&& token = CompletionToken{});

/** A stream server on a Unix socket (asyncio.start_unix_server).

    A path held by a live server is never taken (`address_in_use`); a stale socket file
    (connecting to it is refused) is removed first; any other file there is an error
    (`address_in_use`). On `close()` the file is removed only if it is still the socket
    this server made (same device and inode). Otherwise as `start_server`.
*/
template <class Callback, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server))
                              CompletionToken = awaitable_token_t>
auto start_unix_server(Callback cb, std::filesystem::path path, server_options options = {},
                       CompletionToken&& token = CompletionToken{});

/** A protocol server on TCP (loop.create_server): `factory()` returns a
    `std::shared_ptr<P>` (`P` derives from `protocol` or `buffered_protocol`) for each
    connection, which gets its own socket transport with that protocol
    (`transport::get_protocol()` returns it). The server counts a connection until its
    transport has ended (after `connection_lost`), whatever protocol the transport has by
    then (`set_protocol`) and whoever keeps it; `close_clients`/`abort_clients` reach it
    until then. Otherwise as `start_server`.
*/
template <class Factory, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server))
                             CompletionToken = awaitable_token_t>
auto create_server(Factory factory, std::string_view host, unsigned short port,
                   server_options options = {}, CompletionToken&& token = CompletionToken{});
template <class Factory, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server))
                             CompletionToken = awaitable_token_t>
auto create_server(Factory factory, std::initializer_list<std::string_view> hosts,
                   unsigned short port, server_options options = {},
                   CompletionToken&& token = CompletionToken{});
template <class Factory, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server))
                             CompletionToken = awaitable_token_t>
auto create_server(Factory factory, std::span<const std::string_view> hosts, unsigned short port,
                   server_options options = {}, CompletionToken&& token = CompletionToken{});
template <class Factory, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server))
                             CompletionToken = awaitable_token_t>
auto create_server(Factory factory, std::span<const std::string> hosts, unsigned short port,
                   server_options options = {}, CompletionToken&& token = CompletionToken{});

/// A protocol server on a Unix socket (loop.create_unix_server); path rules as
/// `start_unix_server`.
template <class Factory, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server))
                             CompletionToken = awaitable_token_t>
auto create_unix_server(Factory factory, std::filesystem::path path, server_options options = {},
                        CompletionToken&& token = CompletionToken{});
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/server.hpp>

#endif
