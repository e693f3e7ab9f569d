//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/detail/unix_socket_file.hpp>

#include <boost/asio/error.hpp>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace boost::tulip::detail {

namespace {
boost::system::error_code last_error() noexcept
{
    return {errno, boost::system::system_category()};
}
} // namespace

boost::system::error_code try_set_cloexec(int fd) noexcept
{
    int flags = ::fcntl(fd, F_GETFD);
    if (flags == -1 || ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == -1)
        return last_error();
    return {};
}

boost::system::error_code remove_stale_unix_socket(const std::string& path, int type) noexcept
{
    struct stat sb;
    if (::lstat(path.c_str(), &sb) != 0)
        return {};
    if (!S_ISSOCK(sb.st_mode))
        return boost::asio::error::address_in_use; // never remove anything but a socket
    sockaddr_un addr{};
    if (path.empty() || path.size() >= sizeof addr.sun_path)
        return {ENAMETOOLONG, boost::system::system_category()};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    int probe = ::socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (probe < 0)
        return last_error();
    int r = ::connect(probe, reinterpret_cast<const sockaddr*>(&addr), len);
    int err = r == 0 ? 0 : errno;
    ::close(probe);
    if (err == ECONNREFUSED) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT)
            return last_error();
        return {};
    }
    if (err == 0 || err == EAGAIN || err == EINPROGRESS)
        return boost::asio::error::address_in_use; // alive: it accepts, or its queue is full
    if (err == ENOENT)
        return {};
    return {err, boost::system::system_category()};
}

void unix_socket_file::adopt(std::string path) noexcept
{
    struct stat sb;
    if (::lstat(path.c_str(), &sb) != 0)
        return;
    path_ = std::move(path);
    dev_ = static_cast<std::uint64_t>(sb.st_dev);
    ino_ = static_cast<std::uint64_t>(sb.st_ino);
}

void unix_socket_file::remove() noexcept
{
    if (path_.empty())
        return;
    struct stat sb;
    if (::lstat(path_.c_str(), &sb) == 0 && S_ISSOCK(sb.st_mode) &&
        static_cast<std::uint64_t>(sb.st_dev) == dev_ &&
        static_cast<std::uint64_t>(sb.st_ino) == ino_)
        ::unlink(path_.c_str());
    path_.clear();
}

} // namespace boost::tulip::detail
