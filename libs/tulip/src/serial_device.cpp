//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include "serial_device.hpp"

// Linux's own termios2 (not glibc's struct termios): see serial_device.hpp.
#include <asm/termbits.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace boost::tulip::detail::serial_device {

namespace {

using boost::system::error_code;
namespace errc = boost::system::errc;

error_code last_error() noexcept
{
    return error_code(errno, boost::system::system_category());
}

int bit_of(line l) noexcept
{
    switch (l) {
    case dtr:
        return TIOCM_DTR;
    case rts:
        return TIOCM_RTS;
    case cts:
        return TIOCM_CTS;
    case dsr:
        return TIOCM_DSR;
    case ri:
        return TIOCM_RI;
    case cd:
        return TIOCM_CD;
    }
    return 0;
}

// ENOTTY/EINVAL from a modem ioctl: the device has no modem lines (a pty).
error_code modem_error() noexcept
{
    int e = errno;
    if (e == ENOTTY || e == EINVAL)
        return errc::make_error_code(errc::operation_not_supported);
    return error_code(e, boost::system::system_category());
}

int ioctl_retry(int fd, unsigned long req, void* arg) noexcept
{
    int r;
    do
        r = ::ioctl(fd, req, arg);
    while (r < 0 && errno == EINTR);
    return r;
}

} // namespace

int open_device(const char* path, error_code& ec)
{
    int fd;
    do
        fd = ::open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        ec = last_error();
        return -1;
    }
    // Raw mode, as Asio's serial_port::open (cfmakeraw, IGNPAR, CREAD, CLOCAL).
    termios2 t{};
    if (ioctl_retry(fd, TCGETS2, &t) < 0) {
        ec = last_error(); // ENOTTY: not a terminal
        ::close(fd);
        return -1;
    }
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag &= ~OPOST;
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_iflag |= IGNPAR;
    t.c_cflag |= CREAD | CLOCAL;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (ioctl_retry(fd, TCSETS2, &t) < 0) {
        ec = last_error();
        ::close(fd);
        return -1;
    }
    ec = {};
    return fd;
}

error_code apply(int fd, const settings& s, std::string& refused)
{
    if (s.character_size < 5 || s.character_size > 8) {
        refused = "character_size (5 to 8)";
        return errc::make_error_code(errc::invalid_argument);
    }
    if (s.stop_bits == 1) { // onepointfive: Linux has no such setting (Asio says the same)
        refused = "stop_bits onepointfive";
        return errc::make_error_code(errc::operation_not_supported);
    }
    if (s.baud_rate == 0) {
        refused = "baud_rate 0";
        return errc::make_error_code(errc::invalid_argument);
    }
    termios2 t{};
    if (ioctl_retry(fd, TCGETS2, &t) < 0)
        return last_error();
    // Any rate: BOTHER with the number in c_ospeed/c_ispeed, for output and input.
    t.c_cflag &= ~(CBAUD | (CBAUD << IBSHIFT));
    t.c_cflag |= BOTHER | (BOTHER << IBSHIFT);
    t.c_ospeed = s.baud_rate;
    t.c_ispeed = s.baud_rate;

    static constexpr tcflag_t sizes[] = {CS5, CS6, CS7, CS8};
    tcflag_t size = sizes[s.character_size - 5];
    t.c_cflag = (t.c_cflag & ~CSIZE) | size;

    // Parity as Asio sets it: checked on input when enabled.
    if (s.parity == 0) {
        t.c_iflag |= IGNPAR;
        t.c_cflag &= ~(PARENB | PARODD);
    } else {
        t.c_iflag &= ~(IGNPAR | PARMRK);
        t.c_iflag |= INPCK;
        t.c_cflag |= PARENB;
        if (s.parity == 1)
            t.c_cflag |= PARODD;
        else
            t.c_cflag &= ~PARODD;
    }
    if (s.stop_bits == 2)
        t.c_cflag |= CSTOPB;
    else
        t.c_cflag &= ~CSTOPB;

    t.c_iflag &= ~(IXON | IXOFF);
    t.c_cflag &= ~CRTSCTS;
    if (s.flow_control == 1)
        t.c_iflag |= IXON | IXOFF;
    else if (s.flow_control == 2)
        t.c_cflag |= CRTSCTS;

    if (ioctl_retry(fd, TCSETS2, &t) < 0) {
        refused = "the settings";
        return last_error();
    }
    // tcsetattr succeeds if the driver took any of it: read back what it kept (a pty
    // keeps CS8 and no parity whatever is asked).
    termios2 got{};
    if (ioctl_retry(fd, TCGETS2, &got) < 0)
        return last_error();
    if ((got.c_cflag & CSIZE) != size)
        refused = "character_size " + std::to_string(s.character_size);
    else if ((got.c_cflag & (PARENB | PARODD)) != (t.c_cflag & (PARENB | PARODD)))
        refused = s.parity == 1 ? "parity odd" : s.parity == 2 ? "parity even" : "parity none";
    else if ((got.c_cflag & CSTOPB) != (t.c_cflag & CSTOPB))
        refused = "stop_bits two";
    else if ((got.c_cflag & CRTSCTS) != (t.c_cflag & CRTSCTS))
        refused = "flow_control hardware";
    else if ((got.c_iflag & (IXON | IXOFF)) != (t.c_iflag & (IXON | IXOFF)))
        refused = "flow_control software";
    if (!refused.empty())
        return errc::make_error_code(errc::invalid_argument);
    return {};
}

