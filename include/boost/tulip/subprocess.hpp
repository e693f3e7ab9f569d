//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_SUBPROCESS_HPP
#define BOOST_TULIP_SUBPROCESS_HPP

// event_loop.hpp first: the detail headers rely on it being complete.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/detail/process_state.hpp>
#include <boost/tulip/streams.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::tulip {

// tag::outline[]
/// Where a standard stream of a child process goes (asyncio's `subprocess.PIPE`,
/// `DEVNULL`, `STDOUT`, or `None`).
enum class redirect : unsigned char
{
    /// The child shares the parent's stream (the default).
    inherit,
    /// A pipe to the parent: `process::stdin_` (a `stream_writer`), `stdout_` or
    /// `stderr_` (a `stream_reader`).
    pipe,
    /// `/dev/null`.
    devnull,
    /// For `stderr_` only: the child's standard error goes where its standard output
    /// goes (`2>&1`).
    to_stdout,
};

/** How to start a child process (`create_subprocess_exec`, `create_subprocess_shell`).

    It owns strings, so it is not trivially destructible: under g++ 12, name it before
    the `co_await` (`subprocess_options o{...}; co_await create_subprocess_exec(p, a, o);`)
    rather than writing the aggregate inside the awaited call (the manual's g++ 12 list), and call
   the overloads without options when the defaults suit. */
struct subprocess_options
{
    redirect stdin_ = redirect::inherit;
    redirect stdout_ = redirect::inherit;
    redirect stderr_ = redirect::inherit;
    /// The child's working directory; empty: the parent's.
    std::filesystem::path cwd;
    /// The child's whole environment (it replaces the parent's, as asyncio's `env=`);
    /// empty optional: the parent's environment. Its `PATH` is also where
    /// `create_subprocess_exec` looks for a program named without a `/`.
    std::optional<std::map<std::string, std::string>> env;
    /// The buffer limit of the `stdout_` and `stderr_` readers (asyncio's `limit=`).
    std::size_t limit = detail::default_stream_limit;
    /// Runs the child in a new session and process group (`setsid`), so that
    /// `kill(-pid, sig)` reaches its own children too (asyncio's `start_new_session`).
    bool start_new_session = false;
};

/** A child process (asyncio.subprocess.Process).

    A cheap shared handle (copyable). The child is not killed when the handles go: a
    child still running when its last handle is dropped is reaped by the loop when it
    exits, so it never stays a zombie (asyncio's child watcher). Loop-local: use it on its
    loop's thread.

    `stdin_`, `stdout_` and `stderr_` hold the pipes' streams for the streams started
    with `redirect::pipe` (empty otherwise). They are ordinary stream readers and writers:
    `readline`, `readuntil`, `write`, `drain`, `close`... with flow control.

    The exit is watched through a pidfd (Linux 5.3 or later; on older kernels a thread
    blocked in `waitpid` per running child): the loop never blocks, and `wait()` completes
    when the child exits even if a grandchild still holds the pipes (cpython#119710).
*/
class process
{
public:
    /// An empty handle.
    process() noexcept = default;

    /// The child's standard input, if it is a pipe. Closing it (`close()`, or dropping
    /// every copy of the writer) gives the child the end of its input.
    std::optional<stream_writer> stdin_;
    /// The child's standard output, if it is a pipe.
    std::optional<stream_reader> stdout_;
    /// The child's standard error, if it is a pipe.
    std::optional<stream_reader> stderr_;

    /// The child's process id.
    int pid() const noexcept;

    /** The exit status once the loop has seen the child exit, else empty: the exit code,
        or `-signum` when a signal ended it (asyncio; Boost.Process v2 1.81 would give
        `signum`). 255 if something else in the program reaped the child first. */
    std::optional<int> returncode() const noexcept;

    /** Sends `sig` to the child (through its pidfd, which cannot hit a recycled pid).
        Does nothing once the child's exit was seen (as Popen.send_signal).
        @throws boost::system::system_error for an invalid signal or no permission. */
    void send_signal(int sig);
    /// `send_signal(SIGTERM)`.
    void terminate();
    /// `send_signal(SIGKILL)`.
    void kill();

