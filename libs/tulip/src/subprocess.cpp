//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/subprocess.hpp>

#include <boost/tulip/detail/socket_transport.hpp>

#include "sigpipe.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace boost::tulip {
namespace detail {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

error_code errno_code(int e) noexcept
{
    return error_code(e, boost::system::system_category());
}

// asyncio's return code: the exit status, or -signum for a child a signal ended.
int decode_status(int status) noexcept
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return -WTERMSIG(status);
    return status;
}

int sys_pidfd_open(int pid) noexcept
{
#ifdef SYS_pidfd_open
    // A pidfd is always close-on-exec.
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

int sys_pidfd_send_signal(int pidfd, int sig) noexcept
{
#ifdef SYS_pidfd_send_signal
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
#else
    (void)pidfd;
    (void)sig;
    errno = ENOSYS;
    return -1;
#endif
}

// Reaps `pid` from a thread of its own (blocking waitpid): for a child still running
// when its loop goes away. Nothing better can be done if no thread can be started.
void reap_in_background(int pid) noexcept
{
    try {
        std::thread([pid] {
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
        }).detach();
    } catch (...) {
    }
}

// A descriptor closed on scope exit unless released.
struct fd_guard
{
    int fd = -1;
    fd_guard() = default;
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    ~fd_guard() { reset(); }
    void reset(int f = -1) noexcept
    {
        if (fd >= 0)
            ::close(fd);
        fd = f;
    }
    int release() noexcept { return std::exchange(fd, -1); }
};

// The streams over the parent's ends of the pipes: descriptor transports (the socket
// transports' write buffer, flow control and connection_lost rules), one way each.
// connection_made is posted: create_subprocess_* completes after it (see initiate_spawn).
asio::posix::stream_descriptor take_descriptor(event_loop& loop, fd_guard& fd)
{
    asio::posix::stream_descriptor d(loop.get_io_context());
    error_code ec;
    d.assign(fd.fd, ec);
    if (ec)
        throw boost::system::system_error(ec, "assign");
    fd.release();
    return d;
}

stream_writer make_pipe_writer(event_loop& loop, fd_guard& fd)
{
    auto proto = make_stream_protocol(loop);
    make_descriptor_transport(loop, take_descriptor(loop, fd), proto,
                              transport_direction::write_only);
    return proto->writer();
}

stream_reader make_pipe_reader(event_loop& loop, fd_guard& fd, std::size_t limit)
{
    auto proto = make_stream_protocol(loop, limit);
    make_descriptor_transport(loop, take_descriptor(loop, fd), proto,
                              transport_direction::read_only);
    return proto->reader();
}

} // namespace

// ---- the exit watch ---------------------------------------------------------------------

// What the reaper thread hands to the loop where there is no pidfd.
struct reaper_result
{
    std::atomic<bool> done{false};
    int status = 0;
    bool reaped = false; // false: waitpid failed (someone else reaped the child)
};

/** The descriptor the loop waits on for the child's exit: its pidfd (readable once it
    has exited; Linux 5.3+), or, where pidfd_open is not available (ENOSYS, or refused by
    a seccomp filter), an eventfd that a thread blocked in waitpid signals (asyncio's
    ThreadedChildWatcher). Either way the loop only waits for readiness: it never blocks
    in waitpid (Boost.Process v2 1.81's async_wait ends in a blocking waitpid). */
class process_watch
{
public:
    process_watch(asio::io_context& ioc, int fd, std::shared_ptr<reaper_result> thread)
        : fd_(ioc, fd)
        , thread_(std::move(thread))
    {}

    bool has_pidfd() const noexcept { return !thread_; }
    int native() noexcept { return fd_.native_handle(); }

    void arm(std::shared_ptr<process_state> st)
    {
        fd_.async_wait(asio::posix::descriptor_base::wait_read,
                       [st = std::move(st)](error_code ec) {
                           if (ec || !st->watch_)
                               return; // closed by release_watch
                           st->watch_->on_ready(*st);
                       });
    }

