//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_STREAM_SENDFILE_HPP
#define BOOST_TULIP_IMPL_STREAM_SENDFILE_HPP

// stream_writer::sendfile: the writer's buffer drained, then async_sendfile on the
// transport's socket, or the fallback through the transport.

#include <boost/tulip/sendfile.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>

#include <exception>
#include <memory>
#include <utility>

namespace boost::tulip {
namespace detail {

// The socket of a plain socket transport, for the zero-copy path; both null for any other
// transport. While a sendfile holds it (begin..end), the transport sends nothing of its
// own (socket_transport.cpp). `sigpipe_ignored` is the connection's memory of having
// found SIGPIPE ignored, so that later sendfiles skip the look (sendfile_run).
struct sendfile_socket
{
    boost::asio::ip::tcp::socket* tcp = nullptr;
    boost::asio::local::stream_protocol::socket* local = nullptr;
    unsigned* sigpipe_ignored = nullptr;
};
sendfile_socket begin_socket_sendfile(transport& t) noexcept;
void end_socket_sendfile(transport& t) noexcept;

// The connection as an AsyncWriteStream for the fallback: each write goes through the
// transport (past the writer's sendfile guard) and completes once drained.
struct protocol_write_stream
{
    std::shared_ptr<stream_protocol> p;

    using executor_type = boost::asio::io_context::executor_type;
    executor_type get_executor() const noexcept { return p->loop().get_executor(); }

    template <class ConstBufferSequence, class Token>
    auto async_write_some(const ConstBufferSequence& buffers, Token&& token)
    {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [](auto handler, std::shared_ptr<stream_protocol> p, boost::asio::const_buffer b) {
                boost::system::error_code ec;
                try {
                    p->write_unguarded(&b, 1);
                } catch (const boost::system::system_error& e) {
                    ec = e.code();
                } catch (...) {
                    ec = make_error_code(error::invalid_state);
                }
                if (ec) {
                    auto ex = p->loop().get_executor();
                    boost::asio::post(ex,
                                      boost::asio::append(std::move(handler), ec, std::size_t(0)));
                    return;
                }
                p->writer().drain(boost::asio::append(std::move(handler), b.size()));
            },
            token, p, boost::asio::const_buffer(*boost::asio::buffer_sequence_begin(buffers)));
    }
};

class writer_sendfile_op
{
public:
    writer_sendfile_op(std::shared_ptr<stream_protocol> p, sendfile_source src,
                       std::uint64_t offset, std::size_t count, bool fallback)
        : p_(std::move(p))
        , src_(src)
        , offset_(offset)
        , count_(count)
        , fallback_(fallback)
    {}

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0)
    {
        switch (state_) {
        case state::starting: {
            self.reset_cancellation_state(boost::asio::enable_partial_cancellation());
            if (!p_->sendfile_start(ec)) {
                started_ = false;
                result_ = ec;
                state_ = state::posted;
                boost::asio::post(std::move(self));
                return;
            }
            transport* t = p_->get_transport();
            if (t->get_write_buffer_size() > 0) {
                // Wait for the buffer to be empty, not just below its low-water mark: the
                // marks at 0 make the transport resume the writer exactly then.
                limits_ = t->get_write_buffer_limits();
                limits_set_ = true;
                t->set_write_buffer_limits(0, 0);
                state_ = state::draining;
                p_->writer().drain(std::move(self));
                return;
            }
            send(self);
            return;
        }
        case state::draining:
            restore_limits();
            if (!ec && self.cancelled() != boost::asio::cancellation_type::none)
                ec = boost::asio::error::operation_aborted;
            if (ec)
                return finish(self, ec, 0);
            send(self);
            return;
        case state::sending:
            finish(self, ec, n);
            return;
        case state::posted:
            finish(self, result_, 0);
            return;
        }
    }

private:
    enum class state : unsigned char
    {
        starting,
        draining,
        sending,
        posted,
    };

    template <class Self>
    void send(Self& self)
    {
        state_ = state::sending;
        transport* t = p_->get_transport();
        if (!t) // lost while draining
            return finish(self, boost::asio::error::connection_reset, 0);
        sendfile_socket s = begin_socket_sendfile(*t);
        if (s.tcp || s.local)
            held_ = t->shared_from_this();
        if (s.tcp)
            async_sendfile_op(*s.tcp, src_, offset_, count_, fallback_, s.sigpipe_ignored,
                              std::move(self));
        else if (s.local)
            async_sendfile_op(*s.local, src_, offset_, count_, fallback_, s.sigpipe_ignored,
                              std::move(self));
        else {
            // The stream lives on the heap: the operation keeps a pointer to it.
            ws_ = std::make_unique<protocol_write_stream>(protocol_write_stream{p_});
            async_sendfile(*ws_, src_, offset_, count_, fallback_, std::move(self));
        }
    }

    void restore_limits()
    {
        if (!limits_set_)
            return;
        limits_set_ = false;
        if (transport* t = p_->get_transport())
            t->set_write_buffer_limits(limits_.second, limits_.first);
    }

    template <class Self>
    void finish(Self& self, boost::system::error_code ec, std::size_t n)
    {
        restore_limits();
        if (held_) {
            end_socket_sendfile(*held_);
            held_.reset();
        }
        if (started_)
            p_->sendfile_end();
        ws_.reset();
        self.complete(ec, n);
    }

    std::shared_ptr<stream_protocol> p_;
    sendfile_source src_;
    std::uint64_t offset_;
    std::size_t count_;
    bool fallback_;
    bool started_ = true;
    bool limits_set_ = false;
    state state_ = state::starting;
    boost::system::error_code result_;
    std::pair<std::size_t, std::size_t> limits_{};
    std::shared_ptr<transport> held_;
    std::unique_ptr<protocol_write_stream> ws_;
};

struct stream_sendfile_mapper
{
    std::shared_ptr<stream_protocol> p;

    [[noreturn]] void operator()(const boost::system::error_code& ec, std::size_t&) const
    {
        rethrow_stream_exception(*p, ec);
        if (ec == error::invalid_state)
            throw invalid_state_error("stream_writer::sendfile: the writer is closed, has "
                                      "written its end, or another sendfile is running");
        throw_tulip_error(ec);
    }
};

} // namespace detail

struct stream_writer::initiate_sendfile
{
    detail::stream_protocol* p;

    template <class Handler>
    void operator()(Handler&& h, detail::sendfile_source src, std::uint64_t offset,
                    std::size_t count, bool fallback) const
    {
        auto ex = p->loop().get_executor();
        using handler_type = std::decay_t<Handler>;
        handler_type handler(static_cast<Handler&&>(h)); // async_compose takes an lvalue
        boost::asio::async_compose<handler_type, void(boost::system::error_code, std::size_t)>(
            detail::writer_sendfile_op(p->shared_from_this(), src, offset, count, fallback),
            handler, ex);
    }

    detail::stream_sendfile_mapper error_mapper() const { return {p->shared_from_this()}; }
};

template <class File, class CompletionToken>
auto stream_writer::sendfile(File&& file, std::uint64_t offset, std::size_t count, bool fallback,
                             CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, std::size_t)>(
        initiate_sendfile{p_.get()}, token, detail::to_sendfile_source(file), offset, count,
        fallback);
}

} // namespace boost::tulip

#endif
