//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Async files on real files, with each backend this build has (the thread pool always,
// io_uring when BOOST_TULIP_IO_URING is on): Python's modes, reads, lines, seeks, a full
// disk (a 1 MiB tmpfs when mounting is allowed, RLIMIT_FSIZE always) and a descriptor
// closed behind the file's back.

#include <boost/tulip/file.hpp>

#include <boost/tulip/test.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::vector<tulip::file_backend> backends()
{
    std::vector<tulip::file_backend> v{tulip::file_backend::thread_pool};
    if (tulip::file_io_uring_built())
        v.push_back(tulip::file_backend::io_uring);
    return v;
}

const char* name(tulip::file_backend b)
{
    return b == tulip::file_backend::io_uring ? "io_uring" : "thread_pool";
}

struct temp_dir
{
    fs::path path;
    temp_dir()
    {
        char tmpl[] = "/tmp/tulip-file-XXXXXX";
        BOOST_REQUIRE(::mkdtemp(tmpl));
        path = tmpl;
    }
    ~temp_dir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// Bytes no two neighbouring windows repeat (a misplaced copy shows), with a newline now
// and then for readline.
std::string pattern(std::size_t n)
{
    std::string s(n, '\0');
    std::uint32_t x = 2463534242u;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        s[i] = (x % 97 == 0) ? '\n' : static_cast<char>('a' + x % 26);
    }
    return s;
}

std::string slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

BOOST_AUTO_TEST_SUITE(file_integration)

BOOST_TULIP_TEST_CASE_REALTIME(file_modes_reads_lines_seek_and_tell_on_each_backend)
{
    for (auto backend : backends()) {
        BOOST_TEST_CONTEXT("backend " << name(backend))
        {
            temp_dir dir;
            auto path = dir.path / "data.txt";
            tulip::file_options opts{.backend = backend};

            auto w = co_await tulip::open_file(path, "w", opts);
            BOOST_TEST((w.backend() == backend));
            BOOST_TEST(co_await w.write("hello\nworld\n") == 12u);
            BOOST_TEST(co_await w.write("third") == 5u);
            BOOST_TEST(co_await w.tell() == 17u);
            co_await w.flush();
            // Not readable in "w" (Python: io.UnsupportedOperation).
            bool refused = false;
            try {
                co_await w.read();
            } catch (const tulip::invalid_state_error&) {
                refused = true;
            }
            BOOST_TEST(refused);
            co_await w.close();
            co_await w.close(); // idempotent
            BOOST_TEST(slurp(path) == "hello\nworld\nthird");

            auto r = co_await tulip::open_file(path, "r", opts);
            BOOST_TEST(co_await r.read() == "hello\nworld\nthird");
            BOOST_TEST(co_await r.read() == "");
            refused = false;
            try {
                co_await r.write("x");
            } catch (const tulip::invalid_state_error&) {
                refused = true;
            }
            BOOST_TEST(refused);
            co_await r.close();
            refused = false;
            try {
                co_await r.read();
            } catch (const tulip::invalid_state_error&) {
                refused = true;
            }
            BOOST_TEST(refused); // closed

            auto rb = co_await tulip::open_file(path, "rb", opts);
            BOOST_TEST(co_await rb.readline() == "hello\n");
            BOOST_TEST(co_await rb.tell() == 6u); // the read-ahead does not show
            BOOST_TEST(co_await rb.read(3) == "wor");
            BOOST_TEST(co_await rb.readline() == "ld\n");
            BOOST_TEST(co_await rb.readline() == "third");
            BOOST_TEST(co_await rb.readline() == "");
            BOOST_TEST(co_await rb.seek(0) == 0u);
            std::vector<std::string> lines;
            auto gen = rb.lines();
            for (;;) {
                auto line = co_await gen.next();
                if (!line)
                    break;
                lines.push_back(*line);
            }
            BOOST_TEST(lines == (std::vector<std::string>{"hello\n", "world\n", "third"}));
            co_await rb.close();

            auto a = co_await tulip::open_file(path, "a", opts);
            BOOST_TEST(co_await a.write("!\n") == 2u);
            BOOST_TEST(co_await a.tell() == 19u);
            co_await a.close();
            BOOST_TEST(slurp(path) == "hello\nworld\nthird!\n");

            auto rw = co_await tulip::open_file(path, "r+", opts);
            BOOST_TEST(co_await rw.read(5) == "hello");
            BOOST_TEST(co_await rw.write("-") == 1u); // where the reader is
            BOOST_TEST(co_await rw.seek(0) == 0u);
            BOOST_TEST(co_await rw.write("HELLO") == 5u);
            BOOST_TEST(co_await rw.seek(-2, tulip::seek_origin::end) == 17u);
            BOOST_TEST(co_await rw.read() == "!\n");
            BOOST_TEST(co_await rw.seek(-3, tulip::seek_origin::current) == 16u);
            BOOST_TEST(co_await rw.read(1) == "d");
            co_await rw.close();
            BOOST_TEST(slurp(path) == "HELLO-world\nthird!\n");

            // 3 MiB through read(n) and read(): more than one read-ahead.
            std::string big;
            for (int i = 0; big.size() < 3 * 1024 * 1024; ++i)
                big += "line " + std::to_string(i) + "\n";
            auto wb = co_await tulip::open_file(dir.path / "big", "wb", opts);
            BOOST_TEST(co_await wb.write(big) == big.size());
            co_await wb.close();
            auto rbig = co_await tulip::open_file(dir.path / "big", "rb", opts);
            std::string head = co_await rbig.read(100000);
            std::string rest = co_await rbig.read();
            BOOST_TEST((head + rest == big));
            co_await rbig.close();
        }
    }
}

