//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_TASK_EXECUTOR_HPP
#define BOOST_TULIP_DETAIL_TASK_EXECUTOR_HPP

#include <boost/tulip/event_loop.hpp>
#include <boost/tulip/detail/task_base.hpp>
#include <boost/tulip/detail/thread_state.hpp>

#include <boost/asio/execution.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>

#include <type_traits>
#include <utility>

namespace boost::tulip::detail {

// Slow path of a step in debug mode: times it and reports it if slow.
void run_debug_step(task_base* t, void (*step)(void*), void* arg);

// Runs one resumption of a task: makes the task, its context and its loop current, runs
// the handler, then delivers a cancellation requested while the task was runnable.
template <class F>
class task_step
{
public:
    template <class G>
    task_step(task_base* t, G&& g) : task_(t), f_(static_cast<G&&>(g))
    {
    }

    void operator()()
    {
        thread_state& cur = current;
        if (task_->done()) [[unlikely]]
        {
            // A handler left behind by a finished task: it may drop the last reference,
            // so nothing here may touch the task afterwards.
            f_();
            return;
        }
        if (cur.task == task_)
        {
            // A nested resumption of the running task (an inline dispatch).
            ++task_->steps;
            f_();
            end_of_step();
            return;
        }
        scoped_thread_state scope(task_, &task_->ctx, task_->loop_if_open());
        ++task_->steps;
        task_->awaiting = nullptr;
        task_->awaiting_future = nullptr;
        if (cur.loop && cur.loop->get_debug()) [[unlikely]]
            run_debug_step(task_, &task_step::call, &f_);
        else
            f_();
        end_of_step();
    }

private:
    static void call(void* f) { (*static_cast<F*>(f))(); }

    // The task may have finished and been freed during f_(): finish() clears
    // current.task, so only that pointer is trusted here.
    static void end_of_step() noexcept
    {
        if (task_base* t = current.task; t && t->pending_cancel)
            t->deliver_cancel(true);
    }

    task_base* task_;
    F f_;
};

// The executor of a task's coroutine: the loop's io_context executor, with every handler
// wrapped in a task_step. Properties are forwarded, so `blocking.possibly` still lets a
// resumption run inline, as with a plain co_spawn.
template <class Inner>
class basic_task_executor
{
public:
    basic_task_executor(Inner inner, task_base* t) noexcept : inner_(std::move(inner)), task_(t) {}

    template <class F>
    void execute(F&& f) const
    {
        inner_.execute(task_step<std::decay_t<F>>(task_, static_cast<F&&>(f)));
    }

    template <class Property>
        requires boost::asio::can_query<const Inner&, Property>::value
    decltype(auto) query(const Property& p) const
        noexcept(boost::asio::is_nothrow_query<const Inner&, Property>::value)
    {
        return boost::asio::query(inner_, p);
    }

    template <class Property>
        requires boost::asio::can_require<const Inner&, Property>::value
    auto require(const Property& p) const
    {
        using result = std::decay_t<decltype(boost::asio::require(inner_, p))>;
        return basic_task_executor<result>(boost::asio::require(inner_, p), task_);
    }

    template <class Property>
        requires boost::asio::can_prefer<const Inner&, Property>::value
    auto prefer(const Property& p) const
    {
        using result = std::decay_t<decltype(boost::asio::prefer(inner_, p))>;
        return basic_task_executor<result>(boost::asio::prefer(inner_, p), task_);
    }

    bool running_in_this_thread() const noexcept { return inner_.running_in_this_thread(); }
    task_base* task() const noexcept { return task_; }

    friend bool operator==(const basic_task_executor& a, const basic_task_executor& b) noexcept
    {
        return a.task_ == b.task_ && a.inner_ == b.inner_;
    }
    friend bool operator!=(const basic_task_executor& a, const basic_task_executor& b) noexcept
    {
        return !(a == b);
    }

private:
    template <class>
    friend class basic_task_executor;

    Inner inner_;
    task_base* task_;
};

using task_executor = basic_task_executor<boost::asio::io_context::executor_type>;

} // namespace boost::tulip::detail

#endif
