//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/tls.hpp>

#include <boost/tulip/detail/socket_transport.hpp>
#include <boost/tulip/detail/stream_protocol.hpp>
#include <boost/tulip/detail/tls_hooks.hpp>
#include <boost/tulip/detail/transport_registry.hpp>
#include <boost/tulip/detail/write_marks.hpp>
#include <boost/tulip/error.hpp>
#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/transport.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/system/system_error.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

namespace boost::tulip {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;

namespace {

class verify_category_impl final : public boost::system::error_category
{
public:
    const char* name() const noexcept override { return "tulip.tls_verify"; }
    std::string message(int ev) const override
    {
        return std::string("certificate verification failed: ") + X509_verify_cert_error_string(ev);
    }
};

} // namespace

const boost::system::error_category& tls_verify_category() noexcept
{
    static const verify_category_impl cat;
    return cat;
}

namespace detail {

void configure_tls_client(SSL* ssl, std::string_view host)
{
    std::string h(host);
    error_code ec;
    (void)asio::ip::make_address(h, ec);
    if (!ec) {
        // RFC 6066: no IP literal in SNI; the certificate's IP addresses are checked.
        if (!X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), h.c_str()))
            throw boost::system::system_error(asio::error::invalid_argument, "TLS server_hostname");
        return;
    }
    if (!SSL_set_tlsext_host_name(ssl, h.c_str()) || !SSL_set1_host(ssl, h.c_str()))
        throw boost::system::system_error(asio::error::invalid_argument, "TLS server_hostname");
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
}

error_code tls_handshake_error(SSL* ssl, error_code ec) noexcept
{
    // Whatever the engine reported (OpenSSL's "certificate verify failed", or the end of
    // stream or reset that follows the alert), a refused certificate is the cause.
    if (ssl && ec != asio::error::operation_aborted && ec != asio::error::timed_out) {
        long v = SSL_get_verify_result(ssl);
        if (v != X509_V_OK)
            return error_code(static_cast<int>(v), tls_verify_category());
    }
    return ec;
}