    /** Waits until the child exits and returns `returncode()`.

        The pipes play no part: it completes as soon as the child exits even if its
        output was not read or a grandchild holds the pipes. To have a timeout, put it in
        `timeout()` and then decide:
        @code
        bool timed_out = false;
        try {
            co_await timeout(5s, p.wait());
        } catch (const timeout_error&) {
            timed_out = true; // no co_await inside a handler (C++)
        }
        if (timed_out) {
            p.kill();
            co_await p.wait();
        }
        @endcode

        @par Completion Signature
        `void(boost::system::error_code, int)`.

        @par Per-Operation Cancellation
        `terminal`, `partial` and `total`: the wait ends with `operation_aborted`; the
        child is not signalled and keeps running (asyncio), and it is still reaped when
        it exits. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, int))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto wait(CompletionToken&& token = CompletionToken{});

    /** Sends `input` to the child's standard input and closes it, reads its standard
        output and error to their ends, waits for its exit, and returns
        `{stdout bytes, stderr bytes}` (empty for a stream that is not a pipe).

        Writing and both reads go on at once, so no pipe fills while another is waited
        for (no deadlock whatever the sizes). The child closing its input early is not an
        error (asyncio ignores `BrokenPipeError` there too). `communicate` waits for the
        ends of the output pipes: a grandchild that keeps them open keeps it waiting (use
        `wait()`, or `start_new_session` and a group kill).

        `input` is copied into the pipe's buffer at the start (the caller's string is
        free at once).

        @par Completion Signature
        `void(boost::system::error_code, std::pair<std::string, std::string>)`; with the
        default token, `invalid_state_error` for `input` when `stdin_` is not a pipe or
        was closed already, else the error of a read (`boost::system::system_error`).

        @par Per-Operation Cancellation
        `terminal`, `partial` and `total`: the reads and the wait end; the child is not
        signalled. Nothing read is lost (cpython#139373): the bytes stay in `stdout_`
        and `stderr_`, where a later `communicate()` (or a read) finds them. The input
        already handed over is still sent, and stdin is closed, so a later
        `communicate` must not pass input again. */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code,
                                                   std::pair<std::string, std::string>))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto communicate(std::string input, CompletionToken&& token = CompletionToken{});
    /// `communicate` with no input (stdin, if a pipe, is closed at once).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code,
                                                   std::pair<std::string, std::string>))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto communicate(CompletionToken&& token = CompletionToken{});

    explicit operator bool() const noexcept { return st_ != nullptr; }

private:
    friend struct detail::process_access;
    struct initiate_wait;
    struct initiate_communicate;

    std::shared_ptr<detail::process_state> st_;
};

/** Starts `program` with the arguments `args` (its `argv[1]`...; `argv[0]` is `program`)
    (asyncio `create_subprocess_exec`).

    A `program` without a `/` is looked up in the `PATH` of the child's environment
    (`options.env` if given, else the parent's; `/bin:/usr/bin` when unset), as Python's
    subprocess does. The child gets its three standard streams as `options` says, and no
    other descriptor (whether the parent's descriptors are close-on-exec or not). Signal
    dispositions the parent ignores are reset for SIGPIPE and SIGXFSZ, and the signal mask
    is cleared.

    Spawning uses `posix_spawn` (glibc's runs no code of the parent's in the child and
    cannot deadlock with the parent's other threads); it blocks the loop only until the
    child has called `exec`.

    @par Completion Signature
    `void(boost::system::error_code, process)`. A program that cannot be started fails at
    once with the `exec` error (`no_such_file_or_directory` for a program not found,
    `permission_denied`...), and with the default token a `boost::system::system_error`
    naming the program (or the working directory that does not exist).

    @par Per-Operation Cancellation
    None: it completes at once.

    The arguments are copied before the call returns.
*/
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, process))
              CompletionToken = awaitable_token_t>
auto create_subprocess_exec(std::string_view program, std::vector<std::string> args,
                            const subprocess_options& options,
                            CompletionToken&& token = CompletionToken{});
/// `create_subprocess_exec` with the default options (every stream inherited).
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, process))
              CompletionToken = awaitable_token_t>
auto create_subprocess_exec(std::string_view program, std::vector<std::string> args,
                            CompletionToken&& token = CompletionToken{});

/** Runs `cmd` with `/bin/sh -c cmd` (asyncio `create_subprocess_shell`): the shell's
    quoting rules apply to `cmd`, so never build it from untrusted text. Otherwise as
    `create_subprocess_exec`. */
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, process))
              CompletionToken = awaitable_token_t>
auto create_subprocess_shell(std::string_view cmd, const subprocess_options& options,
                             CompletionToken&& token = CompletionToken{});
/// `create_subprocess_shell` with the default options.
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, process))
              CompletionToken = awaitable_token_t>
auto create_subprocess_shell(std::string_view cmd, CompletionToken&& token = CompletionToken{});
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/subprocess.hpp>

#endif
