//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_DATAGRAM_HPP
#define BOOST_TULIP_IMPL_DATAGRAM_HPP

#include <boost/tulip/detail/handler_loop.hpp>
#include <boost/tulip/detail/suspended_op.hpp>
#include <boost/tulip/error.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <cstring>
#include <stdexcept>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace boost::tulip {
namespace detail {

// Datagrams read per wake-up before the loop runs other work.
inline constexpr int datagram_read_batch = 16;
inline constexpr std::size_t datagram_buffer_size = 64 * 1024;
// The pause before retrying a send the kernel refused with ENOBUFS, or that still would
// block right after the socket reported itself writable (an unconnected Unix sender whose
// receiver's queue is full: poll says writable, sendto says EAGAIN): not a busy loop.
inline constexpr std::chrono::milliseconds datagram_send_retry{1};

// The file system path of a Unix endpoint, "" for an unnamed or abstract one.
inline std::string datagram_file_path(const boost::asio::local::datagram_protocol::endpoint& e)
{
    std::string p = e.path();
    if (p.empty() || p[0] == '\0')
        return {};
    return p;
}

inline bool datagram_would_block(const boost::system::error_code& ec) noexcept
{
    return ec == boost::asio::error::would_block || ec == boost::asio::error::try_again;
}

inline bool datagram_no_buffers(const boost::system::error_code& ec) noexcept
{
    return ec == boost::asio::error::no_buffer_space;
}

} // namespace detail

// ---- transport ------------------------------------------------------------------------------

template <class Protocol>
basic_datagram_transport<Protocol>::basic_datagram_transport(detail::datagram_transport_key,
                                                             event_loop& loop, socket_type s,
                                                             std::optional<endpoint_type> remote,
                                                             std::shared_ptr<protocol_interface> p,
                                                             std::string owned_path)
    : loop_(&loop)
    , socket_(std::move(s))
    , remote_(std::move(remote))
    , protocol_(std::move(p))
    , rbuf_(new char[detail::datagram_buffer_size])
{
    if (!owned_path.empty())
        owned_file_.adopt(std::move(owned_path));
    // From here until connection_lost has been delivered: the io_context's shutdown ends
    // the endpoint if it is still listed then.
    this->register_transport(loop);
}

template <class Protocol>
basic_datagram_transport<Protocol>::~basic_datagram_transport()
{
    // The loop went away with the endpoint open: the socket closes with the object; the
    // file goes too if it is still ours.
    if (!closed_)
        owned_file_.remove();
}

// The io_context shuts down with the endpoint open, or its connection_lost not delivered
// yet: as the stream transports (reactor_transport), it ends without callbacks. The socket
// is closed (its pending waits are destroyed unrun with the io_context's other work), the
// send queue dropped, and the protocol let go: it usually holds the endpoint, and the
// endpoint held it, so neither would ever be freed.
template <class Protocol>
void basic_datagram_transport<Protocol>::shutdown_transport() noexcept
{
    closing_ = true;
    closed_ = true;
    queue_.clear();
    buffered_ = 0;
    boost::system::error_code ignored;
    socket_.close(ignored);
    owned_file_.remove();
    // Released last: the protocol's destructor may drop the last other reference.
    std::shared_ptr<basic_datagram_transport> keep = this->weak_from_this().lock();
    std::shared_ptr<protocol_interface> p = std::move(protocol_);
    p.reset(); // may run the protocol's destructor (not a callback)
}

template <class Protocol>
template <class F>
void basic_datagram_transport<Protocol>::call_protocol(F&& f) noexcept
{
    if (!protocol_)
        return;
    try {
        f(*protocol_);
    } catch (...) {
        loop_->call_exception_handler(
            {"exception in a datagram protocol callback", std::current_exception(), {}});
        abort();
    }
}

template <class Protocol>
void basic_datagram_transport<Protocol>::start()
{
    call_protocol([this](protocol_interface& p) { p.connection_made(*this); });
    if (!closing_)
        arm_read();
}

template <class Protocol>
void basic_datagram_transport<Protocol>::arm_read()
{
    socket_.async_wait(socket_type::wait_read,
                       [self = this->shared_from_this()](boost::system::error_code ec) {
                           if (self->closing_)
                               return;
                           if (ec) {
                               if (ec != boost::asio::error::operation_aborted)
                                   self->fatal(ec);
                               return;
                           }
                           self->read_batch();
                       });
}

