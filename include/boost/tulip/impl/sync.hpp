//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_SYNC_HPP
#define BOOST_TULIP_IMPL_SYNC_HPP

#include <boost/asio/associator.hpp>

#include <stdexcept>

namespace boost::tulip {
namespace detail {

inline const boost::system::error_code& aborted_code() noexcept
{
    static const boost::system::error_code ec = boost::asio::error::operation_aborted;
    return ec;
}

// Lock ownership travels as a pointer until the handler runs: a completion destroyed
// without running (its io_context shut down) touches nothing.
struct lock_completion
{
    boost::system::error_code ec;
    lock* l;

    static lock_completion make(plain_waiter& w, boost::system::error_code ec) noexcept
    {
        return {ec, static_cast<lock*>(w.owner)};
    }

    template <class Handler>
    void operator()(Handler&& h)
    {
        if (ec)
            static_cast<Handler&&>(h)(ec, lock::guard());
        else
            static_cast<Handler&&>(h)(ec, lock::guard(*l, std::adopt_lock));
    }
};

// A condition waiter: first in the condition's queue, then (notified or cancelled) in
// its lock's queue until it owns the lock again.
struct cond_waiter : sync_waiter
{
    cond_waiter(lock::guard* guard, lock* lk) noexcept
        : g(guard)
        , l(lk)
    {}
    lock::guard* g;
    lock* l;
    boost::system::error_code result; // what to report once the lock is ours
    bool in_lock = false;
};

struct cond_completion
{
    boost::system::error_code ec;
    lock::guard* g;
    lock* l;

    static cond_completion make(cond_waiter& w, boost::system::error_code ec) noexcept
    {
        // `ec` set: failed without the lock (the lock or condition was destroyed).
        if (ec)
            return {ec, nullptr, nullptr};
        return {w.result, w.g, w.l};
    }

    template <class Handler>
    void operator()(Handler&& h)
    {
        if (g)
            g->owner_ = l;
        static_cast<Handler&&>(h)(ec);
    }
};

struct semaphore_completion
{
    boost::system::error_code ec;
    semaphore* s;

    static semaphore_completion make(plain_waiter& w, boost::system::error_code ec) noexcept
    {
        return {ec, static_cast<semaphore*>(w.owner)};
    }

    template <class Handler>
    void operator()(Handler&& h)
    {
        if (ec)
            static_cast<Handler&&>(h)(ec, semaphore::guard());
        else
            static_cast<Handler&&>(h)(ec, semaphore::guard(*s));
    }
};

struct barrier_waiter : sync_waiter
{
    std::size_t index = 0;
};

struct barrier_completion
{
    boost::system::error_code ec;
    std::size_t index;

    static barrier_completion make(barrier_waiter& w, boost::system::error_code ec) noexcept
    {
        return {ec, w.index};
    }

    template <class Handler>
    void operator()(Handler&& h)
    {
        static_cast<Handler&&>(h)(ec, index);
    }
};

// condition::wait_for: waits again until the predicate holds (checked with the lock held).
template <class Handler, class Pred>
struct wait_for_handler
{
    Handler handler;
    Pred pred;
    condition* c;
    lock::guard* g;

    void operator()(boost::system::error_code ec)
    {
        if (ec || pred()) {
            std::move(handler)(ec);
            return;
        }
        condition* self = c;
        lock::guard* guard = g;
        self->start_wait(std::move(*this), guard);
    }
};

} // namespace detail

// ---- lock -------------------------------------------------------------------------------

inline lock::~lock()
{
    unbind();
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, lock::guard))
              CompletionToken>
auto lock::acquire(CompletionToken&& token)
{
    check_thread();
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, guard)>(
        [this](auto&& h) { this->start_acquire(static_cast<decltype(h)&&>(h)); }, token);
}

template <class Handler>
void lock::start_acquire(Handler&& handler)
{
    event_loop& loop = detail::loop_for_handler(handler);
    if (auto ec = bind_for_op(loop)) {
        detail::deliver(loop, static_cast<Handler&&>(handler), detail::lock_completion{ec, this},
                        detail::delivery::posted);
        return;
    }
    if (!locked_) {
        locked_ = true;
        detail::deliver(loop, static_cast<Handler&&>(handler), detail::lock_completion{{}, this},
                        detail::delivery::immediate);
        return;
    }
    detail::enqueue_waiter<detail::plain_waiter, detail::lock_completion>(
        *this, waiters_, 0, detail::awaiting_lock_acquire, loop, static_cast<Handler&&>(handler));
}

inline bool lock::try_acquire()
{
    check_thread();
    if (locked_)
        return false;
    locked_ = true;
    return true;
}

inline void lock::release()
{
    check_thread();
    if (!locked_)
        throw_state("release() of a lock that is not acquired");
    release_noexcept();
}