namespace {

// One TLS record's plaintext is at most 16 KiB; a read asks for a few at once.
constexpr std::size_t read_chunk = 64 * 1024;

// The transport of a TLS connection over a stream socket, on Asio's ssl::stream (OpenSSL
// over a BIO pair), proactor style: one async_read_some and one async_write_some in
// flight at most. Writes are copied into a pending block and sent in order from a second
// block, so that the memory of a write in flight never moves. Received bytes are
// decrypted into the transport's own buffer and handed to the protocol synchronously (a
// `buffered_protocol` gets them copied into its get_buffer memory at once), so no
// protocol memory is held across a wait.
template <class Socket>
class tls_transport final
    : public transport
    , private registered_transport
{
public:
    using stream_type = ssl::stream<Socket>;

    tls_transport(event_loop& loop, stream_type s, std::shared_ptr<base_protocol> p,
                  std::chrono::steady_clock::duration shutdown_timeout)
        // Received bytes are handed over synchronously from the transport's own buffer.
        : transport(loop, std::move(p), /*receives_synchronously=*/true)
        , stream_(std::move(s))
        , shutdown_timeout_(shutdown_timeout)
        , rbuf_(new char[read_chunk])
    {
        auto& sock = stream_.next_layer();
        error_code ec;
        peername_ = sock.remote_endpoint(ec);
        sockname_ = sock.local_endpoint(ec);
        fd_ = static_cast<int>(sock.native_handle());
        if constexpr (std::is_same_v<typename Socket::protocol_type, asio::ip::tcp>)
            sock.set_option(asio::ip::tcp::no_delay(true), ec);
        SSL* h = stream_.native_handle();
        if (const char* c = SSL_get_cipher_name(h))
            cipher_ = c;
        version_ = SSL_get_version(h);
    }

    // `made`: call the protocol's connection_made first (not for start_tls in place,
    // where the protocol carries on from the plain transport).
    void start(bool made = true)
    {
        register_transport(get_loop());
        self_ = shared_from_this();
        asio::post(stream_.get_executor(), [self = self_ptr(), made] {
            if (self->closed_)
                return;
            if (made)
                self->guarded([&] { self->get_protocol()->connection_made(*self); });
            self->start_read();
        });
    }

    // ---- writing ------------------------------------------------------------------------

    void write_buffers(const asio::const_buffer* bufs, std::size_t n) override
    {
        check_writable();
        for (std::size_t i = 0; i < n; ++i)
            pending_.append(static_cast<const char*>(bufs[i].data()), bufs[i].size());
        if (!writing_)
            start_write();
        maybe_pause_protocol();
    }

    void write_eof() override
    {
        throw invalid_state_error("write_eof: TLS has no half-close (can_write_eof() is false)");
    }
    bool can_write_eof() const noexcept override { return false; }

    // ---- closing ------------------------------------------------------------------------

    void close() override
    {
        if (closing_)
            return;
        closing_ = true;
        if (!writing_)
            start_shutdown();
        // else on_write starts it once the buffer is sent
    }

    void abort() override
    {
        if (closed_)
            return;
        closing_ = true;
        force_close(nullptr, true);
    }

    bool is_closing() const noexcept override { return closing_; }

    // The io_context shuts down with the transport open: as the socket transport's (no
    // callbacks, no close_notify; the socket is closed and the references that kept the
    // transport and its protocol alive are let go).
    void shutdown_transport() noexcept override
    {
        closing_ = true;
        closed_ = true;
        error_code ec;
        stream_.next_layer().close(ec);
        std::shared_ptr<transport> keep = std::move(self_); // released last: may free `this`
        std::shared_ptr<base_protocol> p = get_protocol();
        set_protocol(nullptr);
        p.reset();
    }

    // ---- reading ------------------------------------------------------------------------

    void pause_reading() override { paused_ = true; }
    void resume_reading() override
    {
        if (!paused_)
            return;
        paused_ = false;
        if (resume_posted_)
            return;
        resume_posted_ = true;
        asio::post(stream_.get_executor(), [self = self_ptr()] {
            self->resume_posted_ = false;
            if (self->closed_ || self->closing_ || self->paused_)
                return;
            if (self->held_) {
                std::size_t n = std::exchange(self->held_, 0);
                if (!self->deliver(n))
                    return;
            }
            self->start_read();
        });
    }
    bool is_reading() const noexcept override { return !paused_ && !closing_; }

    // ---- flow control -------------------------------------------------------------------

    void set_write_buffer_limits(std::optional<std::size_t> high,
                                 std::optional<std::size_t> low) override
    {
        marks_.set(high, low);
        maybe_pause_protocol();
    }
    std::size_t get_write_buffer_size() const noexcept override
    {
        return sending_.size() - sent_ + pending_.size();
    }
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override
    {
        return marks_.get();
    }

    std::any extra_info(std::string_view name) const override
    {
        if (name == "peername")
            return peername_;
        if (name == "sockname")
            return sockname_;
        if (name == "socket")
            return fd_;
        if (closed_)
            return {};
        SSL* h = const_cast<stream_type&>(stream_).native_handle();
        if (name == "ssl_object")
            return h;
        if (name == "peercert") {
            // DER bytes, as asyncio's getpeercert(binary_form=True): a copy that stays
            // valid after the connection (SSL_get_peer_certificate's X509* would not).
            X509* c = SSL_get0_peer_certificate(h);
            int len = c ? i2d_X509(c, nullptr) : -1;
            if (len <= 0)
                return {};
            std::string der(static_cast<std::size_t>(len), '\0');
            auto* out = reinterpret_cast<unsigned char*>(der.data());
            i2d_X509(c, &out);
            return der;
        }
        if (name == "cipher")
            return cipher_;
        if (name == "version")
            return version_;
        return {};
    }

private:
    using endpoint_type = typename Socket::endpoint_type;

    std::shared_ptr<tls_transport> self_ptr()
    {
        return std::static_pointer_cast<tls_transport>(shared_from_this());
    }

    template <class F>
    bool guarded(F&& f)
    {
        try {
            f();
            return true;
        } catch (...) {
            auto e = std::current_exception();
            get_loop().call_exception_handler(
                exception_context{"a protocol callback of a TLS transport threw", e, {}});
            closing_ = true;
            force_close(e, true);
            return false;
        }
    }

    void check_writable() const
    {
        if (error_)
            throw boost::system::system_error(error_);
        if (closing_)
            throw invalid_state_error("write on a closing transport");
    }

    void maybe_pause_protocol()
    {
        if (!closed_ && marks_.pause(get_write_buffer_size()))
            guarded([&] { get_protocol()->pause_writing(); });
    }
    void maybe_resume_protocol()
    {
        if (!closed_ && marks_.resume(get_write_buffer_size()))
            guarded([&] { get_protocol()->resume_writing(); });
    }

    void start_write()
    {
        if (pending_.empty() || closed_)
            return;
        sending_.swap(pending_);
        pending_.clear();
        sent_ = 0;
        do_write();
    }

    void do_write()
    {
        writing_ = true;
        stream_.async_write_some(
            asio::buffer(sending_.data() + sent_, sending_.size() - sent_),
            [self = self_ptr()](error_code ec, std::size_t n) { self->on_write(ec, n); });
    }

    void on_write(error_code ec, std::size_t n)
    {
        writing_ = false;
        if (closed_)
            return;
        if (ec) {
            fatal(ec);
            return;
        }
        sent_ += n;
        if (sent_ < sending_.size())
            do_write();
        else {
            sending_.clear();
            sent_ = 0;
            start_write();
        }
        maybe_resume_protocol();
        if (closed_ || writing_)
            return;
        if (closing_)
            start_shutdown();
    }

    void start_read()
    {
        if (reading_ || closed_ || closing_ || paused_ || held_)
            return;
        reading_ = true;
        stream_.async_read_some(
            asio::buffer(rbuf_.get(), read_chunk),
            [self = self_ptr()](error_code ec, std::size_t n) { self->on_read(ec, n); });
    }

    void on_read(error_code ec, std::size_t n)
    {
        reading_ = false;
        if (closed_)
            return;
        if (closing_) {
            // close() stopped the read (or it raced with it): the shutdown goes on.
            if (shutdown_wants_read_end_)
                do_shutdown();
            return;
        }
        if (ec == asio::error::eof) {
            // The peer's close_notify: TLS has no half-close, so the connection closes
            // whatever eof_received returns (asyncio does the same over SSL).
            peer_eof_ = true;
            const auto& p = get_protocol();
            bool ok = guarded([&] {
                (void)(p->is_buffered() ? static_cast<buffered_protocol&>(*p).eof_received()
                                        : static_cast<protocol&>(*p).eof_received());
            });
            if (ok)
                close();
            return;
        }
        if (ec) {
            // stream_truncated: the peer closed the TCP connection without close_notify.
            fatal(ec);
            return;
        }
        if (paused_) {
            held_ = n; // delivered by resume_reading
            return;
        }
        if (deliver(n))
            start_read();
    }

    // Hands rbuf_[0, n) to the protocol; false if the transport closed meanwhile.
    bool deliver(std::size_t n)
    {
        const auto& p = get_protocol();
        if (!p->is_buffered()) {
            return guarded([&] {
                       static_cast<protocol&>(*p).data_received(std::string_view(rbuf_.get(), n));
                   }) &&
                   !closed_;
        }
        auto& bp = static_cast<buffered_protocol&>(*p);
        std::size_t off = 0;
        while (off < n) {
            asio::mutable_buffer b;
            if (!guarded([&] { b = bp.get_buffer(n - off); }))
                return false;
            if (b.size() == 0) {
                guarded([] { throw std::length_error("get_buffer returned an empty buffer"); });
                return false;
            }
            std::size_t m = std::min(b.size(), n - off);
            std::memcpy(b.data(), rbuf_.get() + off, m);
            off += m;
            if (!guarded([&] { bp.buffer_updated(m); }) || closed_)
                return false;
        }
        return true;
    }

    // Closing: the write buffer is sent (on_write calls this once it is), the read in
    // flight is stopped, then close_notify goes out and the peer's is awaited for at most
    // the shutdown timeout (Asio's async_shutdown waits for it without a limit; TLS 1.3
    // peers often never send it). Then the socket is closed.
    void start_shutdown()
    {
        if (shutdown_started_ || closed_)
            return;
        shutdown_started_ = true;
        if (reading_) {
            shutdown_wants_read_end_ = true;
            error_code ignored;
            stream_.next_layer().cancel(ignored); // only the read is in flight
            return;
        }
        do_shutdown();
    }

    void do_shutdown()
    {
        if (closed_)
            return;
        shutdown_wants_read_end_ = false;
        shutdown_timer_ = get_loop().call_later(
            shutdown_timeout_, [self = self_ptr()] { self->force_close(nullptr, false); });
        stream_.async_shutdown(
            [self = self_ptr()](error_code) { self->force_close(nullptr, false); });
    }

    void fatal(error_code ec)
    {
        if (closed_)
            return;
        if (ec == asio::error::operation_aborted)
            return; // our own close
        error_ = ec;
        closing_ = true;
        force_close(std::make_exception_ptr(boost::system::system_error(ec)), false);
    }

    void force_close(std::exception_ptr e, bool reset)
    {
        if (closed_)
            return;
        closed_ = true;
        shutdown_timer_.cancel();
        auto& sock = stream_.next_layer();
        error_code ec;
        if (reset)
            sock.set_option(asio::socket_base::linger(true, 0), ec);
        sock.close(ec); // the operations in flight complete with operation_aborted
        asio::post(stream_.get_executor(), [self = self_ptr(), e = std::move(e)] {
            auto keep = std::move(self->self_);
            self->unregister_transport();
            try {
                self->get_protocol()->connection_lost(e);
            } catch (...) {
                self->get_loop().call_exception_handler(
                    exception_context{"connection_lost of a TLS transport's protocol threw",
                                      std::current_exception(),
                                      {}});
            }
            self->notify_ended();
        });
    }

    stream_type stream_;
    std::chrono::steady_clock::duration shutdown_timeout_;
    std::unique_ptr<char[]> rbuf_;
    std::size_t held_ = 0; // bytes of rbuf_ read while paused
    std::string sending_;  // the block being sent (its memory does not move meanwhile)
    std::size_t sent_ = 0;
    std::string pending_; // written since
    write_marks marks_;   // the buffered plaintext's, and whether the protocol is paused
    std::shared_ptr<transport> self_;
    error_code error_;
    timer_handle shutdown_timer_;
    endpoint_type peername_;
    endpoint_type sockname_;
    std::string cipher_;
    std::string version_;
    int fd_ = -1;
    bool closing_ = false;
    bool closed_ = false;
    bool paused_ = false;
    bool peer_eof_ = false;
    bool reading_ = false;
    bool writing_ = false;
    bool resume_posted_ = false;
    bool shutdown_started_ = false;
    bool shutdown_wants_read_end_ = false;
};

// A handshake for the plain library (connections, servers): async_start_tls with the
// settings it owns, then the transport over the stream.
template <class Socket>
class pending_handshake final
    : public tls_pending
    , public std::enable_shared_from_this<pending_handshake<Socket>>
{
public:
    pending_handshake(event_loop& loop, const tls_settings& s)
        : loop_(loop)
        , settings_(s)
    {}

    void start(Socket sock, tls_done done)
    {
        done_ = std::move(done);
        tls_options o;
        o.server_side = settings_.server_side;
        o.server_hostname = settings_.server_hostname;
        o.handshake_timeout = settings_.handshake_timeout;
        o.shutdown_timeout = settings_.shutdown_timeout;
        o.initial_data = asio::buffer(settings_.initial_data);
        async_start_tls(
            std::move(sock), *settings_.ctx, o,
            asio::bind_cancellation_slot(cancel_.slot(), [self = this->shared_from_this()](
                                                             error_code ec, ssl::stream<Socket> s) {
                self->on_done(ec, std::move(s));
            }));
    }

    void cancel() noexcept override
    {
        if (!finished_)
            cancel_.emit(asio::cancellation_type::terminal);
    }

    std::shared_ptr<transport> make_transport(std::shared_ptr<base_protocol> p) override
    {
        return make(std::move(p), true);
    }

    std::shared_ptr<transport> make(std::shared_ptr<base_protocol> p, bool call_made)
    {
        if (!stream_)
            throw invalid_state_error("TLS handshake not complete");
        auto t = std::make_shared<tls_transport<Socket>>(loop_, std::move(*stream_), std::move(p),
                                                         settings_.shutdown_timeout);
        stream_.reset();
        t->start(call_made);
        return t;
    }

private:
    void on_done(error_code ec, ssl::stream<Socket> s)
    {
        finished_ = true;
        if (!ec)
            stream_.emplace(std::move(s));
        else {
            error_code ignored;
            s.next_layer().close(ignored);
        }
        auto done = std::move(done_);
        done(ec);
    }

    event_loop& loop_;
    tls_settings settings_;
    tls_done done_;
    asio::cancellation_signal cancel_;
    std::optional<ssl::stream<Socket>> stream_;
    bool finished_ = false;
};

template <class Socket>
std::shared_ptr<tls_pending> start_handshake(event_loop& loop, Socket s,
                                             const tls_settings& settings, tls_done done)
{
    auto p = std::make_shared<pending_handshake<Socket>>(loop, settings);
    p->start(std::move(s), std::move(done));
    return p;
}

// stream_writer::start_tls: flush, take the socket out, move the reader's bytes into the
// TLS input, handshake, swap the transport under the same stream protocol.
class in_place_upgrade : public std::enable_shared_from_this<in_place_upgrade>
{
public:
    in_place_upgrade(std::shared_ptr<stream_protocol> p, ssl::context& ctx, const tls_options& opts,
                     std::function<void(error_code)> done)
        : p_(std::move(p))
        , done_(std::move(done))
    {
        settings_.ctx = &ctx;
        settings_.server_side = opts.server_side;
        settings_.server_hostname = std::string(opts.server_hostname);
        settings_.handshake_timeout = opts.handshake_timeout;
        settings_.shutdown_timeout = opts.shutdown_timeout;
        settings_.initial_data.assign(static_cast<const char*>(opts.initial_data.data()),
                                      opts.initial_data.size());
    }

