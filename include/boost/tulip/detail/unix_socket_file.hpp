//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_UNIX_SOCKET_FILE_HPP
#define BOOST_TULIP_DETAIL_UNIX_SOCKET_FILE_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <string>

// What Tulip does to the descriptors and socket files it makes, shared by the stream
// transports, the servers and the datagram endpoints.

namespace boost::tulip::detail {

/// Sets FD_CLOEXEC on `fd` (Asio 1.26 opens and accepts sockets without it); the error of
/// fcntl, if any.
boost::system::error_code try_set_cloexec(int fd) noexcept;

/** Makes `path` free for a bind of a Unix socket of `type` (SOCK_STREAM, SOCK_DGRAM) without
    taking it from a live socket (cpython#121252): nothing there, or a stale socket (a
    connect to it is refused), which is removed, gives no error; a live socket, or a file
    that is not a socket, gives `address_in_use`; a failed probe or removal its error. */
boost::system::error_code remove_stale_unix_socket(const std::string& path, int type) noexcept;

/// The socket file a Unix server or endpoint bound. On release it is removed only if it is
/// still that file (same device and inode): another one may have taken the path since.
class unix_socket_file
{
public:
    /// Takes the file now at `path` (right after the bind); nothing if it is not there.
    void adopt(std::string path) noexcept;
    /// Removes the file if it is still the adopted one, and forgets it. Idempotent.
    void remove() noexcept;
    bool empty() const noexcept { return path_.empty(); }

private:
    std::string path_;
    std::uint64_t dev_ = 0;
    std::uint64_t ino_ = 0;
};

} // namespace boost::tulip::detail

#endif
