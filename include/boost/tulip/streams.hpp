//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_STREAMS_HPP
#define BOOST_TULIP_STREAMS_HPP

// event_loop.hpp first: the detail headers rely on it being complete.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/detail/stream_protocol.hpp>
#include <boost/tulip/error.hpp>
#include <boost/tulip/generator.hpp>
#include <boost/tulip/transport.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl

namespace boost::tulip {

struct tls_options; // <boost/tulip/tls.hpp>

// tag::outline[]
/** The read side of a connection (asyncio.StreamReader): a buffer filled by the
    transport, read by one task at a time.

    A cheap shared handle (copyable, like `task<T>`): copies read the same stream. A
    reader handle keeps the stream's state alive but not the connection open (the
    writer handles do that, see `stream_writer`). Loop-local: use it on its loop's thread.

    Every read is a universal Asio operation whose completion signature is
    `void(boost::system::error_code, R)`; with the default `awaitable_token`,
    `co_await reader.readline()` returns `R` and throws on an error:
    - `incomplete_read_error` (`tulip::error::incomplete_read`) when the stream ended first,
      carrying the bytes read and the count expected;
    - `limit_overrun_error` (`tulip::error::limit_overrun`) for a record over the limit;
    - `invalid_state_error` (`tulip::error::invalid_state`) when another read is waiting
      on this stream (one reader at a time, as asyncio);
    - `boost::system::system_error` with the connection's error (a reset), also set by
      `set_exception` (which rethrows its exception instead).

    @par Cancellation
    Every read supports `terminal`, `partial` and `total` cancellation. Reads take bytes
    out of the buffer only when they complete, so a cancelled read leaves every received
    byte buffered for the next read. A read whose result was decided completes with it
    even if a cancellation follows at once (the cancellation surfaces at the task's next
    suspension), so no bytes are lost in between either.

    @par Limit and flow control
    `limit` (default 64 KiB, `connection_options::limit`) bounds what `readuntil` and
    `readline` may look through. While more than 2 x limit bytes are buffered and no read
    waits, the transport's reading is paused (the peer is pushed back by TCP); it resumes
    when the buffer drops to the limit or a read waits for more (so `readexactly(n)` and
    `read()` end beyond the limit).
*/
class stream_reader
{
public:
    /// An empty handle (for assigning to later).
    stream_reader() noexcept = default;

    /** Reads up to `n` bytes: with `n > 0`, at least one unless at the end of the stream
        (then the result is empty); `n == 0` completes at once with nothing; `n < 0` (the
        default, -1) reads until the end of the stream.
        @par Completion Signature `void(error_code, std::string)`. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto read(std::ptrdiff_t n = -1, CompletionToken&& token = CompletionToken{});

    /** Reads exactly `n` bytes (not bounded by the limit). At the end of the stream
        first: `incomplete_read_error` with the bytes buffered (taken out) and `expected()`
        `n`. @par Completion Signature `void(error_code, std::string)`; with a token other
        than the default, an incomplete read passes the partial bytes. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto readexactly(std::size_t n, CompletionToken&& token = CompletionToken{});

    /** Reads through the first `sep` and returns the bytes with it.
        - End of the stream first: `incomplete_read_error` with what was buffered (taken
          out), `expected()` -1.
        - The separator is not within `limit` bytes, or starts beyond the limit:
          `limit_overrun_error`; `consumed()` says how many bytes come before where the
          separator could be. The bytes stay buffered (read them with
          `readexactly(consumed())` or `read`).
        `sep` must not be empty (`std::invalid_argument`). It is copied at the start.
        @par Completion Signature `void(error_code, std::string)`. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto readuntil(std::string_view sep = "\n",
                                 CompletionToken&& token = CompletionToken{});

    /** `readuntil` with several separators (Python 3.13): reads through the match that
        ends first. None may be empty, and the span must not be empty. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto readuntil(std::span<const std::string_view> seps,
                                 CompletionToken&& token = CompletionToken{});

    /** Reads one line with its `\n`. At the end of the stream it returns what is left
        (without `\n`, empty at the very end): never `incomplete_read_error`.
        Over the limit it follows asyncio: the line is dropped from the buffer (through
        its `\n` if one was found within the buffer, else the whole buffer), then
        `limit_overrun_error` is thrown. Use `readuntil` to keep the bytes.
        @par Completion Signature `void(error_code, std::string)`. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto readline(CompletionToken&& token = CompletionToken{});

    /** Reads at least one byte (unless at the end: 0) and at most `buffer_size(b)` into
        `b`, which must stay valid until the read completes. With the reader's buffer
        empty, the transport receives straight into `b` (no copy). An empty `b`
        completes at once with 0.
        @par Completion Signature `void(error_code, std::size_t)`. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::size_t))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto read_into(boost::asio::mutable_buffer b,
                                 CompletionToken&& token = CompletionToken{});

    /** The lines up to the end of the stream, each with its `\n` (the last one may lack
        it), as Python's `async for line in reader`. Errors of `readline` propagate. */
    async_generator<std::string> lines();