    void start()
    {
        if (error_code ec = check())
            return finish(ec);
        transport* t = p_->get_transport();
        if (t->get_write_buffer_size() == 0)
            return take_over();
        // Marks at zero: the protocol is told resume_writing once everything is sent.
        saved_limits_ = t->get_write_buffer_limits();
        t->set_write_buffer_limits(0, 0);
        p_->suspend_drain([self = shared_from_this()](error_code ec) { self->flushed(ec); });
    }

private:
    error_code check() const
    {
        transport* t = p_->get_transport();
        if (!t || p_->is_closing())
            return error::invalid_state; // closing, lost, or not connected
        if (p_->read_pending())
            return error::invalid_state; // a read in another task would see plaintext
        if (!is_socket_transport<asio::ip::tcp>(*t) &&
            !is_socket_transport<asio::local::stream_protocol>(*t))
            return error::invalid_state;
        // Refused before the socket leaves its transport: the connection stays usable.
        return client_name_check(settings_.server_side, settings_.server_hostname,
                                 SSL_CTX_get_verify_mode(settings_.ctx->native_handle()));
    }

    void flushed(error_code ec)
    {
        if (transport* t = p_->get_transport(); t && saved_limits_)
            t->set_write_buffer_limits(saved_limits_->second, saved_limits_->first);
        if (ec)
            return finish(ec);
        if (error_code c = check())
            return finish(c);
        take_over();
    }

