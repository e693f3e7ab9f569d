//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// serial_throughput: bytes from a device to the program over a pty, read in 64 KiB reads.
// A thread writes into the pty's master side as fast as the pty takes it; the program
// opens the slave side as a serial port and reads until it has every byte.
//   tulip: open_serial_connection + stream_reader::read(65536)
//   asio:  asio::serial_port + async_read_some into a 64 KiB buffer (a raw Asio program)
// Wall-clock MB/s (the writer runs on another thread), median of interleaved repetitions.
//   serial_throughput [--mib N] [--reps R] [--quick]

#include "bench_common.hpp"

#include <boost/tulip.hpp>

#include <boost/asio/serial_port.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <thread>
#include <unistd.h>

namespace asio = boost::asio;
namespace tulip = boost::tulip;

namespace {

constexpr std::size_t chunk = 64 * 1024;

struct pty
{
    int master = -1;
    std::string path;
    pty()
    {
        master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0)
            std::abort();
        char name[128];
        if (::ptsname_r(master, name, sizeof name) != 0)
            std::abort();
        path = name;
    }
    ~pty() { ::close(master); }
};

// Writes `total` bytes into the master side (blocking writes).
std::thread feeder(int fd, std::size_t total)
{
    return std::thread([fd, total] {
        std::string buf(chunk, 'x');
        std::size_t sent = 0;
        while (sent < total) {
            ssize_t n = ::write(fd, buf.data(), std::min(chunk, total - sent));
            if (n <= 0)
                return;
            sent += static_cast<std::size_t>(n);
        }
    });
}

double run_tulip(std::size_t total)
{
    pty p;
    double mbps = 0;
    tulip::run([&]() -> tulip::awaitable<void> {
        auto [reader, writer] = co_await tulip::open_serial_connection(p.path);
        auto t = feeder(p.master, total);
        double t0 = bench::wall_ns();
        std::size_t got = 0;
        while (got < total) {
            std::string s = co_await reader.read(chunk);
            if (s.empty())
                break;
            got += s.size();
        }
        double ns = bench::wall_ns() - t0;
        t.join();
        mbps = static_cast<double>(got) / (ns / 1e9) / 1e6;
        writer.close();
        co_await writer.wait_closed();
    }());
    return mbps;
}

double run_asio(std::size_t total)
{
    pty p;
    asio::io_context ioc;
    asio::serial_port port(ioc, p.path);
    return bench::run_asio<double>(ioc, [&]() -> asio::awaitable<double> {
        auto t = feeder(p.master, total);
        std::vector<char> buf(chunk);
        double t0 = bench::wall_ns();
        std::size_t got = 0;
        while (got < total)
            got += co_await port.async_read_some(asio::buffer(buf), asio::use_awaitable);
        double ns = bench::wall_ns() - t0;
        t.join();
        co_return static_cast<double>(got) / (ns / 1e9) / 1e6;
    }());
}

} // namespace

int main(int argc, char** argv)
{
    bool quick = false;
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--quick")
            quick = true;
    std::size_t mib =
        static_cast<std::size_t>(bench::arg_long(argc, argv, "--mib", quick ? 16 : 128));
    int reps = static_cast<int>(bench::arg_long(argc, argv, "--reps", quick ? 3 : 7));
    std::size_t total = mib * 1024 * 1024;
    std::vector<double> tulip_v, asio_v;
    for (int r = 0; r < reps; ++r) {
        tulip_v.push_back(run_tulip(total));
        asio_v.push_back(run_asio(total));
    }
    bench::emit("serial_throughput", "tulip", "mb_per_s", bench::median(tulip_v), "MB/s");
    bench::emit("serial_throughput", "asio", "mb_per_s", bench::median(asio_v), "MB/s");
}