    void on_ready(process_state& st)
    {
        if (thread_) {
            std::uint64_t n;
            (void)::read(fd_.native_handle(), &n, sizeof n);
            if (!thread_->done.load(std::memory_order_acquire)) {
                arm(st.shared_from_this());
                return;
            }
            st.on_exit(thread_->reaped ? decode_status(thread_->status) : 255);
            return;
        }
        int status = 0;
        int r;
        do
            r = ::waitpid(st.pid(), &status, WNOHANG);
        while (r < 0 && errno == EINTR);
        if (r == 0) { // not exited after all
            arm(st.shared_from_this());
            return;
        }
        // r < 0 (ECHILD): something else in the program reaped it; asyncio reports 255.
        st.on_exit(r == st.pid() ? decode_status(status) : 255);
    }

    // The loop lets go of a child whose exit it has not seen: it is reaped in the
    // background (the reaper thread already does that without a pidfd).
    void orphan(int pid) noexcept
    {
        if (thread_)
            return;
        int status = 0;
        int r;
        do
            r = ::waitpid(pid, &status, WNOHANG);
        while (r < 0 && errno == EINTR);
        if (r == 0)
            reap_in_background(pid);
    }

    void close() noexcept
    {
        error_code ec;
        fd_.close(ec);
    }

private:
    asio::posix::stream_descriptor fd_;
    std::shared_ptr<reaper_result> thread_;
};

process_state::process_state(event_loop& loop, int pid)
    : fifo_sync_object("tulip::process")
    , loop_(&loop)
    , pid_(pid)
{
    bind(loop);
}

process_state::~process_state()
{
    release_watch();
    unbind();
}

void process_state::start_watch()
{
    auto& ioc = loop_->get_io_context();
    // BOOST_TULIP_NO_PIDFD=1 takes the path of kernels without pidfd (for its tests).
    const char* no_pidfd = std::getenv("BOOST_TULIP_NO_PIDFD");
    int fd = -1;
    if (no_pidfd && *no_pidfd && *no_pidfd != '0')
        errno = ENOSYS;
    else
        fd = sys_pidfd_open(pid_);
    if (fd >= 0) {
        watch_ = std::make_unique<process_watch>(ioc, fd, nullptr);
    } else {
        int e = errno;
        if (e != ENOSYS && e != EPERM && e != EACCES && e != EINVAL)
            throw boost::system::system_error(errno_code(e), "pidfd_open");
        // No pidfd here: a thread waits for the child (see process_watch).
        int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (efd < 0)
            throw boost::system::system_error(errno_code(errno), "eventfd");
        int thread_fd = ::fcntl(efd, F_DUPFD_CLOEXEC, 3);
        if (thread_fd < 0) {
            e = errno;
            ::close(efd);
            throw boost::system::system_error(errno_code(e), "fcntl");
        }
        auto result = std::make_shared<reaper_result>();
        try {
            watch_ = std::make_unique<process_watch>(ioc, efd, result);
            std::thread([pid = pid_, thread_fd, result] {
                int status = 0;
                int r;
                do
                    r = ::waitpid(pid, &status, 0);
                while (r < 0 && errno == EINTR);
                result->status = status;
                result->reaped = r == pid;
                result->done.store(true, std::memory_order_release);
                std::uint64_t one = 1;
                (void)::write(thread_fd, &one, sizeof one);
                ::close(thread_fd);
            }).detach();
        } catch (...) {
            ::close(thread_fd);
            watch_.reset();
            throw;
        }
    }
    watch_->arm(shared_from_this());
}

void process_state::on_exit(int code)
{
    code_ = code;
    watch_->close();
    watch_.reset();
    waiters_.complete_all({}, delivery::posted);
}

