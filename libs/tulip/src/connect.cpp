//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/detail/connector.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/detail/socket_transport.hpp>
#include <boost/tulip/detail/tls_hooks.hpp>
#include <boost/tulip/exception_group.hpp>
#include <boost/tulip/transport.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <atomic>
#include <stdexcept>

namespace boost::tulip::detail {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using unix_stream = asio::local::stream_protocol;

// Reorders `eps` by family (RFC 8305 sec. 4, asyncio's _interleave_addrinfos): `first`
// of the first family, then one of each family in turn.
std::vector<tcp::endpoint> interleave(const std::vector<tcp::endpoint>& eps, int first)
{
    std::vector<tcp::endpoint> v4, v6;
    for (const auto& e : eps)
        (e.address().is_v6() ? v6 : v4).push_back(e);
    if (v4.empty() || v6.empty())
        return eps;
    bool v6_first = eps.front().address().is_v6();
    auto& a = v6_first ? v6 : v4;
    auto& b = v6_first ? v4 : v6;
    std::vector<tcp::endpoint> out;
    std::size_t ia = 0, ib = 0;
    for (int i = 1; i < first && ia < a.size(); ++i)
        out.push_back(a[ia++]);
    while (ia < a.size() || ib < b.size()) {
        if (ia < a.size())
            out.push_back(a[ia++]);
        if (ib < b.size())
            out.push_back(b[ib++]);
    }
    return out;
}

// The TLS part of a client connection, or nothing for a plain one.
std::optional<tls_settings> client_tls(const connection_options& opts, const std::string& host)
{
    if (!opts.ssl)
        return std::nullopt;
    tls_settings t;
    // The context is not modified: each connection gets its own SSL object from it.
    t.ctx = const_cast<asio::ssl::context*>(opts.ssl);
    t.server_side = false;
    t.server_hostname = opts.server_hostname.empty() ? host : std::string(opts.server_hostname);
    t.handshake_timeout = opts.ssl_handshake_timeout;
    t.shutdown_timeout = opts.ssl_shutdown_timeout;
    return t;
}

// Shared by the two connectors: the operation, completed once.
class connector_base : public connector
{
public:
    ~connector_base() override
    {
        if (op_)
            op_->destroy(); // the loop went away with the connection pending
    }

    const std::string& target() const noexcept override { return target_; }

protected:
    connector_base(event_loop& loop, std::string target, std::shared_ptr<connect_errors> errors)
        : loop_(loop)
        , target_(std::move(target))
        , errors_(std::move(errors))
    {}

    void complete(error_code ec)
    {
        done_ = true;
        if (op_node* op = std::exchange(op_, nullptr))
            op->complete(ec, delivery::posted);
    }

    void fail()
    {
        complete(errors_->empty() ? error_code(asio::error::host_not_found) : errors_->front());
    }

    // TLS over the connected socket; the operation completes when the handshake has.
    template <class Socket, class Self>
    void start_tls(Socket s, const std::shared_ptr<Self>& self)
    {
        const tls_hooks& h = require_tls_hooks("connection_options::ssl");
        tls_done done = [self](error_code ec) { self->on_tls_done(ec); };
        if constexpr (std::is_same_v<Socket, asio::ip::tcp::socket>)
            tls_pending_ = h.start_tcp(loop_, std::move(s), *tls_, std::move(done));
        else
            tls_pending_ = h.start_unix(loop_, std::move(s), *tls_, std::move(done));
    }

    void on_tls_done(error_code ec)
    {
        if (!op_)
            return; // cancelled meanwhile
        if (ec) {
            errors_->push_back(ec);
            tls_pending_.reset();
        }
        complete(ec);
    }

    // Per-operation cancellation during the handshake.
    bool cancel_tls()
    {
        if (!tls_pending_)
            return false;
        tls_pending_->cancel();
        complete(asio::error::operation_aborted);
        return true;
    }