    /// True once the end of the stream was received and every byte was read.
    bool at_eof() const noexcept { return p_->at_eof(); }
    /// The error set by `set_exception` or the connection's loss, or null.
    std::exception_ptr exception() const noexcept { return p_->exception(); }
    /// Bytes buffered and not yet read.
    std::size_t buffered() const noexcept { return p_->buffered(); }
    std::size_t limit() const noexcept { return p_->limit(); }

    /// Appends bytes as if received (adapters and tests). @throws invalid_state_error
    /// after `feed_eof`.
    void feed_data(std::string_view data) { p_->feed_data(data); }
    /// Marks the end of the stream.
    void feed_eof() { p_->feed_eof(); }
    /// Fails the waiting read and every later one with `e`, as asyncio (bytes still
    /// buffered are not read any more).
    void set_exception(std::exception_ptr e) { p_->set_exception(std::move(e)); }

    explicit operator bool() const noexcept { return p_ != nullptr; }

    /// A reader on its own, with no transport (tests, adapters): `feed_data` fills it.
    explicit stream_reader(event_loop& loop, std::size_t limit = detail::default_stream_limit);

private:
    friend class detail::stream_protocol;
    explicit stream_reader(std::shared_ptr<detail::stream_protocol> p) noexcept
        : p_(std::move(p))
    {}
    struct initiate_read;
    struct initiate_read_into;

    std::shared_ptr<detail::stream_protocol> p_;
};

/** The write side of a connection (asyncio.StreamWriter).

    A cheap shared handle (copyable). The connection closes gracefully when the last
    writer handle is gone (or on `close()`/`abort()` of the transport). Loop-local.

    Writes are not awaited: `write` hands the bytes to the transport, which sends what
    the socket takes at once and buffers the rest; `drain()` is the backpressure.
    A write after `close()` or `write_eof()` throws `invalid_state_error` at once; a write
    after the connection was lost throws `boost::system::system_error` with the error
    that ended it (asyncio dropped such writes silently: asyncio#248).
*/
class stream_writer
{
public:
    stream_writer() noexcept = default;
    stream_writer(const stream_writer& o) noexcept;
    stream_writer(stream_writer&& o) noexcept
        : p_(std::move(o.p_))
    {}
    stream_writer& operator=(stream_writer o) noexcept
    {
        std::swap(p_, o.p_);
        return *this;
    }
    /// The last handle closes the connection (gracefully).
    ~stream_writer();

    void write(std::string_view data)
    {
        boost::asio::const_buffer b(data.data(), data.size());
        p_->write(&b, 1);
    }
    void write(boost::asio::const_buffer data) { p_->write(&data, 1); }
    void write(std::span<const std::byte> data)
    {
        boost::asio::const_buffer b(data.data(), data.size());
        p_->write(&b, 1);
    }
    /// Writes every element (convertible to `std::string_view`) in order, as one write.
    template <class Range>
    void writelines(const Range& lines);

