//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_STREAM_PROTOCOL_HPP
#define BOOST_TULIP_DETAIL_STREAM_PROTOCOL_HPP

// event_loop.hpp first: the detail headers rely on it being complete.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/detail/sync_waiter.hpp>
#include <boost/tulip/error.hpp>
#include <boost/tulip/transport.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::tulip {

class stream_reader;
class stream_writer;

namespace detail {

// The reader's buffer: bytes [begin, end) of one allocation. Reads take from the front;
// the transport receives at the back. Never zero-filled.
class stream_buffer
{
public:
    std::size_t size() const noexcept { return end_ - begin_; }
    bool empty() const noexcept { return begin_ == end_; }
    const char* data() const noexcept { return data_.get() + begin_; }
    std::string_view view() const noexcept { return {data(), size()}; }
    std::size_t capacity() const noexcept { return cap_; }

    // Room for at least `n` more bytes at the back (moves or grows the bytes).
    char* prepare(std::size_t n);
    std::size_t tail_room() const noexcept { return cap_ - end_; }
    void commit(std::size_t n) noexcept { end_ += n; }
    // The offsets are not reset here: memory handed to the transport stays where it is
    // until it reports what it received (prepare moves the bytes).
    void consume(std::size_t n) noexcept { begin_ += n; }
    const char* tail() const noexcept { return data_.get() + end_; }
    void append(const char* p, std::size_t n);
    // Frees the allocation (the buffer must be empty).
    void release() noexcept
    {
        data_.reset();
        cap_ = begin_ = end_ = 0;
    }

private:
    std::unique_ptr<char[]> data_;
    std::size_t cap_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

// What the one reader waits for.
enum class read_kind : unsigned char
{
    some,    // read(n > 0)
    all,     // read(-1)
    exactly, // readexactly(n)
    until,   // readuntil(seps)
    line,    // readline()
    into,    // read_into(buffer)
};

// The suspended read: its outcome is stored here when the protocol decides it.
struct read_waiter : sync_waiter
{
    std::string bytes;
    std::size_t count = 0;
};

struct read_completion
{
    boost::system::error_code ec;
    std::string bytes;

    static read_completion make(read_waiter& w, boost::system::error_code ec)
    {
        return {ec, std::move(w.bytes)};
    }
    template <class Handler>
    void operator()(Handler&& h)
    {
        static_cast<Handler&&>(h)(ec, std::move(bytes));
    }
};

struct count_completion
{
    boost::system::error_code ec;
    std::size_t count;

