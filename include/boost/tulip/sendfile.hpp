//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_SENDFILE_HPP
#define BOOST_TULIP_SENDFILE_HPP

// event_loop.hpp first: the detail headers rely on it being complete.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/error.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/system/error_code.hpp>

#if defined(BOOST_ASIO_HAS_FILE)
#include <boost/asio/basic_random_access_file.hpp>
#include <boost/asio/basic_stream_file.hpp>
#endif

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace boost::tulip {

namespace detail {

// What the operation needs of a file: its descriptor, and whether the file has a
// position the operation leaves at `offset + sent` (a descriptor, a stream_file; a
// random_access_file has none).
struct sendfile_source
{
    int fd;
    bool has_position;
};

inline sendfile_source to_sendfile_source(int fd) noexcept
{
    return {fd, true};
}
inline sendfile_source to_sendfile_source(sendfile_source s) noexcept
{
    return s;
}
#if defined(BOOST_ASIO_HAS_FILE)
template <class Executor>
sendfile_source to_sendfile_source(boost::asio::basic_stream_file<Executor>& f) noexcept
{
    return {f.native_handle(), true};
}
template <class Executor>
sendfile_source to_sendfile_source(boost::asio::basic_random_access_file<Executor>& f) noexcept
{
    return {f.native_handle(), false};
}
#endif

template <class File>
concept sendfile_file = requires(File&& f)
{
    detail::to_sendfile_source(f);
};

template <class Token>
concept not_bool = !std::is_same_v<std::decay_t<Token>, bool>;

} // namespace detail

// tag::outline[]
/** The largest count one `sendfile(2)` call is asked for: Linux never transfers more
    than 0x7ffff000 bytes per call (cpython#79360), so a larger transfer loops. */
inline constexpr std::size_t sendfile_max_chunk = 0x7ffff000;

/** The size of one read/write step of the fallback (cpython#152074: asyncio's 16 KiB
    steps made its fallback several times slower). */
inline constexpr std::size_t sendfile_fallback_chunk = 256 * 1024;

/** Sends `count` bytes of `file` from `offset` to `stream` (asyncio `loop.sock_sendfile`
    at the Asio level).

    - `stream` a connected `asio::basic_stream_socket` (TCP or Unix): the kernel copies
      the file to the socket with Linux `sendfile(2)`, on the socket made non-blocking,
      waiting for writability (`async_wait`) whenever the socket buffer is full; a
      partial send resumes where it stopped. One call never asks for more than
      `sendfile_max_chunk` bytes.
    - any other `AsyncWriteStream` (an `asio::ssl::stream`, a pipe): the fallback.
    - `file`: a native descriptor (`int`), or, where Asio has files
      (`BOOST_ASIO_HAS_FILE`, i.e. built with io_uring), an `asio::basic_stream_file` or
      `asio::basic_random_access_file`. The file is read at explicit offsets: its own
      position does not matter.
    - `count`: 0 sends to the end of the file (its size when the operation starts, for a
      regular file; to the end of the stream for a pipe). A file shorter than `count`
      gives a short count, not an error (as asyncio).

    @par Fallback
    When `sendfile(2)` refuses the file on its first call (`EINVAL`, `ENOSYS`,
    `EOPNOTSUPP`, `ESPIPE`: a pipe, a file system without it), when `stream` is not a
    plain socket, or on a platform without `sendfile(2)`, the bytes are read and written
    in `sendfile_fallback_chunk` (256 KiB) steps: a regular file is read with `pread` on
    the calling thread (the page cache answers at once), any other descriptor (a pipe) is
    read once the loop saw it readable. With `fallback = false` these cases complete with
    `tulip::error::sendfile_not_available` at once and nothing is sent (cpython#152099).
    A `sendfile(2)` failure after bytes went out is an error, never a fallback.

    @par File position
    When the operation completes, also with an error or a cancellation, the position of
    a descriptor or `stream_file` is `offset` + the bytes sent (asyncio), so the file
    says how far it got. A random-access file has no position; a pipe is not seekable
    and is left as it is (it has been read by the bytes sent).

    @par Completion Signature
    `void(boost::system::error_code, std::size_t)`: the bytes sent (also on an error).
    Errors: the socket's (`connection_reset`, `broken_pipe`, ...), the file's (`EBADF`,
    `EIO`), `tulip::error::sendfile_not_available`. With `awaitable_token` (the default
    unless the stream's executor names one) an error throws (`sendfile_not_available`,
    or `boost::system::system_error`), and the file position tells how much was sent; use
    `asio::as_tuple` or another token to get the count with the error.

    @par Per-Operation Cancellation
    `terminal` and `partial`: the operation stops between two system calls and completes
    with `operation_aborted` and the bytes sent so far (the file position agrees).

    @par SIGPIPE
    `sendfile(2)` has no `MSG_NOSIGNAL`, so a peer that went away raises SIGPIPE. At its
    default SIGPIPE is set to ignored before the calls (as for a child's stdin pipe, and
    as Python does at start-up); the error comes back as `broken_pipe`. A handler the
    program installed stays: then the calling thread blocks SIGPIPE around the calls and
    takes back one they raised, so the handler never sees it. The disposition is looked at
    by every `async_sendfile` (`stream_writer::sendfile` looks once per connection).

    `stream` and, for the file objects, `file` must outlive the operation; the
    descriptor must stay open until it completes.
*/
template <class AsyncWriteStream, detail::sendfile_file File,
          detail::not_bool CompletionToken =
              detail::default_token_t<typename AsyncWriteStream::executor_type>>
auto async_sendfile(AsyncWriteStream& stream, File&& file, std::uint64_t offset, std::size_t count,
                    CompletionToken&& token = CompletionToken{});

/// The same with the fallback chosen: `fallback = false` refuses what the kernel cannot
/// send with `tulip::error::sendfile_not_available`.
template <class AsyncWriteStream, detail::sendfile_file File,
          class CompletionToken = detail::default_token_t<typename AsyncWriteStream::executor_type>>
auto async_sendfile(AsyncWriteStream& stream, File&& file, std::uint64_t offset, std::size_t count,
                    bool fallback, CompletionToken&& token = CompletionToken{});
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/sendfile.hpp>

#endif
