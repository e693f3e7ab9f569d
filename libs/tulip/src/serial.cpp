//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/serial.hpp>

#include "reactor_transport.hpp"
#include "serial_device.hpp"

#include <boost/tulip/threads.hpp>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/system_error.hpp>

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace boost::tulip {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
namespace sd = detail::serial_device;

sd::settings settings_of(const serial_options& o) noexcept
{
    return {o.baud_rate, o.character_size, static_cast<int>(o.parity),
            static_cast<int>(o.stop_bits), static_cast<int>(o.flow_control)};
}

[[noreturn]] void throw_error(error_code ec, const std::string& what)
{
    throw boost::system::system_error(ec, what);
}

void configure(int fd, const serial_options& o, const serial_options* old)
{
    std::string refused;
    if (auto ec = sd::apply(fd, settings_of(o), refused))
        throw_error(ec, refused.empty() ? "serial settings"
                                        : "serial settings: the device refused " + refused);
    if (!old || old->exclusive != o.exclusive)
        if (o.exclusive || old)
            if (auto ec = sd::set_exclusive(fd, o.exclusive))
                throw_error(ec, "serial exclusive lock");
}

// The transport: the reactor transport over the port's descriptor, plus the serial
// operations and the device-loss rule.
class serial_port_transport final
    : public detail::reactor_transport<asio::posix::stream_descriptor, serial_transport>
{
    using base = detail::reactor_transport<asio::posix::stream_descriptor, serial_transport>;

public:
    serial_port_transport(event_loop& loop, asio::posix::stream_descriptor s,
                          std::shared_ptr<base_protocol> p, std::string device,
                          const serial_options& o)
        : base(loop, std::move(s), std::move(p), detail::transport_direction::both,
               std::move(device), o)
    {}

    std::any extra_info(std::string_view name) const override
    {
        if (name == "device")
            return device();
        return base::extra_info(name);
    }

    // A graceful close is bounded: a port whose other side does not read (stopped flow
    // control, nobody on a pty) would keep the write buffer for ever.
    void close() override
    {
        if (is_closing())
            return;
        base::close();
        if (is_closed())
            return;
        std::weak_ptr<transport> weak = weak_from_this();
        close_timer_ = get_loop().call_later(options().drain_timeout, [weak] {
            if (auto self = weak.lock())
                self->abort();
        });
    }

    // The write buffer is sent: the driver's output queue is waited for (tcdrain) on the
    // default executor, never on the loop's thread, before the port is closed, so that
    // close(2) does not wait for it on the loop (a real UART's close waits up to its
    // closing_wait, 30 s). The close timer bounds the wait: abort() flushes the queue,
    // which ends the tcdrain. The job has its own descriptor, so that the port's may be
    // closed (and its number reused) while the job runs.
    void finish_close() override
    {
        if (drain_started_ || is_closed())
            return;
        drain_started_ = true;
        int dup = ::fcntl(native_fd(), F_DUPFD_CLOEXEC, 0);
        if (dup < 0) {
            base::finish_close();
            return;
        }
        std::weak_ptr<transport> weak = weak_from_this();
        auto job = [dup] {
            (void)sd::drain(dup);
            ::close(dup);
        };
        try {
            async_run_in_executor(nullptr, std::move(job), [weak](std::exception_ptr) {
                if (auto self = weak.lock())
                    static_cast<serial_port_transport&>(*self).drained();
            });
        } catch (...) { // no default executor (shut down): close without waiting
            ::close(dup);
            base::finish_close();
        }
    }

    // The driver's output queue is discarded first, so that close(2) cannot wait for it
    // (a real UART's close waits up to its closing_wait, 30 s, for unsent output).
    void abort() override
    {
        close_timer_.cancel();
        if (!is_closed())
            (void)sd::flush(native_fd(), false, true);
        base::abort();
    }

protected:
    bool short_read_drains() const noexcept override { return false; }

    int device_fd() const override
    {
        if (gone_)
            throw boost::system::system_error(gone_, "serial port " + device());
        if (is_closed())
            throw invalid_state_error("the serial port is closed");
        return native_fd();
    }

    void discard_write_buffer() noexcept override { clear_write_buffer(); }

    // A serial port has no end of stream: an end of file, or EIO, is the device going
    // away (a vanished USB adapter, the pty's other side closed), and is reported once as
    // device_gone instead of being read again and again (pyserial#68). Asked of the
    // device itself: its attributes can no longer be read then.
    error_code translate_error(error_code ec) override
    {
        bool suspicious = ec == asio::error::eof ||
                          ec == error_code(EIO, boost::system::system_category()) ||
                          ec == error_code(ENXIO, boost::system::system_category());
        if (suspicious && !is_closed() && !sd::alive(native_fd())) {
            gone_ = make_error_code(error::device_gone);
            return gone_;
        }
        return ec;
    }

private:
    void drained()
    {
        if (is_closed())
            return;
        close_timer_.cancel();
        base::finish_close();
    }

    error_code gone_;
    timer_handle close_timer_;
    bool drain_started_ = false;
};

} // namespace

