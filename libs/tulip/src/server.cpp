//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/server.hpp>

#include <boost/tulip/detail/awaiting.hpp>
#include <boost/tulip/detail/thread_state.hpp>
#include <boost/tulip/sleep.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <stdexcept>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace boost::tulip {
namespace detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

boost::system::error_code last_error() noexcept
{
    return {errno, boost::system::system_category()};
}

// How long the accept loop pauses after running out of descriptors or memory: long
// enough not to spin (Asio re-arms a failed accept at once), short enough to resume
// promptly once descriptors are free (Trio's figure).
constexpr auto resource_backoff = std::chrono::milliseconds(100);

bool out_of_resources(int err) noexcept
{
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

// Errors of accept(2) that concern one pending connection only (Linux passes the new
// socket's pending network errors to accept): try the next one.
bool per_connection_error(int err) noexcept
{
    switch (err) {
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
    case EPERM: // a firewall refused it
        return true;
    default:
        return false;
    }
}

void format_listener(std::string& out, const void* l)
{
    out += ' ';
    out += static_cast<const server_listener*>(l)->label;
}

constexpr await_desc awaiting_accept{"accepting", await_kind::custom, nullptr, &format_listener};

bool set_nonblocking(int fd) noexcept
{
    int flags = ::fcntl(fd, F_GETFL, 0);
    return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

} // namespace

void format_server_label(std::string& out, const void* st)
{
    out += ' ';
    out += static_cast<const server_state*>(st)->label();
}

std::string format_peer(const tcp::endpoint& ep)
{
    std::string a = ep.address().to_string();
    if (ep.address().is_v6())
        a = "[" + a + "]";
    return a + ":" + std::to_string(ep.port());
}

void check_server_options(const server_options& o)
{
    if (o.ssl)
        require_tls_hooks("server_options::ssl");
    if (o.limit == 0)
        throw std::invalid_argument("server_options::limit must be positive");
    if (o.backlog < 0)
        throw std::invalid_argument("server_options::backlog must not be negative");
}

void resolve_passive(
    event_loop& loop, std::vector<std::string> hosts, unsigned short port,
    std::function<void(boost::system::error_code, std::vector<tcp::endpoint>)> done)
{
    struct job
    {
        std::vector<tcp::endpoint> eps;
        std::vector<std::string> names;
        std::size_t next = 0;
        unsigned short port = 0;
        std::function<void(boost::system::error_code, std::vector<tcp::endpoint>)> done;
        std::unique_ptr<tcp::resolver> resolver;

        void add(const tcp::endpoint& ep)
        {
            if (std::find(eps.begin(), eps.end(), ep) == eps.end())
                eps.push_back(ep);
        }

        static void step(std::shared_ptr<job> j)
        {
            if (j->next == j->names.size()) {
                auto d = std::move(j->done);
                d({}, std::move(j->eps));
                return;
            }
            const std::string& name = j->names[j->next++];
            j->resolver->async_resolve(
                name, std::to_string(j->port), tcp::resolver::passive,
                [j](boost::system::error_code ec, tcp::resolver::results_type r) {
                    if (ec) {
                        auto d = std::move(j->done);
                        d(ec, {});
                        return;
                    }
                    for (const auto& e : r)
                        j->add(e.endpoint());
                    step(j);
                });
        }
    };
    auto j = std::make_shared<job>();
    j->port = port;
    j->done = std::move(done);
    for (const std::string& h : hosts) {
        if (h.empty()) {
            // Every interface, as asyncio's host=None / "": both families.
            j->add(tcp::endpoint(asio::ip::address_v4::any(), port));
            j->add(tcp::endpoint(asio::ip::address_v6::any(), port));
            continue;
        }
        boost::system::error_code ec;
        auto a = asio::ip::make_address(h, ec);
        if (!ec)
            j->add(tcp::endpoint(a, port));
        else
            j->names.push_back(h);
    }
    if (!j->names.empty())
        j->resolver = std::make_unique<tcp::resolver>(loop.get_io_context());
    job::step(std::move(j));
}

// ---- server_state ---------------------------------------------------------------------

server_state::server_state(event_loop& loop, std::shared_ptr<connection_starter> starter,
                           std::size_t limit, context ctx)
    : loop_(&loop)
    , starter_(std::move(starter))
    , limit_(limit)
    , ctx_(std::move(ctx))
{}

server_state::~server_state()
{
    release_spare();
    waiters_.destroy_all();
}

namespace {

std::optional<tls_settings> server_tls(const server_options& o)
{
    if (!o.ssl)
        return std::nullopt;
    tls_settings t;
    // Not modified: each connection gets its own SSL object from it.
    t.ctx = const_cast<asio::ssl::context*>(o.ssl);
    t.server_side = true;
    t.handshake_timeout = o.ssl_handshake_timeout;
    t.shutdown_timeout = o.ssl_shutdown_timeout;
    return t;
}

} // namespace

boost::system::error_code server_state::listen_tcp(const std::vector<tcp::endpoint>& eps,
                                                   const server_options& o)
{
    tls_ = server_tls(o);
    auto& ioc = loop_->get_io_context();
    boost::system::error_code ec;
    for (const tcp::endpoint& ep : eps) {
        // Close-on-exec from the start: no window for a concurrent fork.
        int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            ec = last_error();
            // Every interface on a machine without IPv6 (or without IPv4): bind the rest.
            if (ec == boost::system::errc::address_family_not_supported && eps.size() > 1 &&
                ep.address().is_unspecified()) {
                ec.clear();
                continue;
            }
            break;
        }
        tcp::acceptor a(ioc);
        a.assign(ep.protocol(), fd, ec);
        if (ec) {
            ::close(fd);
            break;
        }
        if (o.reuse_address)
            a.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec && o.reuse_port) {
            int one = 1;
            if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
                ec = last_error();
        }
        // One socket per family, as asyncio: [::] does not also take IPv4.
        if (!ec && ep.address().is_v6())
            a.set_option(asio::ip::v6_only(true), ec);
        if (!ec)
            a.bind(ep, ec);
        if (!ec)
            a.listen(o.backlog, ec);
        tcp::endpoint local;
        if (!ec)
            local = a.local_endpoint(ec);
        if (!ec && !set_nonblocking(fd))
            ec = last_error();
        if (ec)
            break;
        int raw = a.release(ec);
        if (ec)
            break;
        auto l = std::make_unique<server_listener>(ioc, raw, ep.protocol().family());
        l->local = local;
        l->label = format_peer(local);
        listeners_.push_back(std::move(l));
    }
    if (!ec && listeners_.empty())
        ec = make_error_code(boost::system::errc::address_not_available);
    if (ec) {
        listeners_.clear();
        return ec;
    }
    label_ = listeners_.front()->label;
    for (std::size_t i = 1; i < listeners_.size(); ++i)
        label_ += ", " + listeners_[i]->label;
    return {};
}

