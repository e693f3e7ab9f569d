//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_FUTURE_BASE_HPP
#define BOOST_TULIP_DETAIL_FUTURE_BASE_HPP

#include <boost/tulip/context.hpp>
#include <boost/tulip/detail/op_node.hpp>
#include <boost/tulip/detail/recycled.hpp>
#include <boost/tulip/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/smart_ptr/intrusive_ptr.hpp>

#include <concepts>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::tulip {
class event_loop;
namespace detail {

class future_base;
class task_base;

struct done_callback
{
    std::uint64_t id;
    std::function<void(future_base&)> fn;
    context ctx;
};

// What few futures and tasks use, out of line: one allocation, made only when one fails,
// a done callback is added, a cancellation carries a message or a task is given a name
// (every future and task pays one pointer for it).
struct future_extras
{
    std::exception_ptr error; // what it failed with
    std::string cancel_message;
    std::vector<done_callback> callbacks;
    std::uint64_t next_callback_id = 0;
    // A task's given name: its length byte, then its bytes (null: "Task-N").
    std::unique_ptr<char[]> name;
};

inline const std::string no_cancel_message;
inline const std::exception_ptr no_error;

// The state shared by the handles of one future or task (asyncio.Future): outcome,
// done callbacks, waiters. One loop, one thread: the count is not atomic.
class future_base : public recycled
{
public:
    enum class status : unsigned char
    {
        pending,
        finished,
        cancelled
    };

    explicit future_base(event_loop& loop) noexcept
        : loop_(&loop)
    {}
    future_base(const future_base&) = delete;
    future_base& operator=(const future_base&) = delete;
    virtual ~future_base();

    bool done() const noexcept { return status_ != status::pending; }
    bool cancelled() const noexcept { return status_ == status::cancelled; }
    event_loop& loop() const;
    event_loop* loop_if_open() const noexcept { return loop_; }

    // result(): throws if pending, cancelled or failed; marks the exception retrieved.
    void check_result();
    // exception(): throws if pending or cancelled; marks it retrieved.
    std::exception_ptr exception();
    // What an awaiter receives: null on success, a cancelled_error, or the exception.
    std::exception_ptr outcome() noexcept;

    std::uint64_t add_done_callback(std::function<void(future_base&)> fn);
    std::size_t remove_done_callback(std::uint64_t id) noexcept;

    // A future completes as cancelled; a task is asked to cancel.
    virtual bool cancel(std::string msg);
    // The coroutine awaiting this was cancelled (asyncio cancels what it awaited).
    void cancel_from_awaiter(task_base* awaiter);

    // Future side: complete (the value, if any, is already stored).
    void set_finished();
    void set_exception(std::exception_ptr e);

    // A suspended operation waits until this is done (an awaiting coroutine, async_wait,
    // one child of gather or wait).
    void add_waiter(op_node* w) noexcept { waiters_.push_back(w); }
    // Takes `w` (waiting here) out of the waiters and completes it with operation_aborted
    // (the future is not done: the waiter reports its own cancellation).
    void abort_waiter(op_node* w)
    {
        waiters_.remove(w);
        w->complete(boost::asio::error::operation_aborted, delivery::posted);
    }

    const std::string& cancel_message() const noexcept
    {
        return extras_ ? extras_->cancel_message : no_cancel_message;
    }
    virtual bool is_task() const noexcept { return false; }
    virtual std::string describe() const;

protected:
    friend class boost::tulip::event_loop;
    friend class task_registry;
    friend void intrusive_ptr_release(future_base* p) noexcept;

    void check_pending(const char* what) const;
    // Sets the outcome and queues the done callbacks; wakes the waiters (on a later
    // iteration) if `wake`.
    void complete(status s, std::exception_ptr e, bool wake);

public:
    // Completes every waiter; each handler is posted (asyncio schedules the wake-ups).
    void wake_waiters() { waiters_.complete_all({}, delivery::posted); }

protected:
    void last_reference_dropped() noexcept;
    void mark_retrieved() noexcept;
    void link(future_base*& head) noexcept;
    void unlink(future_base*& head) noexcept;
    future_extras& extras()
    {
        if (!extras_)
            extras_ = std::make_unique<future_extras>();
        return *extras_;
    }
    void set_cancel_message(std::string msg) { extras().cancel_message = std::move(msg); }
    // The exception it failed with (null if none).
    const std::exception_ptr& error() const noexcept { return extras_ ? extras_->error : no_error; }

    event_loop* loop_;
    future_base* prev_ = nullptr;
    future_base* next_ = nullptr;
    std::unique_ptr<future_extras> extras_;
    op_list waiters_;

public:
    // The handles and suspended operations that refer to this state. Four bytes: with the
    // flags below it fills one word.
    std::uint32_t refs = 0;

protected:
    status status_ = status::pending;
    bool retrieved_ = false;
    bool in_unretrieved_ = false;
};

inline void intrusive_ptr_add_ref(future_base* p) noexcept
{
    ++p->refs;
}

inline void intrusive_ptr_release(future_base* p) noexcept
{
    if (--p->refs == 0)
        p->last_reference_dropped();
}

// The value of a future<T> or task<T>. A move-only T can be taken once.
template <class T>
struct value_holder
{
    std::optional<T> value;
    bool taken = false;

    T take()
    {
        if constexpr (std::copy_constructible<T>) {
            return *value;
        } else {
            if (taken)
                throw invalid_state_error("the result was already moved out");
            taken = true;
            return std::move(*value);
        }
    }
};

template <>
struct value_holder<void>
{};

template <class T>
class future_state final
    : public future_base
    , public value_holder<T>
{
public:
    using future_base::future_base;
};

} // namespace detail
} // namespace boost::tulip

#endif
