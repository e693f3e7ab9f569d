//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/task.hpp>

#include <boost/tulip/future.hpp>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <utility>

namespace boost::tulip {
namespace detail {

std::string format_exception_context(const exception_context& c)
{
    std::ostringstream os;
    os << "boost::tulip: " << c.message;
    if (c.task) {
        auto* t = static_cast<task_base*>(c.task.get_state());
        os << "\n  " << t->describe();
    }
    if (c.exception) {
        try {
            std::rethrow_exception(c.exception);
        } catch (const std::exception& e) {
            os << "\n  exception: " << e.what();
        } catch (...) {
            os << "\n  exception: (not a std::exception)";
        }
    }
    return os.str();
}

// --- future_base ---------------------------------------------------------------------

future_base::~future_base()
{
    if (loop_)
        loop_tasks(*loop_).remove_unretrieved(*this);
    waiters_.destroy_all();
}

event_loop& future_base::loop() const
{
    if (!loop_)
        throw invalid_state_error("the event loop of this future or task no longer exists");
    return *loop_;
}

void future_base::link(future_base*& head) noexcept
{
    prev_ = nullptr;
    next_ = head;
    if (head)
        head->prev_ = this;
    head = this;
}

void future_base::unlink(future_base*& head) noexcept
{
    if (prev_)
        prev_->next_ = next_;
    else if (head == this)
        head = next_;
    if (next_)
        next_->prev_ = prev_;
    prev_ = next_ = nullptr;
}

void future_base::mark_retrieved() noexcept
{
    retrieved_ = true;
    if (loop_)
        loop_tasks(*loop_).remove_unretrieved(*this);
}

void future_base::check_pending(const char* what) const
{
    if (done())
        throw invalid_state_error(std::string(what) + ": already done");
}

void future_base::check_result()
{
    switch (status_) {
    case status::pending:
        throw invalid_state_error("result is not set yet");
    case status::cancelled:
        throw cancelled_error(cancel_message());
    case status::finished:
        if (error()) {
            mark_retrieved();
            std::rethrow_exception(error());
        }
    }
}

std::exception_ptr future_base::exception()
{
    if (status_ == status::pending)
        throw invalid_state_error("exception is not set yet");
    if (status_ == status::cancelled)
        throw cancelled_error(cancel_message());
    mark_retrieved();
    return error();
}

std::exception_ptr future_base::outcome() noexcept
{
    if (status_ == status::cancelled)
        return std::make_exception_ptr(cancelled_error(cancel_message()));
    mark_retrieved();
    return error();
}

std::uint64_t future_base::add_done_callback(std::function<void(future_base&)> fn)
{
    future_extras& x = extras();
    const std::uint64_t id = ++x.next_callback_id;
    if (done()) {
        boost::intrusive_ptr<future_base> self(this);
        loop().call_soon([self, fn = std::move(fn)]() { fn(*self); });
    } else {
        x.callbacks.push_back({id, std::move(fn), copy_context()});
    }
    return id;
}

std::size_t future_base::remove_done_callback(std::uint64_t id) noexcept
{
    if (!extras_)
        return 0;
    return std::erase_if(extras_->callbacks, [id](const done_callback& c) { return c.id == id; });
}

bool future_base::cancel(std::string msg)
{
    if (done())
        return false;
    if (!msg.empty())
        set_cancel_message(std::move(msg));
    complete(status::cancelled, nullptr, true);
    return true;
}

void future_base::cancel_from_awaiter(task_base* awaiter)
{
    cancel(awaiter ? awaiter->cancel_message() : std::string());
}

void future_base::set_finished()
{
    check_pending("set_result");
    complete(status::finished, nullptr, true);
}

void future_base::set_exception(std::exception_ptr e)
{
    check_pending("set_exception");
    if (!e)
        throw std::invalid_argument("set_exception: null exception_ptr");
    complete(status::finished, std::move(e), true);
}

void future_base::complete(status s, std::exception_ptr e, bool wake)
{
    boost::intrusive_ptr<future_base> self(this); // waiters may drop the last handle
    status_ = s;
    if (e || extras_)
        extras().error = std::move(e);
    if (error() && !retrieved_ && loop_)
        loop_tasks(*loop_).add_unretrieved(*this);
    // Done callbacks are queued first, as asyncio queues every callback (an awaiter's
    // wake-up is one of them) when the future completes.
    if (extras_ && !extras_->callbacks.empty() && loop_ && !loop_->is_closed()) {
        auto callbacks = std::move(extras_->callbacks);
        extras_->callbacks.clear();
        for (auto& c : callbacks)
            loop_->call_soon([self, fn = std::move(c.fn)]() { fn(*self); }, std::move(c.ctx));
    }
    if (wake)
        wake_waiters();
}

void future_base::last_reference_dropped() noexcept
{
    if (status_ == status::finished && error() && !retrieved_) {
        // Report once, with a live handle for the handler; it may keep one.
        mark_retrieved();
        refs = 1;
        {
            exception_context c{is_task() ? "Task exception was never retrieved"
                                          : "Future exception was never retrieved",
                                error(),
                                {}};
            if (is_task())
                c.task = task_handle(static_cast<task_base*>(this));
            else
                c.message += " (" + describe() + ")";
            if (loop_)
                loop_->call_exception_handler(c);
            else
                std::cerr << format_exception_context(c) << '\n';
        }
        if (--refs != 0)
            return;
    }
    delete this;
}

std::string future_base::describe() const
{
    switch (status_) {
    case status::pending:
        return "future (pending)";
    case status::cancelled:
        return "future (cancelled)";
    case status::finished:
        return error() ? "future (failed)" : "future (finished)";
    }
    return "future";
}

// --- task_base -----------------------------------------------------------------------

task_base::task_base(event_loop& loop, context c, std::string_view name,
                     const boost::source_location& where)
    : future_base(loop)
    , ctx(std::move(c))
    , created_at_(where)
{
    set_name(name);
}

task_base::~task_base()
{
    // Destroyed unfinished: its io_context was destroyed with the coroutine in it.
    if (loop_ && status_ == status::pending)
        loop_tasks(*loop_).remove(*this);
}

std::string task_base::name() const
{
    if (extras_ && extras_->name)
        return std::string(extras_->name.get() + 1, static_cast<unsigned char>(extras_->name[0]));
    return "Task-" + std::to_string(number);
}

void task_base::set_name(std::string_view name)
{
    name = name.substr(0, task_name_length(name));
    if (name.empty()) {
        if (extras_)
            extras_->name.reset();
        return;
    }
    auto p = std::make_unique_for_overwrite<char[]>(name.size() + 1);
    p[0] = static_cast<char>(name.size());
    name.copy(p.get() + 1, name.size());
    extras().name = std::move(p);
}

bool task_base::cancel(std::string msg)
{
    if (done())
        return false;
    ++cancel_requests_;
    if (!msg.empty())
        set_cancel_message(std::move(msg));
    pending_cancel_ = true;
    // A running task gets it at the end of its step, when it has suspended.
    cancel_in_own_step_ = current.task == this;
    if (!cancel_in_own_step_)
        deliver_cancel(false);
    return true;
}

int task_base::uncancel() noexcept
{
    if (cancel_requests_ > 0)
        --cancel_requests_;
    if (cancel_requests_ == 0)
        pending_cancel_ = false;
    return cancel_requests_;
}

std::exception_ptr task_base::take_pending_cancel()
{
    if (!pending_cancel_)
        return nullptr;
    pending_cancel_ = false;
    return std::make_exception_ptr(cancelled_error(cancel_message()));
}

void task_base::deliver_cancel(bool requested_while_runnable) noexcept
{
    if (!has_cancel_state_ || !pending_cancel_)
        return;
    if (op_node* op = cancel_target_) {
        // A frame wait the task cancels itself: what the handler in the slot would do. It
        // stays the target until it completes, as that handler stays in the slot.
        pending_cancel_ = false;
        delivering_runnable_cancel_ = requested_while_runnable;
        static_cast<frame_wait_op*>(op)->cancel();
        delivering_runnable_cancel_ = false;
        return;
    }
    // Only an operation that installed a cancellation handler can take it now. The state
    // is cleared at once, so the cancellation is delivered exactly once and later
    // co_awaits work normally.
    if (!cancel_state_.slot().has_handler())
        return;
    pending_cancel_ = false;
    delivering_runnable_cancel_ = requested_while_runnable;
    signal_.emit(boost::asio::cancellation_type::terminal);
    delivering_runnable_cancel_ = false;
    cancel_state_.clear();
}

void task_base::finish(std::exception_ptr e) noexcept
{
    boost::intrusive_ptr<future_base> self(this);
    if (current.task == this) {
        // The steps still on the stack must not touch this task again.
        current.task = nullptr;
        current.ctx = nullptr;
    }
    if (loop_)
        loop_tasks(*loop_).remove(*this);
    pending_cancel_ = false;
    if (e && is_cancellation(e)) {
        if (cancel_message().empty()) {
            try {
                std::rethrow_exception(e);
            } catch (const cancelled_error& c) {
                if (!c.message().empty())
                    set_cancel_message(c.message());
            } catch (...) {
            }
        }
        complete(status::cancelled, nullptr, false);
    } else {
        complete(status::finished, std::move(e), false);
    }
}

void task_base::finish_and_wake(std::exception_ptr e)
{
    finish(std::move(e));
    wake_waiters();
}

std::string task_base::describe() const
{
    std::ostringstream os;
    os << "task '" << name() << "'";
    switch (status_) {
    case status::pending:
        os << " (pending)";
        break;
    case status::cancelled:
        os << " (cancelled)";
        break;
    case status::finished:
        os << (error() ? " (failed)" : " (finished)");
        break;
    }
    if (created_at_.line() != 0)
        os << " created at " << created_at_.file_name() << ':' << created_at_.line();
    return os.str();
}

any_task task_handle(task_base* t) noexcept
{
    return any_task(boost::intrusive_ptr<future_base>(t));
}

void run_debug_step(task_base* t, void (*step)(void*), void* arg)
{
    boost::intrusive_ptr<future_base> keep(t);
    event_loop* loop = t->loop_if_open();
    // On the loop's clock, as asyncio does: virtual time in a test runner.
    const auto start = loop ? loop->time() : clock::time_point();
    step(arg);
    const auto took = loop ? loop->time() - start : duration::zero();
    if (loop && took > loop->slow_callback_duration()) {
        std::ostringstream os;
        os << "Executing task '" << t->name() << "' took " << std::fixed << std::setprecision(3)
           << std::chrono::duration<double>(took).count() << " seconds";
        loop->call_exception_handler({os.str(), nullptr, task_handle(t)});
    }
}

} // namespace detail

any_task current_task() noexcept
{
    if (detail::task_base* t = detail::current.task)
        return any_task(boost::intrusive_ptr<detail::future_base>(t));
    return any_task();
}

std::vector<any_task> all_tasks()
{
    return all_tasks(get_running_loop());
}

std::vector<any_task> all_tasks(event_loop& loop)
{
    std::vector<any_task> v;
    for (detail::task_base* t : detail::loop_tasks(loop).unfinished())
        v.push_back(detail::task_handle(t));
    return v;
}

} // namespace boost::tulip
