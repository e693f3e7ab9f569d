//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Benchmark `tcp_echo`: the one load generator every echo server is measured with.
// bench/run starts the servers (bench/servers/*.cpp, bench/peers/echo_server.py), each on
// a free port of 127.0.0.1, and passes them here as targets.
//
// For each configuration (C connections, S-byte messages) and each target, it opens C
// connections (TCP_NODELAY), and on each one, repeatedly, writes a message of S bytes and
// reads until the whole echo is back; after a warm-up it counts the completed round trips
// for a fixed wall-clock duration, then lets each connection finish its round trip in
// flight and closes them. The first echo of each connection is compared with what was
// sent. Repetitions are interleaved (repetition, then configuration, then target), so a
// drift of the machine's load hits every server alike; the median of the repetitions is
// printed as a JSON line, metric `req_per_s`. When the server's PID is given, a second
// line gives the median of the server's CPU time per round trip (all its threads, from
// /proc/PID/task/*/schedstat), bench `<name>_server_cpu`, metric `ns_per_req`: on a
// shared machine the CPU share a run gets moved requests per second by 1.5-4.6x between
// repetitions, the CPU cost of a round trip by 1.1-2.2x (64 and 1024 connections).
//
// Bench names: `tcp_echo` is the 64-connection 1 KiB case; every other configuration is
// `tcp_echo_c<C>_<S>` with S as `100b`, `1kib`, `64kib` (e.g. `tcp_echo_c1_100b`,
// `tcp_echo_c1024_64kib`).
//
// The generator is plain Asio with completion handlers (no coroutine frames, no
// allocation per round trip: Asio recycles the handlers' memory): a round trip costs it
// one send and one recv, and a share of an epoll_wait, as it costs the servers, whose
// work is the same plus their own per-message code. It runs `--threads` (default 2)
// threads, each with its own io_context and its share of the connections (1 thread for
// 1 connection). Every server runs one thread; nothing is pinned, and on this machine the
// generator and the server share the same 2 cores, so the scheduler's per-thread share
// gives the generator about twice the CPU of the server: the server is the bottleneck,
// and the figures compare the servers' cost per round trip. Per measurement, stderr
// shows the CPU each side used (microseconds per round trip and cores) to check it.
//
// Usage:
//   tcp_echo --target IMPL=PORT[:PID] [--target ...] [--connections 1,64,1024]
//            [--sizes 100,1024,65536] [--reps R] [--duration SECONDS]
//            [--warmup SECONDS] [--threads T] [--quick]
//   tcp_echo --idle N --port PORT
// PID (optional) is the server's process id, read for its CPU time. Defaults: 5
// repetitions of 0.5 s, each after 0.2 s of warm-up; `--quick`: one, after 0.1 s. `--idle N`: opens
// N connections to PORT and holds them, sending nothing, until the server closes one of them (the
// client of idle_connection_memory).

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include "bench_common.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

struct target
{
    std::string impl;
    unsigned short port = 0;
    long pid = 0; // 0: unknown
};

class connection;

// One thread of the generator: its io_context and the connections it drives.
struct worker
{
    asio::io_context ioc{1};
    std::vector<std::unique_ptr<connection>> conns;
    std::atomic<long> round_trips{0}; // written by the worker's thread only
    long active = 0;                  // connections still exchanging
    error_code error;                 // the first failure, if any
    std::string what;
    asio::steady_timer guard{ioc};
};

// One client connection: write S bytes, read S bytes, again, until told to stop.
class connection
{
public:
    connection(worker& w, const std::atomic<bool>& stopping, std::size_t size, std::size_t seed)
        : sock_(w.ioc)
        , st_(w)
        , stopping_(stopping)
        , out_(size)
        , in_(size + 1)
    {
        for (std::size_t i = 0; i < size; ++i)
            out_[i] = static_cast<char>('a' + (seed + i) % 26);
    }

