//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_TLS_HPP
#define BOOST_TULIP_TLS_HPP

// TLS for Tulip (the Boost::tulip_ssl library, OpenSSL through Asio's ssl::stream).
// Linking Boost::tulip_ssl also makes the `ssl` options of create_connection,
// open_connection, create_server, start_server and their Unix variants work.

#include <boost/tulip/detail/config.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/error.hpp>

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <string_view>
#include <type_traits>

namespace boost::tulip {

// tag::outline[]
/** How a TLS session starts over a connected socket (`async_start_tls`,
    `stream_writer::start_tls`; asyncio's `loop.start_tls` arguments).

    Trivially destructible, so that a temporary of it may sit next to a `co_await` (the
    g++ 12 rule of the manual); `server_hostname` and `initial_data` point to the
    caller's memory, kept alive until the call completes.
*/
struct tls_options
{
    /// The server's side of the handshake (accepting a ClientHello); false: the client's.
    bool server_side = false;
    /// Client: the name sent in SNI and verified against the server's certificate (an
    /// IP address literal is verified against the certificate's IP addresses and not
    /// sent in SNI). Verification itself follows the context's verify mode
    /// (`ssl::verify_peer` to check the chain). Empty: with `verify_peer` the operation
    /// fails with `error::server_hostname_required` before any handshake (a chain
    /// checked against no name would accept any trusted certificate; asyncio refuses
    /// the same); with `verify_none` nothing is sent or checked.
    std::string_view server_hostname;
    /// The handshake must finish within this; else it fails with `asio::error::timed_out`.
    duration handshake_timeout = std::chrono::seconds(60);
    /// `close()` of a TLS transport waits at most this for the peer's close_notify.
    duration shutdown_timeout = std::chrono::seconds(30);
    /// Bytes already read from the plain connection that belong to the TLS stream
    /// (any amount): they are the first input of the TLS engine.
    boost::asio::const_buffer initial_data;
};
// end::outline[]
static_assert(std::is_trivially_destructible_v<tls_options>);

// tag::outline[]
/** The category of a certificate verification failure: the value is OpenSSL's
    `X509_V_ERR_*` code, the message OpenSSL's text ("certificate has expired",
    "hostname mismatch", "unable to get local issuer certificate", ...). A handshake that
    fails because the peer's certificate was refused completes with an error of this
    category instead of OpenSSL's generic "certificate verify failed". */
const boost::system::error_category& tls_verify_category() noexcept;

/** Starts TLS over a connected stream socket (asyncio `loop.start_tls`): the socket moves
    into an `asio::ssl::stream` and the handshake runs; the stream is ready for
    `async_read_some`/`async_write_some` when the operation completes.

    `Protocol` is `asio::ip::tcp` or `asio::local::stream_protocol`. `ctx` is not
    modified and must outlive the stream. `opts.initial_data` is fed to the TLS engine
    before anything is read from the socket, whatever its size: plaintext that arrived
    before the upgrade is never handed to the application as if it came through TLS
    (the STARTTLS injection class, CVE-2011-0411); if it is not the peer's handshake the
    handshake fails. Bytes of `initial_data` beyond the peer's first handshake flight
    (possible only for a peer that sends records it cannot have keys for yet) fail the
    operation with `asio::ssl::error::unexpected_result`.

    @par Completion Signature
    `void(boost::system::error_code, asio::ssl::stream<asio::basic_stream_socket<Protocol,
    Executor>>)`. Errors: OpenSSL's (`asio::error::get_ssl_category()`, e.g. "wrong version
    number" for plaintext), `tls_verify_category()` for a refused certificate,
    `asio::error::timed_out` after `opts.handshake_timeout`, `asio::error::eof` or
    `asio::ssl::error::stream_truncated` for a peer that closed during the handshake.
    On an error the stream is still passed (its socket open): close it.

    @par Per-Operation Cancellation
    `terminal` (Asio's `ssl::stream` supports no more): the handshake stops with
    `operation_aborted`; the stream is unusable afterwards.
*/
template <class Protocol, class Executor, class CompletionToken = awaitable_token_t>
auto async_start_tls(boost::asio::basic_stream_socket<Protocol, Executor>&& socket,
                     boost::asio::ssl::context& ctx, const tls_options& opts,
                     CompletionToken&& token = {});
// end::outline[]

namespace detail {
// Sets SNI and the name to verify on a client's SSL object.
void configure_tls_client(SSL* ssl, std::string_view host);
// A client that verifies its peer must name it: a verified chain says nothing about whom
// it was issued to, so without a name any trusted certificate would pass (asyncio refuses
// the same). `verify_mode` is the SSL object's, or the context's before there is one.
inline boost::system::error_code client_name_check(bool server_side, std::string_view host,
                                                   int verify_mode) noexcept
{
    if (!server_side && host.empty() && (verify_mode & SSL_VERIFY_PEER))
        return error::server_hostname_required;
    return {};
}
// The error a failed handshake reports (a refused certificate as tls_verify_category()).
boost::system::error_code tls_handshake_error(SSL* ssl, boost::system::error_code ec) noexcept;
// Makes sure the object file that registers the TLS hooks is part of the program.
int tls_hooks_anchor() noexcept;
inline const int tls_hooks_linked = tls_hooks_anchor();
} // namespace detail

} // namespace boost::tulip

#include <boost/tulip/impl/tls.hpp>

#endif