BOOST_TULIP_TEST_CASE_REALTIME(a_read_the_read_ahead_holds_completes_without_a_loop_turn)
{
    for (auto backend : backends()) {
        BOOST_TEST_CONTEXT("backend " << name(backend))
        {
            temp_dir dir;
            auto path = dir.path / "lines.txt";
            std::ofstream(path) << "one\ntwo\nthree\n";
            auto f = co_await tulip::open_file(path, "rb", tulip::file_options{.backend = backend});
            BOOST_TEST(co_await f.readline() == "one\n"); // the kernel read fills the read-ahead
            bool turned = false;
            tulip::call_soon([&] { turned = true; });
            // What the read-ahead holds: the coroutine resumes at once, the loop does not
            // turn in between (one read per 64 KiB served this way costs no scheduler trip).
            BOOST_TEST(co_await f.readline() == "two\n");
            BOOST_TEST(co_await f.read(2) == "th");
            BOOST_TEST(!turned);
            // A callback is still never called inside the initiating function (Asio's rule).
            bool called = false;
            std::string got;
            f.read(3, [&](boost::system::error_code ec, std::string s) {
                BOOST_TEST(!ec);
                called = true;
                got = std::move(s);
            });
            BOOST_TEST(!called);
            for (int i = 0; i < 10 && !called; ++i)
                co_await tulip::sleep(0s);
            BOOST_TEST(called);
            BOOST_TEST(got == "ree");
            // Beyond what is buffered: the kernel again, then the end of the file.
            BOOST_TEST(co_await f.read(10) == "\n");
            BOOST_TEST(co_await f.readline() == "");
            co_await f.close();
        }
    }
}

// The read-ahead is one buffer the kernel reads into, compacted and grown as reads of
// any size cross it: every byte comes out once, in order, at the position tell() says.
BOOST_TULIP_TEST_CASE_REALTIME(reads_of_every_size_across_the_read_ahead_keep_the_bytes_in_order)
{
    const std::string content = pattern(3 * 1024 * 1024 + 12345);
    temp_dir dir;
    std::ofstream(dir.path / "data", std::ios::binary) << content;
    const std::size_t sizes[] = {1,    100, 65536, 70001,          3, 524288, 524289,
                                 4097, 0,   65535, 1024 * 1024 + 1};
    for (auto backend : backends()) {
        BOOST_TEST_CONTEXT("backend " << name(backend))
        {
            auto f = co_await tulip::open_file(dir.path / "data", "rb",
                                               tulip::file_options{.backend = backend});
            std::size_t at = 0;
            for (std::size_t i = 0; at < content.size(); ++i) {
                std::string got;
                if (i % 5 == 4) {
                    got = co_await f.readline();
                    auto nl = content.find('\n', at);
                    std::size_t len = (nl == std::string::npos ? content.size() : nl + 1) - at;
                    BOOST_TEST_REQUIRE(got.size() == len);
                } else {
                    std::size_t n = sizes[i % std::size(sizes)];
                    got = co_await f.read(static_cast<std::ptrdiff_t>(n));
                    BOOST_TEST_REQUIRE(got.size() == std::min(n, content.size() - at));
                }
                BOOST_TEST_REQUIRE((got == content.substr(at, got.size())));
                at += got.size();
                BOOST_TEST_REQUIRE(co_await f.tell() == at);
                if (i == 17) {
                    // Back into what was read, then a read to the end of the file.
                    at -= 70000;
                    BOOST_TEST(co_await f.seek(static_cast<std::int64_t>(at)) == at);
                    std::string rest = co_await f.read();
                    BOOST_TEST_REQUIRE((rest == content.substr(at)));
                    at = content.size();
                }
            }
            BOOST_TEST(co_await f.read(10) == "");
            co_await f.close();
        }
    }
}