    void connect(const tcp::endpoint& ep)
    {
        sock_.connect(ep);
        sock_.set_option(tcp::no_delay(true));
    }

    void start()
    {
        ++st_.active;
        write();
    }

    void close()
    {
        error_code ignored;
        sock_.close(ignored);
    }

private:
    void write()
    {
        asio::async_write(sock_, asio::buffer(out_), [this](error_code ec, std::size_t) {
            if (ec)
                return fail(ec, "write");
            read();
        });
    }

    // Reads into a buffer one byte longer than the message: the read that completes the
    // echo returns fewer bytes than asked, which tells Asio's reactor that the socket is
    // drained, so the next read waits for readiness instead of first trying a recv that
    // would fail with EAGAIN (one system call per round trip saved, as the servers do).
    void read()
    {
        sock_.async_read_some(
            asio::buffer(in_.data() + got_, in_.size() - got_),
            [this](error_code ec, std::size_t n) {
                if (ec)
                    return fail(ec, "read");
                got_ += n;
                if (got_ < out_.size())
                    return read();
                if (got_ > out_.size())
                    return fail(asio::error::invalid_argument,
                                "more bytes than the message came back");
                got_ = 0;
                if (!checked_) {
                    checked_ = true;
                    if (!std::equal(out_.begin(), out_.end(), in_.begin()))
                        return fail(asio::error::invalid_argument, "echo differs from the message");
                }
                st_.round_trips.store(st_.round_trips.load(std::memory_order_relaxed) + 1,
                                      std::memory_order_relaxed);
                if (stopping_.load(std::memory_order_relaxed))
                    return stop();
                write();
            });
    }

    void fail(error_code ec, const char* what)
    {
        if (!st_.error && !stopping_.load(std::memory_order_relaxed)) {
            st_.error = ec;
            st_.what = what;
        }
        stop();
    }

    void stop()
    {
        if (--st_.active == 0)
            st_.guard.cancel();
    }

    tcp::socket sock_;
    worker& st_;
    const std::atomic<bool>& stopping_;
    std::vector<char> out_, in_;
    std::size_t got_ = 0;
    bool checked_ = false;
};

// CPU time of a process, in seconds (0 if unknown): the sum over its threads of the time
// on CPU in /proc/PID/task/*/schedstat (nanoseconds, where /proc/PID/stat counts 10 ms
// ticks).
double process_cpu_seconds(long pid)
{
    if (pid <= 0)
        return 0;
    double ns = 0;
    std::error_code ec;
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    for (const auto& entry : std::filesystem::directory_iterator(tasks, ec)) {
        std::ifstream f(entry.path() / "schedstat");
        double on_cpu = 0;
        if (f >> on_cpu)
            ns += on_cpu;
    }
    return ns / 1e9;
}

struct measurement
{
    bool ok = false;
    double req_per_s = 0;
    double client_cores = 0;
    double server_cores = 0;
};

std::chrono::steady_clock::duration seconds_d(double s)
{
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(s));
}