    /** Waits while the transport's write buffer is above its high-water mark, until it is
        at or below the low-water mark. Completes at once when it is not paused.
        Fails with the connection's error (a reset) once it is lost; after `close()` it
        waits until the connection is closed.
        @par Completion Signature `void(error_code)`.
        @par Per-Operation Cancellation `terminal`, `partial`, `total`: the wait ends;
        the queued bytes stay queued. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto drain(CompletionToken&& token = CompletionToken{});

    /// Closes the write side once the buffer is sent (the reader keeps reading).
    void write_eof() { p_->write_eof(); }
    bool can_write_eof() const noexcept { return p_->can_write_eof(); }
    /// Closes the connection gracefully (idempotent): buffered bytes are sent first.
    void close() noexcept { p_->close(); }
    bool is_closing() const noexcept { return p_->is_closing(); }

    /** Waits until the connection is closed (`connection_lost` ran). Fails with the
        connection's error if it ended with one.
        @par Completion Signature `void(error_code)`.
        @par Per-Operation Cancellation `terminal`, `partial`, `total`. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto wait_closed(CompletionToken&& token = CompletionToken{});

    /** Sends `count` bytes (0: to the end of the file) of `file` from `offset` over the
        connection (asyncio `loop.sendfile(transport, ...)` / `StreamWriter` usage):
        first every byte the writer has buffered goes out (the write buffer drains
        completely), then the file. On a TCP or Unix socket transport the kernel sends it
        (`async_sendfile` on the transport's socket: zero-copy `sendfile(2)`); on any other
        transport (TLS, a pipe, a serial port), or for a file `sendfile(2)` refuses (a
        pipe), it is read and written through the transport in 256 KiB steps, each
        drained. With `fallback = false` those cases fail with `sendfile_not_available`
        and nothing is sent.

        `file` is a native descriptor (`int`), or an Asio `stream_file`/
        `random_access_file` where Asio has files; it must stay open until completion.
        Afterwards, also after an error or a cancellation, a descriptor's position is
        `offset` + the bytes sent (asyncio). A file shorter than `count` gives a short
        count.

        SIGPIPE is handled as by `async_sendfile`, except that a connection looks at its
        disposition only until it finds it ignored (at its first sendfile, normally, as
        a child's stdin pipe is looked at when it is made): from then on this
        connection's sendfiles rely on it, until the loop's own signal handlers
        (`add_signal_handler`, `remove_signal_handler`) change SIGPIPE's disposition.
        While a handler is installed the answer is never kept, and the handler never
        sees a SIGPIPE from a sendfile. A handler the program installs by other means
        (`sigaction`, its own `asio::signal_set`) after a connection found SIGPIPE
        ignored may see that connection's SIGPIPEs; the program is not ended.

        While it runs, `write` and `writelines` on this connection throw
        `invalid_state_error` (as asyncio's transports raise): they would land in the
        middle of the file. A second `sendfile` fails the same way. Reading goes on.
        On a socket transport, `close()` and `write_eof()` meanwhile wait for the file
        (graceful); on the fallback's transports the remaining steps fail with
        `error::invalid_state`; `abort()` stops either with the socket's error.

        @par Completion Signature
        `void(error_code, std::size_t)`: the bytes of the file sent. Errors: the
        connection's (`connection_reset`, ...), the file's, `error::invalid_state` (closed,
        `write_eof` called, another sendfile running), `error::sendfile_not_available`.
        With the default token: `sendfile_not_available`, `invalid_state_error`, or
        `boost::system::system_error`.

        @par Per-Operation Cancellation
        `terminal` and `partial`: the wait for the buffer to drain or for the socket ends;
        the completion says how many bytes of the file went out (and the file position).
        Defined in `<boost/tulip/sendfile.hpp>`, which this header includes. */
    template <class File, class CompletionToken = awaitable_token_t>
    [[nodiscard]] auto sendfile(File&& file, std::uint64_t offset = 0, std::size_t count = 0,
                                bool fallback = true, CompletionToken&& token = CompletionToken{});

