//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_TASK_REGISTRY_HPP
#define BOOST_TULIP_DETAIL_TASK_REGISTRY_HPP

#include <boost/tulip/detail/config.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace boost::tulip::detail {

class future_base;
class task_base;

// The loop's tasks (asyncio's loop-held task set): every unfinished task, so that
// dropping the last handle never loses a running task; the futures and tasks that
// finished with an exception no one has retrieved yet; task numbering ("Task-N"); and
// the work that tasks' executors count on the io_context. Both lists are intrusive,
// threaded through the states themselves. Loop thread only, but for `work()`.
class task_registry
{
public:
    task_registry() noexcept = default;
    task_registry(const task_registry&) = delete;
    task_registry& operator=(const task_registry&) = delete;

    // Lists a new task and numbers it; returns its number.
    std::uint64_t add(task_base& t) noexcept;
    // The task finished, or is destroyed unfinished (its io_context went first).
    void remove(task_base& t) noexcept;
    std::size_t size() const noexcept { return count_; }
    std::vector<task_base*> unfinished() const;

    // A future or task that finished with an exception no one retrieved yet.
    void add_unretrieved(future_base& f) noexcept;
    // Retrieved (or destroyed): no longer listed; nothing if it was not.
    void remove_unretrieved(future_base& f) noexcept;

    // Work counted on the io_context through tracked task executors (co_spawn's guards
    // for tasks and the coroutines they spawn): the test runner tells it from I/O in
    // flight. Any thread.
    std::atomic<long>& work() noexcept { return work_; }

    // The loop goes away before states that handles keep: they forget it.
    void forget_loop() noexcept;

private:
    future_base* tasks_ = nullptr;
    future_base* unretrieved_ = nullptr;
    std::size_t count_ = 0;
    std::uint64_t created_ = 0;
    std::atomic<long> work_{0};
};

} // namespace boost::tulip::detail

#endif