measurement measure(const target& t, long conns, long size, long threads, double warmup,
                    double duration)
{
    measurement m;
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), t.port);
    const long nw = std::max(1L, std::min(threads, conns));
    std::vector<std::unique_ptr<worker>> ws;
    for (long i = 0; i < nw; ++i)
        ws.push_back(std::make_unique<worker>());
    std::atomic<bool> stopping{false};
    try {
        for (long i = 0; i < conns; ++i) {
            worker& w = *ws[static_cast<std::size_t>(i % nw)];
            w.conns.push_back(std::make_unique<connection>(
                w, stopping, static_cast<std::size_t>(size), static_cast<std::size_t>(i)));
            w.conns.back()->connect(ep);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tcp_echo: %s: connecting %ld connections: %s\n", t.impl.c_str(),
                     conns, e.what());
        return m;
    }
    for (auto& w : ws) {
        for (auto& c : w->conns)
            c->start();
        // A server that stops answering must not hang the run.
        w->guard.expires_after(seconds_d(warmup + duration + 10));
        w->guard.async_wait([&w = *w](error_code ec) {
            if (ec)
                return; // every connection stopped
            w.error = asio::error::timed_out;
            w.what = "round trips";
            for (auto& c : w.conns)
                c->close();
        });
    }
    auto total = [&] {
        long n = 0;
        for (auto& w : ws)
            n += w->round_trips.load(std::memory_order_relaxed);
        return n;
    };
    std::vector<std::thread> ths;
    for (auto& w : ws)
        ths.emplace_back([&w = *w] { w.ioc.run(); });
    std::this_thread::sleep_for(seconds_d(warmup));
    const long trips0 = total();
    const double wall0 = bench::wall_ns(), cpu0 = bench::cpu_ns();
    const double srv0 = process_cpu_seconds(t.pid);
    std::this_thread::sleep_for(seconds_d(duration));
    const long trips1 = total();
    const double wall1 = bench::wall_ns(), cpu1 = bench::cpu_ns();
    const double srv1 = process_cpu_seconds(t.pid);
    // Each connection ends after its round trip in flight.
    stopping = true;
    for (auto& th : ths)
        th.join();
    bool ok = true;
    for (auto& w : ws) {
        for (auto& c : w->conns)
            c->close();
        if (w->error && ok) {
            ok = false;
            std::fprintf(stderr, "tcp_echo: %s: %s: %s\n", t.impl.c_str(), w->what.c_str(),
                         w->error.message().c_str());
        }
    }
    if (!ok)
        return m;
    const double secs = (wall1 - wall0) / 1e9;
    m.ok = true;
    m.req_per_s = static_cast<double>(trips1 - trips0) / secs;
    m.client_cores = (cpu1 - cpu0) / 1e9 / secs;
    m.server_cores = (srv1 - srv0) / secs;
    return m;
}

// `--bench NAME` renames the series (tcp_echo_per_core): NAME for the headline
// configuration, NAME_cC_S for the others.
std::string bench_base = "tcp_echo";

std::string bench_name(long conns, long size)
{
    if (conns == 64 && size == 1024)
        return bench_base;
    std::string s;
    if (size % 1024 == 0)
        s = std::to_string(size / 1024) + "kib";
    else
        s = std::to_string(size) + "b";
    return bench_base + "_c" + std::to_string(conns) + "_" + s;
}

std::vector<long> parse_list(const char* text)
{
    std::vector<long> v;
    std::string s(text);
    std::size_t pos = 0;
    while (pos <= s.size()) {
        const auto comma = s.find(',', pos);
        const auto item =
            s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (!item.empty())
            v.push_back(std::atol(item.c_str()));
        if (comma == std::string::npos)
            break;
        pos = comma + 1;
    }
    return v;
}

void raise_nofile_limit()
{
    rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// The client of idle_connection_memory: N connections that send nothing, held until the
// server closes them after its reading (or 5 minutes pass).
int idle_client(unsigned short port, long n)
{
    asio::io_context ioc(1);
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    std::vector<tcp::socket> socks;
    socks.reserve(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i) {
        socks.emplace_back(ioc);
        socks.back().connect(ep);
    }
    int rc = 0;
    char byte;
    for (auto& s : socks)
        s.async_read_some(asio::buffer(&byte, 1), [&](error_code, std::size_t) { ioc.stop(); });
    asio::steady_timer guard(ioc, std::chrono::minutes(5));
    guard.async_wait([&](error_code ec) {
        if (!ec) {
            std::fprintf(stderr, "tcp_echo --idle: the server kept the connections 5 min\n");
            rc = 1;
            ioc.stop();
        }
    });
    ioc.run();
    return rc;
}

const char* arg_text(int argc, char** argv, const char* name, const char* def)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

double arg_double(int argc, char** argv, const char* name, double def)
{
    const char* t = arg_text(argc, argv, name, nullptr);
    return t ? std::atof(t) : def;
}

} // namespace

