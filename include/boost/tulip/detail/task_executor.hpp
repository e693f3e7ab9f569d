//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_TASK_EXECUTOR_HPP
#define BOOST_TULIP_DETAIL_TASK_EXECUTOR_HPP

#include <boost/tulip/detail/task_base.hpp>
#include <boost/tulip/detail/thread_state.hpp>
#include <boost/tulip/event_loop.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace boost::tulip::detail {

// An executor of either Asio model (standard executors and the older networking TS
// ones), as the executor overloads of `create_task` accept.
template <class E>
concept executor_like = boost::asio::execution::executor<E> || boost::asio::is_executor<E>::value;

// Slow path of a step in debug mode: times it and reports it if slow.
void run_debug_step(task_base* t, void (*step)(void*), void* arg);

// Runs one resumption of a task: makes the task, its context and its loop current, runs
// the handler, then delivers a cancellation requested while the task was runnable.
template <class F>
class task_step
{
public:
    template <class G>
    task_step(task_base* t, G&& g)
        : task_(t)
        , f_(static_cast<G&&>(g))
    {}

    void operator()()
    {
        thread_state& cur = current;
        if (task_->done()) [[unlikely]] {
            // A handler left behind by a finished task: it may drop the last reference,
            // so nothing here may touch the task afterwards.
            f_();
            return;
        }
        if (cur.task == task_) {
            // A nested resumption of the running task (an inline dispatch).
            task_->started = true;
            task_->awaiting.desc = nullptr;
            f_();
            end_of_step();
            return;
        }
        scoped_thread_state scope(task_, &task_->ctx, task_->loop_if_open());
        task_->started = true;
        task_->awaiting.desc = nullptr;
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
        if (task_base* t = current.task; t && t->cancel_pending())
            t->deliver_cancel_after_step();
    }

    task_base* task_;
    F f_;
};

// Whether copies of executor E count as outstanding work (outstanding_work.tracked). Asio
// answers that query statically but privately, so it is read from the type.
template <class E>
struct tracks_work_t : std::false_type
{};

inline constexpr std::uintptr_t io_tracked_bit =
    boost::asio::detail::io_context_bits::outstanding_work_tracked;

template <class Allocator, std::uintptr_t Bits>
struct tracks_work_t<boost::asio::io_context::basic_executor_type<Allocator, Bits>>
    : std::bool_constant<(Bits & io_tracked_bit) != 0>
{};

template <class E>
constexpr bool tracks_work() noexcept
{
    return tracks_work_t<E>::value;
}

// What a tracked task executor adds: each live copy also counts one unit in the loop's
// task_work, as its inner executor does on the io_context, so the two counts can be told
// apart. Empty for untracked executors (the ones that run steps).
template <bool Tracked>
class task_work_count
{
protected:
    task_work_count() noexcept = default;
    explicit task_work_count(std::atomic<long>*) noexcept {}
    std::atomic<long>* work_counter() const noexcept { return nullptr; }
};

template <>
class task_work_count<true>
{
protected:
    explicit task_work_count(std::atomic<long>* c) noexcept
        : counter_(c)
    {
        add(1);
    }
    task_work_count(const task_work_count& o) noexcept
        : counter_(o.counter_)
    {
        add(1);
    }
    task_work_count(task_work_count&& o) noexcept
        : counter_(std::exchange(o.counter_, nullptr))
    {}
    task_work_count& operator=(const task_work_count& o) noexcept
    {
        if (this != &o) {
            add(-1);
            counter_ = o.counter_;
            add(1);
        }
        return *this;
    }
    task_work_count& operator=(task_work_count&& o) noexcept
    {
        if (this != &o) {
            add(-1);
            counter_ = std::exchange(o.counter_, nullptr);
        }
        return *this;
    }
    ~task_work_count() { add(-1); }
    std::atomic<long>* work_counter() const noexcept { return counter_; }

private:
    void add(long n) noexcept
    {
        if (counter_)
            counter_->fetch_add(n, std::memory_order_relaxed);
    }
    std::atomic<long>* counter_;
};

// The executor of a task's coroutine: the loop's io_context executor, with every handler
// wrapped in a task_step. Properties are forwarded, so `blocking.possibly` still lets a
// resumption run inline, as with a plain co_spawn.
template <class Inner>
class basic_task_executor : private task_work_count<tracks_work<Inner>()>
{
    using count_base = task_work_count<tracks_work<Inner>()>;

public:
    basic_task_executor(Inner inner, task_base* t) noexcept
        : count_base(counter_of(t))
        , inner_(std::move(inner))
        , task_(t)
    {}

    template <class F>
    void execute(F&& f) const
    {
        inner_.execute(task_step<std::decay_t<F>>(task_, static_cast<F&&>(f)));
    }

    template <class Property>
        requires(boost::asio::can_query<const Inner&, Property>::value)
    decltype(auto) query(const Property& p) const
        noexcept(boost::asio::is_nothrow_query<const Inner&, Property>::value)
    {
        return boost::asio::query(inner_, p);
    }

    template <class Property>
        requires(boost::asio::can_require<const Inner&, Property>::value)
    auto require(const Property& p) const
    {
        using result = std::decay_t<decltype(boost::asio::require(inner_, p))>;
        return basic_task_executor<result>(boost::asio::require(inner_, p), task_,
                                           counter_for<result>());
    }

    template <class Property>
        requires(boost::asio::can_prefer<const Inner&, Property>::value)
    auto prefer(const Property& p) const
    {
        using result = std::decay_t<decltype(boost::asio::prefer(inner_, p))>;
        return basic_task_executor<result>(boost::asio::prefer(inner_, p), task_,
                                           counter_for<result>());
    }

    bool running_in_this_thread() const noexcept { return inner_.running_in_this_thread(); }
    task_base* task() const noexcept { return task_; }
    const Inner& inner() const noexcept { return inner_; }

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

    basic_task_executor(Inner inner, task_base* t, std::atomic<long>* counter) noexcept
        : count_base(counter)
        , inner_(std::move(inner))
        , task_(t)
    {}

    // The loop's count, for a tracked executor made from an untracked one (the task is
    // alive then: it is spawning or awaiting); copies of a tracked one share its counter.
    static std::atomic<long>* counter_of(task_base* t) noexcept
    {
        if constexpr (tracks_work<Inner>()) {
            event_loop* l = t ? t->loop_if_open() : nullptr;
            return l ? &loop_tasks(*l).work() : nullptr;
        } else {
            return nullptr;
        }
    }

    template <class Result>
    std::atomic<long>* counter_for() const noexcept
    {
        if constexpr (!tracks_work<Result>())
            return nullptr;
        else if constexpr (tracks_work<Inner>())
            return this->work_counter();
        else
            return basic_task_executor<Result>::counter_of(task_);
    }

    Inner inner_;
    task_base* task_;
};

// A task on the loop's io_context executor (the common case), and one created on another
// executor of that io_context (a strand), whose steps go through that executor.
using task_executor = basic_task_executor<boost::asio::io_context::executor_type>;
using any_task_executor = basic_task_executor<boost::asio::any_io_executor>;

// The task whose coroutine has executor `ex` (`co_await this_coro::executor`), or null in
// a plain Asio coroutine. Unlike `current.task`, it does not depend on what resumed the
// coroutine last.
inline task_base* task_of_executor(const boost::asio::any_io_executor& ex) noexcept
{
    if (auto* e = ex.target<task_executor>())
        return e->task();
    if (auto* e = ex.target<any_task_executor>())
        return e->task();
    return nullptr;
}

} // namespace boost::tulip::detail

#endif
