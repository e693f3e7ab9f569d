//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_ERROR_HPP
#define BOOST_TULIP_ERROR_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace boost::tulip {

// tag::outline[]
/// Error codes of Tulip operations (category "tulip").
enum class error
{
    /// The event loop was closed before the operation could complete.
    loop_closed = 1,
    /// The operation's deadline passed (`wait_for`, `timeout`).
    timeout,
    /// The object was not in a state that allows the operation.
    invalid_state,
    /// A `put` or `get` on a queue that was shut down (`queue_shut_down`).
    queue_shut_down,
    /// A barrier wait on a broken barrier, or one aborted or reset while waiting
    /// (`broken_barrier_error`).
    broken_barrier,
    /// The end of the stream came before the read was complete (`incomplete_read_error`);
    /// the completion carries the bytes read.
    incomplete_read,
    /// A stream read found no separator within the reader's limit, or one beyond it
    /// (`limit_overrun_error`); the bytes stay in the reader's buffer.
    limit_overrun,
    /// A serial device went away under an open port: the adapter was unplugged, or the
    /// other side of a pty was closed (reads then see an end of file and the device's
    /// attributes can no longer be read). Reads and writes end with it.
    device_gone,
    /// `sendfile` with `fallback = false` where the kernel cannot send the file (a pipe,
    /// a stream that is not a plain socket, no `sendfile(2)`) (`sendfile_not_available`).
    sendfile_not_available,
    /// A TLS client whose context verifies the peer (`ssl::verify_peer`) was given no
    /// `server_hostname` to check the certificate against (asyncio: "check_hostname
    /// requires server_hostname"); the handshake is not started.
    server_hostname_required,
};

/// The category of `tulip::error`.
const boost::system::error_category& tulip_category() noexcept;

/// Makes an `error_code` from a `tulip::error`.
boost::system::error_code make_error_code(error e) noexcept;

/// The exception a cancelled task or future raises (asyncio.CancelledError).
///
/// It is a `system_error` whose code is `asio::error::operation_aborted`, so a raw
/// Asio operation aborted by the same cancellation looks the same to user code;
/// `message()` is the text given to `cancel(msg)` (may be empty).
class cancelled_error : public boost::system::system_error
{
public:
    explicit cancelled_error(std::string message = {});
    const std::string& message() const noexcept { return message_; }

private:
    std::string message_;
};

/// The object is not in a state that allows the call (asyncio.InvalidStateError).
class invalid_state_error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// A deadline passed (asyncio.TimeoutError / TimeoutError).
class timeout_error : public std::runtime_error
{
public:
    timeout_error()
        : std::runtime_error("operation timed out")
    {}
    using std::runtime_error::runtime_error;
};

/// Thrown by `get_running_loop()` and friends outside a task or loop callback.
class no_running_loop : public std::runtime_error
{
public:
    no_running_loop()
        : std::runtime_error("no running event loop")
    {}
};

/// A context variable has no value and no default (asyncio's LookupError).
class lookup_error : public std::out_of_range
{
public:
    using std::out_of_range::out_of_range;
};

/// `queue::get_nowait` on an empty queue (asyncio.QueueEmpty).
class queue_empty : public std::runtime_error
{
public:
    queue_empty()
        : std::runtime_error("the queue is empty")
    {}
};

/// `queue::put_nowait` on a full queue (asyncio.QueueFull).
class queue_full : public std::runtime_error
{
public:
    queue_full()
        : std::runtime_error("the queue is full")
    {}
};

/// A `put` or `get` on a queue after `shutdown()` (asyncio.QueueShutDown, Python 3.13).
class queue_shut_down : public std::runtime_error
{
public:
    queue_shut_down()
        : std::runtime_error("the queue is shut down")
    {}
};

/// A barrier wait on a barrier that was aborted or broken (asyncio.BrokenBarrierError).
class broken_barrier_error : public std::runtime_error
{
public:
    broken_barrier_error()
        : std::runtime_error("the barrier is broken")
    {}
    using std::runtime_error::runtime_error;
};

/** The end of the stream came before a read was complete (asyncio.IncompleteReadError).

    `partial()` holds the bytes read before the end; `expected()` is the count the read
    needed (`readexactly(n)`: `n`), or -1 when there was no count (`readuntil`,
    `readline`). Thrown by reads with the default token for the code
    `tulip::error::incomplete_read`.
*/
class incomplete_read_error : public std::runtime_error
{
public:
    explicit incomplete_read_error(std::string partial, std::ptrdiff_t expected = -1);

    const std::string& partial() const noexcept { return partial_; }
    /// Takes the bytes out (for a handler that keeps them); `partial()` is empty afterwards.
    std::string take_partial() noexcept { return std::move(partial_); }
    std::ptrdiff_t expected() const noexcept { return expected_; }

private:
    std::string partial_;
    std::ptrdiff_t expected_;
};

/** A separator was not found within a stream reader's limit, or was found beyond it
    (asyncio.LimitOverrunError).

    `consumed()` is how many bytes may be taken out of the reader's buffer before the
    separator could start (the bytes are still buffered: `readuntil` leaves them there,
    so that the caller can take them with `readexactly(consumed())`). Thrown by
    `readuntil` and `readline` with the default token for `tulip::error::limit_overrun`.
*/
class limit_overrun_error : public std::runtime_error
{
public:
    limit_overrun_error(const std::string& message, std::size_t consumed)
        : std::runtime_error(message)
        , consumed_(consumed)
    {}

    std::size_t consumed() const noexcept { return consumed_; }

private:
    std::size_t consumed_;
};

/** `sendfile` with `fallback = false` could not use the kernel's zero-copy path
    (asyncio.SendfileNotAvailableError): the file is not a regular file `sendfile(2)`
    accepts, the destination is not a plain socket (TLS, a pipe), or the platform has no
    `sendfile(2)`. Nothing was sent. Thrown with the default token for
    `tulip::error::sendfile_not_available`. */
class sendfile_not_available : public std::runtime_error
{
public:
    sendfile_not_available()
        : std::runtime_error("sendfile is not available for this file and destination")
    {}
    using std::runtime_error::runtime_error;
};

/// True if `e` is a cancellation: a `cancelled_error`, or any `system_error` whose
/// code is `asio::error::operation_aborted`.
bool is_cancellation(const std::exception& e) noexcept;

/// True if `e` holds a cancellation (see above); false for a null pointer.
bool is_cancellation(const std::exception_ptr& e) noexcept;
// end::outline[]

} // namespace boost::tulip

namespace boost::system {
template <>
struct is_error_code_enum<boost::tulip::error> : std::true_type
{};
} // namespace boost::system

#endif