int main(int argc, char** argv)
{
    raise_nofile_limit();
    const long idle = bench::arg_long(argc, argv, "--idle", 0);
    if (idle > 0) {
        try {
            return idle_client(
                static_cast<unsigned short>(bench::arg_long(argc, argv, "--port", 0)), idle);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "tcp_echo --idle: %s\n", e.what());
            return 1;
        }
    }

    bool quick = false;
    std::vector<target> targets;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--quick") == 0)
            quick = true;
        if (std::strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
            // IMPL=PORT[:PID]
            const std::string spec = argv[++i];
            const auto eq = spec.find('=');
            if (eq == std::string::npos) {
                std::fprintf(stderr, "tcp_echo: bad --target '%s' (IMPL=PORT[:PID])\n",
                             spec.c_str());
                return 2;
            }
            target t;
            t.impl = spec.substr(0, eq);
            t.port = static_cast<unsigned short>(std::atol(spec.c_str() + eq + 1));
            const auto colon = spec.find(':', eq);
            if (colon != std::string::npos)
                t.pid = std::atol(spec.c_str() + colon + 1);
            targets.push_back(t);
        }
    }
    if (targets.empty()) {
        std::fprintf(stderr, "tcp_echo: no --target IMPL=PORT[:PID] given\n");
        return 2;
    }
    bench_base = arg_text(argc, argv, "--bench", "tcp_echo");
    const auto conns = parse_list(arg_text(argc, argv, "--connections", "1,64,1024"));
    const auto sizes = parse_list(arg_text(argc, argv, "--sizes", "100,1024,65536"));
    const long reps = bench::arg_long(argc, argv, "--reps", quick ? 1 : 5);
    const long threads = bench::arg_long(argc, argv, "--threads", 2);
    const double duration = arg_double(argc, argv, "--duration", 0.5);
    const double warmup = arg_double(argc, argv, "--warmup", quick ? 0.1 : 0.2);

    struct series
    {
        std::string bench, impl;
        std::vector<double> values;     // req/s
        std::vector<double> server_cpu; // server CPU ns per round trip
    };
    std::vector<series> all;
    for (long c : conns)
        for (long s : sizes)
            for (const auto& t : targets)
                all.push_back({bench_name(c, s), t.impl, {}, {}});

    for (long rep = 0; rep < reps; ++rep) {
        std::size_t k = 0;
        for (long c : conns) {
            for (long s : sizes) {
                for (const auto& t : targets) {
                    auto& ser = all[k++];
                    const measurement m = measure(t, c, s, threads, warmup, duration);
                    if (!m.ok)
                        continue;
                    ser.values.push_back(m.req_per_s);
                    if (t.pid > 0)
                        ser.server_cpu.push_back(m.server_cores / m.req_per_s * 1e9);
                    std::fprintf(stderr,
                                 "  %-21s %-16s rep %ld: %8.0f req/s; CPU per round trip: "
                                 "generator %.1f us (%.2f cores), server %.1f us (%.2f "
                                 "cores)\n",
                                 ser.bench.c_str(), t.impl.c_str(), rep + 1, m.req_per_s,
                                 m.client_cores / m.req_per_s * 1e6, m.client_cores,
                                 m.server_cores / m.req_per_s * 1e6, m.server_cores);
                }
            }
        }
    }
    int rc = 0;
    for (const auto& ser : all) {
        if (ser.values.empty()) {
            rc = 1;
            continue;
        }
        bench::emit(ser.bench.c_str(), ser.impl.c_str(), "req_per_s", bench::median(ser.values),
                    "req/s");
    }
    for (const auto& ser : all)
        if (!ser.server_cpu.empty())
            bench::emit((ser.bench + "_server_cpu").c_str(), ser.impl.c_str(), "ns_per_req",
                        bench::median(ser.server_cpu), "ns");
    return rc;
}