    static count_completion make(read_waiter& w, boost::system::error_code ec) noexcept
    {
        return {ec, w.count};
    }
    template <class Handler>
    void operator()(Handler&& h)
    {
        static_cast<Handler&&>(h)(ec, count);
    }
};

// The outcome of a read evaluated against the buffer.
struct read_outcome
{
    boost::system::error_code ec;
    std::string bytes;
    std::size_t count = 0;
};

inline constexpr std::size_t default_stream_limit = 64 * 1024;

// Tags of the protocol's waiter lists.
enum : unsigned char
{
    stream_reader_tag = 0,
    stream_drain_tag = 1,
    stream_closed_tag = 2,
};

/** The protocol under a stream_reader/stream_writer pair (asyncio's StreamReaderProtocol
    and StreamReader in one object): it receives the transport's bytes into its buffer
    (or, for a waiting `read_into`, straight into the caller's memory), decides the one
    waiting read, and keeps the writer's flow control and the connection's state.

    The transport is held through one pointer that `set_transport` replaces (TLS, serial
    and pipe transports swap in under the same reader and writer). Everything runs on
    the loop's thread. */
class stream_protocol final
    : public buffered_protocol
    , public sync_object
    , public std::enable_shared_from_this<stream_protocol>
{
public:
    stream_protocol(event_loop& loop, std::size_t limit);
    ~stream_protocol() override;

    stream_reader reader();
    stream_writer writer();

    // ---- buffered_protocol ----
    void connection_made(transport& t) override;
    void connection_lost(std::exception_ptr exc) override;
    void pause_writing() override;
    void resume_writing() override;
    boost::asio::mutable_buffer get_buffer(std::size_t sizehint) override;
    void buffer_updated(std::size_t n) override;
    bool eof_received() override;

    /// Replaces the transport under the streams (start_tls); the old one is forgotten.
    void set_transport(std::shared_ptr<transport> t) noexcept;
    transport* get_transport() const noexcept { return transport_; }
    event_loop& loop() const noexcept { return *loop_; }
    std::size_t limit() const noexcept { return limit_; }

    // ---- the reader's side ----
    void feed_data(std::string_view data);
    void feed_eof();
    void set_exception(std::exception_ptr e);
    std::exception_ptr exception() const noexcept { return exc_; }
    // exception() as the code of an error_code completion.
    boost::system::error_code exception_code() const noexcept { return exc_code_; }
    bool at_eof() const noexcept { return eof_ && buf_.empty(); }
    std::size_t buffered() const noexcept { return buf_.size(); }
    bool reading_paused() const noexcept { return paused_; }
    // start_tls: whether a read waits, and the buffered bytes taken out (they go to the
    // TLS engine, never to the application).
    bool read_pending() const noexcept { return reader_ != nullptr; }
    std::string take_buffered();
    std::size_t buffer_capacity() const noexcept { return buf_.capacity(); }

    // A read's start: the outcome at once (set `done`), or the request is kept and the
    // caller suspends a waiter with `suspend_read`.
    bool start_read(read_kind kind, std::size_t n, read_outcome& out);
    bool start_read_until(std::span<const std::string_view> seps, bool line, read_outcome& out);
    bool start_read_into(boost::asio::mutable_buffer b, read_outcome& out);
    template <class Completion, class Handler>
    void suspend_read(Handler&& h);
    // The overrun count of the last limit_overrun (the mappers read it).
    std::size_t last_overrun_consumed() const noexcept { return overrun_consumed_; }
    const char* overrun_message() const noexcept
    {
        return overrun_found_ ? "the separator is found, but the chunk is longer than the limit"
                              : "the separator is not found, and the chunk exceeds the limit";
    }

    // ---- the writer's side ----
    void write(const boost::asio::const_buffer* bufs, std::size_t n);
    void write_eof();
    bool can_write_eof() const noexcept;
    void close() noexcept;
    void abort() noexcept;
    bool is_closing() const noexcept;
    bool connection_lost_seen() const noexcept { return lost_; }
    // drain's outcome now, or false: it must wait.
    bool drain_ready(boost::system::error_code& ec) const noexcept;
    bool closed_ready(boost::system::error_code& ec) const noexcept;
    template <class Handler>
    void suspend_drain(Handler&& h);
    template <class Handler>
    void suspend_closed(Handler&& h);

    // ---- stream_writer::sendfile ----
    // Starts a sendfile: false (and the code) when the writer cannot send now (closing,
    // lost, another sendfile running). While one runs, `write` throws.
    bool sendfile_start(boost::system::error_code& ec) noexcept;
    void sendfile_end() noexcept { sendfile_active_ = false; }
    bool sendfile_active() const noexcept { return sendfile_active_; }
    // `write` past the sendfile guard: the fallback's own chunks.
    void write_unguarded(const boost::asio::const_buffer* bufs, std::size_t n);

    void add_writer() noexcept { ++writers_; }
    void drop_writer() noexcept
    {
        if (--writers_ == 0)
            on_last_writer();
    }

    // What the task tree shows after "reading"/"draining": the peer's address.
    static void describe(std::string& out, const void* self);

private:
    void cancel_waiter(sync_waiter* w) override;
    void abandon_waiters() noexcept override;
    void fail_waiters_on_destroy() noexcept override;

    // Evaluates the pending request against the buffer; true when decided.
    bool evaluate(read_outcome& out);
    bool evaluate_until(read_outcome& out);
    // Data, EOF or an error arrived: decides the waiting read, then flow control.
    void on_input(delivery d);
    void wake_reader(delivery d);
    void update_flow() noexcept;
    void take_front(std::size_t n, std::string& out);
    void consumed_front(std::size_t n) noexcept;
    void on_last_writer() noexcept;

    event_loop* loop_;
    std::size_t limit_;
    transport* transport_ = nullptr;
    std::shared_ptr<transport> transport_hold_; // until connection_lost (breaks the cycle)

    stream_buffer buf_;
    std::exception_ptr exc_;
    boost::system::error_code exc_code_; // exc_ as a code (for error_code completions)
    bool eof_ = false;
    bool paused_ = false;   // we paused the transport's reading
    bool made_ = false;     // connection_made ran
    bool lost_ = false;     // connection_lost ran
    bool closing_ = false;  // close() or abort() from this side
    bool eof_sent_ = false; // write_eof() from this side
    bool write_paused_ = false;
    bool close_on_made_ = false; // the last writer went before connection_made
    bool overrun_found_ = false;
    bool sendfile_active_ = false;      // stream_writer::sendfile runs
    boost::system::error_code lost_ec_; // the error the connection ended with
    std::size_t writers_ = 0;

    // The one waiting read and its request.
    read_waiter* reader_ = nullptr;
    read_kind kind_ = read_kind::some;
    std::size_t want_ = 0;
    std::size_t scanned_ = 0; // readuntil: the bytes already searched
    boost::asio::mutable_buffer into_;
    const char* handed_ = nullptr; // what the last get_buffer gave out
    std::size_t handed_size_ = 0;
    std::size_t recv_size_; // the next receive's size (adapts)
    std::size_t overrun_consumed_ = 0;
    // The transport receives synchronously inside its readiness handler (a socket
    // transport): an empty reader may lend it the loop's shared receive area.
    bool shared_area_ok_ = false;
    // readuntil's separators, copied (the caller's need not outlive the start).
    std::string sep_bytes_;
    std::vector<std::size_t> sep_ends_;

    counted_op_list readers_; // 0 or 1 waiter (reader_)
    counted_op_list drainers_;
    counted_op_list closers_;
};

/// A stream protocol for `loop` whose readers buffer up to `limit` bytes per line or
/// record (asyncio's limit).
std::shared_ptr<stream_protocol> make_stream_protocol(event_loop& loop,
                                                      std::size_t limit = default_stream_limit);

// ---- templates ------------------------------------------------------------------------

inline constexpr await_desc awaiting_stream_read{"reading", await_kind::custom, nullptr,
                                                 &stream_protocol::describe};
inline constexpr await_desc awaiting_stream_drain{"draining", await_kind::custom, nullptr,
                                                  &stream_protocol::describe};
inline constexpr await_desc awaiting_stream_closed{"wait_closed", await_kind::custom, nullptr,
                                                   &stream_protocol::describe};

template <class Completion, class Handler>
void stream_protocol::suspend_read(Handler&& handler)
{
    using handler_type = std::decay_t<Handler>;
    auto* op = new suspended_op<handler_type, read_waiter, Completion>(
        *loop_, handler_type(static_cast<Handler&&>(handler)));
    op->owner = this;
    op->tag = stream_reader_tag;
    readers_.push_back(op);
    reader_ = op;
    // A read that waits needs more bytes than are buffered: reading must go on (asyncio's
    // _wait_for_data resumes a paused transport, so readexactly beyond 2 x limit ends).
    update_flow();
    op->arm(awaiting_stream_read, static_cast<sync_object*>(this));
}

template <class Handler>
void stream_protocol::suspend_drain(Handler&& handler)
{
    enqueue_waiter<plain_waiter, code_completion>(*this, drainers_, stream_drain_tag,
                                                  awaiting_stream_drain, *loop_,
                                                  static_cast<Handler&&>(handler));
}

template <class Handler>
void stream_protocol::suspend_closed(Handler&& handler)
{
    enqueue_waiter<plain_waiter, code_completion>(*this, closers_, stream_closed_tag,
                                                  awaiting_stream_closed, *loop_,
                                                  static_cast<Handler&&>(handler));
}

} // namespace detail
} // namespace boost::tulip

#include <boost/tulip/streams.hpp>

#endif
