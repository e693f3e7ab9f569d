//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_SENDFILE_HPP
#define BOOST_TULIP_IMPL_SENDFILE_HPP

#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>

namespace boost::tulip::detail {

// ---- the system calls (sendfile.cpp) ----------------------------------------------------

// What one run of sendfile(2) calls ended with.
enum class sendfile_status : unsigned char
{
    done,        // `want` bytes are sent
    eof,         // the file ended first
    would_block, // the socket buffer is full: wait for writability
    refused,     // the kernel cannot send this file (EINVAL, ENOSYS, ...): nothing was sent
    failed,      // `ec` says why
};

// Calls sendfile(2) from `fd` at `offset + sent` to the non-blocking socket `sock` until
// `sent == want` or one of the other outcomes; SIGPIPE is held back around the calls.
// `refused` only while `sent` is 0 on entry and nothing went out. `sigpipe_ignored`, when
// not null, is a connection's memory of SIGPIPE's disposition (0 at first): once a run
// finds it ignored (or sets it so at its default) later runs skip the look, until Tulip's
// own signal handlers change the disposition. Null: looked at on every run.
sendfile_status sendfile_run(int sock, int fd, std::uint64_t offset, std::size_t want,
                             std::size_t& sent, boost::system::error_code& ec,
                             unsigned* sigpipe_ignored = nullptr) noexcept;

struct file_probe
{
    bool regular = false;
    std::uint64_t size = 0;
};
// fstat(2) of the descriptor.
file_probe probe_file(int fd, boost::system::error_code& ec) noexcept;

// Reads at most `n` bytes: pread at `pos` for a regular file, read otherwise (a pipe).
// EAGAIN becomes asio::error::would_block.
std::size_t read_file(int fd, bool regular, std::uint64_t pos, char* buf, std::size_t n,
                      boost::system::error_code& ec) noexcept;

// lseek(fd, pos, SEEK_SET), errors ignored (a pipe has no position).
void set_file_position(int fd, std::uint64_t pos) noexcept;

// A close-on-exec duplicate of `fd` (to watch a pipe's readiness without owning it).
int duplicate_descriptor(int fd, boost::system::error_code& ec) noexcept;

// ---- the operation ----------------------------------------------------------------------

template <class Stream>
struct is_stream_socket : std::false_type
{};
template <class Protocol, class Executor>
struct is_stream_socket<boost::asio::basic_stream_socket<Protocol, Executor>> : std::true_type
{};

template <class Stream>
class sendfile_op
{
public:
    sendfile_op(Stream& s, sendfile_source src, std::uint64_t offset, std::size_t count,
                bool fallback, unsigned* sigpipe_ignored) noexcept
        : s_(&s)
        , src_(src)
        , offset_(offset)
        , want_(count)
        , fallback_(fallback)
        , sigpipe_ignored_(sigpipe_ignored)
    {}

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0)
    {
        switch (state_) {
        case state::starting:
            start(self);
            return;
        case state::waiting_socket:
            if (!ec && self.cancelled() != boost::asio::cancellation_type::none)
                ec = boost::asio::error::operation_aborted;
            if (ec)
                return finish(self, ec);
            send_native(self);
            return;
        case state::waiting_file:
            if (!ec && self.cancelled() != boost::asio::cancellation_type::none)
                ec = boost::asio::error::operation_aborted;
            if (ec)
                return finish(self, ec);
            readable_ = true;
            read_chunk(self);
            return;
        case state::writing:
            sent_ += n;
            if (!ec && self.cancelled() != boost::asio::cancellation_type::none)
                ec = boost::asio::error::operation_aborted;
            if (ec || sent_ == want_)
                return finish(self, ec);
            read_chunk(self);
            return;
        case state::finishing:
            self.complete(result_, sent_);
            return;
        }
    }

private:
    enum class state : unsigned char
    {
        starting,
        waiting_socket,
        waiting_file,
        writing,
        finishing,
    };

    template <class Self>
    void start(Self& self)
    {
        namespace asio = boost::asio;
        // The bytes sent are known to the caller: partial cancellation is honoured.
        self.reset_cancellation_state(asio::enable_partial_cancellation());
        boost::system::error_code ec;
        if (src_.fd < 0)
            return finish(self, asio::error::bad_descriptor);
        if (want_ == 0) {
            // To the end: the size is needed. With a count, sendfile(2) itself tells
            // (ESPIPE for a pipe, before anything moved), which saves an fstat per file.
            file_probe fp = probe(ec);
            if (ec)
                return finish(self, ec);
            if (!regular_)
                want_ = std::numeric_limits<std::size_t>::max();
            else if (fp.size > offset_)
                want_ = static_cast<std::size_t>(std::min<std::uint64_t>(
                    fp.size - offset_, std::numeric_limits<std::size_t>::max()));
            else
                return finish(self, {});
        }
        if constexpr (is_stream_socket<Stream>::value) {
            // Asio sets this on a socket's first asynchronous operation; asking again
            // would cost an ioctl per file.
            if (!s_->native_non_blocking())
                s_->native_non_blocking(true, ec);
            if (ec)
                return finish(self, ec);
            send_native(self);
        } else {
            if (!fallback_)
                return finish(self, error::sendfile_not_available);
            start_fallback(self);
        }
    }

