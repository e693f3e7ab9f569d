//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/file.hpp>

#include <boost/tulip/threads.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#if defined(BOOST_ASIO_HAS_FILE)
#include <boost/asio/random_access_file.hpp>
#endif
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace boost::tulip {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
namespace errc = boost::system::errc;
using detail::file_result;

constexpr std::size_t chunk_size = 64 * 1024;
// read(n) fills the read-ahead to at least this much per kernel call: each kernel round
// trip (an io_uring submission and completion, or a thread hop) costs more than copying
// the bytes again, so sequential 64 KiB reads are served from one 512 KiB read in eight.
constexpr std::size_t read_ahead = 512 * 1024;
// ... and at most this much.
constexpr std::size_t max_read_call = 4 * 1024 * 1024;

error_code errno_code(int e) noexcept
{
    return error_code(e, boost::system::system_category());
}

// The descriptor, shared with the thread-pool jobs that use it: a job still running after
// its operation was cancelled keeps it open, so its number cannot be reused under it by
// another open(2). The last owner closes it.
struct fd_owner
{
    int fd;
    explicit fd_owner(int f) noexcept
        : fd(f)
    {}
    fd_owner(const fd_owner&) = delete;
    fd_owner& operator=(const fd_owner&) = delete;
    ~fd_owner()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

// The logic both backends share: the position, the read-ahead buffer, the one-operation
// rule. A backend supplies one read and one write at an offset.
class buffered_file : public detail::file_state
{
public:
    buffered_file(event_loop& loop, std::filesystem::path path, detail::file_mode mode, int fd)
        : file_state(loop, std::move(path))
        , fd_(fd)
        , mode_(mode)
    {}

    asio::awaitable<file_result<std::string>> read(std::ptrdiff_t n) override
    {
        if (auto ec = begin(mode_.readable))
            co_return file_result<std::string>{ec, {}};
        busy_guard guard{this};
        // Everything read goes into the buffer first: a failure or a cancellation part-way
        // leaves the bytes there and the position unchanged.
        bool eof = false;
        while (n < 0 || available() < static_cast<std::size_t>(n)) {
            std::size_t missing =
                n < 0 ? max_read_call
                      : std::min(max_read_call, static_cast<std::size_t>(n) - available());
            error_code ec = co_await fill(fill_size(missing), eof);
            if (ec)
                co_return file_result<std::string>{ec, {}};
            if (eof)
                break;
        }
        std::size_t take = n < 0 ? available() : std::min(available(), static_cast<std::size_t>(n));
        co_return file_result<std::string>{{}, take_front(take)};
    }

    bool read_buffered(std::ptrdiff_t n, std::string& out) override
    {
        if (closed_ || busy_ || !mode_.readable || n < 0 ||
            available() < static_cast<std::size_t>(n))
            return false;
        out = take_front(static_cast<std::size_t>(n));
        return true;
    }

    bool readline_buffered(std::string& out) override
    {
        if (closed_ || busy_ || !mode_.readable)
            return false;
        auto nl = buffered().find('\n');
        if (nl == std::string_view::npos)
            return false;
        out = take_front(nl + 1);
        return true;
    }

    asio::awaitable<file_result<std::string>> readline() override
    {
        if (auto ec = begin(mode_.readable))
            co_return file_result<std::string>{ec, {}};
        busy_guard guard{this};
        std::size_t scanned = 0;
        for (;;) {
            std::string_view v = buffered();
            auto nl = v.find('\n', scanned);
            if (nl != std::string_view::npos)
                co_return file_result<std::string>{{}, take_front(nl + 1)};
            scanned = v.size();
            bool eof = false;
            error_code ec = co_await fill(fill_size(chunk_size), eof);
            if (ec)
                co_return file_result<std::string>{ec, {}};
            if (eof)
                co_return file_result<std::string>{{}, take_front(available())};
        }
    }

    asio::awaitable<file_result<std::size_t>> write(std::string data) override
    {
        if (auto ec = begin(mode_.writable))
            co_return file_result<std::size_t>{ec, 0};
        busy_guard guard{this};
        // The read-ahead is dropped: the write goes where the reader is (Python's rule).
        pos_ = logical();
        drop_buffered();
        auto shared = std::make_shared<const std::string>(std::move(data));
        std::size_t done = 0;
        error_code ec;
        while (done < shared->size()) {
            auto [wec, n] = co_await write_at(pos_, shared, done);
            if (wec) {
                ec = wec;
                break;
            }
            if (n == 0) {
                ec = errc::make_error_code(errc::no_space_on_device);
                break;
            }
            done += n;
            pos_ += n;
        }
        if (mode_.append) {
            // O_APPEND wrote at the end, whatever the offset: the position is the end.
            off_t end = ::lseek(native_handle(), 0, SEEK_END);
            if (end >= 0)
                pos_ = static_cast<std::uint64_t>(end);
        }
        co_return file_result<std::size_t>{ec, done};
    }

    asio::awaitable<file_result<std::uint64_t>> seek(std::int64_t offset,
                                                     seek_origin origin) override
    {
        if (auto ec = begin(true))
            co_return file_result<std::uint64_t>{ec, 0};
        busy_guard guard{this};
        std::int64_t base = 0;
        if (origin == seek_origin::current)
            base = static_cast<std::int64_t>(logical());
        else if (origin == seek_origin::end) {
            struct stat st
            {};
            if (::fstat(native_handle(), &st) < 0)
                co_return file_result<std::uint64_t>{errno_code(errno), 0};
            base = st.st_size;
        }
        std::int64_t to = base + offset;
        if (to < 0)
            co_return file_result<std::uint64_t>{errc::make_error_code(errc::invalid_argument), 0};
        pos_ = static_cast<std::uint64_t>(to);
        drop_buffered();
        co_return file_result<std::uint64_t>{{}, pos_};
    }

    asio::awaitable<file_result<std::uint64_t>> tell() override
    {
        if (auto ec = begin(true))
            co_return file_result<std::uint64_t>{ec, 0};
        busy_guard guard{this};
        co_return file_result<std::uint64_t>{{}, logical()};
    }

    asio::awaitable<file_result<bool>> flush() override
    {
        if (auto ec = begin(true))
            co_return file_result<bool>{ec, false};
        busy_guard guard{this};
        co_return file_result<bool>{{}, true};
    }

    asio::awaitable<file_result<bool>> close() override
    {
        if (closed_)
            co_return file_result<bool>{{}, true};
        if (busy_)
            co_return file_result<bool>{make_error_code(error::invalid_state), false};
        closed_ = true;
        drop_buffered();
        release_buffer();
        co_return file_result<bool>{close_descriptor(), true};
    }

    int native_handle() const noexcept override { return closed_ ? -1 : fd_; }

protected:
    // One read at `offset` of at most `max` bytes into `into` (the read-ahead's free
    // space, which stays valid until the read completes); 0 at the end of the file.
    virtual asio::awaitable<file_result<std::size_t>> read_at(std::uint64_t offset, char* into,
                                                              std::size_t max) = 0;
    // One write at `offset` of `(*data)[from...]`; returns the bytes written.
    virtual asio::awaitable<file_result<std::size_t>>
    write_at(std::uint64_t offset, std::shared_ptr<const std::string> data, std::size_t from) = 0;
    virtual error_code close_descriptor() noexcept = 0;

    int fd_;

private:
    struct busy_guard
    {
        buffered_file* f;
        ~busy_guard() { f->busy_ = false; }
    };

    // The checks every operation starts with; on success the file is busy.
    error_code begin(bool allowed) noexcept
    {
        if (closed_ || busy_ || !allowed)
            return make_error_code(error::invalid_state);
        busy_ = true;
        return {};
    }

    std::size_t available() const noexcept { return rend_ - rhead_; }
    std::uint64_t logical() const noexcept { return pos_ - available(); }
    std::string_view buffered() const noexcept { return {rbuf_.get() + rhead_, available()}; }

    // What a kernel read asks for: what is missing, and at least enough to hold
    // `read_ahead` bytes in all.
    std::size_t fill_size(std::size_t missing) const noexcept
    {
        return available() < read_ahead ? std::max(missing, read_ahead - available()) : missing;
    }

    void drop_buffered() noexcept { rhead_ = rend_ = 0; }
    void release_buffer() noexcept
    {
        rbuf_.reset();
        rcap_ = 0;
    }

    // Appends up to `want` bytes read at the position to the buffer. The kernel reads
    // straight into it: no zero-filling, no allocation per read once it has its size.
    asio::awaitable<error_code> fill(std::size_t want, bool& eof)
    {
        if (rcap_ - rend_ < want) {
            std::size_t held = available();
            if (held + want <= rcap_) {
                std::memmove(rbuf_.get(), rbuf_.get() + rhead_, held);
            } else {
                std::size_t cap = std::max(held + want, rcap_ + rcap_ / 2);
                std::unique_ptr<char[]> bigger(new char[cap]); // not zero-filled
                if (held > 0)
                    std::memcpy(bigger.get(), rbuf_.get() + rhead_, held);
                rbuf_ = std::move(bigger);
                rcap_ = cap;
            }
            rhead_ = 0;
            rend_ = held;
        }
        auto [ec, n] = co_await read_at(pos_, rbuf_.get() + rend_, want);
        if (ec)
            co_return ec;
        if (n == 0) {
            eof = true;
            co_return error_code{};
        }
        rend_ += n;
        pos_ += n;
        co_return error_code{};
    }

    std::string take_front(std::size_t n)
    {
        std::string out(rbuf_.get() + rhead_, n);
        rhead_ += n;
        if (rhead_ == rend_) {
            drop_buffered();
            // A read to the end may have grown the buffer to the file's size: not kept.
            if (rcap_ > max_read_call + read_ahead)
                release_buffer();
        }
        return out;
    }

    detail::file_mode mode_;
    std::uint64_t pos_ = 0; // where the next kernel read starts (the end of the buffer)
    // The read-ahead: bytes [rhead_, rend_) of rbuf_ (rcap_ bytes), read from the file
    // just before pos_.
    std::unique_ptr<char[]> rbuf_;
    std::size_t rcap_ = 0;
    std::size_t rhead_ = 0;
    std::size_t rend_ = 0;
    bool busy_ = false;
    bool closed_ = false;
};

// Blocking pread/pwrite on the loop's default executor (aiofiles' model).
class pool_file final : public buffered_file
{
public:
    pool_file(event_loop& loop, std::filesystem::path path, detail::file_mode mode,
              std::shared_ptr<fd_owner> fd)
        : buffered_file(loop, std::move(path), mode, fd->fd)
        , owner_(std::move(fd))
    {}

    file_backend backend() const noexcept override { return file_backend::thread_pool; }

protected:
    asio::awaitable<file_result<std::size_t>> read_at(std::uint64_t offset, char* into,
                                                      std::size_t max) override
    {
        // The job reads into a buffer of its own: after a cancellation it still runs, and
        // must not write into the file's read-ahead then.
        struct chunk
        {
            error_code ec;
            std::size_t n = 0;
            std::unique_ptr<char[]> bytes;
        };
        auto job = [owner = owner_, offset, max] {
            chunk c{{}, 0, std::unique_ptr<char[]>(new char[max])}; // not zero-filled
            ssize_t n;
            do
                n = ::pread(owner->fd, c.bytes.get(), max, static_cast<off_t>(offset));
            while (n < 0 && errno == EINTR);
            if (n < 0)
                c.ec = errno_code(errno);
            else
                c.n = static_cast<std::size_t>(n);
            return c;
        };
        chunk c = co_await to_thread(std::move(job));
        if (c.n > 0)
            std::memcpy(into, c.bytes.get(), c.n);
        co_return file_result<std::size_t>{c.ec, c.n};
    }

    asio::awaitable<file_result<std::size_t>> write_at(std::uint64_t offset,
                                                       std::shared_ptr<const std::string> data,
                                                       std::size_t from) override
    {
        auto job = [owner = owner_, offset, data = std::move(data), from] {
            ssize_t n;
            do
                n = ::pwrite(owner->fd, data->data() + from, data->size() - from,
                             static_cast<off_t>(offset));
            while (n < 0 && errno == EINTR);
            if (n < 0)
                return file_result<std::size_t>{errno_code(errno), 0};
            return file_result<std::size_t>{{}, static_cast<std::size_t>(n)};
        };
        co_return co_await to_thread(std::move(job));
    }

    error_code close_descriptor() noexcept override
    {
        auto owner = std::move(owner_);
        if (owner.use_count() > 1)
            return {}; // a cancelled job still runs: it closes the descriptor when done
        int fd = std::exchange(owner->fd, -1);
        if (::close(fd) < 0)
            return errno_code(errno);
        return {};
    }

private:
    std::shared_ptr<fd_owner> owner_;
};

#if defined(BOOST_ASIO_HAS_FILE)
// io_uring through Asio's random_access_file: reads and writes at an offset, submitted
// from the loop's thread.
class uring_file final : public buffered_file
{
public:
    uring_file(event_loop& loop, std::filesystem::path path, detail::file_mode mode,
               asio::random_access_file f)
        : buffered_file(loop, std::move(path), mode, f.native_handle())
        , file_(std::move(f))
    {}

    file_backend backend() const noexcept override { return file_backend::io_uring; }

protected:
    asio::awaitable<file_result<std::size_t>> read_at(std::uint64_t offset, char* into,
                                                      std::size_t max) override
    {
        // Asio completes the read only once the kernel is done with `into`, also after a
        // cancellation (the request stays queued until its completion arrives).
        auto [ec, n] = co_await file_.async_read_some_at(offset, asio::buffer(into, max),
                                                         asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::eof)
            co_return file_result<std::size_t>{{}, 0};
        co_return file_result<std::size_t>{ec, ec ? 0 : n};
    }

    asio::awaitable<file_result<std::size_t>> write_at(std::uint64_t offset,
                                                       std::shared_ptr<const std::string> data,
                                                       std::size_t from) override
    {
        auto [ec, n] = co_await file_.async_write_some_at(
            offset, asio::buffer(data->data() + from, data->size() - from),
            asio::as_tuple(asio::use_awaitable));
        co_return file_result<std::size_t>{ec, n};
    }

    error_code close_descriptor() noexcept override
    {
        error_code ec;
        file_.close(ec);
        return ec;
    }

private:
    asio::random_access_file file_;
};
#endif

} // namespace

bool file_io_uring_built() noexcept
{
#if defined(BOOST_ASIO_HAS_FILE)
    return true;
#else
    return false;
#endif
}

file_backend async_file::backend() const noexcept
{
    return s_->backend();
}
int async_file::native_handle() const noexcept
{
    return s_ ? s_->native_handle() : -1;
}
bool async_file::is_open() const noexcept
{
    return native_handle() >= 0;
}
const std::filesystem::path& async_file::path() const noexcept
{
    return s_->path();
}

namespace detail {

file_mode parse_file_mode(std::string_view mode)
{
    // Python's rules: one of r, w, a, x; at most one of b, t; an optional +.
    int kind = 0, plus = 0, b = 0, t = 0;
    char main = 0;
    for (char c : mode) {
        switch (c) {
        case 'r':
        case 'w':
        case 'a':
        case 'x':
            ++kind;
            main = c;
            break;
        case '+':
            ++plus;
            break;
        case 'b':
            ++b;
            break;
        case 't':
            ++t;
            break;
        default:
            kind = 99;
        }
    }
    if (kind != 1 || plus > 1 || b > 1 || t > 1 || (b && t))
        throw std::invalid_argument("open_file: invalid mode '" + std::string(mode) + "'");
    file_mode m;
    bool rw = plus == 1;
    m.readable = main == 'r' || rw;
    m.writable = main != 'r' || rw;
    m.append = main == 'a';
    int acc = rw ? O_RDWR : (main == 'r' ? O_RDONLY : O_WRONLY);
    int extra = 0;
    if (main == 'w')
        extra = O_CREAT | O_TRUNC;
    else if (main == 'a')
        extra = O_CREAT | O_APPEND;
    else if (main == 'x')
        extra = O_CREAT | O_EXCL;
    m.flags = acc | extra | O_CLOEXEC;
    return m;
}

error_code file_error_of(const std::exception_ptr& e) noexcept
{
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& se) {
        return se.code();
    } catch (const std::bad_alloc&) {
        return errc::make_error_code(errc::not_enough_memory);
    } catch (...) {
        return make_error_code(error::invalid_state);
    }
}

asio::awaitable<file_result<std::shared_ptr<file_state>>>
file_state::open(std::filesystem::path path, file_mode mode, file_backend backend)
{
    using result = file_result<std::shared_ptr<file_state>>;
    event_loop& loop = get_running_loop();
#if !defined(BOOST_ASIO_HAS_FILE)
    if (backend == file_backend::io_uring)
        co_return result{errc::make_error_code(errc::operation_not_supported), nullptr};
    backend = file_backend::thread_pool;
#endif
    // open(2) of a local file does not wait for a device; it runs on the loop's thread.
    int fd;
    do
        fd = ::open(path.c_str(), mode.flags, 0666);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        co_return result{errno_code(errno), nullptr};
    auto owner = std::make_shared<fd_owner>(fd);
    struct stat st
    {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        co_return result{errc::make_error_code(errc::is_a_directory), nullptr};
#if defined(BOOST_ASIO_HAS_FILE)
    if (backend != file_backend::thread_pool) {
        try {
            // The first file of an io_context makes Asio set up its io_uring ring, which
            // a kernel or a sandbox may refuse.
            asio::random_access_file f(loop.get_io_context(), owner->fd);
            owner->fd = -1;
            co_return result{
                {}, std::make_shared<uring_file>(loop, std::move(path), mode, std::move(f))};
        } catch (const boost::system::system_error& e) {
            if (backend == file_backend::io_uring)
                co_return result{e.code(), nullptr};
        }
    }
#endif
    co_return result{{},
                     std::make_shared<pool_file>(loop, std::move(path), mode, std::move(owner))};
}

async_generator<std::string> file_lines(async_file f)
{
    for (;;) {
        std::string line = co_await f.readline();
        if (line.empty())
            co_return;
        co_yield std::move(line);
    }
}

} // namespace detail
} // namespace boost::tulip
