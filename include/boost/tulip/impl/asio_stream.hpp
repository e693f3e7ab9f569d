//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_ASIO_STREAM_HPP
#define BOOST_TULIP_IMPL_ASIO_STREAM_HPP

#include <boost/tulip/detail/suspended_op.hpp>
#include <boost/tulip/error.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <array>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

namespace boost::tulip {
namespace detail {

// The completion of read_into as an Asio socket reports it: a read of 0 bytes into a
// non-empty buffer is the end of the stream. Every associated characteristic (executor,
// allocator, cancellation slot) is the user's handler's: the reader's operation honours
// the user's cancellation directly, with no state of ours in between.
// What a socket's read_some reads into: the first buffer that is not empty.
template <class MutableBufferSequence>
boost::asio::mutable_buffer first_nonempty_buffer(const MutableBufferSequence& buffers)
{
    for (auto it = boost::asio::buffer_sequence_begin(buffers),
              end = boost::asio::buffer_sequence_end(buffers);
         it != end; ++it) {
        boost::asio::mutable_buffer b(*it);
        if (b.size() != 0)
            return b;
    }
    return {};
}

template <class Handler>
struct asio_stream_read_handler
{
    Handler handler;

    void operator()(boost::system::error_code ec, std::size_t n)
    {
        if (!ec && n == 0)
            ec = boost::asio::error::eof;
        std::move(handler)(ec, n);
    }
};

// The error a failed write reports: the connection's own error where the writer gives
// one; after close() or write_eof(), invalid_state.
inline boost::system::error_code asio_stream_write_error(std::exception_ptr e)
{
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& se) {
        return se.code();
    } catch (...) {
        return make_error_code(error::invalid_state);
    }
}

// Per async_write_some call: bounds what one call copies into the writer's buffer, so
// that a large body is handed over in steps paced by the drain.
inline constexpr std::size_t asio_stream_max_write = 64 * 1024;

// async_write_some: write, then drain. A composed operation for its cancellation filter:
// terminal and partial reach the drain, total does not (the written bytes are taken).
template <class ConstBufferSequence>
struct asio_stream_write_op
{
    stream_writer writer;
    ConstBufferSequence buffers;
    std::size_t written = 0;
    boost::system::error_code failure;
    bool started = false;

    template <class Self>
    void operator()(Self& self)
    {
        if (started) { // the posted completion of a failed or empty write
            self.complete(failure, written);
            return;
        }
        started = true;
        self.reset_cancellation_state(boost::asio::enable_partial_cancellation());
        // The buffers as views, in groups of 16 (one write_buffers call, one system call,
        // per group where the kernel takes them).
        std::array<std::string_view, 16> views;
        std::size_t n = 0;
        try {
            for (auto it = boost::asio::buffer_sequence_begin(buffers),
                      end = boost::asio::buffer_sequence_end(buffers);
                 it != end && written < asio_stream_max_write; ++it) {
                boost::asio::const_buffer b(*it);
                std::size_t size = std::min(b.size(), asio_stream_max_write - written);
                if (size == 0)
                    continue;
                views[n++] = std::string_view(static_cast<const char*>(b.data()), size);
                written += size;
                if (n == views.size()) {
                    writer.writelines(views);
                    n = 0;
                }
            }
            if (n)
                writer.writelines(std::span<const std::string_view>(views.data(), n));
        } catch (...) {
            // What the failed group held was not written; the earlier groups were.
            std::size_t unsent = 0;
            for (std::size_t i = 0; i < n; ++i)
                unsent += views[i].size();
            written -= unsent;
            failure = asio_stream_write_error(std::current_exception());
        }
        if (failure || written == 0) {
            boost::asio::post(self.get_io_executor(), std::move(self));
            return;
        }
        writer.drain(std::move(self));
    }

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec)
    {
        self.complete(ec, written);
    }
};

// async_teardown: [write_eof,] read and drop until the end of stream, close.
struct asio_stream_teardown_op
{
    asio_stream* stream;
    boost::beast::role_type role;

    template <class Self>
    void operator()(Self& self)
    {
        self.reset_cancellation_state(boost::asio::enable_partial_cancellation());
        stream_writer& w = stream->writer();
        if (role == boost::beast::role_type::server && w.can_write_eof() && !w.is_closing()) {
            try {
                w.write_eof();
            } catch (...) {
                boost::asio::post(
                    self.get_io_executor(),
                    boost::asio::append(std::move(self),
                                        asio_stream_write_error(std::current_exception()),
                                        std::string()));
                return;
            }
        }
        stream->reader().read(64 * 1024, std::move(self));
    }

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec, std::string data)
    {
        if (!ec && !data.empty()) {
            stream->reader().read(64 * 1024, std::move(self));
            return;
        }
        if (ec == boost::asio::error::eof)
            ec = {};
        stream->close();
        self.complete(ec);
    }
};

} // namespace detail

template <class MutableBufferSequence, class ReadToken>
auto asio_stream::async_read_some(const MutableBufferSequence& buffers, ReadToken&& token)
{
    return boost::asio::async_initiate<ReadToken, void(boost::system::error_code, std::size_t)>(
        [](auto handler, asio_stream* self, boost::asio::mutable_buffer b) {
            if (b.size() == 0) {
                // As a socket: an empty read completes at once, never inside this call.
                using completion =
                    detail::values_completion<boost::system::error_code, std::size_t>;
                detail::deliver(*self->loop_, std::move(handler),
                                completion{std::tuple(boost::system::error_code(), std::size_t(0))},
                                detail::delivery::immediate);
                return;
            }
            self->reader_.read_into(
                b, detail::asio_stream_read_handler<decltype(handler)>{std::move(handler)});
        },
        token, this, detail::first_nonempty_buffer(buffers));
}

template <class ConstBufferSequence, class WriteToken>
auto asio_stream::async_write_some(const ConstBufferSequence& buffers, WriteToken&& token)
{
    return boost::asio::async_compose<WriteToken, void(boost::system::error_code, std::size_t)>(
        detail::asio_stream_write_op<ConstBufferSequence>{writer_, buffers, 0, {}, false}, token,
        ex_);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, asio_stream& stream, TeardownHandler&& handler)
{
    boost::asio::async_compose<TeardownHandler, void(boost::system::error_code)>(
        detail::asio_stream_teardown_op{&stream, role}, handler, stream.get_executor());
}

} // namespace boost::tulip

namespace boost::asio {

template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct associator<Associator, boost::tulip::detail::asio_stream_read_handler<Handler>,
                  DefaultCandidate>
    : boost::tulip::detail::forward_associator<
          Associator, boost::tulip::detail::asio_stream_read_handler<Handler>, Handler,
          DefaultCandidate>
{};

} // namespace boost::asio

#endif
