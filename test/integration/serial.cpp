//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Serial ports over real ptys: a simulated device written with Debian's python3-serial
// on the far end of a socat pty pair, and in-process pty pairs whose master side the
// test drives (closing it is the unplug).

#include <boost/tulip/serial.hpp>

#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/test.hpp>
#include <boost/tulip/timeout.hpp>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

extern char** environ;

namespace {

// A pty pair made in-process; the test holds the master (the "device"), Tulip opens the
// slave by its path.
struct pty_pair
{
    int master = -1;
    std::string path;

    pty_pair()
    {
        master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        BOOST_REQUIRE(master >= 0);
        BOOST_REQUIRE(::grantpt(master) == 0);
        BOOST_REQUIRE(::unlockpt(master) == 0);
        char name[128] = {};
        BOOST_REQUIRE(::ptsname_r(master, name, sizeof name) == 0);
        path = name;
    }
    pty_pair(const pty_pair&) = delete;
    pty_pair& operator=(const pty_pair&) = delete;
    ~pty_pair() { close_master(); }

    void close_master()
    {
        if (master >= 0)
            ::close(master);
        master = -1;
    }

    // The master on the loop, for reading what Tulip wrote without blocking the loop.
    asio::posix::stream_descriptor on_loop(asio::io_context& ioc)
    {
        int fd = ::fcntl(master, F_DUPFD_CLOEXEC, 0);
        BOOST_REQUIRE(fd >= 0);
        return asio::posix::stream_descriptor(ioc, fd);
    }

    void write(std::string_view s)
    {
        while (!s.empty()) {
            ssize_t n = ::write(master, s.data(), s.size());
            BOOST_REQUIRE(n > 0);
            s.remove_prefix(static_cast<std::size_t>(n));
        }
    }
};

asio::awaitable<std::string> read_exactly(asio::posix::stream_descriptor& d, std::size_t n)
{
    std::string out;
    char buf[4096];
    while (out.size() < n) {
        std::size_t got = co_await d.async_read_some(
            asio::buffer(buf, std::min(sizeof buf, n - out.size())), asio::use_awaitable);
        out.append(buf, got);
    }
    co_return out;
}

// Runs a program and returns its exit status (blocking: short programs only).
int run(const std::string& cmd)
{
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// The simulated device: answers line commands on the port it opens with pyserial.
const char* const device_script = R"(
import serial, signal, sys, time
signal.alarm(60)
port = serial.Serial(sys.argv[1], baudrate=115200)
print("ready", flush=True)
while True:
    try:
        line = port.readline()
    except serial.SerialException:
        break  # the pty pair went away (the unplug test)
    if not line:
        break
    cmd = line.strip()
    if cmd == b"PING":
        port.write(b"PONG\n")
    elif cmd == b"ID?":
        port.write(b"ID=tulip;")
    elif cmd == b"READ5":
        port.write(b"12345")
    elif cmd == b"SLOW":
        port.write(b"par")
        port.flush()
        time.sleep(0.3)
        port.write(b"tial\n")
    elif cmd == b"SILENT":
        pass
    elif cmd == b"BYE":
        port.write(b"BYE\n")
        port.flush()
        break
)";

// socat joins two ptys; the device script holds one end, the test opens the other.
struct simulated_device
{
    fs::path dir;
    pid_t socat = -1;
    FILE* device = nullptr;

    simulated_device()
    {
        char tmpl[] = "/tmp/tulip-serial-XXXXXX";
        BOOST_REQUIRE(::mkdtemp(tmpl));
        dir = tmpl;
        std::string a = "pty,raw,echo=0,link=" + (dir / "host").string();
        std::string b = "pty,raw,echo=0,link=" + (dir / "device").string();
        const char* argv[] = {"socat", a.c_str(), b.c_str(), nullptr};
        BOOST_REQUIRE(::posix_spawnp(&socat, "socat", nullptr, nullptr,
                                     const_cast<char* const*>(argv), environ) == 0);
        for (int i = 0; i < 500 && !(fs::exists(dir / "host") && fs::exists(dir / "device")); ++i)
            std::this_thread::sleep_for(10ms);
        BOOST_REQUIRE(fs::exists(dir / "host"));
        std::ofstream(dir / "device.py") << device_script;
        std::string cmd =
            "/usr/bin/python3 " + (dir / "device.py").string() + " " + (dir / "device").string();
        device = ::popen(cmd.c_str(), "r");
        BOOST_REQUIRE(device);
        char line[32] = {};
        BOOST_REQUIRE(std::fgets(line, sizeof line, device));
        BOOST_REQUIRE(std::string(line) == "ready\n");
    }
    fs::path host() const { return dir / "host"; }