    void take_over()
    {
        transport* t = p_->get_transport();
        // The plain transport ends here without connection_lost: whoever watches it (a
        // server) follows the connection to the TLS transport, or learns that it ended.
        plain_ = t->shared_from_this();
        try {
            if (is_socket_transport<asio::ip::tcp>(*t))
                release_socket<asio::ip::tcp>(*t, released<asio::ip::tcp::socket>());
            else
                release_socket<asio::local::stream_protocol>(
                    *t, released<asio::local::stream_protocol::socket>());
        } catch (const boost::system::system_error& e) {
            plain_.reset(); // not released: it carries on
            return finish(e.code());
        } catch (const invalid_state_error&) {
            plain_.reset();
            return finish(error::invalid_state);
        }
        // Bytes received before the upgrade: the TLS engine's first input, never the
        // application's.
        settings_.initial_data += p_->take_buffered();
        // No transport under the streams while the handshake runs: writes are refused.
        p_->set_transport(nullptr);
    }

    // The socket has left the plain transport (always later than release_socket's call):
    // the bytes that transport had received come after the reader's.
    template <class Socket>
    std::function<void(Socket, std::string)> released()
    {
        return [self = shared_from_this()](Socket s, std::string more) {
            self->settings_.initial_data += more;
            self->begin(std::move(s));
        };
    }

