//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_PROCESS_STATE_HPP
#define BOOST_TULIP_DETAIL_PROCESS_STATE_HPP

// event_loop.hpp first: the detail headers rely on it being complete.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/detail/sync_waiter.hpp>

#include <boost/system/error_code.hpp>

#include <memory>
#include <optional>

namespace boost::tulip::detail {

struct process_access; // the private parts of process, for the operations
class process_watch;   // subprocess.cpp: the descriptor the loop waits on for the exit

// The waiter of `process::wait`; its outcome is the owner's return code.
struct exit_waiter : sync_waiter
{};

/** What the handles of one child process share: its pid, its exit, the tasks waiting for
    it. Lives while a handle or the exit watch holds it, so a child whose handles are all
    gone is still reaped when it exits (asyncio's child watcher). */
class process_state final
    : public fifo_sync_object
    , public std::enable_shared_from_this<process_state>
{
public:
    process_state(event_loop& loop, int pid);
    ~process_state();

    event_loop& loop() const noexcept { return *loop_; }
    int pid() const noexcept { return pid_; }
    const std::optional<int>& returncode() const noexcept { return code_; }

    // Starts watching for the exit (pidfd, or a reaper thread where the kernel has no
    // pidfd). @throws system_error if neither can be set up (the child is then killed
    // and reaped).
    void start_watch();
    void send_signal(int sig);
    // Throws invalid_state_error when called from another loop or thread.
    void check_loop() const { check_thread(); }

    template <class Handler>
    void start_wait(Handler&& h);

    // The task tree's description: "wait" then " pid 1234".
    static void describe(std::string& out, const void* self);

private:
    friend class process_watch;
    void on_exit(int code);
    // Stops watching (the loop goes away, or the state does); an exit not yet seen is
    // then reaped in the background, so the child never stays a zombie.
    void release_watch() noexcept;
    void abandon_waiters() noexcept override;

    event_loop* loop_;
    int pid_;
    std::optional<int> code_;
    std::unique_ptr<process_watch> watch_;
};

struct exit_completion
{
    boost::system::error_code ec;
    int code;

    static exit_completion make(exit_waiter& w, boost::system::error_code ec) noexcept
    {
        if (ec)
            return {ec, 0};
        const auto& c = static_cast<process_state*>(w.owner)->returncode();
        return {ec, c ? *c : 0};
    }
    template <class Handler>
    void operator()(Handler&& h) const
    {
        static_cast<Handler&&>(h)(ec, code);
    }
};

inline constexpr await_desc awaiting_process_exit{"process wait", await_kind::custom, nullptr,
                                                  &process_state::describe};

template <class Handler>
void process_state::start_wait(Handler&& handler)
{
    event_loop& loop = *loop_;
    if (auto ec = bind_for_op(loop)) {
        deliver(loop, static_cast<Handler&&>(handler), exit_completion{ec, 0}, delivery::posted);
        return;
    }
    if (code_) {
        deliver(loop, static_cast<Handler&&>(handler), exit_completion{{}, *code_},
                delivery::immediate);
        return;
    }
    enqueue_waiter<exit_waiter, exit_completion>(*this, waiters_, 0, awaiting_process_exit, loop,
                                                 static_cast<Handler&&>(handler));
}

} // namespace boost::tulip::detail

#endif