void process_state::release_watch() noexcept
{
    if (!watch_)
        return;
    auto w = std::move(watch_);
    if (!code_)
        w->orphan(pid_);
    w->close();
}

void process_state::abandon_waiters() noexcept
{
    // The io_context shuts down: the exit can no longer be seen from it. The state may be
    // destroyed by the closing below (the watch's handler holds it): keep it meanwhile.
    auto keep = weak_from_this().lock();
    release_watch();
    fifo_sync_object::abandon_waiters();
}

void process_state::send_signal(int sig)
{
    check_thread();
    if (code_)
        return;
    int r;
    if (watch_ && watch_->has_pidfd())
        r = sys_pidfd_send_signal(watch_->native(), sig);
    else
        r = ::kill(pid_, sig);
    if (r < 0 && errno != ESRCH)
        throw boost::system::system_error(errno_code(errno), "tulip::process::send_signal");
}

void process_state::describe(std::string& out, const void* self)
{
    out += " pid ";
    out += std::to_string(static_cast<const process_state*>(self)->pid_);
}

// ---- spawning ---------------------------------------------------------------------------

namespace {

// A pipe with both ends close-on-exec and above the standard descriptors (so that the
// child's dup2 onto 0, 1, 2 never overwrites another of its sources).
error_code make_pipe(fd_guard& read_end, fd_guard& write_end)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        return errno_code(errno);
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
    for (fd_guard* g : {&read_end, &write_end}) {
        if (g->fd < 3) {
            int moved = ::fcntl(g->fd, F_DUPFD_CLOEXEC, 3);
            if (moved < 0)
                return errno_code(errno);
            g->reset(moved);
        }
    }
    return {};
}

struct file_actions
{
    posix_spawn_file_actions_t fa;
    file_actions() { ::posix_spawn_file_actions_init(&fa); }
    ~file_actions() { ::posix_spawn_file_actions_destroy(&fa); }
};

struct spawn_attr
{
    posix_spawnattr_t attr;
    spawn_attr() { ::posix_spawnattr_init(&attr); }
    ~spawn_attr() { ::posix_spawnattr_destroy(&attr); }
};

const char* find_in_env(const std::map<std::string, std::string>& env, const char* key)
{
    auto it = env.find(key);
    return it == env.end() ? nullptr : it->second.c_str();
}

// Python's subprocess lookup: a name with a '/' is used as it is; else each entry of PATH
// in turn (an empty entry is the working directory), the first executable regular file.
// Not found: ENOENT, or EACCES if a candidate exists but may not be run (as execvp).
error_code resolve_program(const std::string& program, const subprocess_options& opts,
                           std::string& path)
{
    if (program.find('/') != std::string::npos) {
        path = program;
        return {};
    }
    if (program.empty())
        return errno_code(ENOENT);
    const char* search = opts.env ? find_in_env(*opts.env, "PATH") : ::getenv("PATH");
    std::string fallback;
    if (!search) {
        // The system's default search path (Python's os.defpath is the same list).
        std::size_t n = ::confstr(_CS_PATH, nullptr, 0);
        fallback.resize(n ? n : 1);
        if (n)
            ::confstr(_CS_PATH, fallback.data(), n);
        fallback.resize(n ? n - 1 : 0);
        if (fallback.empty())
            fallback = "/bin:/usr/bin";
        search = fallback.c_str();
    }
    bool denied = false;
    std::string_view rest(search);
    for (;;) {
        std::size_t colon = rest.find(':');
        std::string_view dir = rest.substr(0, colon);
        std::string candidate = dir.empty() ? std::string(".") : std::string(dir);
        candidate += '/';
        candidate += program;
        struct stat st;
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            if (::access(candidate.c_str(), X_OK) == 0) {
                path = std::move(candidate);
                return {};
            }
            denied = true;
        }
        if (colon == std::string_view::npos)
            break;
        rest.remove_prefix(colon + 1);
    }
    return errno_code(denied ? EACCES : ENOENT);
}

