//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// async_sendfile and event_loop::sock_sendfile over real sockets on 127.0.0.1 and Unix
// sockets: whole files, slices, short files, pipes (the fallback), fallback = false,
// a peer that resets mid-file, a file truncated during the send, cancellation mid-file,
// and the file position afterwards in each case.

#include <boost/tulip/sendfile.hpp>

#include <boost/tulip/server.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/streams.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/test.hpp>
#include <boost/tulip/timeout.hpp>

#include "../common/net.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(sendfile_suite)

namespace {

std::string pattern(std::size_t n, unsigned seed = 7)
{
    std::string s(n, '\0');
    std::minstd_rand r(seed);
    for (auto& c : s)
        c = static_cast<char>(r());
    return s;
}

// A regular file with known content, close-on-exec, removed at the end.
struct temp_file
{
    int fd = -1;
    std::string path;
    std::string content;

    explicit temp_file(std::string data)
        : content(std::move(data))
    {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "tulip-sendfile-XXXXXX").string();
        fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
        BOOST_REQUIRE(fd >= 0);
        path = tmpl;
        std::size_t off = 0;
        while (off < content.size()) {
            ssize_t n = ::write(fd, content.data() + off, content.size() - off);
            BOOST_REQUIRE(n > 0);
            off += static_cast<std::size_t>(n);
        }
        ::lseek(fd, 0, SEEK_SET);
    }
    ~temp_file()
    {
        ::close(fd);
        ::unlink(path.c_str());
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;

    off_t position() const { return ::lseek(fd, 0, SEEK_CUR); }
};

// Everything the socket receives until the peer's end.
template <class Socket>
tulip::awaitable<std::string> read_all(Socket& s)
{
    std::string out;
    auto [ec, n] = co_await asio::async_read(s, asio::dynamic_buffer(out),
                                             asio::as_tuple(asio::use_awaitable));
    BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset));
    (void)n;
    co_return out;
}

using sendfile_result = std::tuple<error_code, std::size_t>;

} // namespace

BOOST_TULIP_TEST_CASE_REALTIME(sends_a_large_file_whole_with_count_zero)
{
    temp_file f(pattern(9 * 1024 * 1024 + 123));
    auto [sender, receiver] = co_await net_test::loopback_pair();
    auto reading = tulip::create_task(read_all(receiver));
    std::size_t n = co_await tulip::async_sendfile(sender, f.fd, 0, 0);
    sender.shutdown(tcp::socket::shutdown_send);
    std::string got = co_await reading.wait();
    BOOST_TEST(n == f.content.size());
    BOOST_TEST((got == f.content));
    BOOST_TEST(f.position() == static_cast<off_t>(f.content.size()));
}

BOOST_TULIP_TEST_CASE_REALTIME(sends_the_slice_from_offset_and_leaves_the_position_after_it)
{
    temp_file f(pattern(100000));
    auto [sender, receiver] = co_await net_test::loopback_pair();
    auto reading = tulip::create_task(read_all(receiver));
    std::size_t n = co_await tulip::async_sendfile(sender, f.fd, 1000, 5000);
    BOOST_TEST(n == 5000u);
    // The rest to the end with count 0, from where the first stopped.
    std::size_t rest = co_await tulip::async_sendfile(sender, f.fd, 6000, 0);
    BOOST_TEST(rest == 94000u);
    sender.shutdown(tcp::socket::shutdown_send);
    std::string got = co_await reading.wait();
    BOOST_TEST((got == f.content.substr(1000)));
    BOOST_TEST(f.position() == 100000);
}