    /** Upgrades the connection to TLS in place (asyncio `StreamWriter.start_tls`): the
        same reader and writer then carry the TLS stream. Include <boost/tulip/tls.hpp>
        (for `tls_options`) and link Boost::tulip_ssl, where it is defined.

        In order: the bytes written so far are sent; the socket is taken out of its
        transport without being closed; the bytes the reader had buffered but not
        returned become the first input of the TLS engine (so a ClientHello that came in
        the segment of the STARTTLS command is not lost, cpython#142352, and plaintext
        sent after the command is never returned by a read as if it came through TLS:
        the handshake fails on it, CVE-2011-0411); the handshake runs under
        `opts.handshake_timeout`; then the reader reads the TLS transport (never the old
        one, cpython#114921). A TCP or Unix socket connection only.

        While it runs, `write` throws `invalid_state_error` and reads wait. If the
        handshake fails the connection is closed: reads and writes fail with its error.

        @par Completion Signature `void(error_code)`. `tulip::error::invalid_state`
        (`invalid_state_error`) if a read is waiting in another task (the connection is
        left as it was), if the connection is closing or lost, or if it is not a socket
        connection; `tulip::error::server_hostname_required` for a client whose `ctx`
        verifies the peer and `opts.server_hostname` is empty (the connection is left as
        it was); else the handshake's errors (see `async_start_tls`).
        @par Per-Operation Cancellation None: the handshake ends by its timeout, or, for
        a server's connection, by `server::close_clients`/`abort_clients`, which stop it
        (`operation_aborted`, the connection closed).
        @par Lifetime `ctx` must outlive the connection; `opts`' buffers and strings
        must stay valid until the operation completes. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto start_tls(boost::asio::ssl::context& ctx, const tls_options& opts,
                                 CompletionToken&& token = CompletionToken{});

    /// A property of the transport (see `transport::get_extra_info`); empty once the
    /// connection is gone.
    template <class T>
    std::optional<T> get_extra_info(std::string_view name) const
    {
        if (tulip::transport* t = p_->get_transport())
            return t->get_extra_info<T>(name);
        return std::nullopt;
    }
    /// The transport (null before the connection is made and after it is lost).
    tulip::transport* transport() const noexcept { return p_->get_transport(); }

    explicit operator bool() const noexcept { return p_ != nullptr; }

private:
    friend class detail::stream_protocol;
    explicit stream_writer(std::shared_ptr<detail::stream_protocol> p) noexcept;
    struct initiate_drain;
    struct initiate_wait_closed;
    struct initiate_sendfile;

    std::shared_ptr<detail::stream_protocol> p_;
};

/** Connects to `host`:`port` over TCP and returns the connection's reader and writer
    (asyncio `open_connection`): `create_connection` with a stream protocol whose reader
    has `options.limit`.

    @code
    auto [reader, writer] = co_await open_connection("127.0.0.1", 8081);
    @endcode

    @par Completion Signature
    `void(boost::system::error_code, std::pair<stream_reader, stream_writer>)`; errors as
    `create_connection` (with the default token, a `system_error`, or an
    `exception_group` when the attempts failed differently). The writer is the
    connection's only writer handle: dropping it closes the connection.

    @par Per-Operation Cancellation
    `terminal`, `partial` and `total`: the lookup and every attempt stop.
*/
template <class CompletionToken = awaitable_token_t>
auto open_connection(std::string_view host, std::uint16_t port,
                     const connection_options& options = {}, CompletionToken&& token = {});
/// The same with the port as a string (a number or a service name).
template <class CompletionToken = awaitable_token_t>
auto open_connection(std::string_view host, std::string_view port,
                     const connection_options& options = {}, CompletionToken&& token = {});
/// `open_connection` to the Unix stream socket at `path` (asyncio `open_unix_connection`).
template <class CompletionToken = awaitable_token_t>
auto open_unix_connection(const std::filesystem::path& path, const connection_options& options = {},
                          CompletionToken&& token = {});
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/streams.hpp>
// After the streams' templates: stream_writer::sendfile uses them.
#include <boost/tulip/impl/stream_sendfile.hpp>

#endif
