//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Shared by the TLS tests: the test PKI (made at build time by make_certs.sh), contexts,
// external commands on a thread, report capture.

#ifndef BOOST_TULIP_TEST_TLS_HELPERS_HPP
#define BOOST_TULIP_TEST_TLS_HELPERS_HPP

#include <boost/tulip.hpp>
#include <boost/tulip/tls.hpp>

#include <boost/tulip/test.hpp>

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

// Runs a shell command on a thread (the loop goes on) and returns its output and status.
inline tulip::awaitable<std::string> run_command(std::string cmd)
{
    auto& loop = tulip::get_running_loop();
    auto done = loop.create_future<std::string>();
    std::thread th([&loop, &done, cmd] {
        std::string out;
        if (FILE* p = ::popen(cmd.c_str(), "r")) {
            char buf[4096];
            std::size_t n;
            while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
                out.append(buf, n);
            out += "exit=" + std::to_string(::pclose(p));
        }
        loop.call_soon_threadsafe([&done, out] { done.set_result(out); });
    });
    std::exception_ptr e;
    std::string out;
    try {
        out = co_await done.wait();
    } catch (...) {
        e = std::current_exception();
    }
    th.join();
    if (e)
        std::rethrow_exception(e);
    co_return out;
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

struct captured_reports
{
    std::vector<std::string> messages;
    std::vector<std::exception_ptr> exceptions;
};

inline void capture_reports(captured_reports& into)
{
    tulip::get_running_loop().set_exception_handler(
        [&into](tulip::event_loop&, const tulip::exception_context& c) {
            into.messages.push_back(c.message);
            into.exceptions.push_back(c.exception);
        });
}

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

inline tcp::endpoint first_endpoint(const tulip::server& srv)
{
    auto eps = srv.sockets();
    BOOST_REQUIRE(!eps.empty());
    return eps.front();
}

} // namespace tls_test

#endif
