//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_SYNC_HPP
#define BOOST_TULIP_SYNC_HPP

// event_loop.hpp first: the detail headers rely on it being complete.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/detail/owning_guard.hpp>
#include <boost/tulip/detail/sync_waiter.hpp>
#include <boost/tulip/error.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/system/error_code.hpp>

#include <concepts>
#include <cstddef>
#include <mutex>

namespace boost::tulip {

class condition;
namespace detail {
struct lock_completion;
struct cond_completion;
struct semaphore_completion;
template <class Handler, class Pred>
struct wait_for_handler;
} // namespace detail

// tag::outline[]
/** A mutual-exclusion lock for tasks of one loop (asyncio.Lock), FIFO-fair.

    `co_await l.acquire()` returns a `lock::guard` that releases the lock when it goes
    out of scope. Ownership passes directly from the releasing task to the first waiter,
    so no later arrival can overtake the queue.

    Not copyable, not movable; bound to the loop of its first asynchronous use.
*/
class lock : public detail::fifo_sync_object
{
public:
    /** Owns the lock (or nothing). Movable, not copyable; releases in its destructor.

        Members: `release()` (releases now; @throws invalid_state_error if the guard owns
        nothing), `owns_lock()`, `explicit operator bool`, `mutex()`.
    */
    class guard : public detail::owning_guard<lock>
    {
    public:
        guard() noexcept = default;

        /// The lock owned, or null.
        lock* mutex() const noexcept { return owner_; }

    private:
        friend class lock;
        friend class condition;
        friend struct detail::lock_completion;
        friend struct detail::cond_completion;
        guard(lock& l, std::adopt_lock_t) noexcept
            : owning_guard(&l)
        {}
    };

    lock() noexcept
        : detail::fifo_sync_object("tulip::lock")
    {}
    /// Waiters still queued complete with `operation_aborted`.
    ~lock();

    /** Acquires the lock, waiting (FIFO) while another task holds it.

        @par Completion Signature
        `void(boost::system::error_code, lock::guard)`: the guard owns the lock on
        success, nothing on error (`operation_aborted`, `tulip::error::loop_closed`,
        `tulip::error::invalid_state` when used from another loop).

        @par Per-Operation Cancellation
        `terminal`, `partial` and `total`. A waiter cancelled before the lock was handed
        to it leaves the queue and never holds the lock. Once chosen, its completion is
        scheduled and it receives the guard even if a cancellation comes right after
        (the task sees that cancellation at its next suspension; the guard releases
        during unwinding).
    */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, lock::guard))
                  CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto acquire(CompletionToken&& token = CompletionToken{});

    /// Takes the lock if it is free and no one waits. The caller must `release()` it.
    bool try_acquire();

    /// Releases the lock, handing it to the first waiter if any.
    /// @throws invalid_state_error if the lock is not held.
    void release();

    bool locked() const noexcept { return locked_; }

private:
    friend class condition;
    friend class detail::owning_guard<lock>;
    static constexpr const char* empty_guard_message =
        "tulip::lock::guard::release: the guard owns no lock";
    template <class Handler>
    void start_acquire(Handler&& h);
    void release_noexcept() noexcept;

    bool locked_ = false; // free implies no waiters
};

/** An event flag tasks can wait for (asyncio.Event). */
class event : public detail::fifo_sync_object
{
public:
    event() noexcept
        : detail::fifo_sync_object("tulip::event")
    {}
    ~event();

    /** Waits until the flag is set; completes at once (without suspending a coroutine)
        if it already is.

        @par Completion Signature
        `void(boost::system::error_code)`.

        @par Per-Operation Cancellation
        `terminal`, `partial` and `total`: the waiter leaves; the flag is unchanged. A
        waiter woken by `set()` completes successfully even if cancelled right after.
    */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                  CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto wait(CompletionToken&& token = CompletionToken{});

    /// Sets the flag and wakes every waiter.
    void set();
    /// Clears the flag.
    void clear();
    bool is_set() const noexcept { return set_; }

private:
    template <class Handler>
    void start_wait(Handler&& h);

    bool set_ = false;
};

/** A condition variable (asyncio.Condition) over a `lock` of its own or a shared one. */
class condition : public detail::fifo_sync_object
{
public:
    /// A condition with its own lock.
    condition() noexcept
        : detail::fifo_sync_object("tulip::condition")
        , lock_(&own_)
    {}
    /// A condition sharing `l` (which must outlive it).
    explicit condition(lock& l) noexcept
        : detail::fifo_sync_object("tulip::condition")
        , lock_(&l)
    {}
    ~condition();

    /// `get_lock().acquire(token)`.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, lock::guard))
                  CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto acquire(CompletionToken&& token = CompletionToken{})
    {
        return lock_->acquire(static_cast<CompletionToken&&>(token));
    }
    /// `get_lock().release()`.
    void release() { lock_->release(); }
    bool locked() const noexcept { return lock_->locked(); }
    lock& get_lock() noexcept { return *lock_; }

    /** Releases the lock, waits for a notification, and re-acquires the lock before
        completing — also when cancelled (asyncio).

        Precondition: `g` owns this condition's lock, else `invalid_state_error` is thrown
        at once. During the wait `g` owns nothing; it owns the lock again when the
        operation completes (also with an error, except `tulip::error::loop_closed`).

        @par Completion Signature
        `void(boost::system::error_code)`.

        @par Per-Operation Cancellation
        `terminal`, `partial` and `total`. A waiter cancelled before it is notified leaves
        the notification queue, re-acquires the lock, then completes with
        `operation_aborted`. A waiter notified and then cancelled while it waits for the
        lock passes its notification on to the next waiter (none is lost), re-acquires the
        lock and completes with `operation_aborted`. Once it holds the lock again its
        completion is scheduled and a later cancellation waits for the next suspension.
    */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                  CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto wait(lock::guard& g, CompletionToken&& token = CompletionToken{});

