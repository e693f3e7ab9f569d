//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_THREAD_STATE_HPP
#define BOOST_TULIP_DETAIL_THREAD_STATE_HPP

namespace boost::tulip {
class context;
class event_loop;
namespace detail {
class task_base;

// The only mutable global state: what runs on this thread right now. Task steps and loop
// callbacks set it and restore it when they return.
struct thread_state
{
    task_base* task = nullptr;
    context* ctx = nullptr;
    event_loop* loop = nullptr;
    int depth = 0;              // task steps and loop callbacks on this thread's stack
    int inline_completions = 0; // nesting of immediate completions run inline (deliver())
};

inline thread_local thread_state current{};

// Sets the thread's task, context and loop for a scope, and restores them after.
class scoped_thread_state
{
public:
    scoped_thread_state(task_base* t, context* c, event_loop* l) noexcept
        : saved_(current)
    {
        current = thread_state{t, c, l, saved_.depth + 1, saved_.inline_completions};
    }
    ~scoped_thread_state() { current = saved_; }
    scoped_thread_state(const scoped_thread_state&) = delete;
    scoped_thread_state& operator=(const scoped_thread_state&) = delete;

private:
    thread_state saved_;
};

} // namespace detail
} // namespace boost::tulip

#endif