inline void lock::release_noexcept() noexcept
{
    if (!locked_)
        return;
    // Ownership passes to the first waiter: the lock stays locked.
    if (detail::op_node* w = waiters_.pop_front())
        w->complete({}, detail::delivery::posted);
    else
        locked_ = false;
}

// ---- event ------------------------------------------------------------------------------

inline event::~event()
{
    unbind();
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto event::wait(CompletionToken&& token)
{
    check_thread();
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        [this](auto&& h) { this->start_wait(static_cast<decltype(h)&&>(h)); }, token);
}

template <class Handler>
void event::start_wait(Handler&& handler)
{
    event_loop& loop = detail::loop_for_handler(handler);
    if (auto ec = bind_for_op(loop)) {
        detail::deliver(loop, static_cast<Handler&&>(handler), detail::code_completion{ec},
                        detail::delivery::posted);
        return;
    }
    if (set_) {
        detail::deliver(loop, static_cast<Handler&&>(handler), detail::code_completion{},
                        detail::delivery::immediate);
        return;
    }
    detail::enqueue_waiter<detail::plain_waiter, detail::code_completion>(
        *this, waiters_, 0, detail::awaiting_event_wait, loop, static_cast<Handler&&>(handler));
}

inline void event::set()
{
    check_thread();
    if (set_)
        return;
    set_ = true;
    waiters_.complete_all({}, detail::delivery::posted);
}

inline void event::clear()
{
    check_thread();
    set_ = false;
}

// ---- condition --------------------------------------------------------------------------

inline condition::~condition()
{
    unbind();
}

inline void condition::check_guard(const lock::guard& g) const
{
    check_thread();
    if (g.owner_ != lock_)
        throw_state("wait() needs a guard that owns the condition's lock");
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto condition::wait(lock::guard& g, CompletionToken&& token)
{
    check_guard(g);
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        [this, gp = &g](auto&& h) { this->start_wait(static_cast<decltype(h)&&>(h), gp); }, token);
}

template <class Pred,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
    requires std::predicate<Pred&>
auto condition::wait_for(lock::guard& g, Pred pred, CompletionToken&& token)
{
    check_guard(g);
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        [this, gp = &g](auto&& h, Pred p) {
            using handler_type = std::decay_t<decltype(h)>;
            if (p()) {
                event_loop& loop = detail::loop_for_handler(h);
                detail::deliver(loop, static_cast<decltype(h)&&>(h), detail::code_completion{},
                                detail::delivery::immediate);
                return;
            }
            this->start_wait(
                detail::wait_for_handler<handler_type, Pred>{
                    handler_type(static_cast<decltype(h)&&>(h)), std::move(p), this, gp},
                gp);
        },
        token, std::move(pred));
}

template <class Handler>
void condition::start_wait(Handler&& handler, lock::guard* g)
{
    using handler_type = std::decay_t<Handler>;
    using op_type =
        detail::suspended_op<handler_type, detail::cond_waiter, detail::cond_completion>;
    event_loop& loop = detail::loop_for_handler(handler);
    if (auto ec = bind_for_op(loop)) {
        detail::deliver(loop, static_cast<Handler&&>(handler),
                        detail::cond_completion{ec, nullptr, nullptr}, detail::delivery::posted);
        return;
    }
    if (g->owner_ != lock_) {
        // The guard changed hands between the call and the start.
        detail::deliver(loop, static_cast<Handler&&>(handler),
                        detail::cond_completion{error::invalid_state, nullptr, nullptr},
                        detail::delivery::posted);
        return;
    }
    auto* op = new op_type(loop, handler_type(static_cast<Handler&&>(handler)), g, lock_);
    op->owner = this;
    // The guard owns nothing while the task waits; the completion gives it the lock back.
    g->owner_ = nullptr;
    lock_->release_noexcept();
    waiters_.push_back(op);
    op->arm(detail::awaiting_condition_wait, this);
}

inline void condition::move_to_lock(detail::op_node* w)
{
    static_cast<detail::cond_waiter*>(w)->in_lock = true;
    if (!lock_->locked_) {
        lock_->locked_ = true;
        w->complete({}, detail::delivery::posted);
    } else {
        lock_->waiters_.push_back(w);
    }
}

inline void condition::notify_some(std::size_t n) noexcept
{
    while (n-- > 0) {
        detail::op_node* w = waiters_.pop_front();
        if (!w)
            break;
        move_to_lock(w);
    }
}

inline void condition::notify(std::size_t n)
{
    check_thread();
    if (!lock_->locked())
        throw_state("notify() without holding the lock");
    notify_some(n);
}

inline void condition::notify_all()
{
    notify(waiters_.size());
}

