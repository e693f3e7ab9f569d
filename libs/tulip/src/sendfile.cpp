//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/sendfile.hpp>

#include <boost/asio/error.hpp>

#include "sigpipe.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <limits>

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/sendfile.h>
#endif

namespace boost::tulip::detail {

namespace {

using boost::system::error_code;

error_code errno_code(int e) noexcept
{
    return error_code(e, boost::system::system_category());
}

#if defined(__linux__)
// sendfile(2) has no MSG_NOSIGNAL: a socket whose peer went away raises SIGPIPE in the
// calling thread. At its default SIGPIPE is set to ignored, as for pipes (ignore_sigpipe);
// that costs one system call per run of calls instead of the two of a mask, and none on a
// connection that already found it ignored (`known`: the sigpipe_epoch() then, plus one;
// looked at again when Tulip's own signal handlers changed the disposition since). Only
// when the program installed a handler does the thread block SIGPIPE around the calls and
// take back one they raised, so the handler never sees it (a thread that already blocks
// SIGPIPE is left alone: a write(2) there would leave it pending too); that answer is
// never remembered.
class sigpipe_guard
{
public:
    explicit sigpipe_guard(unsigned* known) noexcept
    {
        const unsigned now = known ? sigpipe_epoch() + 1 : 0;
        if (known && *known == now)
            return;
        if (ignore_sigpipe()) {
            if (known)
                *known = now;
            return;
        }
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        sigset_t old;
        if (pthread_sigmask(SIG_BLOCK, &pipe, &old) == 0)
            restore_ = !sigismember(&old, SIGPIPE);
    }
    ~sigpipe_guard()
    {
        if (!restore_)
            return;
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        if (raised_) {
            // SIGPIPE was not blocked before, so a pending one is the calls'.
            sigset_t pending;
            if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
                timespec zero{0, 0};
                while (sigtimedwait(&pipe, nullptr, &zero) < 0 && errno == EINTR) {
                }
            }
        }
        pthread_sigmask(SIG_UNBLOCK, &pipe, nullptr);
    }
    sigpipe_guard(const sigpipe_guard&) = delete;
    sigpipe_guard& operator=(const sigpipe_guard&) = delete;

    void epipe() noexcept { raised_ = true; }

private:
    bool restore_ = false;
    bool raised_ = false;
};

bool refused_errno(int e) noexcept
{
    return e == EINVAL || e == ENOSYS || e == EOPNOTSUPP || e == ENOTSUP || e == ESPIPE;
}
#endif

} // namespace

sendfile_status sendfile_run(int sock, int fd, std::uint64_t offset, std::size_t want,
                             std::size_t& sent, error_code& ec, unsigned* sigpipe_ignored) noexcept
{
#if defined(__linux__)
    sigpipe_guard guard(sigpipe_ignored);
    while (sent < want) {
        std::uint64_t pos = offset + sent;
        if (pos > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max())) {
            ec = errno_code(EOVERFLOW);
            return sendfile_status::failed;
        }
        off_t off = static_cast<off_t>(pos);
        std::size_t ask = std::min(want - sent, sendfile_max_chunk);
        ssize_t n = ::sendfile(sock, fd, &off, ask);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n == 0)
            return sendfile_status::eof;
        int e = errno;
        if (e == EINTR)
            continue;
        if (e == EAGAIN || e == EWOULDBLOCK)
            return sendfile_status::would_block;
        if (sent == 0 && refused_errno(e))
            return sendfile_status::refused;
        if (e == EPIPE)
            guard.epipe();
        ec = errno_code(e);
        return sendfile_status::failed;
    }
    return sendfile_status::done;
#else
    (void)sock;
    (void)fd;
    (void)offset;
    (void)ec;
    (void)sigpipe_ignored;
    return sent < want ? sendfile_status::refused : sendfile_status::done;
#endif
}

file_probe probe_file(int fd, error_code& ec) noexcept
{
    struct stat st;
    if (::fstat(fd, &st) != 0) {
        ec = errno_code(errno);
        return {};
    }
    file_probe p;
    p.regular = S_ISREG(st.st_mode);
    p.size = p.regular ? static_cast<std::uint64_t>(st.st_size) : 0;
    return p;
}

std::size_t read_file(int fd, bool regular, std::uint64_t pos, char* buf, std::size_t n,
                      error_code& ec) noexcept
{
    for (;;) {
        ssize_t r;
        if (regular) {
            if (pos > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max())) {
                ec = errno_code(EOVERFLOW);
                return 0;
            }
            r = ::pread(fd, buf, n, static_cast<off_t>(pos));
        } else
            r = ::read(fd, buf, n);
        if (r >= 0)
            return static_cast<std::size_t>(r);
        int e = errno;
        if (e == EINTR)
            continue;
        if (e == EAGAIN || e == EWOULDBLOCK)
            ec = boost::asio::error::would_block;
        else
            ec = errno_code(e);
        return 0;
    }
}

void set_file_position(int fd, std::uint64_t pos) noexcept
{
    if (pos <= static_cast<std::uint64_t>(std::numeric_limits<off_t>::max()))
        (void)::lseek(fd, static_cast<off_t>(pos), SEEK_SET);
}

int duplicate_descriptor(int fd, error_code& ec) noexcept
{
    int d = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (d < 0)
        ec = errno_code(errno);
    return d;
}

} // namespace boost::tulip::detail