    event_loop& loop_;
    std::string target_;
    std::shared_ptr<connect_errors> errors_;
    op_node* op_ = nullptr;
    bool done_ = false;
    std::optional<tls_settings> tls_;
    std::shared_ptr<tls_pending> tls_pending_;
};

class tcp_connector final
    : public connector_base
    , public std::enable_shared_from_this<tcp_connector>
{
public:
    tcp_connector(event_loop& loop, connect_target t, const connection_options& opts,
                  std::shared_ptr<connect_errors> errors)
        : connector_base(loop, format_target(t), std::move(errors))
        , host_(std::move(t.host))
        , port_(std::move(t.port))
        , local_addr_(opts.local_addr)
        , delay_(opts.happy_eyeballs_delay)
        , interleave_(opts.interleave)
        , eps_(std::move(t.endpoints))
        , resolver_(loop.get_io_context())
    {
        if (delay_ && interleave_ == 0)
            interleave_ = 1;
        tls_ = client_tls(opts, host_);
    }

    void start(op_node* op) override
    {
        op_ = op;
        if (!eps_.empty()) {
            on_resolved({}, {});
            return;
        }
        resolver_.async_resolve(
            host_, port_,
            [self = shared_from_this()](error_code ec, tcp::resolver::results_type r) {
                self->on_resolved(ec, std::move(r));
            });
    }

    void cancel() override
    {
        if (!op_ || cancel_tls())
            return;
        if (done_)
            return;
        stop_all();
        complete(asio::error::operation_aborted);
    }

    std::shared_ptr<transport> make_transport(std::shared_ptr<base_protocol> p) override
    {
        if (tls_pending_)
            return tls_pending_->make_transport(std::move(p));
        return make_socket_transport(loop_, std::move(*winner_), std::move(p));
    }

private:
    static std::string format_target(const connect_target& t)
    {
        // An IPv6 literal in brackets, as in a URL.
        if (t.host.find(':') != std::string::npos)
            return "[" + t.host + "]:" + t.port;
        return t.host + ":" + t.port;
    }

    void on_resolved(error_code ec, tcp::resolver::results_type r)
    {
        if (done_)
            return;
        if (ec) {
            errors_->push_back(ec);
            fail();
            return;
        }
        for (const auto& e : r) // none when the target came resolved
            eps_.push_back(e.endpoint());
        if (interleave_ > 0)
            eps_ = interleave(eps_, interleave_);
        start_next();
    }

    // Starts the attempt to the next address that can be tried; fails once none is left
    // and none is in flight.
    void start_next()
    {
        while (next_ < eps_.size()) {
            tcp::endpoint ep = eps_[next_++];
            auto s = std::make_unique<tcp::socket>(loop_.get_io_context());
            error_code ec;
            s->open(ep.protocol(), ec);
            if (!ec) {
                try {
                    set_cloexec(s->native_handle());
                } catch (const boost::system::system_error& e) {
                    ec = e.code();
                }
            }
            if (!ec && local_addr_) {
                if (local_addr_->protocol() != ep.protocol())
                    ec = asio::error::address_family_not_supported;
                else
                    s->bind(*local_addr_, ec);
            }
            if (ec) {
                errors_->push_back(ec);
                continue;
            }
            std::size_t i = attempts_.size();
            attempts_.push_back(std::move(s));
            ++in_flight_;
            attempts_[i]->async_connect(
                ep, [self = shared_from_this(), i](error_code ec) { self->on_connected(i, ec); });
            if (delay_ && next_ < eps_.size())
                timer_ = loop_.call_later(*delay_, [self = shared_from_this()] {
                    if (!self->done_)
                        self->start_next();
                });
            return;
        }
        if (in_flight_ == 0)
            fail();
    }

    void on_connected(std::size_t i, error_code ec)
    {
        --in_flight_;
        if (done_)
            return;
        if (!ec) {
            winner_ = std::move(attempts_[i]);
            stop_all();
            if (tls_)
                start_tls(std::move(*winner_), shared_from_this());
            else
                complete({});
            return;
        }
        errors_->push_back(ec);
        error_code ignored;
        attempts_[i]->close(ignored);
        // RFC 8305: a failure starts the next attempt at once.
        timer_.cancel();
        start_next();
    }

    void stop_all()
    {
        done_ = true;
        timer_.cancel();
        resolver_.cancel();
        error_code ignored;
        for (auto& s : attempts_)
            if (s)
                s->close(ignored); // their handlers see done_
    }

    std::string host_;
    std::string port_;
    std::optional<tcp::endpoint> local_addr_;
    std::optional<duration> delay_;
    int interleave_;
    std::vector<tcp::endpoint> eps_;
    tcp::resolver resolver_;
    std::size_t next_ = 0;
    std::vector<std::unique_ptr<tcp::socket>> attempts_;
    std::size_t in_flight_ = 0;
    timer_handle timer_;
    std::unique_ptr<tcp::socket> winner_;
};

class unix_connector final
    : public connector_base
    , public std::enable_shared_from_this<unix_connector>
{
public:
    unix_connector(event_loop& loop, connect_target t, const connection_options& opts,
                   std::shared_ptr<connect_errors> errors)
        : connector_base(loop, t.host, std::move(errors))
        , socket_(loop.get_io_context())
    {
        tls_ = client_tls(opts, {});
    }

    void start(op_node* op) override
    {
        op_ = op;
        error_code ec;
        socket_.open(unix_stream(), ec);
        if (!ec) {
            try {
                set_cloexec(socket_.native_handle());
            } catch (const boost::system::system_error& e) {
                ec = e.code();
            }
        }
        if (ec) {
            errors_->push_back(ec);
            fail();
            return;
        }
        socket_.async_connect(unix_stream::endpoint(target_),
                              [self = shared_from_this()](error_code ec) {
                                  if (self->done_)
                                      return;
                                  if (ec) {
                                      self->errors_->push_back(ec);
                                      self->fail();
                                  } else if (self->tls_)
                                      self->start_tls(std::move(self->socket_), self);
                                  else
                                      self->complete({});
                              });
    }

    void cancel() override
    {
        if (!op_ || cancel_tls())
            return;
        if (done_)
            return;
        done_ = true;
        error_code ignored;
        socket_.close(ignored);
        complete(asio::error::operation_aborted);
    }

    std::shared_ptr<transport> make_transport(std::shared_ptr<base_protocol> p) override
    {
        if (tls_pending_)
            return tls_pending_->make_transport(std::move(p));
        return make_socket_transport(loop_, std::move(socket_), std::move(p));
    }

private:
    unix_stream::socket socket_;
};

} // namespace

