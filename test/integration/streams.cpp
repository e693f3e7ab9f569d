//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// open_connection against a real asyncio server (python3): line echo, a reset during a
// read and during a drain, half-close both ways, a slow-loris peer bounded by timeout().

#include <boost/tulip/sleep.hpp>
#include <boost/tulip/streams.hpp>

#include <boost/tulip/task.hpp>
#include <boost/tulip/test.hpp>
#include <boost/tulip/timeout.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// An asyncio server (one connection) in the mode given; it prints its port, then what the
// mode reports. No single quotes: it goes to the shell between them.
const char* const peer_script = R"(
import asyncio, signal, socket, struct, sys
signal.alarm(60)
mode = sys.argv[1]
done = asyncio.Event()
async def handle(r, w):
    try:
        if mode == "echo" or mode == "unix_echo":
            while True:
                line = await r.readline()
                if not line:
                    break
                w.write(line)
                await w.drain()
        elif mode == "reset_after_line":
            await r.readline()
            s = w.get_extra_info("socket")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            w.transport.abort()
            return
        elif mode == "reset_later":
            await asyncio.sleep(0.3)
            s = w.get_extra_info("socket")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            w.transport.abort()
            return
        elif mode == "count":
            data = await r.read()
            w.write(str(len(data)).encode() + b"\n")
            await w.drain()
        elif mode == "eof_first":
            w.write(b"bye\n")
            w.write_eof()
            data = await r.read()
            print(len(data), flush=True)
        elif mode == "slowloris":
            for i in range(100):
                w.write(b"a")
                await w.drain()
                await asyncio.sleep(0.05)
        w.close()
    finally:
        done.set()
async def main():
    if mode == "unix_echo":
        mode_path = sys.argv[2]
        srv = await asyncio.start_unix_server(handle, mode_path)
        print(0, flush=True)
    else:
        srv = await asyncio.start_server(handle, "127.0.0.1", 0)
        print(srv.sockets[0].getsockname()[1], flush=True)
    await done.wait()
    srv.close()
asyncio.run(main())
)";

struct peer
{
    FILE* f = nullptr;
    std::uint16_t port = 0;

    explicit peer(const char* mode)
    {
        std::string cmd = std::string("python3 -c '") + peer_script + "' " + mode;
        f = ::popen(cmd.c_str(), "r");
        BOOST_REQUIRE(f);
        char line[32] = {};
        BOOST_REQUIRE(std::fgets(line, sizeof line, f));
        port = static_cast<std::uint16_t>(std::stoi(line));
    }
    std::string read_line()
    {
        char line[64] = {};
        if (!std::fgets(line, sizeof line, f))
            return {};
        return line;
    }
    int close()
    {
        int rc = ::pclose(f);
        f = nullptr;
        return rc;
    }
    ~peer()
    {
        if (f)
            ::pclose(f);
    }
};

bool is_reset(const boost::system::system_error& e)
{
    return e.code() == asio::error::connection_reset || e.code() == asio::error::broken_pipe;
}

} // namespace

BOOST_AUTO_TEST_SUITE(streams_integration)

BOOST_TULIP_TEST_CASE_REALTIME(open_connection_exchanges_lines_with_an_asyncio_server)
{
    peer py("echo");
    auto [reader, writer] = co_await tulip::open_connection("127.0.0.1", py.port);
    writer.write("hello\n");
    std::vector<std::string> lines{"two\n", "three\n"};
    writer.writelines(lines);
    co_await writer.drain();
    BOOST_TEST(co_await tulip::timeout(10s, reader.readline()) == "hello\n");
    BOOST_TEST(co_await tulip::timeout(10s, reader.readline()) == "two\n");
    BOOST_TEST(co_await tulip::timeout(10s, reader.readexactly(6)) == "three\n");
    auto peername = writer.get_extra_info<asio::ip::tcp::endpoint>("peername");
    BOOST_REQUIRE(peername);
    BOOST_TEST(peername->port() == py.port);
    writer.write_eof();
    BOOST_TEST(co_await tulip::timeout(10s, reader.read()) == "");
    writer.close();
    co_await tulip::timeout(10s, writer.wait_closed());
    BOOST_TEST(py.close() == 0);
}

BOOST_TULIP_TEST_CASE_REALTIME(a_reset_during_a_read_fails_the_read_with_the_reset)
{
    peer py("reset_after_line");
    auto [reader, writer] = co_await tulip::open_connection("127.0.0.1", py.port);
    writer.write("go\n");
    bool reset = false;
    try {
        co_await tulip::timeout(10s, reader.readline());
    } catch (const boost::system::system_error& e) {
        reset = is_reset(e);
    }
    BOOST_TEST(reset);
    BOOST_CHECK_THROW(writer.write("more"), boost::system::system_error);
    BOOST_TEST(py.close() == 0);
}

BOOST_TULIP_TEST_CASE_REALTIME(a_reset_during_a_drain_fails_the_drain_with_the_reset)
{
    peer py("reset_later"); // never reads, resets after 0.3 s
    auto [reader, writer] = co_await tulip::open_connection("127.0.0.1", py.port);
    std::string chunk(1 << 20, 'x');
    bool reset = false;
    try {
        // The kernel's buffers fill, the transport's passes its high-water mark, the drain
        // waits until the reset ends it.
        for (int i = 0; i < 64; ++i) {
            writer.write(chunk);
            co_await tulip::timeout(10s, writer.drain());
        }
    } catch (const boost::system::system_error& e) {
        reset = is_reset(e);
    }
    BOOST_TEST(reset);
    BOOST_TEST(py.close() == 0);
}

