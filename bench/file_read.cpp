//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// file_read: one file read from start to end in 64 KiB reads (the page cache warm after
// the first pass), MB/s of wall-clock time, median of interleaved repetitions.
//   tulip        open_file(path, "rb") with the default backend, read(65536) to the end
//   tulip_uring  the same on io_uring (when the build has it)
//   tulip_pool   the same on the loop's default thread pool
//   blocking     read(2) into one 64 KiB buffer, on the calling thread
// The asyncio peer (aiofiles-style to_thread reads) is bench/peers/file_read.py.
//   file_read --file PATH [--reps R]

#include "bench_common.hpp"

#include <boost/tulip.hpp>
#include <boost/tulip/file.hpp>

#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace tulip = boost::tulip;

namespace {

constexpr std::size_t chunk = 64 * 1024;

double run_tulip(const char* path, tulip::file_backend backend)
{
    double mbps = 0;
    tulip::run([&]() -> tulip::awaitable<void> {
        auto f = co_await tulip::open_file(path, "rb", tulip::file_options{.backend = backend});
        double t0 = bench::wall_ns();
        std::size_t got = 0;
        for (;;) {
            std::string s = co_await f.read(chunk);
            if (s.empty())
                break;
            got += s.size();
        }
        double ns = bench::wall_ns() - t0;
        co_await f.close();
        mbps = static_cast<double>(got) / (ns / 1e9) / 1e6;
    }());
    return mbps;
}

double run_blocking(const char* path)
{
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    std::vector<char> buf(chunk);
    double t0 = bench::wall_ns();
    std::size_t got = 0;
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n <= 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    double ns = bench::wall_ns() - t0;
    ::close(fd);
    return static_cast<double>(got) / (ns / 1e9) / 1e6;
}

} // namespace

int main(int argc, char** argv)
{
    const char* path = nullptr;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--file")
            path = argv[i + 1];
    if (!path) {
        std::fprintf(stderr, "usage: file_read --file PATH [--reps R]\n");
        return 2;
    }
    int reps = static_cast<int>(bench::arg_long(argc, argv, "--reps", 5));
    run_blocking(path); // warms the page cache
    std::vector<double> def, uring, pool, blocking;
    for (int r = 0; r < reps; ++r) {
        def.push_back(run_tulip(path, tulip::file_backend::automatic));
        if (tulip::file_io_uring_built())
            uring.push_back(run_tulip(path, tulip::file_backend::io_uring));
        pool.push_back(run_tulip(path, tulip::file_backend::thread_pool));
        blocking.push_back(run_blocking(path));
    }
    bench::emit("file_read", "tulip", "mb_per_s", bench::median(def), "MB/s");
    if (!uring.empty())
        bench::emit("file_read", "tulip_uring", "mb_per_s", bench::median(uring), "MB/s");
    bench::emit("file_read", "tulip_pool", "mb_per_s", bench::median(pool), "MB/s");
    bench::emit("file_read", "blocking", "mb_per_s", bench::median(blocking), "MB/s");
}