inline void condition::cancel_waiter(detail::sync_waiter* w)
{
    auto* cw = static_cast<detail::cond_waiter*>(w);
    if (!cw->in_lock) {
        // Not notified yet: leave the queue, then re-acquire the lock (asyncio).
        waiters_.remove(cw);
        cw->result = detail::aborted_code();
        move_to_lock(cw);
    } else if (!cw->result) {
        // Notified, still waiting for the lock: the notification goes to the next waiter.
        cw->result = detail::aborted_code();
        notify_some(1);
    }
    // Already cancelled: it only waits for the lock; nothing more to do.
}

// ---- semaphore --------------------------------------------------------------------------

inline semaphore::~semaphore()
{
    unbind();
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, semaphore::guard))
              CompletionToken>
auto semaphore::acquire(CompletionToken&& token)
{
    check_thread();
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, guard)>(
        [this](auto&& h) { this->start_acquire(static_cast<decltype(h)&&>(h)); }, token);
}

template <class Handler>
void semaphore::start_acquire(Handler&& handler)
{
    event_loop& loop = detail::loop_for_handler(handler);
    if (auto ec = bind_for_op(loop)) {
        detail::deliver(loop, static_cast<Handler&&>(handler),
                        detail::semaphore_completion{ec, this}, detail::delivery::posted);
        return;
    }
    if (value_ > 0 && waiters_.empty()) {
        --value_;
        detail::deliver(loop, static_cast<Handler&&>(handler),
                        detail::semaphore_completion{{}, this}, detail::delivery::immediate);
        return;
    }
    detail::enqueue_waiter<detail::plain_waiter, detail::semaphore_completion>(
        *this, waiters_, 0, detail::awaiting_semaphore_acquire, loop,
        static_cast<Handler&&>(handler));
}

inline bool semaphore::try_acquire()
{
    check_thread();
    if (value_ == 0 || !waiters_.empty())
        return false;
    --value_;
    return true;
}

inline void semaphore::release()
{
    check_thread();
    if (bounded_ && waiters_.empty() && value_ >= initial_)
        throw_state("release() beyond the initial value");
    release_noexcept();
}

inline void semaphore::release_noexcept() noexcept
{
    // The permit passes to the first waiter directly.
    if (detail::op_node* w = waiters_.pop_front())
        w->complete({}, detail::delivery::posted);
    else if (!bounded_ || value_ < initial_)
        ++value_;
}

// ---- barrier ----------------------------------------------------------------------------

inline barrier::barrier(std::size_t parties)
    : detail::fifo_sync_object("tulip::barrier")
    , parties_(parties)
{
    if (parties == 0)
        throw std::invalid_argument("tulip::barrier: parties must be at least 1");
}

inline barrier::~barrier()
{
    unbind();
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::size_t))
              CompletionToken>
auto barrier::wait(CompletionToken&& token)
{
    check_thread();
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, std::size_t)>(
        [this](auto&& h) { this->start_wait(static_cast<decltype(h)&&>(h)); }, token);
}

template <class Handler>
void barrier::start_wait(Handler&& handler)
{
    event_loop& loop = detail::loop_for_handler(handler);
    if (auto ec = bind_for_op(loop)) {
        detail::deliver(loop, static_cast<Handler&&>(handler), detail::barrier_completion{ec, 0},
                        detail::delivery::posted);
        return;
    }
    if (broken_) {
        detail::deliver(loop, static_cast<Handler&&>(handler),
                        detail::barrier_completion{error::broken_barrier, 0},
                        detail::delivery::immediate);
        return;
    }
    if (waiters_.size() + 1 >= parties_) {
        // The last arrival trips the barrier: every waiter is chosen, in arrival order.
        std::size_t i = 0;
        while (detail::op_node* w = waiters_.pop_front()) {
            static_cast<detail::barrier_waiter*>(w)->index = i++;
            w->complete({}, detail::delivery::posted);
        }
        detail::deliver(loop, static_cast<Handler&&>(handler), detail::barrier_completion{{}, i},
                        detail::delivery::immediate);
        return;
    }
    detail::enqueue_waiter<detail::barrier_waiter, detail::barrier_completion>(
        *this, waiters_, 0, detail::awaiting_barrier_wait, loop, static_cast<Handler&&>(handler));
}

inline void barrier::reset()
{
    check_thread();
    waiters_.complete_all(error::broken_barrier, detail::delivery::posted);
    broken_ = false;
}

inline void barrier::abort()
{
    check_thread();
    broken_ = true;
    waiters_.complete_all(error::broken_barrier, detail::delivery::posted);
}

} // namespace boost::tulip

namespace boost::asio {

template <template <class, class> class Associator, class Handler, class Pred,
          class DefaultCandidate>
struct associator<Associator, boost::tulip::detail::wait_for_handler<Handler, Pred>,
                  DefaultCandidate>
    : boost::tulip::detail::forward_associator<
          Associator, boost::tulip::detail::wait_for_handler<Handler, Pred>, Handler,
          DefaultCandidate>
{};

} // namespace boost::asio

#endif
