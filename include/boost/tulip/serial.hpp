//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_SERIAL_HPP
#define BOOST_TULIP_SERIAL_HPP

// event_loop.hpp first: the detail headers rely on it being complete.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/streams.hpp>
#include <boost/tulip/transport.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/serial_port_base.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace boost::tulip {
namespace detail {
struct serial_access;
} // namespace detail

// tag::outline[]
/// Asio's serial settings, by shorter names: `serial_parity::even`,
/// `serial_stop_bits::two`, `serial_flow_control::hardware`.
using serial_parity = boost::asio::serial_port_base::parity;
using serial_stop_bits = boost::asio::serial_port_base::stop_bits;
using serial_flow_control = boost::asio::serial_port_base::flow_control;

/** How a serial port is set up (`open_serial_connection`, `create_serial_connection`,
    `serial_transport::set_options`). The defaults are pyserial's: 9600 baud, 8N1, no
    flow control.

    Trivially copyable, so that a temporary of it may sit next to a `co_await` (the g++ 12
    rule of the manual).
*/
struct serial_options
{
    /// Bits per second: any rate the device's driver accepts, standard or not (Linux's
    /// `termios2` with `BOTHER`; Asio's `serial_port` takes only the `B...` constants).
    /// A driver may round it to what its clock can make.
    unsigned baud_rate = 9600;
    /// Data bits, 5 to 8.
    unsigned character_size = 8;
    serial_parity::type parity = serial_parity::none;
    /// `one` or `two` (Linux has no 1.5 stop bits: `onepointfive` fails with
    /// `operation_not_supported`).
    serial_stop_bits::type stop_bits = serial_stop_bits::one;
    /// `none`, `software` (XON/XOFF) or `hardware` (RTS/CTS).
    serial_flow_control::type flow_control = serial_flow_control::none;
    /// Take the port for this process alone: `flock(LOCK_EX)`, which binds every process
    /// that asks for the lock, root included (pyserial's `exclusive=True` asks for it),
    /// and `TIOCEXCL`, which makes the kernel refuse any further `open` except to root.
    /// A port already taken fails with `device_or_resource_busy`.
    bool exclusive = false;
    /// The stream reader's buffer limit (`open_serial_connection`; asyncio's `limit`).
    std::size_t limit = 65536;
    /// How long a graceful `close()` may take to send what is buffered and let the
    /// driver drain its output queue (`tcdrain`, run off the loop's thread): a port whose
    /// other side does not read (flow control stopped, nobody on a pty) would otherwise
    /// never close. After it, the rest of the output is discarded and the port closes.
    duration drain_timeout = std::chrono::seconds(5);
};
// end::outline[]
static_assert(std::is_trivially_copyable_v<serial_options>);
// tag::outline[]

/** The transport of a serial port (pyserial-asyncio's SerialTransport): a `transport`
    (writes, flow control, pause and resume, `close`, `abort`) plus what pyserial users
    need and Asio's `serial_port` lacks.

    Reach it from a stream pair with
    `static_cast<serial_transport*>(writer.transport())`, or get it from
    `create_serial_connection`. Loop-local, like every transport.

    Modem lines need a device that has them (a UART, a USB adapter with a modem-control
    interface). A pty has none: those calls fail with `operation_not_supported` there.

    After the connection is lost or closed, every member that talks to the device throws
    `invalid_state_error` (after a close) or `boost::system::system_error` with the error
    that ended the connection (`tulip::error::device_gone` after an unplug).

    `write_eof()` is refused (`invalid_state_error`) and `can_write_eof()` is false: a
    serial line has no end of stream (pyserial-asyncio raises NotImplementedError).
*/
class serial_transport : public transport
{
public:
    /// Sets (true) or clears the DTR line. @throws boost::system::system_error
    /// (`operation_not_supported` where the device has no modem lines).
    void set_dtr(bool on);
    /// Sets (true) or clears the RTS line (with hardware flow control the driver also
    /// drives RTS). Errors as `set_dtr`.
    void set_rts(bool on);
    /// The state of the CTS, DSR, RI (ring) and CD (carrier detect) inputs. Errors as
    /// `set_dtr`.
    bool cts() const;
    bool dsr() const;
    bool ri() const;
    bool cd() const;