// A cancelled read completes with operation_aborted and takes nothing: the bytes are
// read again by the next read, whichever moment the cancellation hits (before the
// kernel read, while the thread pool's call runs, or after the bytes are in).
BOOST_TULIP_TEST_CASE_REALTIME(a_cancelled_read_loses_and_repeats_no_byte)
{
    const std::string content = pattern(4 * 1024 * 1024);
    temp_dir dir;
    std::ofstream(dir.path / "data", std::ios::binary) << content;
    for (auto backend : backends()) {
        BOOST_TEST_CONTEXT("backend " << name(backend))
        {
            auto f = co_await tulip::open_file(dir.path / "data", "rb",
                                               tulip::file_options{.backend = backend});
            std::string all;
            int aborted = 0;
            for (int i = 0; all.size() < content.size(); ++i) {
                asio::cancellation_signal cancel;
                bool done = false;
                boost::system::error_code ec;
                std::string got;
                // 600 KiB: more than one read-ahead, so most reads go to the kernel.
                f.read(600 * 1024,
                       asio::bind_cancellation_slot(
                           cancel.slot(), [&](boost::system::error_code e, std::string s) {
                               done = true;
                               ec = e;
                               got = std::move(s);
                           }));
                for (int turns = i % 4; turns > 0 && !done; --turns)
                    co_await tulip::sleep(0s);
                if (!done)
                    cancel.emit(asio::cancellation_type::terminal);
                while (!done)
                    co_await tulip::sleep(1ms);
                if (ec) {
                    BOOST_TEST_REQUIRE((ec == asio::error::operation_aborted));
                    BOOST_TEST_REQUIRE(got.empty());
                    ++aborted;
                }
                all += got;
                BOOST_TEST_REQUIRE(co_await f.tell() == all.size());
            }
            BOOST_TEST((all == content));
            BOOST_TEST(aborted > 0); // the property was tested, not only the reads
            co_await f.close();
        }
    }
}

BOOST_TULIP_TEST_CASE_REALTIME(file_open_errors_are_clear)
{
    temp_dir dir;
    BOOST_CHECK_THROW((void)tulip::open_file(dir.path / "x", "rw"), std::invalid_argument);
    BOOST_CHECK_THROW((void)tulip::open_file(dir.path / "x", "q"), std::invalid_argument);
    bool missing = false;
    try {
        co_await tulip::open_file(dir.path / "missing.txt", "r");
    } catch (const boost::system::system_error& e) {
        missing = e.code() == boost::system::errc::no_such_file_or_directory &&
                  std::string(e.what()).find("missing.txt") != std::string::npos;
    }
    BOOST_TEST(missing);
    std::ofstream(dir.path / "there") << "x";
    bool exists = false;
    try {
        co_await tulip::open_file(dir.path / "there", "x");
    } catch (const boost::system::system_error& e) {
        exists = e.code() == boost::system::errc::file_exists;
    }
    BOOST_TEST(exists);
    if (!tulip::file_io_uring_built()) {
        bool unsupported = false;
        try {
            co_await tulip::open_file(
                dir.path / "there", "r",
                tulip::file_options{.backend = tulip::file_backend::io_uring});
        } catch (const boost::system::system_error& e) {
            unsupported = e.code() == boost::system::errc::operation_not_supported;
        }
        BOOST_TEST(unsupported);
    }
}