    /** Waits until `pred()` is true, checking it with the lock held (first at once, then
        after each notification). `pred` must not throw.

        @par Completion Signature
        `void(boost::system::error_code)`: success once `pred()` returned true.

        @par Per-Operation Cancellation
        As `wait`: the lock is held again when the operation completes.
    */
    template <class Pred, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                              CompletionToken = boost::asio::deferred_t>
        requires std::predicate<Pred&>
    [[nodiscard]] auto wait_for(lock::guard& g, Pred pred,
                                CompletionToken&& token = CompletionToken{});

    /// Wakes up to `n` waiters. @throws invalid_state_error unless the lock is held.
    void notify(std::size_t n = 1);
    /// Wakes every waiter. @throws invalid_state_error unless the lock is held.
    void notify_all();

private:
    template <class, class>
    friend struct detail::wait_for_handler;
    template <class Handler>
    void start_wait(Handler&& h, lock::guard* g);
    void move_to_lock(detail::op_node* w);
    void check_guard(const lock::guard& g) const;
    void notify_some(std::size_t n) noexcept;
    // waiters_ holds those not yet notified; a notified one waits for the lock.
    void cancel_waiter(detail::sync_waiter* w) override;

    lock own_;
    lock* lock_;
};

/** A counting semaphore (asyncio.Semaphore), FIFO-fair. */
class semaphore : public detail::fifo_sync_object
{
public:
    /** Holds one permit (or nothing). Movable, not copyable; releases in its destructor.

        Members: `release()` (gives the permit back now; @throws invalid_state_error if
        the guard holds none), `owns_lock()`, `explicit operator bool`.
    */
    class guard : public detail::owning_guard<semaphore>
    {
    public:
        guard() noexcept = default;

    private:
        friend class semaphore;
        friend struct detail::semaphore_completion;
        explicit guard(semaphore& s) noexcept
            : owning_guard(&s)
        {}
    };

    explicit semaphore(std::size_t value = 1) noexcept
        : semaphore(value, false, "tulip::semaphore")
    {}
    ~semaphore();

    /** Takes a permit, waiting (FIFO) while there is none.

        @par Completion Signature
        `void(boost::system::error_code, semaphore::guard)`.

        @par Per-Operation Cancellation
        `terminal`, `partial` and `total`: a waiter cancelled before a permit was handed
        to it leaves without one; once chosen it receives the permit even if cancelled
        right after (the guard gives it back during unwinding).
    */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, semaphore::guard))
                  CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto acquire(CompletionToken&& token = CompletionToken{});

    /// Takes a permit if one is free and no one waits. The caller must `release()` it.
    bool try_acquire();

    /// Gives a permit back, handing it to the first waiter if any.
    /// @throws invalid_state_error for a `bounded_semaphore` already at its initial value.
    void release();

    /// True if an `acquire` would wait.
    bool locked() const noexcept { return value_ == 0 || !waiters_.empty(); }
    /// Free permits.
    std::size_t value() const noexcept { return value_; }

protected:
    semaphore(std::size_t value, bool bounded, const char* kind) noexcept
        : detail::fifo_sync_object(kind)
        , value_(value)
        , initial_(value)
        , bounded_(bounded)
    {}

private:
    friend class detail::owning_guard<semaphore>;
    static constexpr const char* empty_guard_message =
        "tulip::semaphore::guard::release: the guard holds no permit";
    template <class Handler>
    void start_acquire(Handler&& h);
    void release_noexcept() noexcept;

    std::size_t value_;
    std::size_t initial_;
    bool bounded_;
};

/** A semaphore whose `release()` beyond the initial value throws `invalid_state_error`
    (asyncio.BoundedSemaphore raises ValueError). */
class bounded_semaphore : public semaphore
{
public:
    explicit bounded_semaphore(std::size_t value = 1) noexcept
        : semaphore(value, true, "tulip::bounded_semaphore")
    {}
};

/** A barrier for a fixed number of tasks (asyncio.Barrier, Python 3.11). */
class barrier : public detail::fifo_sync_object
{
public:
    /// @throws std::invalid_argument if `parties` is 0.
    explicit barrier(std::size_t parties);
    ~barrier();

    /** Waits until `parties()` tasks are waiting, then releases them all together.

        Yields the task's index in arrival order, 0 .. parties-1 (unique in each cycle;
        the last to arrive gets parties-1 and does not suspend). The barrier is ready for
        the next cycle at once.

        @par Completion Signature
        `void(boost::system::error_code, std::size_t)`: `tulip::error::broken_barrier`
        (`broken_barrier_error` with the default token) if the barrier is broken or is
        aborted or reset while waiting.

        @par Per-Operation Cancellation
        `terminal`, `partial` and `total`: a waiter cancelled while the barrier fills
        leaves (`n_waiting()` drops). Once the barrier has tripped, every waiter has its
        index and completes successfully even if cancelled right after.
    */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::size_t))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto wait(CompletionToken&& token = CompletionToken{});

    /// Returns to the empty, unbroken state; tasks waiting now fail with broken_barrier.
    /// Synchronous (asyncio's `reset()` is a coroutine with the same effect).
    void reset();
    /// Breaks the barrier: waits now and later fail with broken_barrier until `reset()`.
    void abort();

    std::size_t parties() const noexcept { return parties_; }
    std::size_t n_waiting() const noexcept { return waiters_.size(); }
    bool broken() const noexcept { return broken_; }

private:
    template <class Handler>
    void start_wait(Handler&& h);

    std::size_t parties_;
    bool broken_ = false;
};
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/sync.hpp>

#endif
