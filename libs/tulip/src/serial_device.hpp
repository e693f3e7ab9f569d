//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_SRC_SERIAL_DEVICE_HPP
#define BOOST_TULIP_SRC_SERIAL_DEVICE_HPP

// The system calls of a serial port, on a descriptor. Linux's termios2 (any baud rate
// through BOTHER) cannot share a translation unit with <termios.h>, which Asio's serial
// headers include, so this header names no termios type and serial_device.cpp includes
// nothing of Asio.

#include <boost/system/error_code.hpp>

#include <string>

namespace boost::tulip::detail::serial_device {

// Asio's serial_port_base values (parity none/odd/even, stop_bits one/onepointfive/two,
// flow_control none/software/hardware), as plain numbers.
struct settings
{
    unsigned baud_rate;
    unsigned character_size;
    int parity;
    int stop_bits;
    int flow_control;
};

// Modem lines (TIOCM_* bits).
enum line : int
{
    dtr,
    rts,
    cts,
    dsr,
    ri,
    cd,
};

/// Opens `path` read-write, non-blocking, close-on-exec, not as the controlling
/// terminal, and puts it in raw mode. Returns the descriptor, or -1 with `ec`.
int open_device(const char* path, boost::system::error_code& ec);
/// Applies `s` and reads it back: a setting the device did not take gives
/// `invalid_argument` and its name in `refused`.
boost::system::error_code apply(int fd, const settings& s, std::string& refused);
/// Takes (flock LOCK_EX|LOCK_NB, then TIOCEXCL) or gives back the port.
/// Taken elsewhere: `device_or_resource_busy`.
boost::system::error_code set_exclusive(int fd, bool on);
boost::system::error_code get_line(int fd, line l, bool& on);
boost::system::error_code set_line(int fd, line l, bool on);
boost::system::error_code set_break(int fd, bool on);
boost::system::error_code flush(int fd, bool input, bool output);
/// Waits until the driver has sent its output queue (tcdrain): may block for ever on a
/// port whose flow control is stopped. Never on the loop's thread.
boost::system::error_code drain(int fd);
/// Whether the device is still there: its attributes can be read (after an unplug or
/// with the pty's other side closed, they fail with EIO).
bool alive(int fd);

} // namespace boost::tulip::detail::serial_device

#endif