BOOST_TULIP_TEST_CASE_REALTIME(file_full_disk_is_a_clear_error_and_keeps_what_was_written)
{
    temp_dir dir;
    auto mnt = dir.path / "small";
    fs::create_directory(mnt);
    if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m") != 0) {
        BOOST_TEST_MESSAGE("no tmpfs mount here (not root?): the RLIMIT_FSIZE case covers it");
        co_return;
    }
    struct unmount
    {
        fs::path p;
        ~unmount() { ::umount2(p.c_str(), MNT_DETACH); }
    } guard{mnt};

    for (auto backend : backends()) {
        BOOST_TEST_CONTEXT("backend " << name(backend))
        {
            auto path = mnt / (std::string("fill-") + name(backend));
            auto f = co_await tulip::open_file(path, "wb", tulip::file_options{.backend = backend});
            std::string chunk(100 * 1000, 'a');
            std::string expected;
            boost::system::error_code last;
            for (int i = 0; i < 30 && !last; ++i) {
                std::fill(chunk.begin(), chunk.end(), static_cast<char>('a' + i));
                auto [ec, n] = co_await f.write(chunk, asio::as_tuple(asio::use_awaitable));
                expected.append(chunk, 0, n);
                last = ec;
            }
            BOOST_TEST(last == boost::system::errc::no_space_on_device);
            // The error with the default token names the file.
            bool named = false;
            try {
                co_await f.write(chunk);
            } catch (const boost::system::system_error& e) {
                named = e.code() == boost::system::errc::no_space_on_device &&
                        std::string(e.what()).find(path.filename().string()) != std::string::npos;
            }
            BOOST_TEST(named);
            co_await f.close();
            BOOST_TEST(expected.size() > 500000u);
            BOOST_TEST((slurp(path) == expected)); // nothing written was lost
            fs::remove(path);
        }
    }
}

BOOST_TULIP_TEST_CASE_REALTIME(file_size_limit_is_a_clear_error_and_keeps_what_was_written)
{
    temp_dir dir;
    rlimit old{};
    BOOST_REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 100000;
    BOOST_REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    struct restore
    {
        rlimit r;
        void (*h)(int);
        ~restore()
        {
            ::setrlimit(RLIMIT_FSIZE, &r);
            std::signal(SIGXFSZ, h);
        }
    } guard{old, old_handler};

    for (auto backend : backends()) {
        BOOST_TEST_CONTEXT("backend " << name(backend))
        {
            auto path = dir.path / (std::string("limit-") + name(backend));
            auto f = co_await tulip::open_file(path, "wb", tulip::file_options{.backend = backend});
            std::string chunk(65536, 'q');
            auto [ec1, n1] = co_await f.write(chunk, asio::as_tuple(asio::use_awaitable));
            BOOST_TEST(!ec1);
            BOOST_TEST(n1 == 65536u);
            auto [ec2, n2] = co_await f.write(chunk, asio::as_tuple(asio::use_awaitable));
            BOOST_TEST(ec2 == boost::system::errc::file_too_large);
            BOOST_TEST(n2 == 100000u - 65536u); // up to the limit
            BOOST_TEST(co_await f.tell() == 100000u);
            co_await f.close();
            BOOST_TEST(fs::file_size(path) == 100000u);
        }
    }
}

BOOST_TULIP_TEST_CASE_REALTIME(file_closed_descriptor_is_a_clear_error_and_keeps_what_was_written)
{
    temp_dir dir;
    for (auto backend : backends()) {
        BOOST_TEST_CONTEXT("backend " << name(backend))
        {
            auto path = dir.path / (std::string("closed-") + name(backend));
            auto f = co_await tulip::open_file(path, "w", tulip::file_options{.backend = backend});
            BOOST_TEST(co_await f.write("kept\n") == 5u);
            ::close(f.native_handle()); // behind the file's back
            bool bad = false;
            try {
                co_await f.write("lost\n");
            } catch (const boost::system::system_error& e) {
                bad = e.code() == boost::system::errc::bad_file_descriptor;
            }
            BOOST_TEST(bad);
            auto [ec] = co_await f.close(asio::as_tuple(asio::use_awaitable));
            BOOST_TEST((!ec || ec == boost::system::errc::bad_file_descriptor));
            BOOST_TEST(slurp(path) == "kept\n");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
