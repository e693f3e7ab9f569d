//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// SSL upgrade with start_tls: an SMTP-style server that speaks plaintext until the client
// sends STARTTLS, then upgrades the same connection to TLS in place
// (`stream_writer::start_tls`) and carries on with the same reader and writer. Talk to it
// with `openssl s_client -starttls smtp` or `curl --ssl-reqd smtp://...`.
//
// Plaintext the client sent after STARTTLS in the same packet is not read as a command:
// it goes to the TLS engine, which refuses it (the STARTTLS injection class,
// CVE-2011-0411).
//
//   smtp_starttls CERT KEY [port]    (port 0 or none: an ephemeral port, printed)
//
#include <boost/tulip.hpp>
#include <boost/tulip/tls.hpp>

#include <boost/asio/ssl.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace tulip = boost::tulip;
namespace ssl = boost::asio::ssl;
using namespace std::chrono_literals;

namespace {

std::string verb_of(const std::string& line)
{
    std::string v = line.substr(0, line.find_first_of(" \r\n"));
    std::transform(v.begin(), v.end(), v.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return v;
}

tulip::awaitable<void> session(ssl::context& ctx, tulip::stream_reader r, tulip::stream_writer w)
{
    bool secure = false;
    w.write("220 localhost ESMTP Tulip\r\n");
    for (;;) {
        std::string line = co_await r.readline();
        if (line.empty())
            break; // the client went away
        std::string verb = verb_of(line);
        if (verb == "EHLO") {
            // STARTTLS is offered until the connection is secure (RFC 3207).
            w.write(secure ? "250-localhost\r\n250 8BITMIME\r\n"
                           : "250-localhost\r\n250-8BITMIME\r\n250 STARTTLS\r\n");
        } else if (verb == "HELO") {
            w.write("250 localhost\r\n");
        } else if (verb == "STARTTLS" && !secure) {
            w.write("220 Ready to start TLS\r\n");
            tulip::tls_options o;
            o.server_side = true;
            o.handshake_timeout = 10s;
            try {
                co_await w.start_tls(ctx, o); // flushes the 220 first
            } catch (const boost::system::system_error& e) {
                // Not TLS after STARTTLS (or injected plaintext): this connection ends.
                std::fprintf(stderr, "smtp_starttls: TLS upgrade failed: %s\n", e.what());
                co_return;
            }
            secure = true;
        } else if (verb == "NOOP") {
            w.write(secure ? "250 OK (" + *w.get_extra_info<std::string>("version") + ")\r\n"
                           : std::string("250 OK\r\n"));
        } else if (verb == "QUIT") {
            w.write("221 Bye\r\n");
            co_await w.drain();
            break;
        } else if (!secure && verb != "STARTTLS") {
            w.write("530 Must issue a STARTTLS command first\r\n");
        } else {
            w.write("502 Command not implemented\r\n");
        }
        co_await w.drain();
    }
    w.close();
    co_await w.wait_closed();
}

tulip::awaitable<void> serve(const char* cert, const char* key, unsigned short port)
{
    ssl::context ctx(ssl::context::tls_server);
    ctx.use_certificate_chain_file(cert);
    ctx.use_private_key_file(key, ssl::context::pem);
    auto handler = [&ctx](tulip::stream_reader r, tulip::stream_writer w) {
        return session(ctx, std::move(r), std::move(w));
    };
    auto srv = co_await tulip::start_server(handler, "127.0.0.1", port);
    std::printf("serving smtp://127.0.0.1:%u\n", unsigned(srv.sockets().front().port()));
    std::fflush(stdout);
    co_await srv.serve_forever();
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: smtp_starttls CERT KEY [port]\n");
        return 2;
    }
    const auto port = static_cast<unsigned short>(argc > 3 ? std::atoi(argv[3]) : 0);
    try {
        tulip::run(serve(argv[1], argv[2], port));
    } catch (const std::exception& e) {
        if (!tulip::is_cancellation(e)) {
            std::fprintf(stderr, "smtp_starttls: %s\n", e.what());
            return 1;
        }
        std::printf("stopped\n"); // Ctrl-C cancelled serve_forever
    }
    return 0;
}
