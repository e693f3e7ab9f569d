//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Static file server `asio` of the `static_file` benchmark: raw Asio and Beast as a user
// would write it without Tulip, doing what the example static_file_server does over
// HTTP (GET, keep-alive, 404, TCP_CORK around each response, the body with sendfile(2))
// and nothing more: one `co_spawn`ed coroutine per connection with `use_awaitable`,
// Beast reading from the socket itself, `sendfile(2)` with an explicit offset (the file
// position is left alone) and a wait for writability on EAGAIN, SIGPIPE set to ignored
// once at start-up. One thread.
//
//   bench_asio_static_file_server [port] [root]     prints "serving http://127.0.0.1:PORT/"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

int root_fd = -1;

struct fd_closer
{
    int fd;
    ~fd_closer()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

void cork(tcp::socket& s, int on)
{
    ::setsockopt(s.native_handle(), IPPROTO_TCP, TCP_CORK, &on, sizeof on);
}

// The same rule as the example: plain names under the root, "/" is index.html.
std::string relative_path(std::string_view target)
{
    if (auto q = target.find('?'); q != target.npos)
        target = target.substr(0, q);
    if (target.empty() || target.front() != '/')
        return {};
    std::string rel(target.substr(1));
    if (rel.empty() || rel.back() == '/')
        rel += "index.html";
    std::string_view rest = rel;
    while (!rest.empty()) {
        auto slash = rest.find('/');
        std::string_view seg = rest.substr(0, slash);
        if (seg.empty() || seg.front() == '.')
            return {};
        for (char c : seg)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'))
                return {};
        rest = slash == rest.npos ? std::string_view() : rest.substr(slash + 1);
    }
    return rel;
}

// sendfile(2) from `offset` until `size` bytes went or an error.
asio::awaitable<bool> send_file(tcp::socket& s, int fd, std::size_t size)
{
    off_t off = 0;
    std::size_t sent = 0;
    while (sent < size) {
        ssize_t n = ::sendfile(s.native_handle(), fd, &off, size - sent);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            auto [ec] =
                co_await s.async_wait(tcp::socket::wait_write, asio::as_tuple(asio::use_awaitable));
            if (ec)
                co_return false;
            continue;
        }
        co_return false;
    }
    co_return true;
}

asio::awaitable<void> session(tcp::socket s)
{
    s.set_option(tcp::no_delay(true));
    s.native_non_blocking(true);
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64 * 1024);
        auto [ec, n] =
            co_await http::async_read(s, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (ec)
            break;
        const auto& req = parser.get();
        std::string rel = relative_path(req.target());
        fd_closer file{rel.empty() ? -1 : ::openat(root_fd, rel.c_str(), O_RDONLY | O_CLOEXEC)};
        struct stat st;
        if (file.fd < 0 || ::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            http::response<http::string_body> res(http::status::not_found, req.version());
            res.keep_alive(req.keep_alive());
            res.body() = "not found\n";
            res.prepare_payload();
            auto [wec, wn] =
                co_await http::async_write(s, res, asio::as_tuple(asio::use_awaitable));
            if (wec || !res.keep_alive())
                break;
            continue;
        }
        const auto size = static_cast<std::size_t>(st.st_size);
        http::response<http::empty_body> res(http::status::ok, req.version());
        res.set(http::field::server, "asio static_file");
        res.set(http::field::content_type, "application/octet-stream");
        res.keep_alive(req.keep_alive());
        res.content_length(size);
        http::response_serializer<http::empty_body> sr(res);
        cork(s, 1);
        auto [wec, wn] =
            co_await http::async_write_header(s, sr, asio::as_tuple(asio::use_awaitable));
        bool ok = !wec;
        if (ok && req.method() == http::verb::get && size > 0)
            ok = co_await send_file(s, file.fd, size);
        cork(s, 0);
        if (!ok || !res.keep_alive())
            break;
    }
    boost::system::error_code ignored;
    s.shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> listen(tcp::acceptor& acceptor)
{
    auto ex = co_await asio::this_coro::executor;
    for (;;) {
        auto [ec, s] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (!ec)
            asio::co_spawn(ex, session(std::move(s)), asio::detached);
    }
}

} // namespace

int main(int argc, char** argv)
{
    std::signal(SIGPIPE, SIG_IGN);
    const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0);
    root_fd = ::open(argc > 2 ? argv[2] : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) {
        std::perror("root");
        return 1;
    }
    asio::io_context ioc(1);
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    acceptor.listen(1024);
    std::printf("serving http://127.0.0.1:%u/\n", unsigned(acceptor.local_endpoint().port()));
    std::fflush(stdout);
    asio::co_spawn(ioc, listen(acceptor), asio::detached);
    ioc.run();
}