boost::system::error_code server_state::listen_unix(const std::filesystem::path& path,
                                                    const server_options& o)
{
    tls_ = server_tls(o);
    const std::string& p = path.native();
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (p.empty() || p.size() >= sizeof addr.sun_path)
        return {ENAMETOOLONG, boost::system::system_category()};
    std::copy(p.begin(), p.end(), addr.sun_path);
    const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + p.size() + 1);

    if (auto ec = detail::remove_stale_unix_socket(p, SOCK_STREAM))
        return ec;
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return last_error();
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), addr_len) != 0 ||
        ::listen(fd, o.backlog) != 0 || !set_nonblocking(fd)) {
        auto ec = last_error();
        ::close(fd);
        return ec;
    }
    socket_file_.adopt(p);
    auto l = std::make_unique<server_listener>(loop_->get_io_context(), fd, AF_UNIX);
    l->label = p;
    listeners_.push_back(std::move(l));
    path_ = path;
    label_ = p;
    return {};
}

// Two descriptors (a pipe's worth): room for the report's own work, such as a handler
// that logs to a file or hands the message to a logger thread over a pipe.
void server_state::take_spare() noexcept
{
    if (spare_fd_[0] < 0 && ::pipe2(spare_fd_, O_CLOEXEC) != 0) // may fail while out:
        spare_fd_[0] = spare_fd_[1] = -1;                       // taken at the next report
}

