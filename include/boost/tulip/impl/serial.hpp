//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_SERIAL_HPP
#define BOOST_TULIP_IMPL_SERIAL_HPP

#include <boost/tulip/detail/suspended_op.hpp>
#include <boost/tulip/sleep.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/system/system_error.hpp>

#include <string>
#include <type_traits>
#include <utility>

namespace boost::tulip {
namespace detail {

/** Opens and sets up the device and starts a serial transport on it for `proto`
    (connection_made is posted). @throws boost::system::system_error. */
std::shared_ptr<serial_transport> open_serial_transport(event_loop& loop,
                                                        const std::filesystem::path& path,
                                                        const serial_options& options,
                                                        std::shared_ptr<base_protocol> proto);

struct serial_access
{
    static void begin_break(serial_transport& t) { t.begin_break(); }
    static boost::system::error_code end_break(serial_transport& t) noexcept
    {
        return t.end_break();
    }
};

// The send_break timer's handler: clears the break, then completes the caller's handler.
template <class Handler>
struct break_handler
{
    Handler handler;
    std::shared_ptr<transport> t;

    void operator()(boost::system::error_code ec)
    {
        auto cleared = serial_access::end_break(static_cast<serial_transport&>(*t));
        if (!ec)
            ec = cleared;
        t.reset();
        std::move(handler)(ec);
    }
};

struct initiate_break
{
    serial_transport* t;

    template <class Handler>
    void operator()(Handler&& h, std::chrono::milliseconds d) const
    {
        try {
            serial_access::begin_break(*t);
        } catch (const boost::system::system_error& e) {
            deliver(t->get_loop(), static_cast<Handler&&>(h), code_completion{e.code()},
                    delivery::posted);
            return;
        }
        tulip::sleep(d, break_handler<std::decay_t<Handler>>{static_cast<Handler&&>(h),
                                                             t->shared_from_this()});
    }
};

// awaitable_token's mapper: a system_error that names the device.
struct serial_error_mapper
{
    std::string path;

    template <class... Ts>
    [[noreturn]] void operator()(const boost::system::error_code& ec, Ts&...) const
    {
        throw boost::system::system_error(ec, "serial port " + path);
    }
};

template <class P>
using serial_pair = std::pair<std::shared_ptr<serial_transport>, std::shared_ptr<P>>;

template <class P>
struct initiate_serial
{
    std::filesystem::path path;

    serial_error_mapper error_mapper() const { return {path.string()}; }

    template <class Handler, class Factory>
    void operator()(Handler&& h, Factory factory, serial_options options) const
    {
        event_loop& loop = get_running_loop();
        std::shared_ptr<P> proto = factory();
        boost::system::error_code ec;
        serial_pair<P> value;
        try {
            value.first = open_serial_transport(loop, path, options, proto);
            value.second = std::move(proto);
        } catch (const boost::system::system_error& e) {
            ec = e.code();
        }
        // Posted after connection_made.
        deliver(
            loop, static_cast<Handler&&>(h),
            values_completion<boost::system::error_code, serial_pair<P>>{{ec, std::move(value)}},
            delivery::posted);
    }
};

// create_serial_connection's handler turned into open_serial_connection's.
template <class Handler>
struct serial_open_handler
{
    Handler handler;

    void operator()(const boost::system::error_code& ec, serial_pair<stream_protocol> c)
    {
        std::pair<stream_reader, stream_writer> rw;
        if (c.second) {
            rw.first = c.second->reader();
            rw.second = c.second->writer();
        }
        std::move(handler)(ec, std::move(rw));
    }
};

struct initiate_open_serial
{
    initiate_serial<stream_protocol> inner;

    serial_error_mapper error_mapper() const { return inner.error_mapper(); }

    template <class Handler>
    void operator()(Handler&& h, serial_options options) const
    {
        std::size_t limit = options.limit;
        inner(
            serial_open_handler<std::decay_t<Handler>>{static_cast<Handler&&>(h)},
            [limit] { return make_stream_protocol(get_running_loop(), limit); }, options);
    }
};

} // namespace detail

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto serial_transport::send_break(std::chrono::milliseconds duration, CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        detail::initiate_break{this}, token, duration);
}

template <class CompletionToken>
auto open_serial_connection(const std::filesystem::path& path, const serial_options& options,
                            CompletionToken&& token)
{
    return boost::asio::async_initiate<
        CompletionToken, void(boost::system::error_code, std::pair<stream_reader, stream_writer>)>(
        detail::initiate_open_serial{{path}}, token, options);
}

template <class Factory, class CompletionToken>
auto create_serial_connection(Factory&& factory, const std::filesystem::path& path,
                              const serial_options& options, CompletionToken&& token)
{
    using P = typename std::invoke_result_t<std::decay_t<Factory>&>::element_type;
    static_assert(std::is_base_of_v<base_protocol, P>,
                  "the factory returns std::shared_ptr<P>, P a protocol");
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, detail::serial_pair<P>)>(
        detail::initiate_serial<P>{path}, token,
        std::decay_t<Factory>(static_cast<Factory&&>(factory)), options);
}

} // namespace boost::tulip

namespace boost::asio {

template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct associator<Associator, boost::tulip::detail::break_handler<Handler>, DefaultCandidate>
    : boost::tulip::detail::forward_associator<
          Associator, boost::tulip::detail::break_handler<Handler>, Handler, DefaultCandidate>
{};

template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct associator<Associator, boost::tulip::detail::serial_open_handler<Handler>, DefaultCandidate>
    : boost::tulip::detail::forward_associator<
          Associator, boost::tulip::detail::serial_open_handler<Handler>, Handler, DefaultCandidate>
{};

} // namespace boost::asio

#endif
