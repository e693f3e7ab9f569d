//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_TLS_HPP
#define BOOST_TULIP_IMPL_TLS_HPP

#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <utility>

namespace boost::tulip {
namespace detail {

template <class Socket>
struct start_tls_state
{
    boost::asio::ssl::stream<Socket> stream;
    boost::asio::steady_timer timer;
    bool done = false;
    bool timed_out = false;

    start_tls_state(Socket&& s, boost::asio::ssl::context& ctx)
        : stream(std::move(s), ctx)
        , timer(stream.get_executor())
    {}
};

// The handshake with a deadline. Asio's buffered handshake feeds `initial_data` to the
// engine piece by piece for as long as the handshake asks for input (not only what fits
// the engine's ~17 KiB BIO at once), so a first flight of any size arrives whole; what
// it has not taken when the handshake is over cannot be a legitimate TLS record (see
// async_start_tls) and fails the operation, so that nothing is dropped silently.
template <class Socket>
struct start_tls_op
{
    std::shared_ptr<start_tls_state<Socket>> st;
    tls_options opts;
    boost::system::error_code refused = {};

    template <class Self>
    void operator()(Self& self)
    {
        auto& s = *st;
        if (refused) { // posted below: never complete inside the initiating function
            s.done = true;
            self.complete(refused, std::move(s.stream));
            return;
        }
        if (!opts.server_side) {
            SSL* h = s.stream.native_handle();
            refused = client_name_check(false, opts.server_hostname, SSL_get_verify_mode(h));
            if (!opts.server_hostname.empty()) {
                try {
                    configure_tls_client(h, opts.server_hostname);
                } catch (const boost::system::system_error& e) {
                    refused = e.code();
                }
            }
            if (refused) {
                boost::asio::post(std::move(self));
                return;
            }
        }
        s.timer.expires_after(opts.handshake_timeout);
        s.timer.async_wait([st = st](boost::system::error_code ec) {
            if (ec || st->done)
                return;
            st->timed_out = true;
            boost::system::error_code ignored;
            st->stream.next_layer().cancel(ignored);
        });
        auto type = opts.server_side ? boost::asio::ssl::stream_base::server
                                     : boost::asio::ssl::stream_base::client;
        s.stream.async_handshake(type, opts.initial_data, std::move(self));
    }

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec, std::size_t used)
    {
        auto& s = *st;
        s.done = true;
        s.timer.cancel();
        if (ec == boost::asio::error::operation_aborted && s.timed_out)
            ec = boost::asio::error::timed_out;
        else if (ec)
            ec = tls_handshake_error(s.stream.native_handle(), ec);
        else if (used < opts.initial_data.size())
            ec = boost::asio::ssl::error::unexpected_result;
        self.complete(ec, std::move(s.stream));
    }
};

} // namespace detail

template <class Protocol, class Executor, class CompletionToken>
auto async_start_tls(boost::asio::basic_stream_socket<Protocol, Executor>&& socket,
                     boost::asio::ssl::context& ctx, const tls_options& opts,
                     CompletionToken&& token)
{
    using socket_type = boost::asio::basic_stream_socket<Protocol, Executor>;
    using stream_type = boost::asio::ssl::stream<socket_type>;
    auto st = std::make_shared<detail::start_tls_state<socket_type>>(std::move(socket), ctx);
    auto ex = st->stream.get_executor();
    return boost::asio::async_compose<CompletionToken,
                                      void(boost::system::error_code, stream_type)>(
        detail::start_tls_op<socket_type>{std::move(st), opts}, token, ex);
}

} // namespace boost::tulip

#endif