void server_state::release_spare() noexcept
{
    if (spare_fd_[0] >= 0) {
        ::close(spare_fd_[0]);
        ::close(spare_fd_[1]);
        spare_fd_[0] = spare_fd_[1] = -1;
    }
}

void server_state::start_serving()
{
    if (closed_ || serving_)
        return;
    serving_ = true;
    take_spare();
    for (auto& l : listeners_) {
        task_options o;
        std::string name = "accept " + l->label;
        o.name = name;
        ++running_accepters_;
        l->accepter = create_task(loop_->get_executor(), accept_loop(l.get()), o);
        // The end is counted by a done callback, not by the body: a task cancelled before
        // its first step never runs its body. It holds the state weakly: the state holds
        // the task, and an io_context destroyed with the server open frees the task unrun,
        // which must free the state (and its listening sockets) too.
        l->accepter.add_done_callback([w = weak_from_this()] {
            if (auto self = w.lock())
                self->accepter_ended();
        });
    }
}

void server_state::report(std::string message, std::exception_ptr e)
{
    exception_context c;
    c.message = std::move(message);
    c.exception = std::move(e);
    c.task = current_task();
    loop_->call_exception_handler(c);
}

awaitable<void> server_state::accept_loop(server_listener* l)
{
    // The loop holds the state while it accepts (dropping every handle does not close a
    // server, as dropping a task's handles does not stop it).
    std::shared_ptr<server_state> self = shared_from_this();
    while (!closed_) {
        show_awaiting(awaiting_task(), awaiting_accept, l);
        auto [ec] = co_await l->sd.async_wait(asio::posix::descriptor_base::wait_read,
                                              asio::as_tuple(asio::deferred));
        if (closed_ || ec)
            break; // closed, or the task was cancelled
        bool pause = false;
        // A bounded batch per wake-up, then back to the loop (fairness to the connections).
        for (int i = 0; i < 64 && !closed_; ++i) {
            int fd = ::accept4(l->sd.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0) {
                l->out_of_resources = false;
                hand_over(*l, fd);
                continue;
            }
            const int err = errno;
            if (err == EAGAIN || err == EWOULDBLOCK)
                break;
            if (per_connection_error(err))
                continue;
            const boost::system::error_code aec(err, boost::system::system_category());
            if (out_of_resources(err)) {
                ++resource_failures_;
                // Once per episode: the episode ends with the next accepted connection.
                if (!l->out_of_resources) {
                    l->out_of_resources = true;
                    // The spare descriptor gives the report one to work with (an exception
                    // handler that logs to a file needs one), then is taken back.
                    release_spare();
                    report("accept() out of system resource on " + l->label +
                               "; retrying every 100 ms, established connections go on",
                           std::make_exception_ptr(boost::system::system_error(aec, "accept")));
                    take_spare();
                }
            } else {
                report("accept() failed on " + l->label + "; retrying in 100 ms",
                       std::make_exception_ptr(boost::system::system_error(aec, "accept")));
            }
            pause = true;
            break;
        }
        if (pause) {
            std::exception_ptr e;
            try {
                co_await sleep(resource_backoff);
            } catch (...) {
                e = std::current_exception();
            }
            if (e)
                break; // cancelled
        }
    }
}

void server_state::accepter_ended()
{
    // Cancelled from outside (the end of tulip::run): the server stops listening for good.
    if (!closed_)
        close();
    --running_accepters_;
    wake_if_idle();
}

