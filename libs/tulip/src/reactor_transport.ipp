//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_SRC_REACTOR_TRANSPORT_IPP
#define BOOST_TULIP_SRC_REACTOR_TRANSPORT_IPP

// Member definitions of reactor_transport (included by reactor_transport.hpp).

namespace boost::tulip::detail {

// ---- writing ----------------------------------------------------------------------------

template <class Stream, class Base>
void reactor_transport<Stream, Base>::write_buffers(const boost::asio::const_buffer* bufs,
                                                    std::size_t n)
{
    check_writable();
    std::size_t total = 0;
    for (std::size_t i = 0; i < n; ++i)
        total += bufs[i].size();
    if (total == 0)
        return;
    if (wbuf_.empty() && !write_waiting_ && !sendfile_hold_) {
        boost::system::error_code ec;
        std::size_t sent = stream_.write_some(
            std::span<const boost::asio::const_buffer>(bufs, std::min(n, max_gather)), ec);
        if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again)
            sent = 0;
        else if (ec) {
            fatal(translate_error(ec));
            return;
        }
        if (sent == total)
            return;
        wbuf_.append(bufs, n, sent);
        wait_write();
    } else
        wbuf_.append(bufs, n, 0);
    maybe_pause_protocol();
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::check_writable() const
{
    if (error_)
        throw boost::system::system_error(error_);
    if (dir_ == transport_direction::read_only)
        throw invalid_state_error("write on a read-only transport");
    if (closing_ || eof_written_)
        throw invalid_state_error(closing_ ? "write on a closing transport"
                                           : "write after write_eof");
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::maybe_pause_protocol()
{
    if (!closed_ && marks_.pause(wbuf_.size()))
        guarded([&] { this->get_protocol()->pause_writing(); });
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::maybe_resume_protocol()
{
    if (!closed_ && marks_.resume(wbuf_.size()))
        guarded([&] { this->get_protocol()->resume_writing(); });
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::wait_write()
{
    write_waiting_ = true;
    stream_.async_wait(Stream::wait_write, [self = self_ptr()](boost::system::error_code ec) {
        self->on_writable(ec);
    });
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::on_writable(boost::system::error_code ec)
{
    write_waiting_ = false;
    if (closed_)
        return;
    if (ec) {
        fatal(ec);
        return;
    }
    std::size_t sent = stream_.write_some(wbuf_.front(), ec);
    if (ec && ec != boost::asio::error::would_block && ec != boost::asio::error::try_again) {
        fatal(translate_error(ec));
        return;
    }
    wbuf_.consume(sent);
    if (!wbuf_.empty()) {
        wait_write();
        maybe_resume_protocol();
        return;
    }
    maybe_resume_protocol();
    if (closed_)
        return;
    if (closing_)
        finish_close();
    else if (eof_written_)
        end_writing();
}

// The write buffer is sent and write_eof was called: a socket sends its FIN, a write-only
// descriptor closes (the reader sees its end of file).
template <class Stream, class Base>
void reactor_transport<Stream, Base>::end_writing()
{
    if (shut_wr_)
        return;
    shut_wr_ = true;
    if constexpr (is_socket) {
        boost::system::error_code ec;
        stream_.shutdown(Stream::shutdown_send, ec);
    } else {
        closing_ = true;
        force_close(nullptr, false);
    }
}

// ---- closing ----------------------------------------------------------------------------

// close() with the write buffer sent.
template <class Stream, class Base>
void reactor_transport<Stream, Base>::finish_close()
{
    if constexpr (is_socket)
        start_lingering();
    else
        force_close(nullptr, false);
}

// The bounded lingering close: FIN sent, the peer's remaining input read and dropped
// until its FIN, an error or the limit, so that unread input does not make the kernel
// answer with an RST that destroys the peer's copy of our last bytes.
template <class Stream, class Base>
void reactor_transport<Stream, Base>::start_lingering()
{
    if (closed_ || lingering_)
        return;
    end_writing();
    if (peer_eof_) {
        force_close(nullptr, false);
        return;
    }
    lingering_ = true;
    linger_timer_ = this->get_loop().call_later(
        lingering_close_limit, [self = self_ptr()] { self->force_close(nullptr, false); });
    schedule_read();
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::fatal(boost::system::error_code ec)
{
    if (closed_)
        return;
    if (ec == boost::asio::error::operation_aborted)
        return; // our own close
    error_ = ec;
    closing_ = true;
    force_close(std::make_exception_ptr(boost::system::system_error(ec)), false);
}

// Closes the descriptor now (a socket with an RST if `reset`) and reports the loss from
// the loop.
template <class Stream, class Base>
void reactor_transport<Stream, Base>::force_close(std::exception_ptr e, bool reset)
{
    if (closed_)
        return;
    closed_ = true;
    linger_timer_.cancel();
    wbuf_.clear();
    boost::system::error_code ec;
    if constexpr (is_socket) {
        if (reset)
            stream_.set_option(boost::asio::socket_base::linger(true, 0), ec);
    } else
        (void)reset;
    stream_.close(ec); // the pending waits complete with operation_aborted
    boost::asio::post(stream_.get_executor(), [self = self_ptr(), e = std::move(e)] {
        auto keep = std::move(self->self_);
        self->unregister_transport();
        self->guarded_lost(e);
        self->notify_ended();
    });
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::guarded_lost(const std::exception_ptr& e)
{
    try {
        this->get_protocol()->connection_lost(e);
    } catch (...) {
        this->get_loop().call_exception_handler(exception_context{
            "connection_lost of a transport's protocol threw", std::current_exception(), {}});
    }
}

// Runs a protocol callback; one that throws is reported and the connection aborted.
template <class Stream, class Base>
template <class F>
bool reactor_transport<Stream, Base>::guarded(F&& f)
{
    try {
        f();
        return true;
    } catch (...) {
        auto e = std::current_exception();
        this->get_loop().call_exception_handler(
            exception_context{"a protocol callback of a transport threw", e, {}});
        closing_ = true;
        force_close(e, true);
        return false;
    }
}

// ---- reading ----------------------------------------------------------------------------

template <class Stream, class Base>
void reactor_transport<Stream, Base>::schedule_read()
{
    if (read_waiting_ || read_posted_ || closed_)
        return;
    read_posted_ = true;
    boost::asio::post(stream_.get_executor(), [self = self_ptr()] {
        self->read_posted_ = false;
        self->do_read();
    });
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::wait_read()
{
    read_waiting_ = true;
    if (rbuf_ && !bulk_ && !has_received()) {
        // A receive: no EPOLL_CTL_MOD, and none of a wait's cost when the bytes are there
        // (see the class comment).
        stream_.async_read_some(boost::asio::buffer(rbuf_.get(), receive_buffer_size),
                                [self = self_ptr()](boost::system::error_code ec, std::size_t n) {
                                    self->on_received(ec, n);
                                });
        return;
    }
    stream_.async_wait(Stream::wait_read, [self = self_ptr()](boost::system::error_code ec) {
        self->on_readable(ec);
    });
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::on_readable(boost::system::error_code ec)
{
    read_waiting_ = false;
    if (on_released_) {
        finish_release(0);
        return;
    }
    if (closed_)
        return;
    if (ec) {
        fatal(translate_error(ec));
        return;
    }
    do_read();
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::on_received(boost::system::error_code ec, std::size_t n)
{
    read_waiting_ = false;
    if (on_released_) {
        finish_release(ec ? 0 : n);
        return;
    }
    if (closed_)
        return;
    if (lingering_) { // input after our close is read and dropped
        if (ec)
            force_close(nullptr, false); // the peer's FIN, or an error
        else if (n < receive_buffer_size)
            wait_read();
        else
            drain();
        return;
    }
    if (ec) {
        ec = translate_error(ec);
        if (ec == boost::asio::error::eof)
            on_eof();
        else
            fatal(ec);
        return;
    }
    rhead_ = 0;
    rend_ = static_cast<std::uint32_t>(n);
    if (!deliver_received() || has_received() || paused_ || closing_)
        return; // a callback threw, or resume_reading or close goes on
    if (n == receive_buffer_size || !short_read_drains())
        do_read(n); // more may be there
    else
        post_wait();
}

// The next receive, from the loop: Asio tries a receive at once, and by then the protocol
// has answered (a stream's task has run) and the peer may have sent its next message.
template <class Stream, class Base>
void reactor_transport<Stream, Base>::post_wait()
{
    read_posted_ = true;
    boost::asio::post(stream_.get_executor(), [self = self_ptr()] {
        self->read_posted_ = false;
        if (self->closed_ || self->read_waiting_)
            return;
        if (self->lingering_ || self->paused_ || self->closing_)
            self->do_read(); // drains a lingering close, else leaves it to resume or close
        else
            self->wait_read();
    });
}

// A buffered protocol's buffer for up to `hint` bytes; an empty one if get_buffer threw or
// returned an empty buffer (either aborts the connection).
template <class Stream, class Base>
boost::asio::mutable_buffer reactor_transport<Stream, Base>::protocol_buffer(buffered_protocol& bp,
                                                                             std::size_t hint)
{
    boost::asio::mutable_buffer b;
    if (guarded([&] { b = bp.get_buffer(hint); }) && b.size() == 0)
        guarded([] { throw std::length_error("get_buffer returned an empty buffer"); });
    return b;
}

// Hands the received bytes not yet delivered to the protocol, as far as it keeps reading.
// Returns false if a callback threw (the connection is then aborted).
template <class Stream, class Base>
bool reactor_transport<Stream, Base>::deliver_received()
{
    const auto& p = this->get_protocol();
    while (has_received() && !paused_ && !closing_) {
        const char* data = rbuf_.get() + rhead_;
        const std::size_t left = rend_ - rhead_;
        if (!p->is_buffered()) {
            rhead_ = rend_;
            if (!guarded([&] {
                    static_cast<protocol&>(*p).data_received(std::string_view(data, left));
                }))
                return false;
            continue;
        }
        auto& bp = static_cast<buffered_protocol&>(*p);
        auto b = protocol_buffer(bp, left);
        if (b.size() == 0)
            return false;
        const std::size_t k = std::min(left, b.size());
        std::memcpy(b.data(), data, k);
        rhead_ += static_cast<std::uint32_t>(k);
        if (!guarded([&] { bp.buffer_updated(k); }))
            return false;
    }
    if (!has_received())
        rhead_ = rend_ = 0;
    return true;
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::finish_release(std::size_t n)
{
    std::string bytes;
    if (has_received())
        bytes.assign(rbuf_.get() + rhead_, rend_ - rhead_);
    if (n != 0)
        bytes.append(rbuf_.get(), n);
    rhead_ = rend_ = 0;
    Stream out(std::move(stream_));
    this->unregister_transport(); // the stream is the next owner's
    auto done = std::move(on_released_);
    on_released_ = nullptr;
    std::shared_ptr<transport> keep = std::move(self_); // the caller holds another
    done(std::move(out), std::move(bytes));
}

// A write-only descriptor (a pipe's write end) becomes "readable" only when its reader
// has gone (EPOLLERR): the connection is lost with broken_pipe, as asyncio's write pipe
// transport reports it, instead of at the next write.
template <class Stream, class Base>
void reactor_transport<Stream, Base>::watch_hangup()
{
    stream_.async_wait(Stream::wait_read, [self = self_ptr()](boost::system::error_code ec) {
        if (self->closed_ || ec == boost::asio::error::operation_aborted)
            return;
        self->fatal(boost::asio::error::broken_pipe);
    });
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::do_read(std::size_t received)
{
    if (closed_ || read_waiting_)
        return;
    if (lingering_) {
        rhead_ = rend_ = 0; // closing: nothing more is delivered
        drain();
        return;
    }
    if (has_received() && (!deliver_received() || has_received()))
        return; // a callback threw, or reading was paused again
    for (int i = 0; i < max_reads_per_wakeup; ++i) {
        if (paused_ || closing_ || peer_eof_)
            return; // resume_reading or close goes on
        const auto& p = this->get_protocol();
        boost::system::error_code ec;
        std::size_t n = 0;
        std::size_t asked = 0;
        if (p->is_buffered()) {
            auto& bp = static_cast<buffered_protocol&>(*p);
            auto b = protocol_buffer(bp, read_size_hint);
            if (b.size() == 0)
                return;
            asked = b.size();
            n = stream_.read_some(b, ec);
            if (!ec && !guarded([&] { bp.buffer_updated(n); }))
                return;
        } else {
            auto b = loop_read_buffer(this->get_loop());
            asked = b.size();
            n = stream_.read_some(boost::asio::buffer(b.data(), b.size()), ec);
            if (!ec && !guarded([&] {
                    static_cast<protocol&>(*p).data_received(std::string_view(b.data(), n));
                }))
                return;
        }
        received += n;
        // Bulk input (more than the receive buffer holds per wake-up) waits for readiness:
        // an epoll_ctl per wake-up costs less than a receive of part of it. A posted read
        // that finds nothing says nothing about the input's size.
        if (received > 0)
            bulk_ = received > receive_buffer_size;
        if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
            wait_read();
            return;
        }
        if (ec)
            ec = translate_error(ec);
        else if (!rbuf_) // the first bytes: from now on the waits are receives
            rbuf_ = std::make_unique_for_overwrite<char[]>(receive_buffer_size);
        if (ec == boost::asio::error::eof) {
            on_eof();
            return;
        }
        if (ec) {
            fatal(ec);
            return;
        }
        if (n < asked && short_read_drains()) {
            // Drained: wait for the next arrival (see the class comment).
            if (!paused_ && !closing_)
                wait_read();
            return;
        }
        if (n == asked && asked >= read_size_hint)
            break; // a whole read size: the next read is posted (see the class comment)
    }
    schedule_read();
}

template <class Stream, class Base>
void reactor_transport<Stream, Base>::on_eof()
{
    peer_eof_ = true;
    bool keep_open = false;
    const auto& p = this->get_protocol();
    bool ok = guarded([&] {
        keep_open = p->is_buffered() ? static_cast<buffered_protocol&>(*p).eof_received()
                                     : static_cast<protocol&>(*p).eof_received();
    });
    // A read-only descriptor has nothing left to do after its end of file.
    if (ok && (!keep_open || dir_ == transport_direction::read_only))
        close();
}

// The lingering close's reads: input is read and dropped.
template <class Stream, class Base>
void reactor_transport<Stream, Base>::drain()
{
    auto b = loop_read_buffer(this->get_loop());
    for (int i = 0; i < max_reads_per_wakeup; ++i) {
        boost::system::error_code ec;
        std::size_t n = stream_.read_some(boost::asio::buffer(b.data(), b.size()), ec);
        if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
            wait_read();
            return;
        }
        if (ec) { // the peer's FIN, or an error: nothing more to protect
            force_close(nullptr, false);
            return;
        }
        if (n < b.size()) {
            wait_read();
            return;
        }
    }
    schedule_read();
}

} // namespace boost::tulip::detail

#endif