    // The unplug: the pty pair goes away.
    void kill_socat()
    {
        if (socat > 0) {
            ::kill(socat, SIGTERM);
            ::waitpid(socat, nullptr, 0);
            socat = -1;
        }
    }
    int device_exit()
    {
        int rc = ::pclose(device);
        device = nullptr;
        return rc;
    }
    ~simulated_device()
    {
        kill_socat();
        if (device)
            ::pclose(device);
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

// CPU time this process used so far.
std::chrono::microseconds cpu_time()
{
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return std::chrono::seconds(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           std::chrono::microseconds(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

bool is_device_gone(const boost::system::system_error& e)
{
    return e.code() == tulip::error::device_gone;
}

// The baud rate a termios2 read of the port reports (python, since this file cannot
// include Linux's termios2 next to glibc's termios).
unsigned reported_baud(const std::string& path)
{
    std::string cmd = "/usr/bin/python3 -c 'import fcntl, os, struct, sys\n"
                      "fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)\n"
                      "b = fcntl.ioctl(fd, 0x802C542A, bytes(44))\n"
                      "print(struct.unpack(\"I\", b[40:44])[0])' " +
                      path;
    FILE* f = ::popen(cmd.c_str(), "r");
    BOOST_REQUIRE(f);
    char line[32] = {};
    bool got = std::fgets(line, sizeof line, f) != nullptr;
    ::pclose(f);
    BOOST_REQUIRE(got);
    return static_cast<unsigned>(std::stoul(line));
}

} // namespace

BOOST_AUTO_TEST_SUITE(serial_integration)

BOOST_TULIP_TEST_CASE_REALTIME(serial_reads_with_timeouts_against_a_pyserial_device)
{
    simulated_device dev;
    auto [reader, writer] = co_await tulip::open_serial_connection(
        dev.host(), tulip::serial_options{.baud_rate = 115200});

    writer.write("PING\n");
    BOOST_TEST(co_await tulip::timeout(10s, reader.readline()) == "PONG\n");

    writer.write("ID?\n");
    BOOST_TEST(co_await tulip::timeout(10s, reader.readuntil(";")) == "ID=tulip;");

    writer.write("READ5\n");
    BOOST_TEST(co_await tulip::timeout(10s, reader.readexactly(5)) == "12345");

    // A device that does not answer: the timeout ends the read, nothing is lost after.
    writer.write("SILENT\n");
    bool timed_out = false;
    try {
        co_await tulip::timeout(200ms, reader.readline());
    } catch (const tulip::timeout_error&) {
        timed_out = true;
    }
    BOOST_TEST(timed_out);

    // A line in two parts: a timeout shorter than the gap cuts the read, and the bytes
    // that came before it are read by the next readline.
    writer.write("SLOW\n");
    timed_out = false;
    try {
        co_await tulip::timeout(100ms, reader.readline());
    } catch (const tulip::timeout_error&) {
        timed_out = true;
    }
    BOOST_TEST(timed_out);
    BOOST_TEST(co_await tulip::timeout(10s, reader.readline()) == "partial\n");

    writer.write("BYE\n");
    BOOST_TEST(co_await tulip::timeout(10s, reader.readline()) == "BYE\n");
    BOOST_TEST(dev.device_exit() == 0);
    writer.close();
    co_await tulip::timeout(10s, writer.wait_closed());
}

BOOST_TULIP_TEST_CASE_REALTIME(serial_unplug_of_a_pyserial_device_ends_reads_with_device_gone)
{
    simulated_device dev;
    auto [reader, writer] = co_await tulip::open_serial_connection(dev.host());
    writer.write("SILENT\n");
    auto pending = tulip::create_task(reader.readline());
    co_await tulip::sleep(50ms);
    dev.kill_socat();
    bool gone = false;
    try {
        co_await tulip::timeout(10s, pending);
    } catch (const boost::system::system_error& e) {
        gone = is_device_gone(e);
    }
    BOOST_TEST(gone);
}

BOOST_TULIP_TEST_CASE_REALTIME(serial_device_loss_ends_pending_and_later_reads_and_writes)
{
    pty_pair pty;
    auto [reader, writer] = co_await tulip::open_serial_connection(pty.path);
    auto pending = tulip::create_task(reader.readline());
    co_await tulip::sleep(20ms);
    pty.close_master();

    bool gone = false;
    try {
        co_await tulip::timeout(5s, pending);
    } catch (const boost::system::system_error& e) {
        gone = is_device_gone(e);
    }
    BOOST_TEST(gone);

    // No busy loop after the loss: the port is not read again and again.
    auto cpu0 = cpu_time();
    co_await tulip::sleep(300ms);
    BOOST_TEST((cpu_time() - cpu0) < 100ms);

    gone = false;
    try {
        co_await tulip::timeout(5s, reader.read(10));
    } catch (const boost::system::system_error& e) {
        gone = is_device_gone(e);
    }
    BOOST_TEST(gone);
    gone = false;
    try {
        writer.write("late\n");
    } catch (const boost::system::system_error& e) {
        gone = is_device_gone(e);
    }
    BOOST_TEST(gone);
    auto* t = static_cast<tulip::serial_transport*>(writer.transport());
    BOOST_TEST(t == nullptr); // the connection is gone: no transport any more
}

BOOST_TULIP_TEST_CASE_REALTIME(serial_device_loss_ends_a_pending_drain)
{
    pty_pair pty; // the master never reads: the pty fills, then the write buffer
    auto [reader, writer] = co_await tulip::open_serial_connection(pty.path);
    std::string chunk(256 * 1024, 'x');
    writer.write(chunk);
    auto drained = tulip::create_task(writer.drain());
    co_await tulip::sleep(20ms);
    BOOST_TEST(!drained.done());
    pty.close_master();
    bool gone = false;
    try {
        co_await tulip::timeout(5s, drained);
    } catch (const boost::system::system_error& e) {
        gone = is_device_gone(e);
    }
    BOOST_TEST(gone);
}

BOOST_TULIP_TEST_CASE_REALTIME(serial_exclusive_port_refuses_a_second_opener)
{
    pty_pair pty;
    auto [reader, writer] =
        co_await tulip::open_serial_connection(pty.path, tulip::serial_options{.exclusive = true});

    bool busy = false;
    try {
        co_await tulip::open_serial_connection(pty.path, tulip::serial_options{.exclusive = true});
    } catch (const boost::system::system_error& e) {
        busy = e.code() == boost::system::errc::device_or_resource_busy;
        BOOST_TEST(std::string(e.what()).find(pty.path) != std::string::npos);
    }
    BOOST_TEST(busy);
    // pyserial's exclusive=True takes the same lock, and is refused too.
    BOOST_TEST(run("/usr/bin/python3 -c 'import serial, sys; serial.Serial(sys.argv[1], "
                   "exclusive=True)' " +
                   pty.path + " 2>/dev/null") != 0);

    writer.close();
    co_await tulip::timeout(5s, writer.wait_closed());
    // Free again once closed.
    auto [r2, w2] =
        co_await tulip::open_serial_connection(pty.path, tulip::serial_options{.exclusive = true});
    w2.close();
    co_await tulip::timeout(5s, w2.wait_closed());
}

BOOST_TULIP_TEST_CASE_REALTIME(serial_non_standard_baud_rates_reach_the_device)
{
    pty_pair pty;
    auto [reader, writer] = co_await tulip::open_serial_connection(
        pty.path, tulip::serial_options{.baud_rate = 250000}); // DMX512; not a B-constant
    BOOST_TEST(reported_baud(pty.path) == 250000u);
    auto* t = static_cast<tulip::serial_transport*>(writer.transport());
    BOOST_REQUIRE(t);
    // Changed on the open port.
    t->set_options(tulip::serial_options{.baud_rate = 31250}); // MIDI
    BOOST_TEST(reported_baud(pty.path) == 31250u);
    BOOST_TEST(t->options().baud_rate == 31250u);
    t->set_options(tulip::serial_options{.baud_rate = 115200});
    BOOST_TEST(reported_baud(pty.path) == 115200u);
    writer.close();
    co_await tulip::timeout(5s, writer.wait_closed());
}

BOOST_TULIP_TEST_CASE_REALTIME(serial_settings_a_pty_cannot_take_are_refused_by_name)
{
    pty_pair pty;
    auto [reader, writer] = co_await tulip::open_serial_connection(pty.path);
    auto* t = static_cast<tulip::serial_transport*>(writer.transport());
    BOOST_REQUIRE(t);
    auto refused = [&](const tulip::serial_options& o, const char* what) {
        try {
            t->set_options(o);
        } catch (const boost::system::system_error& e) {
            BOOST_TEST_MESSAGE(e.what());
            return std::string(e.what()).find(what) != std::string::npos;
        }
        return false;
    };
    // A pty forces 8 data bits and no parity (DESIGN sec. 8).
    BOOST_TEST(refused(tulip::serial_options{.character_size = 7}, "character_size 7"));
    BOOST_TEST(refused(tulip::serial_options{.parity = tulip::serial_parity::even}, "parity even"));
    BOOST_TEST(refused(tulip::serial_options{.character_size = 9}, "character_size"));
    BOOST_TEST(refused(tulip::serial_options{.stop_bits = tulip::serial_stop_bits::onepointfive},
                       "onepointfive"));
    BOOST_TEST(t->options().character_size == 8u); // unchanged
    // The port still works.
    pty.write("ok\n");
    BOOST_TEST(co_await tulip::timeout(5s, reader.readline()) == "ok\n");
    writer.close();
    co_await tulip::timeout(5s, writer.wait_closed());
}

BOOST_TULIP_TEST_CASE_REALTIME(serial_modem_lines_on_a_pty_are_clear_errors_and_break_works)
{
    pty_pair pty;
    auto [reader, writer] = co_await tulip::open_serial_connection(pty.path);
    auto* t = static_cast<tulip::serial_transport*>(writer.transport());
    BOOST_REQUIRE(t);
    auto unsupported = [](auto&& f) {
        try {
            f();
        } catch (const boost::system::system_error& e) {
            return e.code() == boost::system::errc::operation_not_supported &&
                   std::string(e.what()).find("no modem lines") != std::string::npos;
        }
        return false;
    };
    BOOST_TEST(unsupported([&] { t->set_dtr(true); }));
    BOOST_TEST(unsupported([&] { t->set_rts(false); }));
    BOOST_TEST(unsupported([&] { (void)t->cts(); }));
    BOOST_TEST(unsupported([&] { (void)t->dsr(); }));
    BOOST_TEST(unsupported([&] { (void)t->ri(); }));
    BOOST_TEST(unsupported([&] { (void)t->cd(); }));

    // A pty takes a break (and ignores it); the loop is not blocked meanwhile.
    auto before = std::chrono::steady_clock::now();
    co_await t->send_break(50ms);
    BOOST_TEST((std::chrono::steady_clock::now() - before) >= 50ms);
    // A cancelled break ends at once.
    bool aborted = false;
    try {
        co_await tulip::timeout(20ms, t->send_break(10s));
    } catch (const tulip::timeout_error&) {
        aborted = true;
    }
    BOOST_TEST(aborted);
    pty.write("still here\n");
    BOOST_TEST(co_await tulip::timeout(5s, reader.readline()) == "still here\n");
    BOOST_TEST(*writer.get_extra_info<std::string>("device") == pty.path);
    writer.close();
    co_await tulip::timeout(5s, writer.wait_closed());
}

BOOST_TULIP_TEST_CASE_REALTIME(serial_reset_buffers_discard_input_and_output)
{
    pty_pair pty;
    auto [reader, writer] = co_await tulip::open_serial_connection(pty.path);
    auto* t = static_cast<tulip::serial_transport*>(writer.transport());
    BOOST_REQUIRE(t);
    // Nobody reads the master: the pty fills and the rest waits in the write buffer.
    writer.write(std::string(256 * 1024, 'o'));
    BOOST_TEST(t->get_write_buffer_size() > 0u);
    t->reset_output_buffer();
    BOOST_TEST(t->get_write_buffer_size() == 0u);
    co_await tulip::timeout(1s, writer.drain());

    // Input received while reading is paused, then discarded.
    t->pause_reading();
    pty.write("stale\n");
    co_await tulip::sleep(50ms);
    t->reset_input_buffer();
    t->resume_reading();
    pty.write("fresh\n");
    BOOST_TEST(co_await tulip::timeout(5s, reader.readline()) == "fresh\n");
    writer.close();
    co_await tulip::timeout(5s, writer.wait_closed());
}

BOOST_TULIP_TEST_CASE_REALTIME(serial_close_is_bounded_when_nobody_reads)
{
    pty_pair pty;
    auto [reader, writer] = co_await tulip::open_serial_connection(
        pty.path, tulip::serial_options{.drain_timeout = 200ms});
    writer.write(std::string(1 << 20, 'z'));
    auto before = std::chrono::steady_clock::now();
    writer.close();
    co_await tulip::timeout(5s, writer.wait_closed());
    auto took = std::chrono::steady_clock::now() - before;
    BOOST_TEST(took >= 150ms);
    BOOST_TEST(took < 3s);
}

BOOST_TULIP_TEST_CASE_REALTIME(serial_write_reaches_the_device_and_protocols_work)
{
    pty_pair pty;
    auto master = pty.on_loop(tulip::get_running_loop().get_io_context());

    struct collector : tulip::protocol
    {
        std::string got;
        bool made = false;
        std::exception_ptr lost;
        bool lost_called = false;
        void connection_made(tulip::transport&) override { made = true; }
        void data_received(std::string_view d) override { got += d; }
        void connection_lost(std::exception_ptr e) override
        {
            lost = e;
            lost_called = true;
        }
    };
    auto factory = [] { return std::make_shared<collector>(); };
    auto [t, p] = co_await tulip::create_serial_connection(factory, pty.path);
    BOOST_TEST(p->made);
    BOOST_TEST(!t->can_write_eof());
    BOOST_CHECK_THROW(t->write_eof(), tulip::invalid_state_error);
    t->write("command\n");
    BOOST_TEST(co_await tulip::timeout(5s, read_exactly(master, 8)) == "command\n");
    pty.write("answer");
    for (int i = 0; i < 100 && p->got.size() < 6; ++i)
        co_await tulip::sleep(10ms);
    BOOST_TEST(p->got == "answer");

    // A missing device is a clear error naming it.
    bool missing = false;
    try {
        co_await tulip::open_serial_connection("/dev/tulip-no-such-port");
    } catch (const boost::system::system_error& e) {
        missing = e.code() == boost::system::errc::no_such_file_or_directory &&
                  std::string(e.what()).find("/dev/tulip-no-such-port") != std::string::npos;
    }
    BOOST_TEST(missing);
    // Not a terminal.
    bool not_a_tty = false;
    try {
        co_await tulip::open_serial_connection("/dev/null");
    } catch (const boost::system::system_error& e) {
        not_a_tty = e.code() == boost::system::errc::inappropriate_io_control_operation;
    }
    BOOST_TEST(not_a_tty);

    t->close();
    for (int i = 0; i < 100 && !p->lost_called; ++i)
        co_await tulip::sleep(10ms);
    BOOST_TEST(p->lost_called);
    BOOST_TEST(!p->lost);
}

BOOST_AUTO_TEST_SUITE_END()
