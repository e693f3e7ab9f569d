//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_TRANSPORT_HPP
#define BOOST_TULIP_IMPL_TRANSPORT_HPP

#include <boost/tulip/detail/connector.hpp>
#include <boost/tulip/detail/socket_transport.hpp>
#include <boost/tulip/detail/suspended_op.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/system/system_error.hpp>

#include <string>
#include <type_traits>
#include <utility>

namespace boost::tulip {
namespace detail {

template <class Factory>
using factory_protocol_t = typename std::invoke_result_t<Factory&>::element_type;

template <class P>
using connection_pair = std::pair<std::shared_ptr<transport>, std::shared_ptr<P>>;

template <class P>
using connection_signature = void(boost::system::error_code, connection_pair<P>);

// The pending connection: the connector doing the work (alive while the operation is
// pending: it completes or destroys the operation before it goes) and the protocol.
template <class P>
struct connect_node : op_node
{
    connector* conn;
    std::shared_ptr<P> proto;

    connect_node(connector* c, std::shared_ptr<P> p) noexcept
        : conn(c)
        , proto(std::move(p))
    {}

    template <class Op>
    void on_cancel(Op&)
    {
        conn->cancel(); // completes the operation with operation_aborted
    }
};

template <class P>
struct connect_completion
{
    boost::system::error_code ec;
    connection_pair<P> value;

    // On the loop's thread: the transport is made here, so its connection_made (posted)
    // runs before the handler (posted after it).
    static connect_completion make(connect_node<P>& n, boost::system::error_code ec)
    {
        if (ec)
            return {ec, {}};
        try {
            auto t = n.conn->make_transport(n.proto);
            return {ec, {std::move(t), std::move(n.proto)}};
        } catch (const boost::system::system_error& e) {
            return {e.code(), {}};
        }
    }

    template <class Handler>
    void operator()(Handler&& h)
    {
        static_cast<Handler&&>(h)(ec, std::move(value));
    }
};

// awaitable_token's mapper: the failures of every attempt (see throw_connect_error).
struct connect_error_mapper
{
    std::shared_ptr<connect_errors> errors;

    template <class... Ts>
    [[noreturn]] void operator()(const boost::system::error_code& ec, Ts&...) const
    {
        throw_connect_error(ec, *errors);
    }
};

template <class P>
struct initiate_connect
{
    std::shared_ptr<connect_errors> errors = std::make_shared<connect_errors>();

    connect_error_mapper error_mapper() const { return {errors}; }

    template <class Handler, class Factory>
    void operator()(Handler&& h, Factory factory, connect_target target,
                    connection_options opts) const
    {
        event_loop& loop = get_running_loop();
        std::shared_ptr<P> proto = factory();
        auto conn = make_connector(loop, std::move(target), opts, errors);
        using handler_type = std::decay_t<Handler>;
        auto* op = new suspended_op<handler_type, connect_node<P>, connect_completion<P>>(
            loop, std::move(h), conn.get(), std::move(proto));
        op->arm(awaiting_connect, conn.get());
        conn->start(op);
    }
};

template <class P>
struct initiate_connect_accepted
{
    template <class Handler, class Factory, class Socket>
    void operator()(Handler&& h, Factory factory, Socket socket) const
    {
        event_loop& loop = get_running_loop();
        std::shared_ptr<P> proto = factory();
        boost::system::error_code ec;
        connection_pair<P> value;
        try {
            value.first = make_socket_transport(loop, std::move(socket), proto);
            value.second = std::move(proto);
        } catch (const boost::system::system_error& e) {
            ec = e.code();
        }
        // Posted after connection_made.
        deliver(loop, static_cast<Handler&&>(h),
                values_completion<boost::system::error_code, connection_pair<P>>{
                    {ec, std::move(value)}},
                delivery::posted);
    }
};

template <class Factory, class CompletionToken>
auto start_connect(Factory&& factory, connect_target target, const connection_options& options,
                   CompletionToken&& token)
{
    refuse_ssl(options, target.is_unix);
    using P = factory_protocol_t<Factory>;
    static_assert(std::is_base_of_v<base_protocol, P>,
                  "the factory returns std::shared_ptr<P>, P a protocol");
    return boost::asio::async_initiate<CompletionToken, connection_signature<P>>(
        initiate_connect<P>{}, token, std::decay_t<Factory>(static_cast<Factory&&>(factory)),
        std::move(target), options);
}

} // namespace detail

template <class Factory, class CompletionToken>
auto create_connection(Factory&& factory, std::string_view host, std::string_view port,
                       const connection_options& options, CompletionToken&& token)
{
    return detail::start_connect(
        static_cast<Factory&&>(factory),
        detail::connect_target{false, std::string(host), std::string(port), {}}, options,
        static_cast<CompletionToken&&>(token));
}

template <class Factory, class CompletionToken>
auto create_connection(Factory&& factory, std::string_view host, std::uint16_t port,
                       const connection_options& options, CompletionToken&& token)
{
    return detail::start_connect(
        static_cast<Factory&&>(factory),
        detail::connect_target{false, std::string(host), std::to_string(port), {}}, options,
        static_cast<CompletionToken&&>(token));
}

template <class Factory, class CompletionToken>
auto create_unix_connection(Factory&& factory, const std::filesystem::path& path,
                            const connection_options& options, CompletionToken&& token)
{
    return detail::start_connect(static_cast<Factory&&>(factory),
                                 detail::connect_target{true, path.native(), std::string(), {}},
                                 options, static_cast<CompletionToken&&>(token));
}

template <class Factory, class Protocol, class CompletionToken>
auto connect_accepted_socket(Factory&& factory, boost::asio::basic_stream_socket<Protocol> socket,
                             CompletionToken&& token)
{
    using P = detail::factory_protocol_t<Factory>;
    static_assert(std::is_base_of_v<base_protocol, P>,
                  "the factory returns std::shared_ptr<P>, P a protocol");
    return boost::asio::async_initiate<CompletionToken, detail::connection_signature<P>>(
        detail::initiate_connect_accepted<P>{}, token,
        std::decay_t<Factory>(static_cast<Factory&&>(factory)), std::move(socket));
}

} // namespace boost::tulip

#endif