template <class Protocol>
void basic_datagram_transport<Protocol>::read_batch()
{
    bool got_data = false;
    for (int i = 0; i < detail::datagram_read_batch; ++i) {
        endpoint_type from;
        boost::system::error_code ec;
        // MSG_TRUNC: the real size of a datagram longer than the buffer, to drop it
        // rather than deliver a truncated one.
        std::size_t n = socket_.receive_from(
            boost::asio::buffer(rbuf_.get(), detail::datagram_buffer_size), from, MSG_TRUNC, ec);
        if (detail::datagram_would_block(ec)) {
            // Drained: the next datagram is a new readiness edge.
            arm_read();
            return;
        }
        if (ec == boost::asio::error::bad_descriptor || ec == boost::asio::error::not_socket) {
            fatal(ec);
            return;
        }
        if (ec)
            call_protocol([ec](protocol_interface& p) { p.error_received(ec); });
        else if (n > detail::datagram_buffer_size)
            call_protocol(
                [](protocol_interface& p) { p.error_received(boost::asio::error::message_size); });
        else {
            got_data = true;
            call_protocol([&](protocol_interface& p) {
                p.datagram_received(std::string_view(rbuf_.get(), n), from);
            });
        }
        if (closing_)
            return;
    }
    // More may be waiting, which no new edge would announce (epoll is edge-triggered in
    // Asio): go on after what else is ready. Only errors in a whole batch: wait.
    if (got_data)
        boost::asio::post(loop_->get_executor(), [self = this->shared_from_this()] {
            if (!self->closing_)
                self->read_batch();
        });
    else
        arm_read();
}

template <class Protocol>
boost::system::error_code
basic_datagram_transport<Protocol>::try_send(boost::asio::const_buffer data,
                                             const endpoint_type& to)
{
    boost::system::error_code ec;
    if (remote_)
        socket_.send(data, 0, ec);
    else
        socket_.send_to(data, to, 0, ec);
    return ec;
}

template <class Protocol>
void basic_datagram_transport<Protocol>::send(boost::asio::const_buffer data,
                                              const endpoint_type* to)
{
    if (closing_)
        throw invalid_state_error("sendto() on a closed datagram transport");
    if (to && remote_ && *to != *remote_)
        throw std::invalid_argument("sendto(): the endpoint is connected to another address");
    if (!to && !remote_)
        throw std::invalid_argument("sendto() without an address on an unconnected endpoint");
    const endpoint_type& dest = to ? *to : *remote_;
    if (queue_.empty()) {
        for (int attempt = 0;; ++attempt) {
            auto ec = try_send(data, dest);
            if (!ec)
                return;
            if (detail::datagram_would_block(ec) || detail::datagram_no_buffers(ec))
                break; // queued below
            post_error(ec);
            // An ICMP error an earlier datagram left on the socket fails this call once
            // and is gone: this datagram is sent all the same.
            if (ec == boost::asio::error::connection_refused && attempt == 0)
                continue;
            return; // the kernel refuses this datagram for good
        }
    }
    queue_.push_back(
        pending{std::string(static_cast<const char*>(data.data()), data.size()), dest});
    buffered_ += data.size();
    if (marks_.pause(buffered_))
        post_flow(true);
    if (!writing_)
        arm_write();
}

template <class Protocol>
void basic_datagram_transport<Protocol>::arm_write()
{
    writing_ = true;
    socket_.async_wait(socket_type::wait_write,
                       [self = this->shared_from_this()](boost::system::error_code ec) {
                           self->writing_ = false;
                           if (self->closed_ || ec == boost::asio::error::operation_aborted)
                               return;
                           self->flush(true);
                       });
}

template <class Protocol>
void basic_datagram_transport<Protocol>::retry_write_later()
{
    writing_ = true;
    retry_ = loop_->call_later(detail::datagram_send_retry, [self = this->shared_from_this()] {
        self->writing_ = false;
        if (!self->closed_)
            self->flush(false);
    });
}

template <class Protocol>
void basic_datagram_transport<Protocol>::flush(bool woken)
{
    bool sent_any = false;
    while (!queue_.empty()) {
        pending& p = queue_.front();
        auto ec = try_send(boost::asio::buffer(p.data), p.to);
        if (detail::datagram_would_block(ec)) {
            if (woken && !sent_any)
                retry_write_later();
            else
                arm_write();
            break;
        }
        if (detail::datagram_no_buffers(ec)) {
            retry_write_later();
            break;
        }
        if (ec == boost::asio::error::connection_refused && !p.retried) {
            p.retried = true; // the ICMP error is consumed: send this datagram again
            call_protocol([ec](protocol_interface& pr) { pr.error_received(ec); });
            if (closed_)
                return;
            continue;
        }
        sent_any = true;
        buffered_ -= p.data.size();
        queue_.pop_front();
        if (ec) {
            call_protocol([ec](protocol_interface& pr) { pr.error_received(ec); });
            if (closed_)
                return;
        }
    }
    if (marks_.resume(buffered_))
        post_flow(false);
    if (queue_.empty() && closing_ && !closed_)
        finish(nullptr);
}

