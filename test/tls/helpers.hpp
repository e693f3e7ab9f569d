//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Shared by the TLS tests: the test PKI (made at build time by make_certs.sh), contexts,
// an openssl s_server; the helpers of every network test come from ../common/net.hpp.

#ifndef BOOST_TULIP_TEST_TLS_HELPERS_HPP
#define BOOST_TULIP_TEST_TLS_HELPERS_HPP

#include <boost/tulip.hpp>
#include <boost/tulip/tls.hpp>

#include <boost/tulip/test.hpp>

#include "../common/net.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace tls_test {

namespace tulip = boost::tulip;
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

using net_test::capture_reports;
using net_test::captured_reports;
using net_test::first_endpoint;
using net_test::run_command;

inline std::string cert(const char* name)
{
    return std::string(BOOST_TULIP_TEST_CERTS) + "/" + name;
}

// A server context with the named certificate ("server", "expired", "wronghost").
inline ssl::context server_context(const char* which = "server")
{
    ssl::context ctx(ssl::context::tls_server);
    ctx.use_certificate_chain_file(cert((std::string(which) + ".pem").c_str()));
    ctx.use_private_key_file(cert((std::string(which) + ".key").c_str()), ssl::context::pem);
    return ctx;
}

// A client context trusting the test CA and verifying the peer.
inline ssl::context client_context()
{
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file(cert("ca.pem"));
    ctx.set_verify_mode(ssl::verify_peer);
    return ctx;
}

// `openssl s_server` on an ephemeral loopback port for one connection; its output is
// read (and dropped) by a thread until it exits.
class s_server
{
public:
    explicit s_server(const std::string& args)
    {
        std::string cmd =
            "timeout 60 openssl s_server -accept 127.0.0.1:0 -naccept 1 " + args + " 2>&1";
        p_ = ::popen(cmd.c_str(), "r");
        BOOST_REQUIRE(p_);
        char line[256];
        while (std::fgets(line, sizeof line, p_)) {
            std::string l(line);
            if (l.rfind("ACCEPT ", 0) == 0) {
                port = static_cast<std::uint16_t>(std::stoi(l.substr(l.rfind(':') + 1)));
                break;
            }
        }
        BOOST_REQUIRE(port != 0);
        drain_ = std::thread([this] {
            char buf[4096];
            std::size_t n;
            while ((n = std::fread(buf, 1, sizeof buf, p_)) > 0)
                output.append(buf, n);
        });
    }
    ~s_server()
    {
        drain_.join();
        ::pclose(p_);
    }

    std::uint16_t port = 0;
    std::string output; // after the destructor's join only

private:
    FILE* p_ = nullptr;
    std::thread drain_;
};

inline boost::system::error_code code_of(const std::exception_ptr& e)
{
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& s) {
        return s.code();
    } catch (...) {
    }
    return {};
}

// A TLS server with one connection whose handler has returned while `kept` holds it:
// closing the server leaves wait_closed waiting until close_clients, which the client
// (`r`) sees as a clean end of stream (close_notify); then the server and `kept` end.
inline tulip::awaitable<void> close_clients_ends_a_kept_connection(tulip::server srv,
                                                                   tulip::stream_reader& r,
                                                                   tulip::task<void>& kept)
{
    using namespace std::chrono_literals;
    co_await tulip::sleep(0s); // the handler's task has returned
    auto waiter = co_await net_test::close_and_start_waiting(srv);
    srv.close_clients();
    std::string rest = co_await tulip::timeout(5s, r.read());
    BOOST_TEST(rest.empty());
    BOOST_TEST(r.at_eof());
    co_await tulip::timeout(5s, waiter.wait());
    co_await tulip::timeout(5s, kept.wait());
}

} // namespace tls_test

#endif