    /** Sends a break: holds the line low for `duration` (pyserial's default 0.25 s),
        without blocking the loop (the break is set, a timer runs, the break is cleared).

        @par Completion Signature
        `void(boost::system::error_code)`: the device's error if it refuses a break.

        @par Per-Operation Cancellation
        `terminal`, `partial` and `total`: the break is cleared at once and the operation
        completes with `operation_aborted`.
    */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto
    send_break(std::chrono::milliseconds duration = std::chrono::milliseconds(250),
               CompletionToken&& token = CompletionToken{});

    /** Changes the settings of the open port (baud rate, framing, flow control, the
        exclusive lock; `limit` and `drain_timeout` apply from now on). The settings are
        read back: one the device did not take fails with `invalid_argument` and a message
        naming it (a pty keeps 8 data bits and no parity, whatever is asked).
        @throws boost::system::system_error; the port keeps what the device took. */
    void set_options(const serial_options& options);
    /// The settings last applied.
    const serial_options& options() const noexcept { return options_; }

    /// Discards what the kernel received and nobody read yet (`tcflush(TCIFLUSH)`);
    /// bytes the stream reader already holds stay there.
    void reset_input_buffer();
    /// Discards the transport's write buffer and what the driver has not sent yet
    /// (`tcflush(TCOFLUSH)`).
    void reset_output_buffer();

    /// The device path the port was opened with.
    const std::string& device() const noexcept { return device_; }

protected:
    serial_transport(event_loop& loop, std::shared_ptr<base_protocol> p, bool receives_sync,
                     std::string device, const serial_options& options);

    /// The open descriptor; throws as the class comment says once it is gone.
    virtual int device_fd() const = 0;
    /// Drops the transport's write buffer (reset_output_buffer).
    virtual void discard_write_buffer() noexcept = 0;

private:
    friend struct detail::serial_access;
    void begin_break();
    boost::system::error_code end_break() noexcept;
    void change_modem_bit(int bit, bool on, const char* what);

    std::string device_;
    serial_options options_;
};

/** Opens the serial device at `path`, sets it up with `options`, and returns a reader
    and a writer on it (pyserial-asyncio's `open_serial_connection`); the same stream API
    as a socket (`readline`, `readuntil`, `readexactly`, timeouts with `timeout()`).

    The device is opened non-blocking, close-on-exec and without becoming the controlling
    terminal, in raw mode (as Asio's `serial_port::open`: no echo, no line editing, no
    character translation, modem status lines ignored), then `options` is applied (see
    `serial_transport::set_options`). Opening is a few system calls on the loop's thread.

    @par Completion Signature
    `void(boost::system::error_code, std::pair<stream_reader, stream_writer>)`:
    `no_such_file_or_directory`, `permission_denied`, `device_or_resource_busy` (taken with
    `exclusive`), `invalid_argument` (settings the device refuses), ... With the default
    token a `boost::system::system_error` naming the device. The writer is the only writer
    handle: dropping it closes the port.

    @par Per-Operation Cancellation
    None needed: it completes at once (posted, after `connection_made`).

    @par Device loss
    When the device goes away (unplugged; the pty's other side closed), pending and later
    reads and writes fail with `tulip::error::device_gone`: an end of file from a serial
    port is checked against the device (its attributes can no longer be read), so the
    loss is reported once instead of read as an endless end of file (pyserial#68).
*/
template <class CompletionToken = awaitable_token_t>
auto open_serial_connection(const std::filesystem::path& path, const serial_options& options = {},
                            CompletionToken&& token = {});

/** Opens the serial device at `path` as `open_serial_connection` does and runs a
    protocol made by `factory()` on it (pyserial-asyncio's `create_serial_connection`).

    @par Completion Signature
    `void(boost::system::error_code, std::pair<std::shared_ptr<serial_transport>,
    std::shared_ptr<P>>)`, where `factory()` returns `std::shared_ptr<P>`; it completes
    after `connection_made`. Errors as `open_serial_connection`.
*/
template <class Factory, class CompletionToken = awaitable_token_t>
auto create_serial_connection(Factory&& factory, const std::filesystem::path& path,
                              const serial_options& options = {}, CompletionToken&& token = {});
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/serial.hpp>

#endif
