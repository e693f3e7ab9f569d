//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_SRC_REACTOR_TRANSPORT_HPP
#define BOOST_TULIP_SRC_REACTOR_TRANSPORT_HPP

// The one implementation of a byte-stream transport over a descriptor that Asio's
// reactor watches: connected stream sockets (TCP, Unix), pipes and serial ports (as
// `asio::posix::stream_descriptor`). Private to the compiled library: each kind of
// transport instantiates it in its own .cpp file.

#include <boost/tulip/detail/socket_transport.hpp>
#include <boost/tulip/detail/transport_registry.hpp>
#include <boost/tulip/detail/write_marks.hpp>

#include <boost/tulip/error.hpp>
#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/transport.hpp>

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace boost::tulip::detail {

// The bytes the kernel has not taken yet, in one block whose capacity is reused: sent
// bytes are consumed from the front, and the block is compacted only when more than half
// of it is consumed space, so steady state allocates nothing.
class write_buffer
{
public:
    std::size_t size() const noexcept { return data_.size() - head_; }
    bool empty() const noexcept { return size() == 0; }
    boost::asio::const_buffer front() const noexcept
    {
        return boost::asio::const_buffer(data_.data() + head_, size());
    }

    // Appends `bufs`, skipping their first `skip` bytes (those the kernel took).
    void append(const boost::asio::const_buffer* bufs, std::size_t n, std::size_t skip);

    void consume(std::size_t n) noexcept
    {
        head_ += n;
        if (head_ >= data_.size())
            clear();
    }
    void clear() noexcept
    {
        data_.clear();
        head_ = 0;
    }

private:
    std::vector<char> data_;
    std::size_t head_ = 0;
};

template <class Stream>
inline constexpr bool is_stream_socket_v = false;
template <class Protocol, class Executor>
inline constexpr bool is_stream_socket_v<boost::asio::basic_stream_socket<Protocol, Executor>> =
    true;

// A socket's endpoint type; an empty placeholder for a descriptor.
struct no_endpoint
{};
template <class Stream, bool = is_stream_socket_v<Stream>>
struct endpoint_of
{
    using type = no_endpoint;
};
template <class Stream>
struct endpoint_of<Stream, true>
{
    using type = typename Stream::endpoint_type;
};

/** A transport over `Stream` (`asio::basic_stream_socket<P>` or
    `asio::posix::stream_descriptor`), deriving from `Base` (`transport`, or a public
    transport class with more operations, such as a serial port's).

    Reactor style, as asyncio and uvloop: it reads and writes with non-blocking system
    calls when the descriptor is ready, so a connection that has not spoken holds no
    receive buffer (a `protocol` gets views of the loop's receive buffer, a
    `buffered_protocol` gets the bytes in its own memory) and a write goes to the kernel at
    once.

    Waiting for input and Asio 1.26's epoll reactor: a descriptor is registered once,
    edge-triggered, for input. A readiness wait (`async_wait`) is queued with an
    EPOLL_CTL_MOD that re-arms the descriptor, one system call per wait. A receive
    (`async_read_some`) is not: Asio first tries it at once (under load the next message
    is usually there already, and no wait is needed at all) and otherwise queues it with
    no system call. The transport therefore waits with `async_wait` only until its first
    bytes arrive; from then on it keeps a small receive buffer (`receive_buffer_size`) and
    waits with a receive into it, whose bytes it hands to the protocol as a read's. A
    receive that fills that buffer is followed by reads into the loop's buffer (or the
    protocol's), and while a wake-up brings more than the buffer holds (bulk input) the
    waits are readiness waits again: a large message takes few calls and no copy through
    the small buffer. Either way the transport waits only when a read found the descriptor
    drained (EAGAIN, or a short read), and reads first where data may be there already
    (the first read, after resume_reading, after a bounded batch of reads). A read that
    fills a whole read size (`read_size_hint`) is followed by a posted read, not an
    immediate one: such a read is often a whole message (a 64 KiB echo), the protocol
    answers it first, and on a busy loop the peer's next message is there by the time the
    posted read runs; an immediate one would find EAGAIN and then wait for readiness (a
    receive and an epoll_ctl per message, measured at 64 connections).

    Per kind:
    - sockets: `write_eof` is `shutdown(SHUT_WR)`; `close` lingers (bounded) for the
      peer's FIN; `abort` resets (SO_LINGER 0); extra_info `peername`, `sockname`,
      `socket`.
    - descriptors: `close` closes once the write buffer is sent; `write_eof` closes a
      write-only descriptor the same way (asyncio's write pipe) and is refused on a
      two-way one; a write-only descriptor is watched for the reader's end going away
      (`broken_pipe`); extra_info from the derived class (`fd` here).

    Derived classes may refine `translate_error` (e.g. a serial port turns the end of
    file of a vanished device into "device gone") and `extra_info`. Make them with
    `start_transport`. */
template <class Stream, class Base = transport>
class reactor_transport
    : public Base
    , private registered_transport
{
public:
    using stream_type = Stream;
    static constexpr bool is_socket = is_stream_socket_v<Stream>;

    template <class... BaseArgs>
    reactor_transport(event_loop& loop, Stream s, std::shared_ptr<base_protocol> p,
                      transport_direction dir, BaseArgs&&... base_args)
        : Base(loop, std::move(p), /*receives_synchronously=*/true,
               std::forward<BaseArgs>(base_args)...)
        , stream_(std::move(s))
        , dir_(dir)
    {
        fd_ = static_cast<int>(stream_.native_handle());
        set_cloexec(fd_);
        stream_.non_blocking(true);
        if constexpr (is_socket) {
            if constexpr (std::is_same_v<typename Stream::protocol_type, boost::asio::ip::tcp>)
                stream_.set_option(boost::asio::ip::tcp::no_delay(true));
            boost::system::error_code ec;
            peername_ = stream_.remote_endpoint(ec);
            sockname_ = stream_.local_endpoint(ec);
        }
    }

    // Keeps the transport alive until connection_lost is delivered, and posts
    // connection_made and the first read (asyncio's call_soon).
    void start()
    {
        this->register_transport(this->get_loop());
        self_ = this->shared_from_this();
        boost::asio::post(stream_.get_executor(), [self = self_ptr()] {
            self->guarded([&] { self->get_protocol()->connection_made(*self); });
            if (self->dir_ == transport_direction::write_only)
                self->watch_hangup();
            else
                self->do_read();
        });
    }

    // ---- writing ------------------------------------------------------------------------

    void write_buffers(const boost::asio::const_buffer* bufs, std::size_t n) override;

    void write_eof() override
    {
        if (!can_write_eof())
            throw invalid_state_error("write_eof: this transport cannot half-close");
        if (closing_)
            check_writable();
        if (eof_written_)
            return;
        eof_written_ = true;
        if (wbuf_.empty() && !sendfile_hold_)
            end_writing();
    }
    bool can_write_eof() const noexcept override
    {
        return is_socket || dir_ == transport_direction::write_only;
    }

    // ---- closing ------------------------------------------------------------------------

    void close() override
    {
        if (closing_)
            return;
        closing_ = true;
        if (wbuf_.empty() && !sendfile_hold_)
            finish_close();
        // else on_writable finishes the close once the buffer is sent
    }

    void abort() override
    {
        if (closed_)
            return;
        closing_ = true;
        force_close(nullptr, true);
    }

    bool is_closing() const noexcept override { return closing_; }

    // ---- reading ------------------------------------------------------------------------

    void pause_reading() override { paused_ = true; }
    void resume_reading() override
    {
        if (!paused_)
            return;
        paused_ = false;
        if (dir_ != transport_direction::write_only)
            schedule_read();
    }
    bool is_reading() const noexcept override
    {
        return !paused_ && !closing_ && dir_ != transport_direction::write_only;
    }

    // ---- flow control -------------------------------------------------------------------

    void set_write_buffer_limits(std::optional<std::size_t> high,
                                 std::optional<std::size_t> low) override
    {
        marks_.set(high, low);
        maybe_pause_protocol();
    }
    std::size_t get_write_buffer_size() const noexcept override { return wbuf_.size(); }
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override
    {
        return marks_.get();
    }

    std::any extra_info(std::string_view name) const override
    {
        if constexpr (is_socket) {
            if (name == "peername")
                return peername_;
            if (name == "sockname")
                return sockname_;
            if (name == "socket")
                return fd_;
        } else {
            if (name == "fd")
                return fd_;
        }
        return {};
    }

    // ---- sendfile (stream_writer::sendfile, through socket_transport.cpp) -------------

    /** The stream, for a sendfile that writes on it directly, or null when the transport
        cannot hand it over now (closing, or bytes still buffered). Until
        `release_for_sendfile`, the transport sends nothing of its own: writes are
        buffered, and a `close` or `write_eof` waits, so that nothing lands in the middle
        of the file; reading goes on. */
    Stream* hold_for_sendfile() noexcept
    {
        if (closing_ || closed_ || eof_written_ || !wbuf_.empty() || write_waiting_ ||
            sendfile_hold_)
            return nullptr;
        sendfile_hold_ = true;
        return &stream_;
    }
    /// This connection's memory of having found SIGPIPE ignored (sendfile_run).
    unsigned* sigpipe_ignored() noexcept { return &sigpipe_ignored_; }
    void release_for_sendfile() noexcept
    {
        if (!sendfile_hold_)
            return;
        sendfile_hold_ = false;
        if (closed_)
            return;
        if (!wbuf_.empty()) {
            if (!write_waiting_)
                wait_write();
        } else if (closing_)
            finish_close();
        else if (eof_written_)
            end_writing();
    }

    /** Takes the stream out of the transport without closing it (start_tls): the
        transport ends, without connection_lost (its protocol carries on over the
        transport that takes the stream), and its pending receive is cancelled. `done`
        then gets the stream and the bytes the transport had received but not delivered
        (a receive that completed before the cancellation, bytes held while reading was
        paused), in order; bytes still in the kernel stay there for the next owner. `done`
        runs from the loop, never inside this call.
        @throws invalid_state_error if it is closing or has bytes to send. */
    void release_stream(std::function<void(Stream, std::string)> done)
    {
        if (closing_ || closed_)
            throw invalid_state_error("start_tls: the connection is closing");
        if (!wbuf_.empty() || eof_written_)
            throw invalid_state_error("start_tls: the transport has bytes to send");
        closing_ = true;
        closed_ = true;
        linger_timer_.cancel();
        on_released_ = std::move(done);
        if (read_waiting_) {
            // Its handler finishes the release: a receive Asio already performed carries
            // bytes that belong to the next owner.
            boost::system::error_code ec;
            stream_.cancel(ec);
        } else
            boost::asio::post(stream_.get_executor(),
                              [self = self_ptr()] { self->finish_release(0); });
    }

    /** The io_context shuts down with the transport open (or its connection_lost not yet
        delivered): as Asio's own objects, it ends without callbacks. The descriptor is
        closed, the write buffer dropped, and the references that kept the transport and
        its protocol alive (its own, and its protocol, which may hold it) are let go, so
        both are freed unless the program holds them; `connection_lost` is not called. */
    void shutdown_transport() noexcept override
    {
        closing_ = true;
        closed_ = true;
        wbuf_.clear();
        boost::system::error_code ec;
        stream_.close(ec);
        std::shared_ptr<transport> keep = std::move(self_); // released last: may free `this`
        std::shared_ptr<base_protocol> p = this->get_protocol();
        this->set_protocol(nullptr);
        p.reset(); // may run the protocol's destructor (not a callback)
    }

protected:
    /// The error to report for `ec` from a read or a write (`asio::error::eof` for an
    /// end of file): `ec` itself by default; an end of file that stays `eof` is a clean
    /// end of stream, anything else ends the connection with that error.
    virtual boost::system::error_code translate_error(boost::system::error_code ec) { return ec; }

    Stream& stream() noexcept { return stream_; }
    int native_fd() const noexcept { return fd_; }
    bool is_closed() const noexcept { return closed_; }

    /// Ends the connection with `ec` (connection_lost gets it), as a failed read would.
    void fail(boost::system::error_code ec) { fatal(ec); }

    /// Whether a read that returned less than it asked for means the descriptor is
    /// drained (a socket's receive queue gives what it has). A tty hands out at most its
    /// line discipline's buffer (4 KiB) per read with more behind it: it says false, and
    /// is read again until EAGAIN.
    virtual bool short_read_drains() const noexcept { return true; }

    /// Drops the bytes of the write buffer (a serial port's reset_output_buffer).
    void clear_write_buffer() noexcept
    {
        wbuf_.clear();
        maybe_resume_protocol();
    }

    /// `close()` with the write buffer sent: a socket lingers, a descriptor closes. A
    /// derived class may wait for its device first (a serial port's bounded tcdrain) and
    /// then call this one.
    virtual void finish_close();

private:
    static constexpr std::size_t read_size_hint = 64 * 1024;
    // The receive buffer a transport keeps once it has read anything (see the class
    // comment): a request line, an HTTP header or a 1 KiB message fits in one receive.
    static constexpr std::size_t receive_buffer_size = 2048;
    // Reads per readiness event while each one fills the buffer: then the others on the
    // loop get their turn and the transport reads on from a posted continuation.
    static constexpr int max_reads_per_wakeup = 4;
    // asio's limit on the buffers of one gather write (IOV_MAX is larger).
    static constexpr std::size_t max_gather = 64;
    static constexpr auto lingering_close_limit = std::chrono::seconds(1);

    std::shared_ptr<reactor_transport> self_ptr()
    {
        return std::static_pointer_cast<reactor_transport>(this->shared_from_this());
    }

    template <class F>
    bool guarded(F&& f);
    void check_writable() const;
    void maybe_pause_protocol();
    void maybe_resume_protocol();
    void wait_write();
    void on_writable(boost::system::error_code ec);
    void end_writing();
    void start_lingering();
    void schedule_read();
    void wait_read();
    void on_readable(boost::system::error_code ec);
    void on_received(boost::system::error_code ec, std::size_t n);
    bool deliver_received();
    boost::asio::mutable_buffer protocol_buffer(buffered_protocol& bp, std::size_t hint);
    bool has_received() const noexcept { return rhead_ < rend_; }
    void finish_release(std::size_t n);
    void watch_hangup();
    void post_wait();
    void do_read(std::size_t received = 0);
    void on_eof();
    void drain();
    void fatal(boost::system::error_code ec);
    void force_close(std::exception_ptr e, bool reset);
    void guarded_lost(const std::exception_ptr& e);

    using endpoint_type = typename endpoint_of<Stream>::type;

    Stream stream_;
    write_buffer wbuf_;
    write_marks marks_;               // wbuf_'s, and whether the protocol is paused
    std::shared_ptr<transport> self_; // while open
    boost::system::error_code error_; // what ended the connection, if an error did
    timer_handle linger_timer_;
    std::unique_ptr<char[]> rbuf_; // the receive buffer, made when the first bytes arrive
    std::uint32_t rhead_ = 0;      // rbuf_'s bytes [rhead_, rend_) are received, not
    std::uint32_t rend_ = 0;       // yet delivered (reading paused)
    std::function<void(Stream, std::string)> on_released_; // release_stream's `done`
    [[no_unique_address]] endpoint_type peername_{};
    [[no_unique_address]] endpoint_type sockname_{};
    int fd_ = -1;
    transport_direction dir_;
    bool closing_ = false;         // close/abort called, or the connection lost
    bool closed_ = false;          // the descriptor is closed; connection_lost posted
    bool paused_ = false;          // pause_reading
    bool peer_eof_ = false;        // the peer's end of stream was read
    bool eof_written_ = false;     // write_eof called
    bool shut_wr_ = false;         // our end of stream is sent
    bool lingering_ = false;       // the lingering close reads and drops input
    bool read_waiting_ = false;    // a readiness wait or a receive is queued
    bool read_posted_ = false;     // a read attempt or a wait is posted
    bool bulk_ = false;            // the last wake-up read more than rbuf_ holds
    bool write_waiting_ = false;   // a readiness wait for writing is queued
    bool sendfile_hold_ = false;   // a sendfile writes on the stream (hold_for_sendfile)
    unsigned sigpipe_ignored_ = 0; // see sigpipe_ignored()
};

/// Makes a transport of type `T` (a `reactor_transport` or a class derived from one) and
/// starts it: `connection_made` and the first read follow from the loop.
template <class T, class... Args>
std::shared_ptr<T> start_transport(Args&&... args)
{
    auto t = std::make_shared<T>(std::forward<Args>(args)...);
    t->start();
    return t;
}

} // namespace boost::tulip::detail

#include "reactor_transport.ipp"

#endif
