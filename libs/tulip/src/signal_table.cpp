//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/detail/signal_table.hpp>

#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/task.hpp>

#include <boost/asio/signal_set.hpp>

#include "sigpipe.hpp"

#include <algorithm>
#include <csignal>
#include <vector>

namespace boost::tulip::detail {

// One function watching a signal: the user's handler or a library watch.
struct signal_watcher
{
    std::function<void()> fn;
    context ctx;
    bool active = true; // false once removed, even during a delivery
};

struct signal_entry
{
    signal_entry(boost::asio::io_context& ioc, int signum)
        : set(ioc, signum)
    {}
    boost::asio::signal_set set;
    std::shared_ptr<signal_watcher> user;
    std::vector<std::shared_ptr<signal_watcher>> watches;
    signal_table* table = nullptr; // valid while registered
    int signum = 0;
    bool registered = true; // still in the table (false: do not wait again)

    bool empty() const noexcept { return !user && watches.empty(); }
};

// --- signal_watch --------------------------------------------------------------------

signal_watch::signal_watch(std::weak_ptr<signal_entry> e,
                           std::shared_ptr<signal_watcher> w) noexcept
    : entry_(std::move(e))
    , watcher_(std::move(w))
{}

signal_watch::signal_watch(signal_watch&& other) noexcept
    : entry_(std::move(other.entry_))
    , watcher_(std::move(other.watcher_))
{}

signal_watch& signal_watch::operator=(signal_watch&& other) noexcept
{
    if (this != &other) {
        reset();
        entry_ = std::move(other.entry_);
        watcher_ = std::move(other.watcher_);
    }
    return *this;
}

void signal_watch::reset() noexcept
{
    if (!watcher_)
        return;
    watcher_->active = false;
    if (auto e = entry_.lock(); e && e->registered) {
        std::erase(e->watches, watcher_);
        e->table->drop_if_empty(e->signum);
    }
    watcher_.reset();
    entry_.reset();
}

// --- signal_table --------------------------------------------------------------------

signal_table::~signal_table()
{
    shutdown();
}

void signal_table::arm(std::shared_ptr<signal_entry> e)
{
    auto& set = e->set;
    set.async_wait([e = std::move(e)](const boost::system::error_code& ec, int) mutable {
        if (ec || !e->registered)
            return;
        signal_table& table = *e->table;
        event_loop& loop = table.owner_;
        // Held here: a function may remove itself, or another one, while it runs.
        std::vector<std::shared_ptr<signal_watcher>> batch;
        batch.reserve(e->watches.size() + 1);
        if (e->user)
            batch.push_back(e->user);
        batch.insert(batch.end(), e->watches.begin(), e->watches.end());
        for (auto& w : batch) {
            if (!w->active)
                continue;
            scoped_thread_state scope(nullptr, &w->ctx, &loop);
            try {
                w->fn();
            } catch (...) {
                loop.call_exception_handler(
                    {"Exception in signal handler", std::current_exception(), {}});
            }
        }
        if (e->registered && !loop.is_closed())
            table.arm(std::move(e));
    });
}

std::shared_ptr<signal_watcher> signal_table::make_watcher(std::function<void()> f)
{
    if (closed_)
        throw invalid_state_error("add_signal_handler: the event loop is closed");
    auto w = std::make_shared<signal_watcher>();
    w->fn = std::move(f);
    w->ctx = copy_context();
    return w;
}

signal_entry& signal_table::entry_for(int signum)
{
    auto it = entries_.find(signum);
    if (it != entries_.end())
        return *it->second;
    // Throws if the signal cannot be caught; nothing is registered then.
    auto e = std::make_shared<signal_entry>(ioc_, signum);
    e->table = this;
    e->signum = signum;
    entries_.emplace(signum, e);
    if (signum == SIGPIPE) // Asio's handler replaced the disposition
        sigpipe_disposition_changed();
    arm(e);
    return *e;
}

void signal_table::drop_if_empty(int signum) noexcept
{
    auto it = entries_.find(signum);
    if (it == entries_.end() || !it->second->empty())
        return;
    auto e = std::move(it->second);
    entries_.erase(it);
    e->registered = false;
    boost::system::error_code ignored;
    // Asio gives the signal its default disposition back once no signal_set in the
    // process (this loop's, another loop's, the user's own) still holds it.
    e->set.clear(ignored);
    e->set.cancel(ignored);
    if (signum == SIGPIPE)
        sigpipe_disposition_changed();
}

void signal_table::set_handler(int signum, std::function<void()> f)
{
    auto w = make_watcher(std::move(f));
    auto& e = entry_for(signum);
    if (e.user)
        e.user->active = false;
    e.user = std::move(w);
}

bool signal_table::remove_handler(int signum) noexcept
{
    auto it = entries_.find(signum);
    if (it == entries_.end() || !it->second->user)
        return false;
    it->second->user->active = false;
    it->second->user.reset();
    drop_if_empty(signum);
    return true;
}

bool signal_table::has_handler(int signum) const noexcept
{
    auto it = entries_.find(signum);
    return it != entries_.end() && it->second->user != nullptr;
}

signal_watch signal_table::watch(int signum, std::function<void()> f)
{
    auto w = make_watcher(std::move(f));
    auto& e = entry_for(signum);
    e.watches.push_back(w);
    return signal_watch(entries_.at(signum), std::move(w));
}

void signal_table::shutdown() noexcept
{
    closed_ = true;
    auto entries = std::move(entries_);
    entries_.clear();
    for (auto& [signum, e] : entries) {
        e->registered = false;
        if (e->user)
            e->user->active = false;
        for (auto& w : e->watches)
            w->active = false;
    }
    // The signal_sets go with the last reference: here, or with a pending wait's handler
    // when the io_context destroys it. SIGPIPE's then may go back to its default: a
    // connection that remembered it ignored looks again.
    if (entries.contains(SIGPIPE))
        sigpipe_disposition_changed();
}

} // namespace boost::tulip::detail
