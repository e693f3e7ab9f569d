//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/detail/socket_transport.hpp>

#include <boost/tulip/detail/unix_socket_file.hpp>

#include <boost/tulip/error.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/transport.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace boost::tulip::detail {

void set_cloexec(int fd)
{
    if (auto ec = try_set_cloexec(fd))
        throw boost::system::system_error(ec, "fcntl");
}

namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// The bytes the kernel has not taken yet, in one block whose capacity is reused: sent
// bytes are consumed from the front, and the block is compacted only when more than half
// of it is consumed space, so steady state allocates nothing.
class write_buffer
{
public:
    std::size_t size() const noexcept { return data_.size() - head_; }
    bool empty() const noexcept { return size() == 0; }
    asio::const_buffer front() const noexcept
    {
        return asio::const_buffer(data_.data() + head_, size());
    }

    // Appends `bufs`, skipping their first `skip` bytes (those the kernel took).
    void append(const asio::const_buffer* bufs, std::size_t n, std::size_t skip)
    {
        if (head_ > 0 && head_ * 2 >= data_.size()) {
            data_.erase(data_.begin(), data_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
        for (std::size_t i = 0; i < n; ++i) {
            auto p = static_cast<const char*>(bufs[i].data());
            std::size_t len = bufs[i].size();
            if (skip >= len) {
                skip -= len;
                continue;
            }
            data_.insert(data_.end(), p + skip, p + len);
            skip = 0;
        }
    }

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

constexpr std::size_t default_high_water = 64 * 1024;
constexpr std::size_t read_size_hint = 64 * 1024;
// Reads per readiness event while each one fills the buffer: then the others on the loop
// get their turn and the transport reads on from a posted continuation.
constexpr int max_reads_per_wakeup = 4;
// asio's limit on the buffers of one gather write (IOV_MAX is larger).
constexpr std::size_t max_gather = 64;
constexpr auto lingering_close_limit = std::chrono::seconds(1);

// Readiness waits and Asio's epoll reactor. The reactor registers a socket
// edge-triggered, and reports an edge only to an operation already queued; but Asio 1.26
// queues a readiness wait (async_wait) with EPOLL_CTL_MOD, which re-arms the descriptor:
// a socket already readable reports at once, so no arrival is missed, at the price of one
// epoll_ctl per wait. The transport therefore waits only when a read found the socket
// drained (EAGAIN, or a short read), and reads first where data may be there already
// (the first read, after resume_reading, after a bounded batch of reads).
template <class Protocol>
class socket_transport final : public transport
{
public:
    using socket_type = asio::basic_stream_socket<Protocol>;
    using endpoint_type = typename Protocol::endpoint;

    socket_transport(event_loop& loop, socket_type s, std::shared_ptr<base_protocol> p)
        : transport(loop, std::move(p))
        , sock_(std::move(s))
    {
        set_cloexec(sock_.native_handle());
        sock_.non_blocking(true);
        if constexpr (std::is_same_v<Protocol, asio::ip::tcp>)
            sock_.set_option(asio::ip::tcp::no_delay(true));
        error_code ec;
        peername_ = sock_.remote_endpoint(ec);
        sockname_ = sock_.local_endpoint(ec);
        fd_ = static_cast<int>(sock_.native_handle());
    }

    void start()
    {
        self_ = shared_from_this();
        asio::post(sock_.get_executor(), [self = self_ptr()] {
            self->guarded([&] { self->get_protocol()->connection_made(*self); });
            self->do_read();
        });
    }

    // ---- writing ------------------------------------------------------------------------

    void write_buffers(const asio::const_buffer* bufs, std::size_t n) override
    {
        check_writable();
        std::size_t total = 0;
        for (std::size_t i = 0; i < n; ++i)
            total += bufs[i].size();
        if (total == 0)
            return;
        std::size_t sent = 0;
        if (wbuf_.empty() && !write_waiting_) {
            error_code ec;
            sent = sock_.write_some(
                std::span<const asio::const_buffer>(bufs, std::min(n, max_gather)), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again)
                sent = 0;
            else if (ec) {
                fatal(ec);
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

    void write_eof() override
    {
        if (closing_)
            check_writable();
        if (eof_written_)
            return;
        eof_written_ = true;
        if (wbuf_.empty())
            shutdown_send();
    }
    bool can_write_eof() const noexcept override { return true; }

    // ---- closing ------------------------------------------------------------------------

    void close() override
    {
        if (closing_)
            return;
        closing_ = true;
        if (wbuf_.empty())
            start_lingering();
        // else on_writable starts it once the buffer is sent
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
        schedule_read();
    }
    bool is_reading() const noexcept override { return !paused_ && !closing_; }

    // ---- flow control -------------------------------------------------------------------

    void set_write_buffer_limits(std::optional<std::size_t> high,
                                 std::optional<std::size_t> low) override
    {
        std::size_t h = high ? *high : (low ? 4 * *low : default_high_water);
        std::size_t l = low ? *low : h / 4;
        if (l > h)
            throw std::invalid_argument("set_write_buffer_limits: low > high");
        high_ = h;
        low_ = l;
        maybe_pause_protocol();
    }
    std::size_t get_write_buffer_size() const noexcept override { return wbuf_.size(); }
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override
    {
        return {low_, high_};
    }

    std::any extra_info(std::string_view name) const override
    {
        if (name == "peername")
            return peername_;
        if (name == "sockname")
            return sockname_;
        if (name == "socket")
            return fd_;
        return {};
    }

private:
    std::shared_ptr<socket_transport> self_ptr()
    {
        return std::static_pointer_cast<socket_transport>(shared_from_this());
    }

    // Runs a protocol callback; one that throws is reported and the connection aborted.
    template <class F>
    bool guarded(F&& f)
    {
        try {
            f();
            return true;
        } catch (...) {
            auto e = std::current_exception();
            get_loop().call_exception_handler(
                exception_context{"a protocol callback of a socket transport threw", e, {}});
            closing_ = true;
            force_close(e, true);
            return false;
        }
    }

    void check_writable() const
    {
        if (error_)
            throw boost::system::system_error(error_);
        if (closing_ || eof_written_)
            throw invalid_state_error(closing_ ? "write on a closing transport"
                                               : "write after write_eof");
    }

    void maybe_pause_protocol()
    {
        if (!writing_paused_ && wbuf_.size() > high_ && !closed_) {
            writing_paused_ = true;
            guarded([&] { get_protocol()->pause_writing(); });
        }
    }
    void maybe_resume_protocol()
    {
        if (writing_paused_ && wbuf_.size() <= low_ && !closed_) {
            writing_paused_ = false;
            guarded([&] { get_protocol()->resume_writing(); });
        }
    }

    void wait_write()
    {
        write_waiting_ = true;
        sock_.async_wait(asio::socket_base::wait_write,
                         [self = self_ptr()](error_code ec) { self->on_writable(ec); });
    }

    void on_writable(error_code ec)
    {
        write_waiting_ = false;
        if (closed_)
            return;
        if (ec) {
            fatal(ec);
            return;
        }
        std::size_t sent = sock_.write_some(wbuf_.front(), ec);
        if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
            fatal(ec);
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
            start_lingering();
        else if (eof_written_)
            shutdown_send();
    }

    void shutdown_send()
    {
        if (shut_wr_)
            return;
        shut_wr_ = true;
        error_code ec;
        sock_.shutdown(asio::socket_base::shutdown_send, ec);
    }

    // The bounded lingering close: FIN sent, the peer's remaining input read and dropped
    // until its FIN, an error or the limit, so that unread input does not make the kernel
    // answer with an RST that destroys the peer's copy of our last bytes.
    void start_lingering()
    {
        if (closed_ || lingering_)
            return;
        shutdown_send();
        if (peer_eof_) {
            force_close(nullptr, false);
            return;
        }
        lingering_ = true;
        linger_timer_ = get_loop().call_later(
            lingering_close_limit, [self = self_ptr()] { self->force_close(nullptr, false); });
        schedule_read();
    }

    void schedule_read()
    {
        if (read_waiting_ || read_posted_ || closed_)
            return;
        read_posted_ = true;
        asio::post(sock_.get_executor(), [self = self_ptr()] {
            self->read_posted_ = false;
            self->do_read();
        });
    }

    void wait_read()
    {
        read_waiting_ = true;
        sock_.async_wait(asio::socket_base::wait_read,
                         [self = self_ptr()](error_code ec) { self->on_readable(ec); });
    }

    void on_readable(error_code ec)
    {
        read_waiting_ = false;
        if (closed_)
            return;
        if (ec) {
            fatal(ec);
            return;
        }
        do_read();
    }

    void do_read()
    {
        if (closed_ || read_waiting_)
            return;
        if (lingering_) {
            drain();
            return;
        }
        for (int i = 0; i < max_reads_per_wakeup; ++i) {
            if (paused_ || closing_ || peer_eof_)
                return; // resume_reading or close goes on
            const auto& p = get_protocol();
            error_code ec;
            std::size_t n = 0;
            std::size_t asked = 0;
            if (p->is_buffered()) {
                auto& bp = static_cast<buffered_protocol&>(*p);
                asio::mutable_buffer b;
                if (!guarded([&] { b = bp.get_buffer(read_size_hint); }))
                    return;
                if (b.size() == 0) {
                    guarded([] { throw std::length_error("get_buffer returned an empty buffer"); });
                    return;
                }
                asked = b.size();
                n = sock_.read_some(b, ec);
                if (!ec && !guarded([&] { bp.buffer_updated(n); }))
                    return;
            } else {
                auto b = loop_read_buffer(get_loop());
                asked = b.size();
                n = sock_.read_some(asio::buffer(b.data(), b.size()), ec);
                if (!ec && !guarded([&] {
                        static_cast<protocol&>(*p).data_received(std::string_view(b.data(), n));
                    }))
                    return;
            }
            if (ec == asio::error::would_block || ec == asio::error::try_again) {
                wait_read();
                return;
            }
            if (ec == asio::error::eof) {
                on_eof();
                return;
            }
            if (ec) {
                fatal(ec);
                return;
            }
            if (n < asked) {
                // Drained: wait for the next arrival (see above).
                if (!paused_ && !closing_)
                    wait_read();
                return;
            }
        }
        schedule_read();
    }

    void on_eof()
    {
        peer_eof_ = true;
        bool keep_open = false;
        const auto& p = get_protocol();
        bool ok = guarded([&] {
            keep_open = p->is_buffered() ? static_cast<buffered_protocol&>(*p).eof_received()
                                         : static_cast<protocol&>(*p).eof_received();
        });
        if (ok && !keep_open)
            close();
    }

    void drain()
    {
        auto b = loop_read_buffer(get_loop());
        for (int i = 0; i < max_reads_per_wakeup; ++i) {
            error_code ec;
            std::size_t n = sock_.read_some(asio::buffer(b.data(), b.size()), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) {
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

    // Closes the socket now (with an RST if `reset`) and reports the loss from the loop.
    void force_close(std::exception_ptr e, bool reset)
    {
        if (closed_)
            return;
        closed_ = true;
        linger_timer_.cancel();
        wbuf_.clear();
        error_code ec;
        if (reset)
            sock_.set_option(asio::socket_base::linger(true, 0), ec);
        sock_.close(ec); // the pending waits complete with operation_aborted
        asio::post(sock_.get_executor(), [self = self_ptr(), e = std::move(e)] {
            auto keep = std::move(self->self_);
            self->guarded_lost(e);
        });
    }

    void guarded_lost(const std::exception_ptr& e)
    {
        try {
            get_protocol()->connection_lost(e);
        } catch (...) {
            get_loop().call_exception_handler(
                exception_context{"connection_lost of a socket transport's protocol threw",
                                  std::current_exception(),
                                  {}});
        }
    }

    socket_type sock_;
    write_buffer wbuf_;
    std::size_t high_ = default_high_water;
    std::size_t low_ = default_high_water / 4;
    std::shared_ptr<transport> self_; // while open
    error_code error_;                // what ended the connection, if an error did
    timer_handle linger_timer_;
    endpoint_type peername_;
    endpoint_type sockname_;
    int fd_ = -1;
    bool closing_ = false;        // close/abort called, or the connection lost
    bool closed_ = false;         // the socket is closed; connection_lost posted
    bool paused_ = false;         // pause_reading
    bool peer_eof_ = false;       // the peer's FIN was read
    bool eof_written_ = false;    // write_eof called
    bool shut_wr_ = false;        // our FIN is sent
    bool lingering_ = false;      // the lingering close reads and drops input
    bool read_waiting_ = false;   // an async_wait(wait_read) is queued
    bool read_posted_ = false;    // a read attempt is posted
    bool write_waiting_ = false;  // an async_wait(wait_write) is queued
    bool writing_paused_ = false; // the protocol was told pause_writing
};

} // namespace

template <class Protocol>
std::shared_ptr<transport> make_socket_transport(event_loop& loop,
                                                 boost::asio::basic_stream_socket<Protocol> socket,
                                                 std::shared_ptr<base_protocol> proto)
{
    auto t =
        std::make_shared<socket_transport<Protocol>>(loop, std::move(socket), std::move(proto));
    t->start();
    return t;
}

template std::shared_ptr<transport>
make_socket_transport<boost::asio::ip::tcp>(event_loop&,
                                            boost::asio::basic_stream_socket<boost::asio::ip::tcp>,
                                            std::shared_ptr<base_protocol>);
template std::shared_ptr<transport> make_socket_transport<boost::asio::local::stream_protocol>(
    event_loop&, boost::asio::basic_stream_socket<boost::asio::local::stream_protocol>,
    std::shared_ptr<base_protocol>);

} // namespace boost::tulip::detail