error_code set_exclusive(int fd, bool on)
{
    if (on) {
        // flock binds every process that asks for it, root included (TIOCEXCL does not
        // stop root); pyserial's exclusive=True asks for the same lock.
        int r;
        do
            r = ::flock(fd, LOCK_EX | LOCK_NB);
        while (r < 0 && errno == EINTR);
        if (r < 0)
            return errno == EWOULDBLOCK ? errc::make_error_code(errc::device_or_resource_busy)
                                        : last_error();
        if (ioctl_retry(fd, TIOCEXCL, nullptr) < 0) {
            auto ec = last_error();
            ::flock(fd, LOCK_UN);
            return ec;
        }
        return {};
    }
    ioctl_retry(fd, TIOCNXCL, nullptr);
    ::flock(fd, LOCK_UN);
    return {};
}

error_code get_line(int fd, line l, bool& on)
{
    int bits = 0;
    if (ioctl_retry(fd, TIOCMGET, &bits) < 0)
        return modem_error();
    on = (bits & bit_of(l)) != 0;
    return {};
}

error_code set_line(int fd, line l, bool on)
{
    int bit = bit_of(l);
    if (ioctl_retry(fd, on ? TIOCMBIS : TIOCMBIC, &bit) < 0)
        return modem_error();
    return {};
}

error_code set_break(int fd, bool on)
{
    if (ioctl_retry(fd, on ? TIOCSBRK : TIOCCBRK, nullptr) < 0)
        return modem_error();
    return {};
}

error_code flush(int fd, bool input, bool output)
{
    int what = input && output ? TCIOFLUSH : input ? TCIFLUSH : TCOFLUSH;
    if (ioctl_retry(fd, TCFLSH, reinterpret_cast<void*>(static_cast<long>(what))) < 0)
        return last_error();
    return {};
}

error_code drain(int fd)
{
    // tcdrain is TCSBRK with a non-zero argument.
    if (ioctl_retry(fd, TCSBRK, reinterpret_cast<void*>(1L)) < 0)
        return last_error();
    return {};
}

bool alive(int fd)
{
    termios2 t{};
    if (ioctl_retry(fd, TCGETS2, &t) == 0)
        return true;
    return !(errno == EIO || errno == ENXIO || errno == ENODEV || errno == EBADF);
}

} // namespace boost::tulip::detail::serial_device
