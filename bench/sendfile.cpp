//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Benchmark `sendfile`: one 64 MiB file sent over a loopback TCP connection, wall-clock
// throughput in MB/s (1 MB = 10^6 bytes), the median of the repetitions:
//   tulip      `tulip::async_sendfile` on a non-blocking socket (sendfile(2), waiting for
//              writability with Asio when the socket buffer is full);
//   sendfile2  a plain loop of blocking sendfile(2) calls (the kernel's own speed);
//   readwrite  Tulip's fallback: `async_sendfile` through a stream that is not a socket,
//              so pread + write in 256 KiB steps.
// The receiver is a thread of this program reading into a 256 KiB buffer with blocking
// recv and dropping the bytes (the same for every impl). Repetitions are interleaved.
//
// Usage: sendfile [--mib 64] [--reps 5] [--quick]   (--quick: 16 MiB, 2 repetitions)

#include <boost/tulip/sendfile.hpp>

#include "bench_common.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

namespace asio = boost::asio;
namespace tulip = boost::tulip;
using tcp = asio::ip::tcp;

namespace {

// A socket as an AsyncWriteStream that is not an asio socket: async_sendfile takes the
// read/write fallback on it.
struct not_a_socket
{
    tcp::socket& s;
    using executor_type = tcp::socket::executor_type;
    executor_type get_executor() { return s.get_executor(); }
    template <class Buffers, class Token>
    auto async_write_some(const Buffers& b, Token&& t)
    {
        return s.async_write_some(b, std::forward<Token>(t));
    }
};

struct connection
{
    tcp::socket sender;
    std::thread receiver;
    std::size_t received = 0;
};

// A loopback connection whose receiving end a thread drains.
void connect(asio::io_context& ioc, connection& c)
{
    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    c.sender.connect(acceptor.local_endpoint());
    tcp::socket in = acceptor.accept();
    c.receiver = std::thread([&c, fd = in.release()] {
        std::vector<char> buf(256 * 1024);
        for (;;) {
            ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
            if (n <= 0)
                break;
            c.received += static_cast<std::size_t>(n);
        }
        ::close(fd);
    });
}

double finish(connection& c, double t0, std::size_t expected)
{
    c.sender.shutdown(tcp::socket::shutdown_send);
    c.receiver.join();
    double secs = (bench::wall_ns() - t0) / 1e9;
    c.sender.close();
    if (c.received != expected) {
        std::fprintf(stderr, "sendfile bench: received %zu of %zu bytes\n", c.received, expected);
        std::exit(1);
    }
    return static_cast<double>(expected) / 1e6 / secs;
}

double run_tulip(int fd, std::size_t size, bool fallback_path)
{
    asio::io_context ioc;
    connection c{tcp::socket(ioc), {}, 0};
    connect(ioc, c);
    double t0 = bench::wall_ns();
    std::size_t sent = 0;
    boost::system::error_code err;
    auto done = [&](boost::system::error_code ec, std::size_t n) {
        err = ec;
        sent = n;
    };
    not_a_socket wrapper{c.sender};
    if (fallback_path)
        tulip::async_sendfile(wrapper, fd, 0, size, done);
    else
        tulip::async_sendfile(c.sender, fd, 0, size, done);
    ioc.run();
    if (err || sent != size) {
        std::fprintf(stderr, "sendfile bench: %s after %zu bytes\n", err.message().c_str(), sent);
        std::exit(1);
    }
    return finish(c, t0, size);
}

double run_sendfile2(int fd, std::size_t size)
{
    asio::io_context ioc;
    connection c{tcp::socket(ioc), {}, 0};
    connect(ioc, c);
    double t0 = bench::wall_ns();
    off_t off = 0;
    while (static_cast<std::size_t>(off) < size) {
        ssize_t n = ::sendfile(c.sender.native_handle(), fd, &off, size - off);
        if (n <= 0) {
            std::perror("sendfile");
            std::exit(1);
        }
    }
    return finish(c, t0, size);
}

} // namespace

int main(int argc, char** argv)
{
    bool quick = false;
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--quick")
            quick = true;
    const std::size_t mib =
        static_cast<std::size_t>(bench::arg_long(argc, argv, "--mib", quick ? 16 : 64));
    const long reps = bench::arg_long(argc, argv, "--reps", quick ? 2 : 5);
    const std::size_t size = mib * 1024 * 1024;

    std::string path =
        (std::filesystem::temp_directory_path() / "tulip-bench-sendfile-XXXXXX").string();
    int fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd < 0) {
        std::perror("mkostemp");
        return 1;
    }
    ::unlink(path.c_str());
    {
        std::vector<char> block(1024 * 1024);
        for (std::size_t i = 0; i < block.size(); ++i)
            block[i] = static_cast<char>(i * 131 + 7);
        for (std::size_t i = 0; i < mib; ++i)
            if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
                std::perror("write");
                return 1;
            }
    }
    // Warm the page cache (every impl reads it from memory).
    run_sendfile2(fd, size);

    std::vector<double> tulip_v, sf_v, rw_v;
    // The order rotates with each repetition, so that no impl always runs first (a fresh
    // connection's buffers, the machine's drift).
    for (long r = 0; r < reps; ++r) {
        for (long k = 0; k < 3; ++k) {
            switch ((r + k) % 3) {
            case 0:
                tulip_v.push_back(run_tulip(fd, size, false));
                break;
            case 1:
                sf_v.push_back(run_sendfile2(fd, size));
                break;
            case 2:
                rw_v.push_back(run_tulip(fd, size, true));
                break;
            }
        }
    }
    bench::emit("sendfile", "tulip", "mb_per_s", bench::median(tulip_v), "MB/s");
    bench::emit("sendfile", "sendfile2", "mb_per_s", bench::median(sf_v), "MB/s");
    bench::emit("sendfile", "readwrite", "mb_per_s", bench::median(rw_v), "MB/s");
    ::close(fd);
    return 0;
}
