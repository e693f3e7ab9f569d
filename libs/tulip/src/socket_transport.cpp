//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/detail/socket_transport.hpp>

#include <boost/tulip/detail/unix_socket_file.hpp>

#include <boost/tulip/streams.hpp>

#include "reactor_transport.hpp"

namespace boost::tulip::detail {

void set_cloexec(int fd)
{
    if (auto ec = try_set_cloexec(fd))
        throw boost::system::system_error(ec, "fcntl");
}

void write_buffer::append(const boost::asio::const_buffer* bufs, std::size_t n, std::size_t skip)
{
    if (head_ > 0 && head_ * 2 >= data_.size()) {
        data_.erase(data_.begin(), data_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
    for (std::size_t i = 0; i < n; ++i) {
        auto p = static_cast<const char*>(bufs[i].data());
        std::size_t len = bufs[i].size();
        if (skip >= len) {
            skip -= len;
            continue;
        }
        data_.insert(data_.end(), p + skip, p + len);
        skip = 0;
    }
}

template <class Protocol>
std::shared_ptr<transport> make_socket_transport(event_loop& loop,
                                                 boost::asio::basic_stream_socket<Protocol> socket,
                                                 std::shared_ptr<base_protocol> proto)
{
    return start_transport<reactor_transport<boost::asio::basic_stream_socket<Protocol>>>(
        loop, std::move(socket), std::move(proto), transport_direction::both);
}

template std::shared_ptr<transport>
make_socket_transport<boost::asio::ip::tcp>(event_loop&,
                                            boost::asio::basic_stream_socket<boost::asio::ip::tcp>,
                                            std::shared_ptr<base_protocol>);
template std::shared_ptr<transport> make_socket_transport<boost::asio::local::stream_protocol>(
    event_loop&, boost::asio::basic_stream_socket<boost::asio::local::stream_protocol>,
    std::shared_ptr<base_protocol>);

// stream_writer::sendfile's way to the socket of a TCP or Unix socket transport (any other
// transport, TLS included, gets the fallback through its writes).
namespace {
using tcp_socket_transport = reactor_transport<boost::asio::ip::tcp::socket>;
using unix_socket_transport = reactor_transport<boost::asio::local::stream_protocol::socket>;
} // namespace

sendfile_socket begin_socket_sendfile(transport& t) noexcept
{
    sendfile_socket s;
    if (!t.receives_synchronously()) // not a reactor transport (TLS)
        return s;
    if (auto* tt = dynamic_cast<tcp_socket_transport*>(&t)) {
        s.tcp = tt->hold_for_sendfile();
        s.sigpipe_ignored = tt->sigpipe_ignored();
    } else if (auto* ut = dynamic_cast<unix_socket_transport*>(&t)) {
        s.local = ut->hold_for_sendfile();
        s.sigpipe_ignored = ut->sigpipe_ignored();
    }
    return s;
}

void end_socket_sendfile(transport& t) noexcept
{
    if (auto* tt = dynamic_cast<tcp_socket_transport*>(&t))
        tt->release_for_sendfile();
    else if (auto* ut = dynamic_cast<unix_socket_transport*>(&t))
        ut->release_for_sendfile();
}

template <class Protocol>
void release_socket(
    transport& t, std::function<void(boost::asio::basic_stream_socket<Protocol>, std::string)> done)
{
    using impl = reactor_transport<boost::asio::basic_stream_socket<Protocol>>;
    auto* r = dynamic_cast<impl*>(&t);
    if (!r)
        throw invalid_state_error("start_tls: the transport is not a TCP or Unix socket's");
    r->release_stream(std::move(done));
}

template void release_socket<boost::asio::ip::tcp>(
    transport&,
    std::function<void(boost::asio::basic_stream_socket<boost::asio::ip::tcp>, std::string)>);
template void release_socket<boost::asio::local::stream_protocol>(
    transport&,
    std::function<void(boost::asio::basic_stream_socket<boost::asio::local::stream_protocol>,
                       std::string)>);

template <class Protocol>
bool is_socket_transport(const transport& t) noexcept
{
    using impl = reactor_transport<boost::asio::basic_stream_socket<Protocol>>;
    return dynamic_cast<const impl*>(&t) != nullptr;
}

template bool is_socket_transport<boost::asio::ip::tcp>(const transport&) noexcept;
template bool is_socket_transport<boost::asio::local::stream_protocol>(const transport&) noexcept;

std::shared_ptr<transport> make_descriptor_transport(event_loop& loop,
                                                     boost::asio::posix::stream_descriptor d,
                                                     std::shared_ptr<base_protocol> proto,
                                                     transport_direction direction)
{
    return start_transport<reactor_transport<boost::asio::posix::stream_descriptor>>(
        loop, std::move(d), std::move(proto), direction);
}

} // namespace boost::tulip::detail