serial_transport::serial_transport(event_loop& loop, std::shared_ptr<base_protocol> p,
                                   bool receives_sync, std::string device,
                                   const serial_options& options)
    : transport(loop, std::move(p), receives_sync)
    , device_(std::move(device))
    , options_(options)
{}

void serial_transport::change_modem_bit(int bit, bool on, const char* what)
{
    if (auto ec = sd::set_line(device_fd(), static_cast<sd::line>(bit), on))
        throw_error(ec,
                    std::string(what) + (ec == boost::system::errc::operation_not_supported
                                             ? ": the device has no modem lines (a pty has none)"
                                             : ""));
}

void serial_transport::set_dtr(bool on)
{
    change_modem_bit(sd::dtr, on, "set_dtr");
}
void serial_transport::set_rts(bool on)
{
    change_modem_bit(sd::rts, on, "set_rts");
}

namespace {
bool line_state(int fd, sd::line l, const char* what)
{
    bool on = false;
    if (auto ec = sd::get_line(fd, l, on))
        throw_error(ec,
                    std::string(what) + (ec == boost::system::errc::operation_not_supported
                                             ? ": the device has no modem lines (a pty has none)"
                                             : ""));
    return on;
}
} // namespace

bool serial_transport::cts() const
{
    return line_state(device_fd(), sd::cts, "cts");
}
bool serial_transport::dsr() const
{
    return line_state(device_fd(), sd::dsr, "dsr");
}
bool serial_transport::ri() const
{
    return line_state(device_fd(), sd::ri, "ri");
}
bool serial_transport::cd() const
{
    return line_state(device_fd(), sd::cd, "cd");
}

void serial_transport::begin_break()
{
    if (auto ec = sd::set_break(device_fd(), true))
        throw_error(ec, "send_break");
}

error_code serial_transport::end_break() noexcept
{
    try {
        return sd::set_break(device_fd(), false);
    } catch (const boost::system::system_error& e) {
        return e.code();
    } catch (...) {
        return make_error_code(error::invalid_state);
    }
}

void serial_transport::set_options(const serial_options& options)
{
    configure(device_fd(), options, &options_);
    options_ = options;
}

void serial_transport::reset_input_buffer()
{
    if (auto ec = sd::flush(device_fd(), true, false))
        throw_error(ec, "reset_input_buffer");
}

void serial_transport::reset_output_buffer()
{
    int fd = device_fd();
    discard_write_buffer();
    if (auto ec = sd::flush(fd, false, true))
        throw_error(ec, "reset_output_buffer");
}

namespace detail {

std::shared_ptr<serial_transport> open_serial_transport(event_loop& loop,
                                                        const std::filesystem::path& path,
                                                        const serial_options& options,
                                                        std::shared_ptr<base_protocol> proto)
{
    error_code ec;
    int fd = sd::open_device(path.c_str(), ec);
    if (fd < 0)
        throw boost::system::system_error(ec, "open");
    asio::posix::stream_descriptor s(loop.get_io_context(), fd);
    configure(fd, options, nullptr);
    return start_transport<serial_port_transport>(loop, std::move(s), std::move(proto),
                                                  path.string(), options);
}

} // namespace detail
} // namespace boost::tulip