BOOST_TULIP_TEST_CASE_REALTIME(a_file_shorter_than_count_gives_a_short_count)
{
    temp_file f(pattern(3000));
    auto [sender, receiver] = co_await net_test::loopback_pair();
    auto reading = tulip::create_task(read_all(receiver));
    auto [ec, n] = co_await tulip::async_sendfile(sender, f.fd, 1000, 1 << 20,
                                                  asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(!ec);
    BOOST_TEST(n == 2000u);
    // At or past the end: nothing, and no error.
    std::size_t none = co_await tulip::async_sendfile(sender, f.fd, 5000, 10);
    BOOST_TEST(none == 0u);
    sender.shutdown(tcp::socket::shutdown_send);
    std::string got = co_await reading.wait();
    BOOST_TEST((got == f.content.substr(1000)));
    BOOST_TEST(f.position() == 5000); // offset + 0 sent
}

BOOST_TULIP_TEST_CASE_REALTIME(sends_over_a_unix_stream_socket)
{
    using unix_socket = asio::local::stream_protocol::socket;
    auto& ioc = tulip::get_running_loop().get_io_context();
    unix_socket sender(ioc), receiver(ioc);
    asio::local::connect_pair(sender, receiver);
    temp_file f(pattern(3 * 1024 * 1024, 11));
    auto reading = tulip::create_task(read_all(receiver));
    std::size_t n = co_await tulip::async_sendfile(sender, f.fd, 0, 0);
    sender.shutdown(unix_socket::shutdown_send);
    std::string got = co_await reading.wait();
    BOOST_TEST(n == f.content.size());
    BOOST_TEST((got == f.content));
}

BOOST_TULIP_TEST_CASE_REALTIME(event_loop_sock_sendfile_is_async_sendfile)
{
    temp_file f(pattern(70000, 3));
    auto [sender, receiver] = co_await net_test::loopback_pair();
    auto reading = tulip::create_task(read_all(receiver));
    auto& loop = tulip::get_running_loop();
    std::size_t n = co_await loop.sock_sendfile(sender, f.fd);
    BOOST_TEST(n == 70000u);
    std::size_t m = co_await loop.sock_sendfile(sender, f.fd, 10, 20, false);
    BOOST_TEST(m == 20u);
    sender.shutdown(tcp::socket::shutdown_send);
    std::string got = co_await reading.wait();
    BOOST_TEST((got == f.content + f.content.substr(10, 20)));
    BOOST_TEST(f.position() == 30);
}

namespace {

// A pipe whose write end a task fills with `data` and then closes.
struct pipe_source
{
    int read_fd = -1;
    tulip::task<void> writer;

    explicit pipe_source(const std::string& data)
    {
        int fds[2];
        BOOST_REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        read_fd = fds[0];
        auto& ioc = tulip::get_running_loop().get_io_context();
        writer = tulip::create_task(
            [](asio::posix::stream_descriptor w, const std::string& d) -> tulip::awaitable<void> {
                co_await asio::async_write(w, asio::buffer(d), asio::use_awaitable);
            }(asio::posix::stream_descriptor(ioc, fds[1]), data));
    }
    ~pipe_source() { ::close(read_fd); }
};

} // namespace

BOOST_TULIP_TEST_CASE_REALTIME(a_pipe_as_the_file_falls_back_to_read_and_write)
{
    // More than the pipe holds and more than one fallback chunk.
    std::string data = pattern(700 * 1024, 5);
    pipe_source src(data);
    auto [sender, receiver] = co_await net_test::loopback_pair();
    auto reading = tulip::create_task(read_all(receiver));
    std::size_t n = co_await tulip::async_sendfile(sender, src.read_fd, 0, 0);
    co_await src.writer.wait();
    sender.shutdown(tcp::socket::shutdown_send);
    std::string got = co_await reading.wait();
    BOOST_TEST(n == data.size());
    BOOST_TEST((got == data));
}

BOOST_TULIP_TEST_CASE_REALTIME(a_pipe_with_a_count_sends_that_many_and_leaves_the_rest)
{
    std::string data = pattern(300 * 1024, 6);
    pipe_source src(data);
    auto [sender, receiver] = co_await net_test::loopback_pair();
    auto reading = tulip::create_task(read_all(receiver));
    std::size_t n = co_await tulip::async_sendfile(sender, src.read_fd, 0, 100000);
    BOOST_TEST(n == 100000u);
    std::size_t rest = co_await tulip::async_sendfile(sender, src.read_fd, 0, 0);
    BOOST_TEST(rest == data.size() - 100000);
    co_await src.writer.wait();
    sender.shutdown(tcp::socket::shutdown_send);
    std::string got = co_await reading.wait();
    BOOST_TEST((got == data));
}

BOOST_TULIP_TEST_CASE_REALTIME(fallback_false_refuses_a_pipe_with_sendfile_not_available)
{
    std::string data = pattern(1000, 8);
    pipe_source src(data);
    auto [sender, receiver] = co_await net_test::loopback_pair();
    auto [ec, n] = co_await tulip::async_sendfile(sender, src.read_fd, 0, 0, false,
                                                  asio::as_tuple(asio::use_awaitable));
    BOOST_TEST((ec == tulip::error::sendfile_not_available));
    BOOST_TEST(n == 0u);
    bool thrown = false;
    try {
        co_await tulip::async_sendfile(sender, src.read_fd, 0, 0, false);
    } catch (const tulip::sendfile_not_available&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    // Nothing was taken from the pipe: a fallback send still gets every byte.
    auto reading = tulip::create_task(read_all(receiver));
    std::size_t all = co_await tulip::async_sendfile(sender, src.read_fd, 0, 0);
    co_await src.writer.wait();
    sender.shutdown(tcp::socket::shutdown_send);
    std::string got = co_await reading.wait();
    BOOST_TEST(all == data.size());
    BOOST_TEST((got == data));
}

BOOST_TULIP_TEST_CASE_REALTIME(a_stream_that_is_not_a_socket_uses_the_fallback_or_refuses)
{
    // A pipe's write end as the destination: an AsyncWriteStream that is not a socket
    // (the shape of a TLS stream): read/write steps, or sendfile_not_available.
    temp_file f(pattern(600 * 1024, 9));
    int fds[2];
    BOOST_REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    auto& ioc = tulip::get_running_loop().get_io_context();
    asio::posix::stream_descriptor out(ioc, fds[1]), in(ioc, fds[0]);
    auto [ec, none] =
        co_await tulip::async_sendfile(out, f.fd, 0, 0, false, asio::as_tuple(asio::use_awaitable));
    BOOST_TEST((ec == tulip::error::sendfile_not_available));
    BOOST_TEST(none == 0u);
    auto reading = tulip::create_task(read_all(in));
    std::size_t n = co_await tulip::async_sendfile(out, f.fd, 100, 0);
    out.close();
    std::string got = co_await reading.wait();
    BOOST_TEST(n == f.content.size() - 100);
    BOOST_TEST((got == f.content.substr(100)));
    BOOST_TEST(f.position() == static_cast<off_t>(f.content.size()));
}

BOOST_TULIP_TEST_CASE_REALTIME(a_peer_reset_mid_file_is_an_error_with_the_bytes_sent)
{
    temp_file f(pattern(32 * 1024 * 1024, 12));
    auto [sender, receiver] = co_await net_test::loopback_pair(true);
    auto sending = tulip::create_task([](tcp::socket& s,
                                         int fd) -> tulip::awaitable<sendfile_result> {
        co_return co_await tulip::async_sendfile(s, fd, 0, 0, asio::as_tuple(asio::use_awaitable));
    }(sender, f.fd));
    // Take some, then reset the connection (RST: SO_LINGER 0).
    std::string head(256 * 1024, '\0');
    co_await asio::async_read(receiver, asio::buffer(head), asio::use_awaitable);
    BOOST_TEST((head == f.content.substr(0, head.size())));
    receiver.set_option(asio::socket_base::linger(true, 0));
    receiver.close();
    auto [ec, n] = co_await sending.wait();
    BOOST_TEST((ec == asio::error::connection_reset || ec == asio::error::broken_pipe));
    BOOST_TEST(n >= head.size());
    BOOST_TEST(n < f.content.size());
    BOOST_TEST(f.position() == static_cast<off_t>(n));
    // A second send on the dead socket fails at once (EPIPE, no SIGPIPE kills us).
    auto [ec2, n2] =
        co_await tulip::async_sendfile(sender, f.fd, 0, 0, asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(!!ec2);
    BOOST_TEST(n2 == 0u);
    BOOST_TEST(f.position() == 0);
}

namespace {
volatile std::sig_atomic_t sigpipe_calls = 0;
extern "C" void count_sigpipe(int)
{
    sigpipe_calls = sigpipe_calls + 1;
}
} // namespace

// sendfile(2) on a socket shut for sending fails with EPIPE and raises SIGPIPE (it has no
// MSG_NOSIGNAL). At its default SIGPIPE is then set to ignored, as for pipes (Python
// ignores it at start-up); a handler the program installed stays and never sees it.
BOOST_TULIP_TEST_CASE_REALTIME(sendfile_to_a_shut_socket_is_broken_pipe_and_no_sigpipe_lands)
{
    temp_file f(pattern(64 * 1024, 14));
    auto [sender, receiver] = co_await net_test::loopback_pair();
    sender.shutdown(tcp::socket::shutdown_send);
    struct sigaction saved = {};
    ::sigaction(SIGPIPE, nullptr, &saved);

    std::signal(SIGPIPE, SIG_DFL); // a SIGPIPE now would end this test program
    auto [ec, n] =
        co_await tulip::async_sendfile(sender, f.fd, 0, 0, asio::as_tuple(asio::use_awaitable));
    BOOST_TEST((ec == asio::error::broken_pipe));
    BOOST_TEST(n == 0u);
    struct sigaction now = {};
    ::sigaction(SIGPIPE, nullptr, &now);
    BOOST_TEST((now.sa_handler == SIG_IGN));

    sigpipe_calls = 0;
    std::signal(SIGPIPE, count_sigpipe);
    auto [ec2, n2] =
        co_await tulip::async_sendfile(sender, f.fd, 0, 0, asio::as_tuple(asio::use_awaitable));
    BOOST_TEST((ec2 == asio::error::broken_pipe));
    BOOST_TEST(n2 == 0u);
    BOOST_TEST(sigpipe_calls == 0);
    ::sigaction(SIGPIPE, nullptr, &now);
    BOOST_TEST((now.sa_handler == count_sigpipe)); // left alone
    sigset_t pending;
    sigpending(&pending);
    BOOST_TEST(!sigismember(&pending, SIGPIPE)); // taken back, not left pending
    ::sigaction(SIGPIPE, &saved, nullptr);
    BOOST_TEST(f.position() == 0);
}

BOOST_TULIP_TEST_CASE_REALTIME(a_file_truncated_during_the_send_gives_a_short_count)
{
    temp_file f(pattern(8 * 1024 * 1024, 13));
    auto [sender, receiver] = co_await net_test::loopback_pair(true);
    auto sending = tulip::create_task(
        [](tcp::socket& s, int fd, std::size_t count) -> tulip::awaitable<sendfile_result> {
            co_return co_await tulip::async_sendfile(s, fd, 0, count,
                                                     asio::as_tuple(asio::use_awaitable));
        }(sender, f.fd, f.content.size()));
    std::string head(128 * 1024, '\0');
    co_await asio::async_read(receiver, asio::buffer(head), asio::use_awaitable);
    // The small buffers hold far less than 4 MiB: the send is still before the cut.
    BOOST_REQUIRE(::ftruncate(f.fd, 4 * 1024 * 1024) == 0);
    auto reading = tulip::create_task(read_all(receiver));
    auto [ec, n] = co_await sending.wait();
    sender.shutdown(tcp::socket::shutdown_send);
    std::string rest = co_await reading.wait();
    BOOST_TEST(!ec);
    BOOST_TEST(n == 4u * 1024 * 1024);
    BOOST_TEST(head.size() + rest.size() == n);
    BOOST_TEST(((head + rest) == f.content.substr(0, n)));
    BOOST_TEST(f.position() == static_cast<off_t>(n));
}

BOOST_TULIP_TEST_CASE_REALTIME(cancellation_mid_file_reports_the_bytes_sent)
{
    temp_file f(pattern(16 * 1024 * 1024, 14));
    auto [sender, receiver] = co_await net_test::loopback_pair(true);
    asio::cancellation_signal cancel;
    std::optional<sendfile_result> result;
    tulip::event done;
    tulip::async_sendfile(
        sender, f.fd, 4096, 0,
        asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, std::size_t n) {
            result.emplace(ec, n);
            done.set();
        }));
    // The receiver reads nothing: the send fills the buffers and waits for writability.
    co_await tulip::sleep(50ms);
    BOOST_TEST(!result.has_value());
    cancel.emit(asio::cancellation_type::terminal);
    co_await done.wait();
    auto [ec, n] = *result;
    BOOST_TEST((ec == asio::error::operation_aborted));
    BOOST_TEST(n > 0u);
    BOOST_TEST(n < f.content.size() - 4096);
    BOOST_TEST(f.position() == static_cast<off_t>(4096 + n));
    // The receiver gets exactly those bytes.
    sender.shutdown(tcp::socket::shutdown_send);
    std::string got = co_await read_all(receiver);
    BOOST_TEST((got == f.content.substr(4096, n)));
}

BOOST_TULIP_TEST_CASE_REALTIME(cancelling_the_task_stops_the_send)
{
    temp_file f(pattern(16 * 1024 * 1024, 15));
    auto [sender, receiver] = co_await net_test::loopback_pair(true);
    auto sending = tulip::create_task([](tcp::socket& s, int fd) -> tulip::awaitable<std::size_t> {
        co_return co_await tulip::async_sendfile(s, fd, 0, 0);
    }(sender, f.fd));
    co_await tulip::sleep(50ms);
    sending.cancel();
    bool cancelled = false;
    try {
        co_await sending.wait();
    } catch (const std::exception& e) {
        cancelled = tulip::is_cancellation(e);
    }
    BOOST_TEST(cancelled);
    // The position says what went out.
    off_t pos = f.position();
    BOOST_TEST(pos > 0);
    sender.shutdown(tcp::socket::shutdown_send);
    std::string got = co_await read_all(receiver);
    BOOST_TEST(got.size() == static_cast<std::size_t>(pos));
}

BOOST_TULIP_TEST_CASE_REALTIME(a_bad_descriptor_is_an_error_and_nothing_is_sent)
{
    auto [sender, receiver] = co_await net_test::loopback_pair();
    auto [ec, n] =
        co_await tulip::async_sendfile(sender, -1, 0, 0, asio::as_tuple(asio::use_awaitable));
    BOOST_TEST((ec == asio::error::bad_descriptor));
    BOOST_TEST(n == 0u);
}

BOOST_TULIP_TEST_CASE_REALTIME(completion_never_runs_inside_the_initiating_call)
{
    temp_file f(pattern(1024, 16));
    auto [sender, receiver] = co_await net_test::loopback_pair();
    bool called = false;
    tulip::event done;
    tulip::async_sendfile(sender, f.fd, 0, 0, [&](error_code, std::size_t) {
        called = true;
        done.set();
    });
    BOOST_TEST(!called);
    co_await done.wait();
    BOOST_TEST(called);
}

// ---- stream_writer::sendfile ------------------------------------------------------------

namespace {

// A server whose handler runs `body(writer)` and closes; the client reads everything.
template <class Body>
tulip::awaitable<std::string> serve_and_read(Body body)
{
    tulip::event done;
    auto cb = [&](tulip::stream_reader, tulip::stream_writer w) -> tulip::awaitable<void> {
        co_await body(w);
        w.close();
        co_await w.wait_closed();
        done.set();
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    auto port = srv.sockets().front().port();
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", port);
    std::string got = co_await r.read();
    co_await done.wait();
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
    co_return got;
}

} // namespace

BOOST_TULIP_TEST_CASE_REALTIME(writer_sendfile_sends_the_buffered_bytes_first_then_the_file)
{
    temp_file f(pattern(5 * 1024 * 1024 + 7, 21));
    // More than the high-water mark buffered before: it must all go out first.
    std::string head = pattern(1024 * 1024, 22);
    std::size_t sent = 0;
    std::string got =
        co_await serve_and_read([&](tulip::stream_writer& w) -> tulip::awaitable<void> {
            w.write(head);
            sent = co_await w.sendfile(f.fd);
            w.write("trailer\n");
            std::size_t part = co_await w.sendfile(f.fd, 10, 20);
            BOOST_TEST(part == 20u);
        });
    BOOST_TEST(sent == f.content.size());
    BOOST_TEST((got == head + f.content + "trailer\n" + f.content.substr(10, 20)));
    BOOST_TEST(f.position() == 30);
}

BOOST_TULIP_TEST_CASE_REALTIME(writer_sendfile_over_a_unix_socket)
{
    temp_file f(pattern(2 * 1024 * 1024, 23));
    auto path = std::filesystem::temp_directory_path() /
                ("tulip-sendfile-" + std::to_string(::getpid()) + ".sock");
    tulip::event done;
    auto cb = [&](tulip::stream_reader, tulip::stream_writer w) -> tulip::awaitable<void> {
        w.write("head:");
        co_await w.sendfile(f.fd);
        w.close();
        done.set();
    };
    auto srv = co_await tulip::start_unix_server(cb, path);
    auto [r, w] = co_await tulip::open_unix_connection(path);
    std::string got = co_await r.read();
    co_await done.wait();
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
    BOOST_TEST((got == "head:" + f.content));
}

// A writer's sendfile to a peer that has closed: EPIPE, and SIGPIPE with it (a Unix socket
// raises it at once). A handler the program installed is kept and never sees one, on every
// sendfile of the connection: what the check finds then is not remembered. At the default
// the first sendfile sets SIGPIPE to ignored, and the connection's next one relies on it,
// until a handler of the loop's own (add_signal_handler) changes the disposition.
BOOST_TULIP_TEST_CASE_REALTIME(writer_sendfile_to_a_closed_peer_lands_no_sigpipe)
{
    temp_file f(pattern(64 * 1024, 25));
    auto path = std::filesystem::temp_directory_path() /
                ("tulip-sendfile-sigpipe-" + std::to_string(::getpid()) + ".sock");
    struct sigaction saved = {};
    ::sigaction(SIGPIPE, nullptr, &saved);
    tulip::event done;
    auto cb = [&](tulip::stream_reader r, tulip::stream_writer w) -> tulip::awaitable<void> {
        BOOST_TEST((co_await r.read()).empty()); // the client has closed
        sigpipe_calls = 0;
        std::signal(SIGPIPE, count_sigpipe);
        for (int i = 0; i < 2; ++i) {
            auto [ec, n] =
                co_await w.sendfile(f.fd, 0, 0, true, asio::as_tuple(asio::use_awaitable));
            BOOST_TEST((ec == asio::error::broken_pipe));
            BOOST_TEST(n == 0u);
        }
        BOOST_TEST(sigpipe_calls == 0);
        sigset_t pending;
        sigpending(&pending);
        BOOST_TEST(!sigismember(&pending, SIGPIPE));

        std::signal(SIGPIPE, SIG_DFL); // a SIGPIPE now would end this test program
        for (int i = 0; i < 2; ++i) {
            auto [ec, n] =
                co_await w.sendfile(f.fd, 0, 0, true, asio::as_tuple(asio::use_awaitable));
            BOOST_TEST((ec == asio::error::broken_pipe));
            struct sigaction now = {};
            ::sigaction(SIGPIPE, nullptr, &now);
            BOOST_TEST((now.sa_handler == SIG_IGN));
        }

        auto& loop = tulip::get_running_loop();
        int loop_handler_calls = 0;
        loop.add_signal_handler(SIGPIPE, [&] { ++loop_handler_calls; });
        auto [ec, n] = co_await w.sendfile(f.fd, 0, 0, true, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST((ec == asio::error::broken_pipe));
        co_await tulip::sleep(20ms); // a SIGPIPE delivered would reach the handler by now
        BOOST_TEST(loop_handler_calls == 0);
        BOOST_TEST(loop.remove_signal_handler(SIGPIPE));
        ::sigaction(SIGPIPE, &saved, nullptr);
        done.set();
    };
    auto srv = co_await tulip::start_unix_server(cb, path);
    {
        // A plain socket, closed at once (a Tulip writer's close would linger, reading).
        asio::local::stream_protocol::socket c(tulip::get_running_loop().get_io_context());
        co_await c.async_connect(path.string(), asio::use_awaitable);
    }
    co_await tulip::timeout(5s, done.wait());
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
}

BOOST_TULIP_TEST_CASE_REALTIME(a_write_while_the_writer_sends_a_file_throws_and_never_interleaves)
{
    temp_file f(pattern(16 * 1024 * 1024, 24));
    tulip::event sending, checked, done;
    bool write_refused = false, second_refused = false;
    auto cb = [&](tulip::stream_reader, tulip::stream_writer w) -> tulip::awaitable<void> {
        auto t =
            tulip::create_task([](tulip::stream_writer w, int fd) -> tulip::awaitable<std::size_t> {
                co_return co_await w.sendfile(fd);
            }(w, f.fd));
        co_await tulip::sleep(20ms); // the client does not read yet: the send waits
        try {
            w.write("in the middle");
        } catch (const tulip::invalid_state_error&) {
            write_refused = true;
        }
        try {
            co_await w.sendfile(f.fd, 0, 10);
        } catch (const tulip::invalid_state_error&) {
            second_refused = true;
        }
        checked.set();
        std::size_t n = co_await t.wait();
        BOOST_TEST(n == f.content.size());
        w.write("after"); // allowed again
        w.close();
        co_await w.wait_closed();
        done.set();
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    auto port = srv.sockets().front().port();
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", port);
    co_await checked.wait();
    std::string got = co_await r.read();
    co_await done.wait();
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
    BOOST_TEST(write_refused);
    BOOST_TEST(second_refused);
    BOOST_TEST((got == f.content + "after"));
}

BOOST_TULIP_TEST_CASE_REALTIME(writer_sendfile_of_a_pipe_falls_back_or_refuses)
{
    std::string data = pattern(600 * 1024, 25);
    pipe_source src(data);
    bool refused = false;
    std::string got =
        co_await serve_and_read([&](tulip::stream_writer& w) -> tulip::awaitable<void> {
            try {
                co_await w.sendfile(src.read_fd, 0, 0, false);
            } catch (const tulip::sendfile_not_available&) {
                refused = true;
            }
            std::size_t n = co_await w.sendfile(src.read_fd);
            BOOST_TEST(n == data.size());
            co_await src.writer.wait();
        });
    BOOST_TEST(refused);
    BOOST_TEST((got == data));
}

BOOST_TULIP_TEST_CASE_REALTIME(writer_sendfile_after_close_is_an_invalid_state)
{
    temp_file f(pattern(1000, 26));
    std::string got =
        co_await serve_and_read([&](tulip::stream_writer& w) -> tulip::awaitable<void> {
            w.write("x");
            w.close();
            auto [ec, n] =
                co_await w.sendfile(f.fd, 0, 0, true, asio::as_tuple(asio::use_awaitable));
            BOOST_TEST((ec == tulip::error::invalid_state));
            BOOST_TEST(n == 0u);
            bool thrown = false;
            try {
                co_await w.sendfile(f.fd);
            } catch (const tulip::invalid_state_error&) {
                thrown = true;
            }
            BOOST_TEST(thrown);
        });
    BOOST_TEST(got == "x");
}

BOOST_TULIP_TEST_CASE_REALTIME(writer_sendfile_to_a_peer_that_resets_fails_with_the_reset)
{
    temp_file f(pattern(32 * 1024 * 1024, 27));
    std::optional<sendfile_result> result;
    tulip::event done;
    auto cb = [&](tulip::stream_reader, tulip::stream_writer w) -> tulip::awaitable<void> {
        auto r = co_await w.sendfile(f.fd, 0, 0, true, asio::as_tuple(asio::use_awaitable));
        result.emplace(r);
        done.set();
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    auto port = srv.sockets().front().port();
    auto& ioc = tulip::get_running_loop().get_io_context();
    tcp::socket c(ioc);
    co_await c.async_connect({asio::ip::address_v4::loopback(), port}, asio::use_awaitable);
    std::string head(64 * 1024, '\0');
    co_await asio::async_read(c, asio::buffer(head), asio::use_awaitable);
    c.set_option(asio::socket_base::linger(true, 0));
    c.close();
    co_await done.wait();
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
    auto [ec, n] = *result;
    BOOST_TEST((ec == asio::error::connection_reset || ec == asio::error::broken_pipe));
    BOOST_TEST(n >= head.size());
    BOOST_TEST(n < f.content.size());
    BOOST_TEST(f.position() == static_cast<off_t>(n));
}

BOOST_TULIP_TEST_CASE_REALTIME(close_during_a_writer_sendfile_sends_the_file_first)
{
    temp_file f(pattern(32 * 1024 * 1024, 28));
    tulip::event closed;
    std::optional<sendfile_result> result;
    auto cb = [&](tulip::stream_reader, tulip::stream_writer w) -> tulip::awaitable<void> {
        auto t = tulip::create_task(
            [](tulip::stream_writer w, int fd) -> tulip::awaitable<sendfile_result> {
                co_return co_await w.sendfile(fd, 0, 0, true, asio::as_tuple(asio::use_awaitable));
            }(w, f.fd));
        co_await tulip::sleep(20ms); // the client reads nothing yet: the file is in flight
        w.close();
        result.emplace(co_await t.wait());
        co_await w.wait_closed();
        closed.set();
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", 0);
    auto port = srv.sockets().front().port();
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", port);
    co_await tulip::sleep(50ms);
    std::string got = co_await r.read();
    co_await closed.wait();
    srv.close();
    co_await tulip::timeout(5s, srv.wait_closed());
    BOOST_TEST(!std::get<0>(*result));
    BOOST_TEST(std::get<1>(*result) == f.content.size());
    BOOST_TEST((got == f.content));
}

#if defined(BOOST_ASIO_HAS_FILE)
BOOST_TULIP_TEST_CASE_REALTIME(asio_stream_file_and_random_access_file)
{
    temp_file f(pattern(200000, 17));
    auto& ioc = tulip::get_running_loop().get_io_context();
    asio::stream_file sf(ioc, f.path, asio::file_base::read_only);
    asio::random_access_file rf(ioc, f.path, asio::file_base::read_only);
    auto [sender, receiver] = co_await net_test::loopback_pair();
    auto reading = tulip::create_task(read_all(receiver));
    std::size_t a = co_await tulip::async_sendfile(sender, sf, 0, 1000);
    BOOST_TEST(sf.seek(0, asio::file_base::seek_cur) == 1000u);
    std::size_t b = co_await tulip::async_sendfile(sender, rf, 1000, 0);
    sender.shutdown(tcp::socket::shutdown_send);
    std::string got = co_await reading.wait();
    BOOST_TEST(a + b == f.content.size());
    BOOST_TEST((got == f.content));
}
#endif

BOOST_AUTO_TEST_SUITE_END()
