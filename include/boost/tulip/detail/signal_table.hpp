//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_SIGNAL_TABLE_HPP
#define BOOST_TULIP_DETAIL_SIGNAL_TABLE_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

namespace boost::tulip {
class event_loop;
namespace detail {

struct signal_entry;
struct signal_watcher;

/** A watch of one signal by a part of the library (child processes watch SIGCHLD): its
    function runs on each arrival, beside the user's handler of `add_signal_handler` and
    any other watch, none replacing another. Destroying (or `reset()`) ends the watch;
    the signal gets its default disposition back once nothing in the process watches it.
    May outlive its loop (it then does nothing). Loop thread only. */
class signal_watch
{
public:
    signal_watch() noexcept = default;
    signal_watch(signal_watch&& other) noexcept;
    signal_watch& operator=(signal_watch&& other) noexcept;
    ~signal_watch() { reset(); }

    // Ends the watch now; the function never runs again, even in a delivery under way.
    void reset() noexcept;
    explicit operator bool() const noexcept { return watcher_ != nullptr; }

private:
    friend class signal_table;
    signal_watch(std::weak_ptr<signal_entry> e, std::shared_ptr<signal_watcher> w) noexcept;

    std::weak_ptr<signal_entry> entry_;
    std::shared_ptr<signal_watcher> watcher_;
};

// The loop's signals: for each one watched, one asio::signal_set, the user's handler (at
// most one: add_signal_handler replaces it, as asyncio's does) and the library's watches
// (any number). Each function runs on the loop, in the context current when it was added;
// the user's first, then the watches in the order they were made. Loop thread only.
class signal_table
{
public:
    signal_table(event_loop& owner, boost::asio::io_context& ioc) noexcept
        : owner_(owner)
        , ioc_(ioc)
    {}
    ~signal_table();
    signal_table(const signal_table&) = delete;
    signal_table& operator=(const signal_table&) = delete;

    // The user's handler (add_signal_handler / remove_signal_handler / whether one is set).
    // set_handler throws system_error if the signal cannot be caught, invalid_state_error
    // once the table is shut down.
    void set_handler(int signum, std::function<void()> f);
    bool remove_handler(int signum) noexcept;
    bool has_handler(int signum) const noexcept;

    // A library watch; same errors as set_handler.
    [[nodiscard]] signal_watch watch(int signum, std::function<void()> f);

    // How many signals are watched (each keeps one signal_set wait outstanding).
    std::size_t size() const noexcept { return entries_.size(); }

    // Loop shutdown: every watch ends, and nothing can be added any more.
    void shutdown() noexcept;

private:
    friend class signal_watch;
    std::shared_ptr<signal_watcher> make_watcher(std::function<void()> f);
    signal_entry& entry_for(int signum);
    void drop_if_empty(int signum) noexcept;
    void arm(std::shared_ptr<signal_entry> e);

    event_loop& owner_;
    boost::asio::io_context& ioc_;
    std::map<int, std::shared_ptr<signal_entry>> entries_;
    bool closed_ = false;
};

} // namespace detail
} // namespace boost::tulip

#endif
