//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/error.hpp>

#include <boost/asio/error.hpp>

namespace boost::tulip {

namespace {

class tulip_category_impl final : public boost::system::error_category
{
public:
    const char* name() const noexcept override { return "tulip"; }

    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
        case error::loop_closed:
            return "the event loop is closed";
        case error::timeout:
            return "operation timed out";
        case error::invalid_state:
            return "invalid state for this operation";
        case error::queue_shut_down:
            return "the queue is shut down";
        case error::broken_barrier:
            return "the barrier is broken";
        case error::incomplete_read:
            return "the end of the stream came before the read was complete";
        case error::limit_overrun:
            return "the separator was not found within the stream's limit";
        case error::device_gone:
            return "the device is gone (unplugged, or the other side of the pty closed)";
        case error::sendfile_not_available:
            return "sendfile is not available for this file and destination";
        case error::server_hostname_required:
            return "a TLS client that verifies the server's certificate needs server_hostname, "
                   "the name to check it against";
        }
        return "unknown tulip error";
    }
};

} // namespace

const boost::system::error_category& tulip_category() noexcept
{
    static const tulip_category_impl instance;
    return instance;
}

boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), tulip_category()};
}

cancelled_error::cancelled_error(std::string message)
    : boost::system::system_error(boost::asio::error::operation_aborted,
                                  message.empty() ? "cancelled" : message)
    , message_(std::move(message))
{}

namespace {

std::string incomplete_read_message(std::size_t got, std::ptrdiff_t expected)
{
    std::string m = std::to_string(got) + " bytes read before the end of the stream";
    if (expected >= 0)
        m += ", " + std::to_string(expected) + " expected";
    return m;
}

} // namespace

incomplete_read_error::incomplete_read_error(std::string partial, std::ptrdiff_t expected)
    : std::runtime_error(incomplete_read_message(partial.size(), expected))
    , partial_(std::move(partial))
    , expected_(expected)
{}

bool is_cancellation(const std::exception& e) noexcept
{
    if (auto* se = dynamic_cast<const boost::system::system_error*>(&e))
        return se->code() == boost::asio::error::operation_aborted;
    return false;
}

bool is_cancellation(const std::exception_ptr& e) noexcept
{
    if (!e)
        return false;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return is_cancellation(ex);
    } catch (...) {
        return false;
    }
}

} // namespace boost::tulip
