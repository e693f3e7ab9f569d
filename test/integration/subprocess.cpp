//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Child processes, real ones (/bin/sh, /usr/bin/python3, coreutils): exit codes and
// signals, start failures, the environment and working directory, what the child
// inherits, reaping, cancellation of wait.

#include <boost/tulip/subprocess.hpp>

#include <boost/tulip/run.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/test.hpp>
#include <boost/tulip/timeout.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(subprocess_suite)

namespace {

// Whether `pid` is gone from the process table (reaped): no /proc entry and not our child.
bool reaped(int pid)
{
    int status;
    bool not_child = ::waitpid(pid, &status, WNOHANG) < 0 && errno == ECHILD;
    return not_child && !std::filesystem::exists("/proc/" + std::to_string(pid));
}

// Whether `pid` is running (not a zombie).
bool running(int pid)
{
    std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
    if (!f)
        return false;
    char buf[512] = {};
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    std::string s(buf, n);
    auto close = s.rfind(')');
    return close != std::string::npos && close + 2 < s.size() && s[close + 2] != 'Z';
}

tulip::awaitable<void> real_sleep(std::chrono::milliseconds d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::deferred);
}

} // namespace

BOOST_TULIP_TEST_CASE_REALTIME(wait_returns_the_exit_code)
{
    // Argument vectors are named first: a braced list in a co_await expression does not
    // compile with g++ 12.
    std::vector<std::string> args{"-c", "exit 3"};
    auto p = co_await tulip::create_subprocess_exec("/bin/sh", args);
    BOOST_TEST(p.pid() > 0);
    int code = co_await p.wait();
    BOOST_TEST(code == 3);
    BOOST_TEST((p.returncode() == std::optional<int>(3)));
    int again = co_await p.wait(); // completes at once with the same code
    BOOST_TEST(again == 3);
}

BOOST_TULIP_TEST_CASE_REALTIME(a_child_ended_by_a_signal_has_returncode_minus_signum)
{
    std::vector<std::string> args{"-c", "kill -9 $$"};
    auto p = co_await tulip::create_subprocess_exec("sh", args);
    int code = co_await p.wait();
    BOOST_TEST(code == -SIGKILL);

    std::vector<std::string> sleep_args{"30"};
    auto q = co_await tulip::create_subprocess_exec("sleep", sleep_args);
    BOOST_TEST(!q.returncode());
    q.terminate();
    int qcode = co_await q.wait();
    BOOST_TEST(qcode == -SIGTERM);
    q.kill(); // after the exit: does nothing
    q.send_signal(SIGUSR1);
    BOOST_TEST((q.returncode() == std::optional<int>(-SIGTERM)));
}

BOOST_TULIP_TEST_CASE_REALTIME(a_program_that_does_not_exist_fails_at_creation_naming_it)
{
    try {
        std::vector<std::string> args{"x"};
        auto p = co_await tulip::create_subprocess_exec("tulip-no-such-program", args);
        BOOST_FAIL("a missing program started");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST(e.code() == boost::system::errc::no_such_file_or_directory);
        BOOST_TEST(std::string(e.what()).find("tulip-no-such-program") != std::string::npos);
    }
    // With a path, and with the error_code token.
    auto [ec, p] = co_await tulip::create_subprocess_exec("/nonexistent/tulip-prog", {},
                                                          asio::as_tuple(asio::deferred));
    BOOST_TEST(ec == boost::system::errc::no_such_file_or_directory);
    BOOST_TEST(!p);
}