template <class Protocol>
void basic_datagram_transport<Protocol>::post_error(boost::system::error_code ec)
{
    boost::asio::post(loop_->get_executor(), [self = this->shared_from_this(), ec] {
        if (!self->closed_)
            self->call_protocol([ec](protocol_interface& p) { p.error_received(ec); });
    });
}

template <class Protocol>
void basic_datagram_transport<Protocol>::post_flow(bool pause)
{
    // Posted, never inside sendto; pause and resume keep their order (FIFO).
    boost::asio::post(loop_->get_executor(), [self = this->shared_from_this(), pause] {
        if (self->closed_)
            return;
        if (pause)
            self->call_protocol([](protocol_interface& p) { p.pause_writing(); });
        else
            self->call_protocol([](protocol_interface& p) { p.resume_writing(); });
    });
}

template <class Protocol>
void basic_datagram_transport<Protocol>::close()
{
    if (closing_)
        return;
    closing_ = true;
    if (queue_.empty())
        finish(nullptr);
    // else flush() finishes once the queue is sent
}

template <class Protocol>
void basic_datagram_transport<Protocol>::abort()
{
    if (closed_)
        return;
    closing_ = true;
    queue_.clear();
    buffered_ = 0;
    finish(nullptr);
}

template <class Protocol>
void basic_datagram_transport<Protocol>::fatal(boost::system::error_code ec)
{
    if (closed_)
        return;
    closing_ = true;
    queue_.clear();
    buffered_ = 0;
    finish(std::make_exception_ptr(boost::system::system_error(ec)));
}

template <class Protocol>
void basic_datagram_transport<Protocol>::finish(std::exception_ptr exc)
{
    closed_ = true;
    retry_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored); // the pending waits complete with operation_aborted
    owned_file_.remove();
    boost::asio::post(loop_->get_executor(), [self = this->shared_from_this(), exc] {
        self->call_protocol([&](protocol_interface& p) { p.connection_lost(exc); });
        // Breaks the usual cycle: a protocol holding its transport.
        self->protocol_.reset();
        self->unregister_transport(); // ended: nothing left for the shutdown to do
    });
}

template <class Protocol>
void basic_datagram_transport<Protocol>::set_write_buffer_limits(std::optional<std::size_t> high,
                                                                 std::optional<std::size_t> low)
{
    marks_.set(high, low);
    if (marks_.pause(buffered_))
        post_flow(true);
    else if (marks_.resume(buffered_))
        post_flow(false);
}

template <class Protocol>
std::any basic_datagram_transport<Protocol>::extra_info(std::string_view name) const
{
    if (closed_)
        return {};
    boost::system::error_code ec;
    if (name == "sockname") {
        auto e = socket_.local_endpoint(ec);
        if (!ec)
            return e;
    } else if (name == "peername") {
        if (remote_)
            return *remote_;
    } else if (name == "socket") {
        return static_cast<int>(const_cast<socket_type&>(socket_).native_handle());
    }
    return {};
}

// ---- create_datagram_endpoint ------------------------------------------------------------

namespace detail {

// Opens, configures, binds and connects the socket of an endpoint.
template <class Protocol>
boost::system::error_code open_datagram_socket(boost::asio::basic_datagram_socket<Protocol>& s,
                                               const typename Protocol::endpoint& local,
                                               const typename Protocol::endpoint& remote,
                                               datagram_options opts, std::string& owned_path)
{
    using endpoint = typename Protocol::endpoint;
    const bool connect = remote != endpoint();
    boost::system::error_code ec;
    if constexpr (std::is_same_v<Protocol, boost::asio::ip::udp>) {
        const bool bind = local != endpoint() || !connect;
        s.open(bind ? local.protocol() : remote.protocol(), ec);
        if (ec)
            return ec;
        if ((ec = try_set_cloexec(s.native_handle())))
            return ec;
        if (opts.reuse_port &&
            s.set_option(
                boost::asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec))
            return ec;
        if (opts.allow_broadcast && s.set_option(boost::asio::socket_base::broadcast(true), ec))
            return ec;
        if (bind && s.bind(local, ec))
            return ec;
    } else {
        (void)opts;
        s.open(Protocol(), ec);
        if (ec)
            return ec;
        if ((ec = try_set_cloexec(s.native_handle())))
            return ec;
        std::string path = datagram_file_path(local);
        if (!path.empty())
            // A live socket or another kind of file is left for the bind to fail on.
            (void)remove_stale_unix_socket(path, SOCK_DGRAM);
        // An empty path autobinds (Linux): an unnamed sender could not be answered.
        if (s.bind(local, ec))
            return ec;
        owned_path = std::move(path);
    }
    if (connect && s.connect(remote, ec))
        return ec;
    s.non_blocking(true, ec);
    return ec;
}

template <class Protocol, class Factory, class P>
struct initiate_create_datagram_endpoint
{
    using endpoint = typename Protocol::endpoint;
    using result = datagram_endpoint<Protocol, P>;