BOOST_TULIP_TEST_CASE_REALTIME(our_half_close_lets_the_server_answer_after_our_eof)
{
    peer py("count");
    auto [reader, writer] = co_await tulip::open_connection("127.0.0.1", py.port);
    BOOST_TEST(writer.can_write_eof());
    writer.write(std::string(100000, 'q'));
    writer.write_eof();
    BOOST_CHECK_THROW(writer.write("late"), tulip::invalid_state_error);
    BOOST_TEST(co_await tulip::timeout(10s, reader.readline()) == "100000\n");
    BOOST_TEST(co_await tulip::timeout(10s, reader.read()) == "");
    BOOST_TEST(reader.at_eof());
    BOOST_TEST(py.close() == 0);
}

BOOST_TULIP_TEST_CASE_REALTIME(the_servers_half_close_leaves_us_writing)
{
    peer py("eof_first");
    auto [reader, writer] = co_await tulip::open_connection("127.0.0.1", py.port);
    BOOST_TEST(co_await tulip::timeout(10s, reader.readline()) == "bye\n");
    BOOST_TEST(co_await tulip::timeout(10s, reader.readline()) == ""); // its EOF
    BOOST_TEST(!writer.is_closing());
    writer.write(std::string(5000, 'r'));
    co_await writer.drain();
    writer.write_eof();
    BOOST_TEST(py.read_line() == "5000\n");
    // Both directions are closed now; the connection ends with close(), as in asyncio.
    writer.close();
    co_await tulip::timeout(10s, writer.wait_closed());
    BOOST_TEST(py.close() == 0);
}

BOOST_TULIP_TEST_CASE_REALTIME(a_slow_loris_peer_is_bounded_by_timeout)
{
    peer py("slowloris"); // a byte every 50 ms, never a newline
    auto [reader, writer] = co_await tulip::open_connection("127.0.0.1", py.port);
    bool timed_out = false;
    try {
        co_await tulip::timeout(400ms, reader.readline());
    } catch (const tulip::timeout_error&) {
        timed_out = true;
    }
    BOOST_TEST(timed_out);
    // What arrived stays buffered for the next read, and no more than that.
    BOOST_TEST(reader.buffered() > 0u);
    BOOST_TEST(reader.buffered() < 100u);
    writer.close();
    co_await tulip::timeout(10s, writer.wait_closed());
    py.close();
}

BOOST_TULIP_TEST_CASE_REALTIME(open_unix_connection_talks_to_an_asyncio_unix_server)
{
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("tulip-streams-" + std::to_string(::getpid()));
    std::filesystem::remove(path);
    std::string mode = "unix_echo " + path.string();
    peer py(mode.c_str());
    auto [reader, writer] = co_await tulip::open_unix_connection(path);
    writer.write("over a unix socket\n");
    BOOST_TEST(co_await tulip::timeout(10s, reader.readline()) == "over a unix socket\n");
    writer.write_eof();
    BOOST_TEST(co_await tulip::timeout(10s, reader.read()) == "");
    writer.close();
    co_await tulip::timeout(10s, writer.wait_closed());
    BOOST_TEST(py.close() == 0);
    std::filesystem::remove(path);
}

// A read(n) or readexactly(n) waiting on an empty reader takes its bytes straight from
// the receive; what it does not take stays for the next read, in order.
BOOST_TULIP_TEST_CASE_REALTIME(a_waiting_read_takes_its_part_of_a_receive_and_the_rest_stays)
{
    auto& ioc = tulip::get_running_loop().get_io_context();
    asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    auto accepting = tulip::create_task(acceptor.async_accept(asio::use_awaitable));
    auto [reader, writer] =
        co_await tulip::open_connection("127.0.0.1", acceptor.local_endpoint().port());
    asio::ip::tcp::socket peer = co_await accepting.wait();

    auto send = [&](std::string_view bytes) -> tulip::awaitable<void> {
        co_await asio::async_write(peer, asio::buffer(bytes), asio::use_awaitable);
    };
    auto some = tulip::create_task(reader.read(3));
    co_await tulip::sleep(0s); // the read waits on an empty reader
    co_await send("abcdefghij");
    BOOST_TEST(co_await tulip::timeout(10s, some.wait()) == "abc");
    BOOST_TEST(co_await tulip::timeout(10s, reader.read(4)) == "defg"); // from what stayed

    BOOST_TEST(co_await tulip::timeout(10s, reader.read(3)) == "hij");
    auto exactly = tulip::create_task(reader.readexactly(4));
    co_await tulip::sleep(0s);
    co_await send("klmnopq");
    BOOST_TEST(co_await tulip::timeout(10s, exactly.wait()) == "klmn");
    BOOST_TEST(co_await tulip::timeout(10s, reader.readexactly(3)) == "opq");

    // 200 KiB through read(65536) waiting each time: every byte, once, in order.
    std::string big(200 * 1024, '\0');
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    auto sending = tulip::create_task(send(big));
    std::string got;
    while (got.size() < big.size())
        got += co_await tulip::timeout(10s, reader.read(65536));
    co_await sending.wait();
    BOOST_TEST((got == big));
    writer.close();
    co_await tulip::timeout(10s, writer.wait_closed());
}

BOOST_AUTO_TEST_SUITE_END()
