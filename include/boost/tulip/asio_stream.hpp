//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_ASIO_STREAM_HPP
#define BOOST_TULIP_ASIO_STREAM_HPP

// event_loop.hpp first: the detail headers rely on it being complete.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/streams.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <utility>

namespace boost::tulip {

// tag::outline[]
/** A `stream_reader`/`stream_writer` pair as an Asio stream: an `AsyncReadStream` and
    `AsyncWriteStream` with an executor, so that Asio's and Beast's composed operations
    (`asio::async_read_until`, `asio::async_write`, `beast::http::async_read`,
    `beast::http::async_write`, `beast::websocket::stream<asio_stream>`) run over any
    connection the streams run on. It talks only to the reader and writer, so it works on
    every transport under them (TCP and Unix sockets; TLS and serial transports, which
    swap in under the same reader and writer).

    The reader and writer stay usable beside it (`reader()`, `writer()`): a protocol may
    read its first line with `readline()` and hand the rest to Beast; what the reader
    has buffered is what `async_read_some` returns first. It is a cheap handle (the
    reader and writer are shared handles): copies and moves refer to the same connection.

    As with an Asio socket, at most one `async_read_some` and one `async_write_some` may
    be outstanding at a time (Asio's and Beast's composed operations keep to that), and
    it is loop-local: start its operations on the loop's thread.

    Beast integration: `beast::is_async_stream<asio_stream>` holds; a
    `beast::websocket::stream<asio_stream>` closes through this header's `async_teardown`
    (half-close, read to the peer's end, close), and Beast's `close_socket` (used on
    timeouts and failed closes) aborts the connection.
*/
class asio_stream
{
public:
    /// The loop's `io_context` executor (what Asio's and Beast's operations run on).
    using executor_type = boost::asio::io_context::executor_type;

    /// Wraps the pair. Both must belong to the same connection (as returned together by
    /// `open_connection` or given to a `start_server` callback).
    asio_stream(stream_reader reader, stream_writer writer);

    executor_type get_executor() const noexcept { return ex_; }

    stream_reader& reader() noexcept { return reader_; }
    const stream_reader& reader() const noexcept { return reader_; }
    stream_writer& writer() noexcept { return writer_; }
    const stream_writer& writer() const noexcept { return writer_; }

    /** Reads some bytes into `buffers`: what the reader has buffered, else the next bytes
        that arrive (into the first non-empty buffer of the sequence). Completes at once
        with 0 bytes if the buffers are empty, as a socket does.

        @par Completion Signature
        `void(boost::system::error_code, std::size_t)`: the count read; at the end of the
        stream `boost::asio::error::eof` with 0 (as Asio sockets report it, so that
        Beast sees `http::error::end_of_stream`); the connection's error if it was lost.

        @par Per-Operation Cancellation
        terminal, partial and total: the read completes with `operation_aborted` and 0,
        and nothing is consumed: bytes that arrive afterwards go to the next read.

        The buffers must stay valid until the completion.
    */
    template <class MutableBufferSequence, class ReadToken = awaitable_token_t>
    auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token = {});

    /** Writes `buffers` into the writer (`stream_writer::write`: sent at once as far as
        the kernel takes them, the rest buffered), then waits as `drain()` does while the
        writer's buffer is above its high-water mark: the writer's flow control is the
        caller's. Writes at most 64 KiB per call (the count says how much).

        @par Completion Signature
        `void(boost::system::error_code, std::size_t)`: the count written. Errors: the
        connection's error (e.g. `connection_reset`); `tulip::error::invalid_state` after
        `close()` or `write_eof()` (nothing written).

        @par Per-Operation Cancellation
        terminal and partial: the wait for the drain ends with `operation_aborted`; the
        count still says how many bytes the writer took (they will be sent). Total
        cancellation is not honoured (the bytes cannot be taken back).
    */
    template <class ConstBufferSequence, class WriteToken = awaitable_token_t>
    auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token = {});

    /// Closes the connection gracefully (`stream_writer::close`: buffered bytes are sent,
    /// then the end of stream). A pending read then completes (end of stream or the
    /// connection's error). Idempotent.
    void close();

private:
    stream_reader reader_;
    stream_writer writer_;
    event_loop* loop_;
    executor_type ex_;
};

/** Beast's teardown of a WebSocket connection over an `asio_stream` (found by
    argument-dependent lookup from `beast::websocket::stream`): as for a TCP socket, the
    server half-closes first (`write_eof`, where the transport can), then reads and drops
    what the peer still sends until its end of stream; the client reads to the end of
    stream first; then the connection is closed.

    @par Completion Signature
    `void(boost::system::error_code)`.

    @par Per-Operation Cancellation
    terminal and partial (of the read to the end of stream), as Beast forwards them.
*/
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, asio_stream& stream, TeardownHandler&& handler);

/// Beast's `close_socket` on an `asio_stream` (timeouts, failed closes): aborts the
/// connection at once (`transport::abort`), so that pending operations end.
void beast_close_socket(asio_stream& stream);
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/asio_stream.hpp>

#endif