void server_state::hand_over(server_listener& l, int fd)
{
    auto& ioc = loop_->get_io_context();
    try {
        if (l.family == AF_UNIX) {
            asio::local::stream_protocol::socket s(ioc);
            boost::system::error_code ec;
            s.assign(asio::local::stream_protocol(), fd, ec);
            if (ec) {
                ::close(fd);
                return;
            }
            if (tls_)
                start_tls(std::move(s), "unix:" + path_.string());
            else
                starter_->start(*this, std::move(s));
        } else {
            tcp::socket s(ioc);
            boost::system::error_code ec;
            s.assign(l.family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
            if (ec) {
                ::close(fd);
                return;
            }
            if (tls_) {
                auto peer = s.remote_endpoint(ec);
                start_tls(std::move(s), ec ? std::string("tcp client") : format_peer(peer));
            } else
                starter_->start(*this, std::move(s));
        }
    } catch (...) {
        report("Error starting a connection on " + l.label, std::current_exception());
    }
}

// The handshake first: the handler (or the protocol) starts once it has succeeded. A
// failure (garbage, a timeout, a peer gone) costs this connection only and is reported.
template <class Socket>
void server_state::start_tls(Socket s, std::string name)
{
    const tls_hooks& h = require_tls_hooks("server_options::ssl");
    std::uint64_t id = attach();
    // Weak: the state holds the handshake, which holds this callback.
    tls_done done = [w = weak_from_this(), id, name](boost::system::error_code ec) {
        auto self = w.lock();
        if (!self)
            return;
        auto it = self->handshakes_.find(id);
        if (it == self->handshakes_.end())
            return;
        std::shared_ptr<tls_pending> p = std::move(it->second);
        self->handshakes_.erase(it);
        if (ec) {
            if (ec != asio::error::operation_aborted) // not close_clients/abort_clients
                self->report("TLS handshake failed with " + name,
                             std::make_exception_ptr(boost::system::system_error(ec)));
            self->detach(id);
            return;
        }
        try {
            self->starter_->start_made(
                *self,
                [&](std::shared_ptr<base_protocol> proto) {
                    return p->make_transport(std::move(proto));
                },
                name);
        } catch (...) {
            self->report("Error starting a connection on " + self->label_,
                         std::current_exception());
        }
        self->detach(id); // start_made attached the connection under its own id
    };
    std::shared_ptr<tls_pending> p;
    if constexpr (std::is_same_v<Socket, tcp::socket>)
        p = h.start_tcp(*loop_, std::move(s), *tls_, std::move(done));
    else
        p = h.start_unix(*loop_, std::move(s), *tls_, std::move(done));
    handshakes_.emplace(id, std::move(p));
}

void server_state::close()
{
    if (closed_)
        return;
    closed_ = true;
    serving_ = false;
    release_spare();
    for (auto& l : listeners_) {
        boost::system::error_code ec;
        l->sd.close(ec); // a pending wait completes with operation_aborted
        if (l->accepter && !l->accepter.done())
            l->accepter.cancel(); // a backoff pause ends too
    }
    socket_file_.remove(); // only the file this server made
    wake_if_idle();
}

void server_state::wake_if_idle()
{
    if (!closed_and_idle())
        return;
    while (op_node* w = waiters_.pop_front()) {
        if (static_cast<server_waiter*>(w)->forever)
            --forever_waiters_;
        w->complete({}, delivery::posted);
    }
}

std::uint64_t server_state::attach()
{
    std::uint64_t id = next_id_++;
    connections_.emplace(id, server_connection{});
    return id;
}

void server_state::watch(std::uint64_t id, const std::shared_ptr<transport>& t, bool handler)
{
    auto it = connections_.find(id);
    if (it == connections_.end())
        return;
    it->second.t = t;
    it->second.open = true;
    it->second.handler = handler;
    transport_watch_access::watch(*t, weak_from_this(), id);
}

void server_state::detach(std::uint64_t id)
{
    if (connections_.erase(id))
        wake_if_idle();
}

void server_state::transport_ended(std::uint64_t id) noexcept
{
    auto it = connections_.find(id);
    if (it == connections_.end())
        return;
    it->second.open = false;
    it->second.t.reset();
    it->second.upgrade.reset();
    if (!it->second.handler)
        detach(id);
}

void server_state::transport_replaced(std::uint64_t id, std::shared_ptr<transport> t) noexcept
{
    auto it = connections_.find(id);
    if (it == connections_.end())
        return;
    it->second.t = std::move(t);
    it->second.upgrade.reset();
}

void server_state::transport_upgrading(std::uint64_t id, std::shared_ptr<tls_pending> h) noexcept
{
    auto it = connections_.find(id);
    if (it == connections_.end())
        return;
    it->second.t.reset(); // the plain transport has let go of the socket
    it->second.upgrade = h;
    // close_clients came while the socket was leaving the plain transport (a loop turn
    // before the handshake exists): stop the handshake once it runs.
    if (it->second.stopping)
        asio::post(loop_->get_io_context(), [h = std::move(h)] { h->cancel(); });
}

void server_state::handler_ended(std::uint64_t id, std::exception_ptr e)
{
    auto it = connections_.find(id);
    if (it == connections_.end())
        return;
    it->second.handler = false;
    if (e) {
        if (!is_cancellation(e))
            report("Unhandled exception in client_connected_cb", e);
        // As asyncio: a handler that failed or was cancelled leaves no connection behind.
        if (auto t = it->second.t; t && !t->is_closing())
            t->close();
    }
    // The transport goes on until its connection_lost: a writer kept elsewhere keeps the
    // connection open, and counted.
    if (!it->second.open)
        detach(id);
}

// The handshakes of connections not handed to their handler yet, and of connections whose
// handler upgrades them in place (start_tls): each one's done() runs from the loop, fails
// with operation_aborted, and ends the connection (a detach, or transport_ended). A
// connection whose in-place handshake does not exist yet is marked: it is cancelled
// once it does (transport_upgrading).
void server_state::cancel_handshakes()
{
    std::vector<std::shared_ptr<tls_pending>> hs;
    for (auto& [id, p] : handshakes_)
        hs.push_back(p);
    for (auto& [id, c] : connections_) {
        c.stopping = true;
        if (auto h = c.upgrade.lock())
            hs.push_back(std::move(h));
    }
    for (auto& p : hs)
        p->cancel();
}

std::vector<std::shared_ptr<transport>> server_state::open_transports() const
{
    std::vector<std::shared_ptr<transport>> ts;
    for (auto& [id, c] : connections_)
        if (c.t && c.open)
            ts.push_back(c.t);
    return ts;
}

// asyncio's Server.close_clients: every attached transport, whether or not its handler
// still runs (a writer or transport may be kept by another task or by its protocol).
void server_state::close_clients()
{
    cancel_handshakes();
    for (auto& t : open_transports())
        t->close();
}

void server_state::abort_clients()
{
    cancel_handshakes();
    for (auto& t : open_transports())
        t->abort();
}

std::vector<tcp::endpoint> server_state::sockets() const
{
    std::vector<tcp::endpoint> v;
    if (closed_)
        return v;
    for (auto& l : listeners_)
        if (l->family != AF_UNIX)
            v.push_back(l->local);
    return v;
}

} // namespace detail

// ---- server ---------------------------------------------------------------------------------

void server::start_serving()
{
    st_->start_serving();
}

bool server::is_serving() const noexcept
{
    return st_ && st_->is_serving();
}

void server::close()
{
    st_->close();
}

void server::close_clients()
{
    st_->close_clients();
}

void server::abort_clients()
{
    st_->abort_clients();
}

std::vector<boost::asio::ip::tcp::endpoint> server::sockets() const
{
    return st_->sockets();
}

std::filesystem::path server::path() const
{
    return st_->path();
}

event_loop& server::get_loop() const noexcept
{
    return st_->loop();
}

std::uint64_t server::resource_failures() const noexcept
{
    return st_->resource_failures();
}

awaitable<void> server::async_close() const
{
    std::shared_ptr<detail::server_state> st = st_;
    st->close();
    server s(st);
    auto w = s.wait_closed();
    co_await std::move(w);
}

} // namespace boost::tulip