void check_redirects(const subprocess_options& opts)
{
    if (opts.stdin_ == redirect::to_stdout || opts.stdout_ == redirect::to_stdout)
        throw std::invalid_argument(
            "tulip::subprocess_options: redirect::to_stdout is for stderr_ only");
}

} // namespace

error_code spawn_subprocess(event_loop& loop, const std::string& program,
                            const std::vector<std::string>& args, const subprocess_options& opts,
                            bool shell, process& out, std::string& what)
{
    check_redirects(opts);
    const char* fn = shell ? "create_subprocess_shell" : "create_subprocess_exec";

    // argv and the program's path.
    std::string path;
    std::vector<const char*> argv;
    if (shell) {
        path = "/bin/sh";
        argv = {"/bin/sh", "-c", program.c_str()};
    } else {
        if (auto ec = resolve_program(program, opts, path)) {
            what = std::string(fn) + ": cannot run '" + program + "'";
            return ec;
        }
        argv.reserve(args.size() + 2);
        argv.push_back(program.c_str());
        for (const auto& a : args)
            argv.push_back(a.c_str());
    }
    argv.push_back(nullptr);

    // The environment.
    std::vector<std::string> env_strings;
    std::vector<const char*> envp;
    char* const* env = environ;
    if (opts.env) {
        env_strings.reserve(opts.env->size());
        envp.reserve(opts.env->size() + 1);
        for (const auto& [k, v] : *opts.env) {
            env_strings.push_back(k + "=" + v);
            envp.push_back(env_strings.back().c_str());
        }
        envp.push_back(nullptr);
        env = const_cast<char* const*>(envp.data());
    }

    // A working directory that is not there is named as such (posix_spawn would say only
    // ENOENT, as for a missing program).
    if (!opts.cwd.empty()) {
        struct stat st;
        if (::stat(opts.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
            error_code ec = errno_code(::stat(opts.cwd.c_str(), &st) != 0 ? errno : ENOTDIR);
            what = std::string(fn) + ": cannot use '" + opts.cwd.string() +
                   "' as the working directory of '" + program + "'";
            return ec;
        }
    }

    // The pipes: the parent's ends and the child's.
    fd_guard parent_in, child_in, parent_out, child_out, parent_err, child_err;
    what = std::string(fn) + ": cannot start '" + program + "'";
    if (opts.stdin_ == redirect::pipe) {
        if (auto ec = make_pipe(child_in, parent_in))
            return ec;
        detail::ignore_sigpipe(); // a write to a child that closed its input: EPIPE
    }
    if (opts.stdout_ == redirect::pipe)
        if (auto ec = make_pipe(parent_out, child_out))
            return ec;
    if (opts.stderr_ == redirect::pipe)
        if (auto ec = make_pipe(parent_err, child_err))
            return ec;

    file_actions fa;
    auto* f = &fa.fa;
    switch (opts.stdin_) {
    case redirect::pipe:
        ::posix_spawn_file_actions_adddup2(f, child_in.fd, 0);
        break;
    case redirect::devnull:
        ::posix_spawn_file_actions_addopen(f, 0, "/dev/null", O_RDONLY, 0);
        break;
    default:
        break;
    }
    switch (opts.stdout_) {
    case redirect::pipe:
        ::posix_spawn_file_actions_adddup2(f, child_out.fd, 1);
        break;
    case redirect::devnull:
        ::posix_spawn_file_actions_addopen(f, 1, "/dev/null", O_WRONLY, 0);
        break;
    default:
        break;
    }
    switch (opts.stderr_) {
    case redirect::pipe:
        ::posix_spawn_file_actions_adddup2(f, child_err.fd, 2);
        break;
    case redirect::devnull:
        ::posix_spawn_file_actions_addopen(f, 2, "/dev/null", O_WRONLY, 0);
        break;
    case redirect::to_stdout:
        ::posix_spawn_file_actions_adddup2(f, 1, 2);
        break;
    default:
        break;
    }
    if (!opts.cwd.empty())
        ::posix_spawn_file_actions_addchdir_np(f, opts.cwd.c_str());
    // Only 0, 1 and 2 go to the child, whatever else is open and inheritable in the
    // parent (Asio 1.26's sockets and pipes are not close-on-exec).
    ::posix_spawn_file_actions_addclosefrom_np(f, 3);

    spawn_attr attr;
    sigset_t mask;
    ::sigemptyset(&mask);
    ::posix_spawnattr_setsigmask(&attr.attr, &mask);
    sigset_t defaults;
    ::sigemptyset(&defaults);
    ::sigaddset(&defaults, SIGPIPE);
    ::sigaddset(&defaults, SIGXFSZ);
    ::posix_spawnattr_setsigdefault(&attr.attr, &defaults);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (opts.start_new_session)
        flags |= POSIX_SPAWN_SETSID;
    ::posix_spawnattr_setflags(&attr.attr, flags);

    pid_t pid = -1;
    // glibc's posix_spawn: clone(CLONE_VM | CLONE_VFORK), only async-signal-safe code in
    // the child, no fork handlers, and exec's error returned here.
    int rc = ::posix_spawn(&pid, path.c_str(), f, &attr.attr, const_cast<char* const*>(argv.data()),
                           env);
    if (rc != 0)
        return errno_code(rc);
    child_in.reset();
    child_out.reset();
    child_err.reset();

    auto st = std::make_shared<process_state>(loop, pid);
    try {
        st->start_watch();
    } catch (const boost::system::system_error& e) {
        // Not watchable: not left running unseen.
        ::kill(pid, SIGKILL);
        int status;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        what = std::string(fn) + ": cannot watch '" + program + "'";
        return e.code();
    }

    process p;
    process_access::set_state(p, std::move(st));
    try {
        if (parent_in.fd >= 0)
            p.stdin_ = make_pipe_writer(loop, parent_in);
        if (parent_out.fd >= 0)
            p.stdout_ = make_pipe_reader(loop, parent_out, opts.limit);
        if (parent_err.fd >= 0)
            p.stderr_ = make_pipe_reader(loop, parent_err, opts.limit);
    } catch (const boost::system::system_error& e) {
        // The child runs on and is reaped when it exits; its pipes close here.
        what = std::string(fn) + ": cannot attach the pipes of '" + program + "'";
        return e.code();
    }
    out = std::move(p);
    return {};
}

// ---- communicate's helpers --------------------------------------------------------------

error_code feed_stdin(process& p, const std::string& input)
{
    if (!p.stdin_) {
        if (!input.empty())
            return error::invalid_state;
        return {};
    }
    stream_writer& w = *p.stdin_;
    if (w.is_closing()) {
        if (!input.empty())
            return error::invalid_state;
        return {};
    }
    if (!input.empty()) {
        try {
            w.write(input);
        } catch (const boost::system::system_error&) {
            // The child closed its input (EPIPE): what it did not read is dropped, as
            // asyncio's communicate does.
        }
    }
    w.close();
    return {};
}

stream_reader ended_reader(event_loop& loop)
{
    stream_reader r(loop, 1);
    r.feed_eof();
    return r;
}

} // namespace detail

// ---- process ----------------------------------------------------------------------------

int process::pid() const noexcept
{
    return st_ ? st_->pid() : -1;
}

std::optional<int> process::returncode() const noexcept
{
    return st_ ? st_->returncode() : std::nullopt;
}

void process::send_signal(int sig)
{
    if (!st_)
        throw invalid_state_error("tulip::process::send_signal: an empty process handle");
    st_->send_signal(sig);
}

void process::terminate()
{
    send_signal(SIGTERM);
}

void process::kill()
{
    send_signal(SIGKILL);
}

} // namespace boost::tulip