std::shared_ptr<connector> make_connector(event_loop& loop, connect_target target,
                                          const connection_options& opts,
                                          std::shared_ptr<connect_errors> errors)
{
    if (target.is_unix)
        return std::make_shared<unix_connector>(loop, std::move(target), opts, std::move(errors));
    return std::make_shared<tcp_connector>(loop, std::move(target), opts, std::move(errors));
}

void format_connect_target(std::string& out, const void* c)
{
    out += ' ';
    out += static_cast<const connector*>(c)->target();
}

void throw_connect_error(const error_code& ec, const connect_errors& errors)
{
    bool one = ec == asio::error::operation_aborted || errors.size() <= 1 ||
               std::all_of(errors.begin(), errors.end(),
                           [&](const error_code& e) { return e == errors.front(); });
    if (one)
        throw_tulip_error(ec);
    std::vector<std::exception_ptr> excs;
    for (const auto& e : errors)
        excs.push_back(std::make_exception_ptr(boost::system::system_error(e)));
    throw exception_group("every connection attempt failed", std::move(excs));
}

void refuse_ssl(const connection_options& opts, bool is_unix)
{
    if (!opts.ssl)
        return;
    require_tls_hooks("connection_options::ssl");
    // As asyncio: a Unix socket names no host, so TLS needs the name to verify.
    if (is_unix && opts.server_hostname.empty())
        throw std::invalid_argument(
            "create_unix_connection: TLS needs connection_options::server_hostname");
}

namespace {
std::atomic<const tls_hooks*> the_tls_hooks{nullptr};
} // namespace

const tls_hooks* get_tls_hooks() noexcept
{
    return the_tls_hooks.load(std::memory_order_acquire);
}

void set_tls_hooks(const tls_hooks* hooks) noexcept
{
    the_tls_hooks.store(hooks, std::memory_order_release);
}

const tls_hooks& require_tls_hooks(const char* what)
{
    const tls_hooks* h = get_tls_hooks();
    if (!h)
        throw std::invalid_argument(std::string(what) +
                                    ": TLS needs Boost::tulip_ssl (link it to use TLS)");
    return *h;
}

} // namespace boost::tulip::detail