    template <class Socket>
    void begin(Socket s)
    {
        auto h = std::make_shared<pending_handshake<Socket>>(p_->loop(), settings_);
        // A server counting the connection stops it through the handshake meanwhile
        // (close_clients, abort_clients).
        if (plain_)
            transport_watch_access::upgrading(*plain_, h);
        auto self = shared_from_this();
        // `h` weakly: it holds this callback until it runs (and its operation holds it),
        // so that an io_context destroyed meanwhile frees them all.
        std::weak_ptr<pending_handshake<Socket>> weak_h = h;
        h->start(std::move(s), [self, weak_h](error_code ec) {
            auto plain = std::move(self->plain_);
            if (ec) {
                self->p_->connection_lost(
                    std::make_exception_ptr(boost::system::system_error(ec, "start_tls")));
                if (plain)
                    transport_watch_access::end(*plain);
                return self->finish(ec);
            }
            try {
                auto t = weak_h.lock()->make(self->p_, false); // it is running this
                self->p_->set_transport(t);
                if (plain)
                    transport_watch_access::hand_over(*plain, t);
            } catch (const boost::system::system_error& e) {
                if (plain)
                    transport_watch_access::end(*plain);
                return self->finish(e.code());
            }
            self->finish({});
        });
    }

    void finish(error_code ec)
    {
        auto done = std::move(done_);
        if (done)
            done(ec);
    }

    std::shared_ptr<stream_protocol> p_;
    std::function<void(error_code)> done_;
    tls_settings settings_;
    std::optional<std::pair<std::size_t, std::size_t>> saved_limits_;
    std::shared_ptr<transport> plain_; // the transport the socket was taken from
};

const tls_hooks the_hooks{
    &start_handshake<asio::ip::tcp::socket>,
    &start_handshake<asio::local::stream_protocol::socket>,
};

// Registered when the program starts (this file is kept by the link option of
// Boost::tulip_ssl and by tls_hooks_anchor, which tls.hpp refers to).
const bool registered = (set_tls_hooks(&the_hooks), true);

} // namespace

void start_tls_in_place(std::shared_ptr<stream_protocol> p, ssl::context& ctx,
                        const tls_options& opts, std::function<void(error_code)> done)
{
    std::make_shared<in_place_upgrade>(std::move(p), ctx, opts, std::move(done))->start();
}

int tls_hooks_anchor() noexcept
{
    return registered ? 1 : 0;
}

} // namespace detail
} // namespace boost::tulip

extern "C" int boost_tulip_ssl_anchor()
{
    return boost::tulip::detail::tls_hooks_anchor();
}
