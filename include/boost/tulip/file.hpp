//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_FILE_HPP
#define BOOST_TULIP_FILE_HPP

// event_loop.hpp first: the detail headers rely on it being complete.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/generator.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace boost::tulip {
namespace detail {
class file_state;
struct file_access;
} // namespace detail

// tag::outline[]
/// Where a file's reads and writes run.
enum class file_backend : unsigned char
{
    /// io_uring where this build has it (`BOOST_TULIP_IO_URING`) and the kernel allows
    /// it, else the thread pool.
    automatic,
    /// io_uring through Asio's file support (`asio::random_access_file`): the loop's
    /// thread submits, the kernel does the I/O, no thread hops. Refused with
    /// `operation_not_supported` where the build or the kernel lacks it.
    io_uring,
    /// Blocking `pread`/`pwrite` on the loop's default executor (`to_thread`), as
    /// aiofiles does.
    thread_pool,
};

/// How `open_file` opens a file. Trivially copyable (the g++ 12 rule of the manual).
struct file_options
{
    file_backend backend = file_backend::automatic;
};

/// Where `seek` counts from (Python's `whence`: 0, 1, 2).
enum class seek_origin : unsigned char
{
    set,
    current,
    end,
};

/** An open file whose reads and writes do not block the loop (aiofiles' file object).

    A cheap shared handle (copyable); the file closes on `close()` or when the last
    handle goes (then without waiting). Loop-local. One operation at a time: a second
    one while another is pending fails with `invalid_state_error`.

    Bytes are `std::string`, in text modes as in binary ones: Tulip does not decode or
    translate newlines ("r" reads what "rb" reads).

    Reads are buffered (a read-ahead of up to 512 KiB, more for larger reads); writes are not: a
    `write` completes when all its bytes are in the kernel (the page cache), so `flush`
    has nothing to do and completes at once (it is there for aiofiles code; use `fsync`
    on `native_handle()` in a thread for durability). The file position is Tulip's:
    reads and writes use explicit offsets (`pread`/`pwrite`, io_uring reads and writes
    at an offset), so both backends keep one model, and a failed or cancelled operation
    leaves the position where it was.

    @par Errors
    Every operation completes with `void(error_code, R)`. With the default token an error
    is thrown as `boost::system::system_error` naming the operation and the path (a full
    disk: `no_space_on_device`, or `file_too_large` past `RLIMIT_FSIZE`; a descriptor
    closed behind the file's back: `bad_file_descriptor`); an operation on a closed file,
    or one the mode does not allow (reading a "w" file), is `invalid_state_error`. A
    `write` that fails part-way has written the bytes before the failure (its completion
    value says how many; the position moves past them) and loses nothing written before.

    @par Per-Operation Cancellation
    `terminal`, `partial` and `total`: the operation completes with `operation_aborted`
    and the position stays where it was. An io_uring operation is cancelled in the
    kernel; a thread-pool call runs to its end (a thread cannot be interrupted) and its
    outcome is dropped, so a cancelled `write` may or may not have reached the file.
*/
class async_file
{
public:
    async_file() noexcept = default;

    /** Reads up to `n` bytes, fewer only at the end of the file; `n < 0` (the default)
        reads to the end. Empty at the end of the file.
        @par Completion Signature `void(error_code, std::string)`. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto read(std::ptrdiff_t n = -1, CompletionToken&& token = CompletionToken{});

    /** Reads one line with its `\n` (the last one may lack it); empty at the end.
        @par Completion Signature `void(error_code, std::string)`. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto readline(CompletionToken&& token = CompletionToken{});

    /** Writes all of `data` at the position (at the end in "a" modes); `data` is copied
        at the start. @par Completion Signature `void(error_code, std::size_t)`: the bytes
        written (all of them unless an error came part-way). */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::size_t))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto write(std::string_view data, CompletionToken&& token = CompletionToken{});

    /** Moves the position to `offset` from `origin` and returns it (`EINVAL` before the
        start). @par Completion Signature `void(error_code, std::uint64_t)`. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::uint64_t))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto seek(std::int64_t offset, seek_origin origin = seek_origin::set,
                            CompletionToken&& token = CompletionToken{});

    /** The position (what the next read reads). Completes at once.
        @par Completion Signature `void(error_code, std::uint64_t)`. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::uint64_t))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto tell(CompletionToken&& token = CompletionToken{});

    /** Completes once earlier writes are in the kernel (they are when they complete: see
        the class comment). @par Completion Signature `void(error_code)`. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto flush(CompletionToken&& token = CompletionToken{});

    /** Closes the file; idempotent. @par Completion Signature `void(error_code)`: the
        error of `close(2)`. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto close(CompletionToken&& token = CompletionToken{});

    /// The lines to the end of the file, each with its `\n` (`async for line in f`).
    async_generator<std::string> lines();

    /// The backend this file runs on (`io_uring` or `thread_pool`, never `automatic`).
    file_backend backend() const noexcept;
    /// The descriptor, -1 once closed.
    int native_handle() const noexcept;
    bool is_open() const noexcept;
    const std::filesystem::path& path() const noexcept;

    explicit operator bool() const noexcept { return s_ != nullptr; }

private:
    friend struct detail::file_access;
    explicit async_file(std::shared_ptr<detail::file_state> s) noexcept
        : s_(std::move(s))
    {}

    std::shared_ptr<detail::file_state> s_;
};

/** Opens the file at `path` with Python's `mode` ("r", "rb", "w", "wb", "a", "ab", "x",
    each with an optional "+": "r+" reads and writes without truncating), close-on-exec
    (aiofiles' `open`).

    @par Completion Signature
    `void(boost::system::error_code, async_file)`: `no_such_file_or_directory`,
    `permission_denied`, `file_exists` ("x"), `operation_not_supported` (io_uring asked
    for where it is missing). With the default token a `system_error` naming the path.

    @throws std::invalid_argument for a mode Python would refuse (at the call).
*/
template <class CompletionToken = awaitable_token_t>
    requires(!std::is_same_v<std::decay_t<CompletionToken>, file_options>)
auto open_file(const std::filesystem::path& path, std::string_view mode = "r",
               CompletionToken&& token = {});
/// The same with a choice of backend.
template <class CompletionToken = awaitable_token_t>
auto open_file(const std::filesystem::path& path, std::string_view mode,
               const file_options& options, CompletionToken&& token = {});

/// Whether this build has the io_uring backend (`BOOST_TULIP_IO_URING`).
bool file_io_uring_built() noexcept;
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/file.hpp>

#endif