    template <class Self>
    void send_native(Self& self)
    {
        if constexpr (is_stream_socket<Stream>::value) {
            boost::system::error_code ec;
            switch (sendfile_run(s_->native_handle(), src_.fd, offset_, want_, sent_, ec,
                                 sigpipe_ignored_)) {
            case sendfile_status::done:
            case sendfile_status::eof:
                return finish(self, {});
            case sendfile_status::would_block:
                state_ = state::waiting_socket;
                s_->async_wait(boost::asio::socket_base::wait_write, std::move(self));
                return;
            case sendfile_status::refused:
                if (!fallback_)
                    return finish(self, error::sendfile_not_available);
                return start_fallback(self);
            case sendfile_status::failed:
                return finish(self, ec);
            }
        }
    }

    // What the file is; `regular_` stays true (the guess) until this runs.
    file_probe probe(boost::system::error_code& ec) noexcept
    {
        file_probe fp = probe_file(src_.fd, ec);
        probed_ = true;
        regular_ = !ec && fp.regular;
        return fp;
    }

    template <class Self>
    void start_fallback(Self& self)
    {
        if (!probed_) {
            boost::system::error_code ec;
            probe(ec);
            if (ec)
                return finish(self, ec);
        }
        if (!regular_ && offset_ != 0) // a pipe cannot start anywhere but where it is
            return finish(self,
                          boost::system::error_code(ESPIPE, boost::system::system_category()));
        chunk_.reset(new char[sendfile_fallback_chunk]);
        read_chunk(self);
    }

    template <class Self>
    void read_chunk(Self& self)
    {
        boost::system::error_code ec;
        if (!regular_ && !readable_)
            return wait_file(self);
        // A pipe is read only after the loop saw it readable: then even a blocking one
        // returns what is there, and the loop never stalls on it.
        readable_ = false;
        std::size_t ask = std::min(want_ - sent_, sendfile_fallback_chunk);
        std::size_t n = read_file(src_.fd, regular_, offset_ + sent_, chunk_.get(), ask, ec);
        if (ec == boost::asio::error::would_block)
            return wait_file(self);
        if (ec)
            return finish(self, ec);
        if (n == 0)
            return finish(self, {});
        state_ = state::writing;
        boost::asio::async_write(*s_, boost::asio::buffer(chunk_.get(), n), std::move(self));
    }

    template <class Self>
    void wait_file(Self& self)
    {
        if (!watch_) {
            boost::system::error_code ec;
            int dup = duplicate_descriptor(src_.fd, ec);
            if (ec)
                return finish(self, ec);
            watch_ =
                std::make_unique<boost::asio::posix::stream_descriptor>(s_->get_executor(), dup);
        }
        state_ = state::waiting_file;
        watch_->async_wait(boost::asio::posix::descriptor_base::wait_read, std::move(self));
    }

    template <class Self>
    void finish(Self& self, boost::system::error_code ec)
    {
        if (src_.has_position && src_.fd >= 0 && regular_)
            set_file_position(src_.fd, offset_ + sent_);
        result_ = ec;
        watch_.reset();
        chunk_.reset();
        if (state_ == state::starting) {
            // Never complete inside the initiating function (Asio's rule): post.
            state_ = state::finishing;
            boost::asio::post(std::move(self));
            return;
        }
        state_ = state::finishing;
        self.complete(result_, sent_);
    }

    Stream* s_;
    sendfile_source src_;
    std::uint64_t offset_;
    std::size_t want_;
    bool fallback_;
    unsigned* sigpipe_ignored_; // a connection's memory (stream_writer::sendfile), or null
    bool regular_ = true;       // until probed_: what sendfile(2) accepts with an offset is
    bool probed_ = false;       // seekable, so the offset is set after it
    bool readable_ = false;     // a pipe: the loop saw it readable
    state state_ = state::starting;
    std::size_t sent_ = 0;
    boost::system::error_code result_;
    std::unique_ptr<char[]> chunk_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> watch_;
};

template <class Stream, class CompletionToken>
auto async_sendfile_op(Stream& s, sendfile_source src, std::uint64_t offset, std::size_t count,
                       bool fallback, unsigned* sigpipe_ignored, CompletionToken&& token)
{
    return boost::asio::async_compose<CompletionToken,
                                      void(boost::system::error_code, std::size_t)>(
        sendfile_op<Stream>(s, src, offset, count, fallback, sigpipe_ignored), token, s);
}

} // namespace boost::tulip::detail

namespace boost::tulip {

template <class AsyncWriteStream, detail::sendfile_file File, detail::not_bool CompletionToken>
auto async_sendfile(AsyncWriteStream& stream, File&& file, std::uint64_t offset, std::size_t count,
                    CompletionToken&& token)
{
    return detail::async_sendfile_op(stream, detail::to_sendfile_source(file), offset, count, true,
                                     nullptr, static_cast<CompletionToken&&>(token));
}

template <class AsyncWriteStream, detail::sendfile_file File, class CompletionToken>
auto async_sendfile(AsyncWriteStream& stream, File&& file, std::uint64_t offset, std::size_t count,
                    bool fallback, CompletionToken&& token)
{
    return detail::async_sendfile_op(stream, detail::to_sendfile_source(file), offset, count,
                                     fallback, nullptr, static_cast<CompletionToken&&>(token));
}

template <class Socket, class File, class CompletionToken>
auto event_loop::sock_sendfile(Socket& sock, File&& file, std::uint64_t offset, std::size_t count,
                               bool fallback, CompletionToken&& token)
{
    return async_sendfile(sock, static_cast<File&&>(file), offset, count, fallback,
                          static_cast<CompletionToken&&>(token));
}

} // namespace boost::tulip

#endif