    // awaitable_token's path: the factory runs in the awaiting coroutine, so that what
    // it throws comes out of the co_await.
    std::optional<std::tuple<boost::system::error_code, result>>
    try_complete(Factory& f, const endpoint&, const endpoint&, const datagram_options&,
                 std::shared_ptr<P>& proto) const
    {
        proto = f();
        return std::nullopt;
    }

    template <class Handler>
    void operator()(Handler&& h, Factory f, const endpoint& local, const endpoint& remote,
                    datagram_options opts, std::shared_ptr<P> proto) const
    {
        event_loop& loop = loop_for_handler(h);
        if (!proto)
            proto = f();
        boost::asio::basic_datagram_socket<Protocol> s(loop.get_io_context());
        std::string owned_path;
        if (auto ec = open_datagram_socket(s, local, remote, opts, owned_path)) {
            if (!owned_path.empty())
                ::unlink(owned_path.c_str()); // bound, then connect failed: not left behind
            deliver(loop, static_cast<Handler&&>(h),
                    values_completion<boost::system::error_code, result>{{ec, result()}},
                    delivery::immediate);
            return;
        }
        std::optional<endpoint> peer;
        if (remote != endpoint())
            peer = remote;
        auto t = std::make_shared<basic_datagram_transport<Protocol>>(
            datagram_transport_key{}, loop, std::move(s), peer, proto, std::move(owned_path));
        // connection_made runs from the loop, then the caller resumes (asyncio's order).
        boost::asio::post(
            loop.get_executor(),
            [t, proto, &loop, h = std::decay_t<Handler>(static_cast<Handler&&>(h))]() mutable {
                t->start();
                deliver(loop, std::move(h),
                        values_completion<boost::system::error_code, result>{
                            {boost::system::error_code(), result(t, std::move(proto))}},
                        delivery::immediate);
            });
    }
};

} // namespace detail

template <class Factory, datagram_endpoint_type Endpoint, class CompletionToken>
    requires datagram_protocol_factory<Factory, typename Endpoint::protocol_type>
auto create_datagram_endpoint(Factory factory, const Endpoint& local, const Endpoint& remote,
                              datagram_options opts, CompletionToken&& token)
{
    using protocol = typename Endpoint::protocol_type;
    using p = detail::factory_protocol_t<Factory>;
    return boost::asio::async_initiate<CompletionToken,
                                       detail::datagram_signature<Endpoint, Factory>>(
        detail::initiate_create_datagram_endpoint<protocol, Factory, p>{}, token,
        std::move(factory), local, remote, opts, std::shared_ptr<p>());
}

template <class Factory, datagram_endpoint_type Endpoint>
    requires datagram_protocol_factory<Factory, typename Endpoint::protocol_type>
auto create_datagram_endpoint(Factory factory, const Endpoint& local, const Endpoint& remote,
                              datagram_options opts)
{
    return create_datagram_endpoint(std::move(factory), local, remote, opts, awaitable_token);
}

template <class Factory, datagram_endpoint_type Endpoint>
    requires datagram_protocol_factory<Factory, typename Endpoint::protocol_type>
auto create_datagram_endpoint(Factory factory, const Endpoint& local, const Endpoint& remote)
{
    return create_datagram_endpoint(std::move(factory), local, remote, datagram_options{},
                                    awaitable_token);
}

template <class Factory, datagram_endpoint_type Endpoint>
    requires datagram_protocol_factory<Factory, typename Endpoint::protocol_type>
auto create_datagram_endpoint(Factory factory, const Endpoint& local)
{
    return create_datagram_endpoint(std::move(factory), local, Endpoint(), datagram_options{},
                                    awaitable_token);
}

} // namespace boost::tulip

#endif
