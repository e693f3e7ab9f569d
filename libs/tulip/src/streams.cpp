//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/streams.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cstring>

namespace boost::tulip {
namespace detail {

namespace {

// The receive size adapts between these (Netty's adaptive receive allocator's idea):
// small for idle and chatty connections, large for bulk transfers.
constexpr std::size_t min_recv = 1024;
constexpr std::size_t initial_recv = 4 * 1024;
constexpr std::size_t max_recv = 64 * 1024;
// readexactly(n) may grow one receive to what it still needs, up to this.
constexpr std::size_t max_exact_recv = 1024 * 1024;
// With the loop's shared area, an emptied buffer keeps at most this much (a small message's
// worth, so that a chatty connection does not allocate per read).
constexpr std::size_t idle_keep = 4 * 1024;

boost::system::error_code code_of(const std::exception_ptr& e) noexcept
{
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& s) {
        return s.code();
    } catch (...) {
    }
    return error::invalid_state;
}

} // namespace

// ---- stream_buffer ----------------------------------------------------------------------

char* stream_buffer::prepare(std::size_t n)
{
    std::size_t size = end_ - begin_;
    if (size == 0)
        begin_ = end_ = 0;
    if (cap_ - end_ >= n)
        return data_.get() + end_;
    if (cap_ - size >= n && data_) {
        // Enough room once the bytes move to the front.
        std::memmove(data_.get(), data_.get() + begin_, size);
    } else {
        std::size_t cap = size + n;
        auto fresh = std::make_unique_for_overwrite<char[]>(cap);
        if (size)
            std::memcpy(fresh.get(), data_.get() + begin_, size);
        data_ = std::move(fresh);
        cap_ = cap;
    }
    begin_ = 0;
    end_ = size;
    return data_.get() + end_;
}

void stream_buffer::append(const char* p, std::size_t n)
{
    char* dst = prepare(n);
    std::memmove(dst, p, n); // `p` may lie in this buffer (see buffer_updated)
    end_ += n;
}

// ---- stream_protocol --------------------------------------------------------------------

stream_protocol::stream_protocol(event_loop& loop, std::size_t limit)
    : sync_object("tulip::stream_reader")
    , loop_(&loop)
    , limit_(limit)
    , recv_size_(initial_recv)
{
    if (limit == 0)
        throw std::invalid_argument("stream limit must be positive");
    bind(loop);
}

stream_protocol::~stream_protocol()
{
    unbind();
}

std::shared_ptr<stream_protocol> make_stream_protocol(event_loop& loop, std::size_t limit)
{
    return std::make_shared<stream_protocol>(loop, limit);
}

stream_reader stream_protocol::reader()
{
    return stream_reader(shared_from_this());
}

stream_writer stream_protocol::writer()
{
    return stream_writer(shared_from_this());
}

void stream_protocol::connection_made(transport& t)
{
    transport_ = &t;
    transport_hold_ = t.shared_from_this();
    shared_area_ok_ = t.receives_synchronously();
    made_ = true;
    if (close_on_made_) {
        close();
        return;
    }
    update_flow();
    // Drains started before the connection wait for it.
    if (!write_paused_)
        drainers_.complete_all({}, delivery::posted);
}

void stream_protocol::connection_lost(std::exception_ptr exc)
{
    lost_ = true;
    if (exc) {
        lost_ec_ = code_of(exc);
        if (!exc_) {
            exc_ = exc;
            exc_code_ = lost_ec_;
        }
    }
    eof_ = true;
    transport_ = nullptr;
    paused_ = false;
    // The transport is inside its own callback: its last reference goes from the loop.
    if (transport_hold_)
        boost::asio::post(loop_->get_executor(), [t = std::move(transport_hold_)] {});
    boost::system::error_code drain_ec = lost_ec_;
    if (!drain_ec && !closing_)
        drain_ec = boost::asio::error::connection_reset; // asyncio: "Connection lost"
    drainers_.complete_all(drain_ec, delivery::posted);
    closers_.complete_all(lost_ec_, delivery::posted);
    on_input(delivery::dispatched);
}

void stream_protocol::pause_writing()
{
    write_paused_ = true;
}

void stream_protocol::resume_writing()
{
    write_paused_ = false;
    drainers_.complete_all({}, delivery::posted);
}

boost::asio::mutable_buffer stream_protocol::get_buffer(std::size_t)
{
    if (reader_ && kind_ == read_kind::into && buf_.empty() && into_.size()) {
        // Zero-copy: the waiting read_into receives straight into its own memory.
        handed_ = static_cast<const char*>(into_.data());
        handed_size_ = into_.size();
        return into_;
    }
    if (buf_.empty() && shared_area_ok_) {
        // An empty reader holds no receive buffer: the bytes land in the loop's shared
        // area and buffer_updated keeps what it receives (as much memory as bytes).
        std::span<char> area = loop_read_buffer(*loop_);
        handed_ = area.data();
        handed_size_ = area.size();
        return {area.data(), area.size()};
    }
    std::size_t want = recv_size_;
    if (reader_ && kind_ == read_kind::exactly && want_ > buf_.size())
        want = std::max(want, std::min(want_ - buf_.size(), max_exact_recv));
    char* p = buf_.prepare(want);
    handed_ = p;
    handed_size_ = buf_.tail_room();
    return {p, handed_size_};
}

void stream_protocol::buffer_updated(std::size_t n)
{
    const char* handed = handed_;
    handed_ = nullptr;
    if (n == 0)
        return;
    if (reader_ && kind_ == read_kind::into && handed == into_.data() && buf_.empty()) {
        read_waiter* op = reader_;
        reader_ = nullptr;
        readers_.remove(op);
        op->count = n;
        op->complete({}, delivery::dispatched);
        return;
    }
    if (n >= recv_size_ && recv_size_ < max_recv)
        recv_size_ *= 2;
    else if (n < recv_size_ / 4 && recv_size_ > min_recv)
        recv_size_ /= 2;
    if (handed != buf_.tail()) {
        // The loop's shared area, or the memory of a read_into cancelled meanwhile. A
        // waiting read(n) or readexactly(n) that these bytes alone complete takes its
        // bytes straight from there (one copy, not two); the rest is kept.
        if (reader_ && buf_.empty() && !exc_ && want_ > 0 &&
            (kind_ == read_kind::some || (kind_ == read_kind::exactly && n >= want_))) {
            std::size_t take = std::min(n, want_);
            read_waiter* op = reader_;
            reader_ = nullptr;
            readers_.remove(op);
            op->bytes.assign(handed, take);
            op->count = 0;
            if (take < n)
                buf_.append(handed + take, n - take);
            op->complete({}, delivery::dispatched);
            update_flow();
            return;
        }
        buf_.append(handed, n);
    } else {
        buf_.commit(n);
    }
    on_input(delivery::dispatched);
}

bool stream_protocol::eof_received()
{
    eof_ = true;
    on_input(delivery::dispatched);
    // Keep a half-closed connection open for writing where the transport can (asyncio:
    // not over TLS).
    return transport_ && transport_->can_write_eof();
}

void stream_protocol::set_transport(std::shared_ptr<transport> t) noexcept
{
    transport_ = t.get();
    transport_hold_ = std::move(t);
    shared_area_ok_ = transport_ && transport_->receives_synchronously();
    paused_ = false;
    update_flow();
}

std::string stream_protocol::take_buffered()
{
    std::string out(buf_.view());
    buf_.consume(buf_.size());
    return out;
}

void stream_protocol::feed_data(std::string_view data)
{
    if (eof_)
        throw invalid_state_error("stream_reader: feed_data after feed_eof");
    if (data.empty())
        return;
    buf_.append(data.data(), data.size());
    on_input(delivery::posted);
}

void stream_protocol::feed_eof()
{
    eof_ = true;
    on_input(delivery::posted);
}

void stream_protocol::set_exception(std::exception_ptr e)
{
    exc_ = std::move(e);
    exc_code_ = exc_ ? code_of(exc_) : boost::system::error_code();
    on_input(delivery::posted);
}

void stream_protocol::on_input(delivery d)
{
    if (reader_)
        wake_reader(d); // may run the reader, which may read again or close
    update_flow();
}

void stream_protocol::wake_reader(delivery d)
{
    read_outcome out;
    if (!evaluate(out))
        return;
    read_waiter* op = reader_;
    reader_ = nullptr;
    readers_.remove(op);
    op->bytes = std::move(out.bytes);
    op->count = out.count;
    op->complete(out.ec, d);
}

void stream_protocol::update_flow() noexcept
{
    if (!transport_ || lost_)
        return;
    if (paused_) {
        if (buf_.size() <= limit_ || reader_) {
            paused_ = false;
            transport_->resume_reading();
        }
    } else if (!reader_ && buf_.size() > 2 * limit_) {
        paused_ = true;
        transport_->pause_reading();
    }
}

void stream_protocol::consumed_front(std::size_t n) noexcept
{
    buf_.consume(n);
    // An idle reader holds no large buffer: what a burst grew goes once it is read.
    // Not while the transport holds memory of it.
    if (buf_.empty() && !handed_ &&
        (buf_.capacity() > 2 * recv_size_ || buf_.capacity() > max_recv ||
         (shared_area_ok_ && buf_.capacity() > idle_keep)))
        buf_.release();
}

void stream_protocol::take_front(std::size_t n, std::string& out)
{
    out.assign(buf_.data(), n);
    consumed_front(n);
}

bool stream_protocol::start_read(read_kind kind, std::size_t n, read_outcome& out)
{
    if (reader_) {
        out.ec = error::invalid_state;
        return true;
    }
    kind_ = kind;
    want_ = n;
    if (!evaluate(out))
        return false;
    update_flow();
    return true;
}

bool stream_protocol::start_read_until(std::span<const std::string_view> seps, bool line,
                                       read_outcome& out)
{
    if (reader_) {
        out.ec = error::invalid_state;
        return true;
    }
    kind_ = line ? read_kind::line : read_kind::until;
    sep_bytes_.clear();
    sep_ends_.clear();
    for (std::string_view s : seps) {
        sep_bytes_.append(s);
        sep_ends_.push_back(sep_bytes_.size());
    }
    scanned_ = 0;
    if (!evaluate(out))
        return false;
    update_flow();
    return true;
}

bool stream_protocol::start_read_into(boost::asio::mutable_buffer b, read_outcome& out)
{
    if (reader_) {
        out.ec = error::invalid_state;
        return true;
    }
    kind_ = read_kind::into;
    into_ = b;
    if (!evaluate(out))
        return false;
    update_flow();
    return true;
}

bool stream_protocol::evaluate(read_outcome& out)
{
    if (exc_) {
        out.ec = exc_code_;
        return true;
    }
    const std::size_t size = buf_.size();
    switch (kind_) {
    case read_kind::some:
        if (want_ == 0)
            return true;
        if (size) {
            take_front(std::min(want_, size), out.bytes);
            return true;
        }
        return eof_;
    case read_kind::all:
        if (!eof_)
            return false;
        take_front(size, out.bytes);
        return true;
    case read_kind::exactly:
        if (size >= want_) {
            take_front(want_, out.bytes);
            return true;
        }
        if (!eof_)
            return false;
        take_front(size, out.bytes);
        out.ec = error::incomplete_read;
        return true;
    case read_kind::into:
        if (into_.size() == 0)
            return true;
        if (size) {
            std::size_t n = std::min(size, into_.size());
            std::memcpy(into_.data(), buf_.data(), n);
            consumed_front(n);
            out.count = n;
            return true;
        }
        return eof_;
    case read_kind::until:
    case read_kind::line:
        return evaluate_until(out);
    }
    return false;
}

bool stream_protocol::evaluate_until(read_outcome& out)
{
    const std::string_view v = buf_.view();
    const std::size_t size = v.size();
    std::size_t max_len = 0;
    std::size_t best_start = std::string_view::npos;
    std::size_t best_end = std::string_view::npos;
    std::size_t begin = 0;
    for (std::size_t end : sep_ends_) {
        std::string_view sep(sep_bytes_.data() + begin, end - begin);
        begin = end;
        max_len = std::max(max_len, sep.size());
        std::size_t pos = v.find(sep, scanned_);
        if (pos != std::string_view::npos && pos + sep.size() < best_end) {
            best_start = pos;
            best_end = pos + sep.size();
        }
    }
    bool found = best_end != std::string_view::npos;
    std::size_t consumed;
    if (found) {
        if (best_start <= limit_) {
            take_front(best_end, out.bytes);
            return true;
        }
        consumed = best_start;
    } else {
        // Where the next search starts: a match may still end in bytes to come.
        scanned_ = size + 1 > max_len ? size + 1 - max_len : 0;
        if (scanned_ <= limit_) {
            if (!eof_)
                return false;
            take_front(size, out.bytes);
            if (kind_ == read_kind::until)
                out.ec = error::incomplete_read;
            return true;
        }
        consumed = scanned_;
    }
    overrun_consumed_ = consumed;
    overrun_found_ = found;
    out.ec = error::limit_overrun;
    if (kind_ == read_kind::line) {
        // asyncio's readline: the over-long line goes (through its separator if found).
        consumed_front(found ? best_end : size);
    }
    return true;
}

void stream_protocol::cancel_waiter(sync_waiter* w)
{
    switch (w->tag) {
    case stream_reader_tag:
        readers_.remove(w);
        reader_ = nullptr;
        w->complete(boost::asio::error::operation_aborted, delivery::posted);
        update_flow(); // no read waits now: the buffer may be over its bound
        return;
    case stream_drain_tag:
        drainers_.remove(w);
        break;
    default:
        closers_.remove(w);
        break;
    }
    w->complete(boost::asio::error::operation_aborted, delivery::posted);
}

void stream_protocol::abandon_waiters() noexcept
{
    reader_ = nullptr;
    readers_.destroy_all();
    drainers_.destroy_all();
    closers_.destroy_all();
    // The loop ends before connection_lost: the transport, which holds this protocol, is
    // let go here, or the pair would keep each other alive. Last: it may free `this`.
    transport_ = nullptr;
    lost_ = true;
    if (!lost_ec_)
        lost_ec_ = error::loop_closed;
    std::shared_ptr<transport> hold = std::move(transport_hold_);
}

void stream_protocol::fail_waiters_on_destroy() noexcept
{
    reader_ = nullptr;
    readers_.complete_all(boost::asio::error::operation_aborted, delivery::posted);
    drainers_.complete_all(boost::asio::error::operation_aborted, delivery::posted);
    closers_.complete_all(boost::asio::error::operation_aborted, delivery::posted);
}

// ---- the writer's side ------------------------------------------------------------------

void stream_protocol::write(const boost::asio::const_buffer* bufs, std::size_t n)
{
    // asyncio raises too ("unable to write; sendfile is in progress"): a write now would
    // land in the middle of the file.
    if (sendfile_active_ && !closing_)
        throw invalid_state_error("stream_writer: write while a sendfile is in progress");
    write_unguarded(bufs, n);
}

bool stream_protocol::sendfile_start(boost::system::error_code& ec) noexcept
{
    if (exc_)
        ec = exc_code_;
    else if (lost_)
        ec = lost_ec_ ? lost_ec_ : make_error_code(boost::asio::error::connection_reset);
    else if (closing_ || eof_sent_ || !transport_ || sendfile_active_)
        ec = make_error_code(error::invalid_state);
    if (ec)
        return false;
    sendfile_active_ = true;
    return true;
}

void stream_protocol::write_unguarded(const boost::asio::const_buffer* bufs, std::size_t n)
{
    if (closing_)
        throw invalid_state_error("stream_writer: write after close()");
    if (eof_sent_)
        throw invalid_state_error("stream_writer: write after write_eof()");
    if (lost_) {
        if (lost_ec_)
            throw boost::system::system_error(lost_ec_, "stream_writer: connection lost");
        throw boost::system::system_error(boost::asio::error::connection_reset,
                                          "stream_writer: connection lost");
    }
    if (!transport_)
        throw invalid_state_error("stream_writer: write before the connection is made");
    if (n == 1) {
        transport_->write(bufs[0]);
        return;
    }
    std::string_view views[16];
    for (std::size_t i = 0; i < n; ++i)
        views[i] = std::string_view(static_cast<const char*>(bufs[i].data()), bufs[i].size());
    transport_->writelines(std::span<const std::string_view>(views, n));
}

void stream_protocol::write_eof()
{
    if (eof_sent_ || closing_ || lost_ || !transport_)
        return;
    eof_sent_ = true;
    transport_->write_eof();
}

bool stream_protocol::can_write_eof() const noexcept
{
    return transport_ && transport_->can_write_eof();
}

void stream_protocol::close() noexcept
{
    if (closing_)
        return;
    closing_ = true;
    if (transport_ && !lost_)
        transport_->close();
    else if (!made_)
        close_on_made_ = true;
}

void stream_protocol::abort() noexcept
{
    closing_ = true;
    if (transport_ && !lost_)
        transport_->abort();
    else if (!made_)
        close_on_made_ = true;
}

bool stream_protocol::is_closing() const noexcept
{
    return closing_ || lost_ || (transport_ && transport_->is_closing());
}

bool stream_protocol::drain_ready(boost::system::error_code& ec) const noexcept
{
    if (exc_) {
        ec = exc_code_;
        return true;
    }
    if (lost_) {
        if (!closing_)
            ec = boost::asio::error::connection_reset;
        return true;
    }
    if (closing_ && made_)
        return false; // waits for the close
    return made_ && !write_paused_;
}

bool stream_protocol::closed_ready(boost::system::error_code& ec) const noexcept
{
    if (!lost_)
        return false;
    ec = lost_ec_;
    return true;
}

void stream_protocol::on_last_writer() noexcept
{
    if (made_)
        close();
    else
        close_on_made_ = true;
}

void stream_protocol::describe(std::string& out, const void* self)
{
    auto* p = static_cast<const stream_protocol*>(static_cast<const sync_object*>(self));
    transport* t = p->transport_;
    if (!t)
        return;
    if (auto ep = t->get_extra_info<boost::asio::ip::tcp::endpoint>("peername")) {
        out += ' ';
        if (ep->address().is_v6())
            out += '[' + ep->address().to_string() + ']';
        else
            out += ep->address().to_string();
        out += ':' + std::to_string(ep->port());
    } else if (auto lp =
                   t->get_extra_info<boost::asio::local::stream_protocol::endpoint>("peername")) {
        out += ' ';
        out += lp->path();
    }
}

} // namespace detail

stream_reader::stream_reader(event_loop& loop, std::size_t limit)
    : p_(detail::make_stream_protocol(loop, limit))
{}

} // namespace boost::tulip