BOOST_TULIP_TEST_CASE_REALTIME(a_file_that_may_not_be_run_fails_with_permission_denied)
{
    auto dir = std::filesystem::temp_directory_path() / ("tulip-sp-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto file = dir / "not-executable";
    std::FILE* f = std::fopen(file.c_str(), "w");
    std::fputs("#!/bin/sh\nexit 0\n", f);
    std::fclose(f);
    auto [ec, p] =
        co_await tulip::create_subprocess_exec(file.string(), {}, asio::as_tuple(asio::deferred));
    BOOST_TEST(ec == boost::system::errc::permission_denied);
    // Found through PATH, but not executable: EACCES too, as execvp.
    tulip::subprocess_options o;
    o.env = std::map<std::string, std::string>{{"PATH", dir.string()}};
    auto [ec2, p2] = co_await tulip::create_subprocess_exec("not-executable", {}, o,
                                                            asio::as_tuple(asio::deferred));
    BOOST_TEST(ec2 == boost::system::errc::permission_denied);
    std::filesystem::remove_all(dir);
}

BOOST_TULIP_TEST_CASE_REALTIME(a_missing_working_directory_is_named_in_the_error)
{
    tulip::subprocess_options o;
    o.cwd = "/nonexistent/tulip-dir";
    try {
        auto p = co_await tulip::create_subprocess_exec("true", {}, o);
        BOOST_FAIL("started in a missing directory");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST(e.code() == boost::system::errc::no_such_file_or_directory);
        BOOST_TEST(std::string(e.what()).find("/nonexistent/tulip-dir") != std::string::npos);
    }
}

BOOST_TULIP_TEST_CASE_REALTIME(env_replaces_the_environment_and_cwd_sets_the_directory)
{
    auto dir = std::filesystem::canonical(std::filesystem::temp_directory_path()) /
               ("tulip-cwd-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    ::setenv("TULIP_PARENT_ONLY", "1", 1);
    tulip::subprocess_options o;
    o.env = std::map<std::string, std::string>{{"FOO", "bar baz"}, {"PATH", "/usr/bin:/bin"}};
    o.cwd = dir;
    std::string script = "test \"$FOO\" = 'bar baz' || exit 10; "
                         "test -z \"$TULIP_PARENT_ONLY\" || exit 11; "
                         "test \"$(pwd -P)\" = '" +
                         dir.string() + "' || exit 12; exit 0";
    std::vector<std::string> args{"-c", script};
    auto p = co_await tulip::create_subprocess_exec("sh", args, o);
    int code = co_await p.wait();
    BOOST_TEST(code == 0);
    // Without env, the parent's environment.
    auto q = co_await tulip::create_subprocess_shell("test \"$TULIP_PARENT_ONLY\" = 1");
    int qcode = co_await q.wait();
    BOOST_TEST(qcode == 0);
    ::unsetenv("TULIP_PARENT_ONLY");
    std::filesystem::remove_all(dir);
}

BOOST_TULIP_TEST_CASE_REALTIME(the_shell_variant_runs_bin_sh_dash_c)
{
    auto p = co_await tulip::create_subprocess_shell("test \"$0\" = /bin/sh && exit 7");
    int code = co_await p.wait();
    BOOST_TEST(code == 7);
}

BOOST_TULIP_TEST_CASE_REALTIME(the_child_inherits_only_descriptors_0_1_2)
{
    // Inheritable descriptors in the parent: a plain pipe and an Asio socket (Asio 1.26
    // does not make its sockets close-on-exec).
    int fds[2];
    BOOST_REQUIRE(::pipe(fds) == 0);
    asio::ip::tcp::socket s(co_await asio::this_coro::executor);
    s.open(asio::ip::tcp::v4());
    BOOST_TEST((::fcntl(s.native_handle(), F_GETFD) & FD_CLOEXEC) == 0);
    // Exits 0 if the only descriptors are 0, 1, 2 and the one listdir opens.
    std::vector<std::string> args{"-c",
                                  "import os, sys\n"
                                  "fds = sorted(int(x) for x in os.listdir('/proc/self/fd'))\n"
                                  "sys.exit(0 if fds[:3] == [0, 1, 2] and len(fds) == 4 else 1)\n"};
    auto p = co_await tulip::create_subprocess_exec("/usr/bin/python3", args);
    int code = co_await p.wait();
    BOOST_TEST(code == 0);
    ::close(fds[0]);
    ::close(fds[1]);
}

BOOST_TULIP_TEST_CASE_REALTIME(cancelling_wait_leaves_the_child_running)
{
    std::vector<std::string> args{"30"};
    auto p = co_await tulip::create_subprocess_exec("sleep", args);
    auto w = p.wait();
    auto r = co_await tulip::move_on_after(100ms, std::move(w));
    BOOST_TEST(!r);
    BOOST_TEST(!p.returncode());
    BOOST_TEST(running(p.pid()));
    // The asyncio pattern: timeout, then kill and wait.
    try {
        auto w2 = p.wait();
        co_await tulip::timeout(100ms, std::move(w2));
        BOOST_FAIL("sleep 30 exited");
    } catch (const tulip::timeout_error&) {
        p.kill();
    }
    int code = co_await p.wait();
    BOOST_TEST(code == -SIGKILL);
    BOOST_TEST(reaped(p.pid()));
}

BOOST_TULIP_TEST_CASE_REALTIME(no_zombie_after_wait_nor_after_the_handle_is_dropped)
{
    auto p = co_await tulip::create_subprocess_exec("true", {});
    int pid = p.pid();
    int code = co_await p.wait();
    BOOST_TEST(code == 0);
    BOOST_TEST(reaped(pid));

    // Dropped while running: reaped when it exits, by the loop.
    int dropped;
    {
        std::vector<std::string> args{"0.2"};
        auto q = co_await tulip::create_subprocess_exec("sleep", args);
        dropped = q.pid();
    }
    for (int i = 0; i < 100 && !reaped(dropped); ++i)
        co_await real_sleep(50ms);
    BOOST_TEST(reaped(dropped));
}

BOOST_TULIP_TEST_CASE_REALTIME(spawning_while_other_threads_run_does_not_deadlock)
{
    // Threads that allocate and take locks all the time, and another io_context with a
    // signal set and timers (what a fork-based launcher's notify_fork would lock:
    // Boost.Process#430): posix_spawn runs none of that in the child.
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i)
        threads.emplace_back([&] {
            while (!stop.load()) {
                std::vector<std::string> v(64, std::string(100, 'x'));
                (void)v;
            }
        });
    asio::io_context other;
    asio::steady_timer tick(other);
    std::function<void()> rearm = [&] {
        tick.expires_after(1ms);
        tick.async_wait([&](boost::system::error_code ec) {
            if (!ec && !stop.load())
                rearm();
        });
    };
    rearm();
    threads.emplace_back([&] { other.run(); });
    for (int i = 0; i < 100; ++i) {
        auto p = co_await tulip::create_subprocess_exec("true", {});
        auto w = p.wait();
        int code = co_await tulip::timeout(10s, std::move(w));
        BOOST_TEST(code == 0);
    }
    stop = true;
    for (auto& t : threads)
        t.join();
}

// ---- pipes ------------------------------------------------------------------------------

namespace {

tulip::subprocess_options pipes(bool in, bool out, bool err)
{
    tulip::subprocess_options o;
    if (in)
        o.stdin_ = tulip::redirect::pipe;
    if (out)
        o.stdout_ = tulip::redirect::pipe;
    if (err)
        o.stderr_ = tulip::redirect::pipe;
    return o;
}

std::string pattern(std::size_t n)
{
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    return s;
}

} // namespace

BOOST_TULIP_TEST_CASE_REALTIME(pipes_are_streams_readline_and_write_with_drain)
{
    auto o = pipes(true, true, false);
    std::vector<std::string> args;
    auto p = co_await tulip::create_subprocess_exec("cat", args, o);
    BOOST_REQUIRE(p.stdin_);
    BOOST_REQUIRE(p.stdout_);
    BOOST_TEST(!p.stderr_);
    p.stdin_->write("first line\nsecond");
    co_await p.stdin_->drain();
    std::string line = co_await p.stdout_->readline();
    BOOST_TEST(line == "first line\n");
    p.stdin_->write(" line\n");
    p.stdin_->close(); // cat sees the end of its input
    std::string second = co_await p.stdout_->readline();
    BOOST_TEST(second == "second line\n");
    std::string rest = co_await p.stdout_->read();
    BOOST_TEST(rest.empty());
    BOOST_TEST(p.stdout_->at_eof());
    int code = co_await p.wait();
    BOOST_TEST(code == 0);
}

// 48 MiB through pipes take a while under the sanitizers: a longer bound than the default.
BOOST_TULIP_DETAIL_TEST_CASE(communicate_16_mib_each_way_does_not_deadlock,
                             (tulip::test::case_options{.virtual_clock = false,
                                                        .timeout = std::chrono::seconds(300)}))
{
    // The child copies its input to stdout while a thread writes 16 MiB to stderr: every
    // pipe is full at some point, in both directions at once.
    const char* script = "import sys, threading\n"
                         "def err():\n"
                         "    b = bytes(range(256)) * 4096\n"
                         "    for _ in range(16): sys.stderr.buffer.write(b)\n"
                         "    sys.stderr.buffer.flush()\n"
                         "t = threading.Thread(target=err); t.start()\n"
                         "while True:\n"
                         "    d = sys.stdin.buffer.read1(65536)\n"
                         "    if not d: break\n"
                         "    sys.stdout.buffer.write(d)\n"
                         "sys.stdout.buffer.flush()\n"
                         "t.join()\n";
    auto o = pipes(true, true, true);
    std::vector<std::string> args{"-c", script};
    auto p = co_await tulip::create_subprocess_exec("/usr/bin/python3", args, o);
    const std::size_t size = 16 * 1024 * 1024;
    std::string input = pattern(size);
    auto c = p.communicate(input);
    auto [out, err] = co_await tulip::timeout(280s, std::move(c));
    BOOST_TEST(out.size() == size);
    BOOST_TEST((out == input));
    BOOST_TEST(err.size() == size);
    bool err_ok = true;
    for (std::size_t i = 0; i < err.size() && err_ok; ++i)
        err_ok = static_cast<unsigned char>(err[i]) == i % 256;
    BOOST_TEST(err_ok);
    BOOST_TEST((p.returncode() == std::optional<int>(0)));
    BOOST_TEST(reaped(p.pid()));
}

BOOST_TULIP_TEST_CASE_REALTIME(a_cancelled_communicate_loses_no_output_cpython_139373)
{
    auto o = pipes(true, true, true);
    std::vector<std::string> args{"-c", "echo first; echo warn >&2; exec sleep 30"};
    auto p = co_await tulip::create_subprocess_exec("sh", args, o);
    auto c = p.communicate("input the child never reads");
    auto r = co_await tulip::move_on_after(500ms, std::move(c));
    BOOST_TEST(!r);
    BOOST_TEST(running(p.pid())); // not killed by the cancellation (asyncio)
    BOOST_TEST(p.stdout_->buffered() == 6u);
    // stdin is closed: a second communicate may not pass input again.
    try {
        auto again = p.communicate("more");
        co_await std::move(again);
        BOOST_FAIL("input accepted twice");
    } catch (const tulip::invalid_state_error&) {
    }
    p.kill();
    auto [out, err] = co_await p.communicate();
    BOOST_TEST(out == "first\n");
    BOOST_TEST(err == "warn\n");
    BOOST_TEST((p.returncode() == std::optional<int>(-SIGKILL)));
}

BOOST_TULIP_TEST_CASE_REALTIME(wait_is_not_delayed_by_a_grandchild_holding_the_pipes_cpython_119710)
{
    auto o = pipes(false, true, true);
    std::vector<std::string> args{"-c", "sleep 30 & echo $!; exit 4"};
    auto p = co_await tulip::create_subprocess_exec("sh", args, o);
    std::string line = co_await p.stdout_->readline();
    int grandchild = std::stoi(line);
    auto w = p.wait();
    int code = co_await tulip::timeout(5s, std::move(w)); // well before the sleep ends
    BOOST_TEST(code == 4);
    BOOST_TEST(reaped(p.pid()));
    BOOST_TEST(!p.stdout_->at_eof()); // the grandchild still holds the pipe
    ::kill(grandchild, SIGKILL);
    auto rest = p.stdout_->read();
    std::string tail = co_await tulip::timeout(5s, std::move(rest));
    BOOST_TEST(tail.empty());
    BOOST_TEST(p.stdout_->at_eof());
}

BOOST_TULIP_TEST_CASE_REALTIME(a_child_closing_stdin_early_never_kills_the_parent_with_sigpipe)
{
    auto o = pipes(true, false, false);
    std::vector<std::string> args{"-c", "exec 0<&-; sleep 0.2"};
    auto p = co_await tulip::create_subprocess_exec("sh", args, o);
    // The child never reads: writes fill the pipe, then fail with EPIPE once it closed
    // its end; the parent gets an error, not SIGPIPE.
    std::string chunk(1 << 20, 'x');
    bool failed = false;
    try {
        for (int i = 0; i < 64; ++i) {
            p.stdin_->write(chunk);
            co_await p.stdin_->drain();
        }
    } catch (const boost::system::system_error& e) {
        failed = true;
        BOOST_TEST(e.code() == asio::error::broken_pipe);
    }
    BOOST_TEST(failed);
    int code = co_await p.wait();
    BOOST_TEST(code == 0);

    // communicate ignores it, as asyncio does.
    auto q = co_await tulip::create_subprocess_exec("true", {}, o);
    auto [out, err] = co_await q.communicate(std::string(4 << 20, 'y'));
    BOOST_TEST(out.empty());
    BOOST_TEST((q.returncode() == std::optional<int>(0)));
}

BOOST_TULIP_TEST_CASE_REALTIME(the_child_gets_sigpipe_back_at_its_default)
{
    std::signal(SIGPIPE, SIG_IGN); // as after a spawn with a stdin pipe (or in Python)
    auto o = pipes(false, true, false);
    std::vector<std::string> args{"SigIgn", "/proc/self/status"};
    auto p = co_await tulip::create_subprocess_exec("grep", args, o);
    auto [out, err] = co_await p.communicate();
    // "SigIgn:\t<hex mask>\n": bit SIGPIPE - 1 clear.
    auto tab = out.find('\t');
    BOOST_REQUIRE(tab != std::string::npos);
    unsigned long long mask = std::stoull(out.substr(tab + 1), nullptr, 16);
    BOOST_TEST(((mask >> (SIGPIPE - 1)) & 1u) == 0u);
}

BOOST_TULIP_TEST_CASE_REALTIME(the_child_lists_only_0_1_2_in_proc_self_fd)
{
    int fds[2];
    BOOST_REQUIRE(::pipe(fds) == 0); // inheritable
    auto o = pipes(true, true, true);
    std::vector<std::string> args{"/proc/self/fd"};
    auto p = co_await tulip::create_subprocess_exec("ls", args, o);
    auto [out, err] = co_await p.communicate();
    // ls's own descriptor for the directory is the 3 (the lowest free one).
    BOOST_TEST(out == "0\n1\n2\n3\n");
    BOOST_TEST(err.empty());
    ::close(fds[0]);
    ::close(fds[1]);
}

BOOST_TULIP_TEST_CASE_REALTIME(stderr_to_stdout_and_devnull)
{
    tulip::subprocess_options o;
    o.stdout_ = tulip::redirect::pipe;
    o.stderr_ = tulip::redirect::to_stdout;
    o.stdin_ = tulip::redirect::devnull;
    std::vector<std::string> args{"-c", "echo out; echo err >&2; cat; echo end"};
    auto p = co_await tulip::create_subprocess_exec("sh", args, o);
    BOOST_TEST(!p.stderr_);
    BOOST_TEST(!p.stdin_);
    auto [out, err] = co_await p.communicate();
    BOOST_TEST(out == "out\nerr\nend\n"); // cat read /dev/null: nothing
    BOOST_TEST(err.empty());

    tulip::subprocess_options quiet;
    quiet.stdout_ = tulip::redirect::devnull;
    quiet.stderr_ = tulip::redirect::devnull;
    std::vector<std::string> loud{"-c", "echo nobody sees this; echo nor this >&2"};
    auto q = co_await tulip::create_subprocess_exec("sh", loud, quiet);
    int code = co_await q.wait();
    BOOST_TEST(code == 0);

    tulip::subprocess_options bad;
    bad.stdout_ = tulip::redirect::to_stdout;
    std::vector<std::string> none;
    BOOST_CHECK_THROW(co_await tulip::create_subprocess_exec("true", none, bad),
                      std::invalid_argument);
}

BOOST_TULIP_TEST_CASE_REALTIME(communicate_input_without_a_stdin_pipe_is_refused)
{
    auto o = pipes(false, true, false);
    std::vector<std::string> args{"x"};
    auto p = co_await tulip::create_subprocess_exec("echo", args, o);
    try {
        auto c = p.communicate("input");
        co_await std::move(c);
        BOOST_FAIL("input without a pipe accepted");
    } catch (const tulip::invalid_state_error&) {
    }
    auto [out, err] = co_await p.communicate();
    BOOST_TEST(out == "x\n");
}

BOOST_TULIP_TEST_CASE_REALTIME(an_empty_process_handle_refuses_every_operation)
{
    tulip::process none;
    BOOST_TEST(!none);
    BOOST_TEST(none.pid() == -1);
    BOOST_TEST(!none.returncode());
    BOOST_CHECK_THROW((void)none.wait(), tulip::invalid_state_error);
    BOOST_CHECK_THROW((void)none.communicate(), tulip::invalid_state_error);
    BOOST_CHECK_THROW(none.kill(), tulip::invalid_state_error);
    // A bad signal number is an error; the child is not touched by it.
    std::vector<std::string> args{"30"};
    auto p = co_await tulip::create_subprocess_exec("sleep", args);
    BOOST_CHECK_THROW(p.send_signal(12345), boost::system::system_error);
    BOOST_TEST(running(p.pid()));
    p.kill();
    int code = co_await p.wait();
    BOOST_TEST(code == -SIGKILL);
}

// ---- without pidfd ----------------------------------------------------------------------

BOOST_TULIP_TEST_CASE_REALTIME(without_pidfd_a_reaper_thread_reports_the_exit)
{
    ::setenv("BOOST_TULIP_NO_PIDFD", "1", 1);
    std::vector<std::string> args{"-c", "exit 5"};
    auto p = co_await tulip::create_subprocess_exec("sh", args);
    int code = co_await p.wait();
    BOOST_TEST(code == 5);
    BOOST_TEST(reaped(p.pid()));

    std::vector<std::string> sleep_args{"30"};
    auto q = co_await tulip::create_subprocess_exec("sleep", sleep_args);
    auto w = q.wait();
    auto r = co_await tulip::move_on_after(100ms, std::move(w));
    BOOST_TEST(!r);
    q.kill();
    int qcode = co_await q.wait();
    BOOST_TEST(qcode == -SIGKILL);

    int dropped;
    {
        std::vector<std::string> short_args{"0.1"};
        auto d = co_await tulip::create_subprocess_exec("sleep", short_args);
        dropped = d.pid();
    }
    ::unsetenv("BOOST_TULIP_NO_PIDFD");
    for (int i = 0; i < 100 && !reaped(dropped); ++i)
        co_await real_sleep(50ms);
    BOOST_TEST(reaped(dropped));
}

// ---- the loop ends first ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_child_running_when_its_loop_ends_is_still_reaped)
{
    int pid = tulip::run([]() -> tulip::awaitable<int> {
        std::vector<std::string> args{"0.3"};
        auto p = co_await tulip::create_subprocess_exec("sleep", args);
        co_return p.pid();
    }());
    BOOST_TEST(running(pid));
    for (int i = 0; i < 100 && !reaped(pid); ++i)
        std::this_thread::sleep_for(50ms);
    BOOST_TEST(reaped(pid));
}

BOOST_AUTO_TEST_SUITE_END()
