//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_QUEUE_HPP
#define BOOST_TULIP_QUEUE_HPP

// event_loop.hpp first: the detail headers rely on it being complete.
#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/detail/queue_storage.hpp>
#include <boost/tulip/detail/sync_waiter.hpp>
#include <boost/tulip/error.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/system/error_code.hpp>

#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <type_traits>

namespace boost::tulip {

// tag::outline[]
/** What `queue`, `priority_queue` and `lifo_queue` share (asyncio.Queue): a queue of
    `T` for tasks of one loop, optionally bounded, with FIFO-fair getters and putters,
    `task_done`/`join` accounting and `shutdown` (Python 3.13).

    `Storage` decides the order (`queue`: first in first out, `lifo_queue`: last in first
    out, `priority_queue`: smallest first). `T` must be movable; `get` with a token other
    than `awaitable_token` also needs a default-constructible `T` (its error path passes
    `T{}`).

    Not copyable, not movable; bound to the loop of its first asynchronous use.
*/
template <std::movable T, class Storage>
class basic_queue : public detail::sync_object
{
public:
    using value_type = T;

    /// `maxsize` 0: unbounded.
    explicit basic_queue(std::size_t maxsize = 0, Storage storage = Storage()) noexcept(
        std::is_nothrow_move_constructible_v<Storage>);
    /// Waiting getters, putters and joiners complete with `operation_aborted`.
    ~basic_queue();

    /** Puts `item`, waiting while the queue is full. Completes at once (a coroutine
        resumes without a trip through the loop) when there is room. A waiting getter
        receives the item directly.

        @par Completion Signature
        `void(boost::system::error_code)`: `tulip::error::queue_shut_down` (thrown as
        `queue_shut_down` with the default token) if the queue is or gets shut down.

        @par Per-Operation Cancellation
        `terminal`, `partial` and `total`: a putter cancelled before a slot was given to it
        leaves, and its item is destroyed, not queued. Once its item is in the queue it
        completes successfully even if cancelled right after.
    */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                  CompletionToken = awaitable_token_t>
    [[nodiscard]] auto put(T item, CompletionToken&& token = CompletionToken{});

    /** Removes and returns an item, waiting while the queue is empty. With items there it
        takes one at once (a coroutine resumes without a trip through the loop).

        @par Completion Signature
        `void(boost::system::error_code, T)`: `tulip::error::queue_shut_down` (thrown as
        `queue_shut_down` with the default token) once the queue is shut down and empty.

        @par Per-Operation Cancellation
        `terminal`, `partial` and `total`: a getter cancelled before an item was handed to
        it leaves without taking anything. A getter chosen to receive an item gets it even
        if cancelled right after (the cancellation surfaces at its next suspension): an
        item is never lost.
    */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, T)) CompletionToken =
                  awaitable_token_t>
        requires std::same_as<std::decay_t<CompletionToken>, awaitable_token_t> ||
            std::default_initializable<T>
    [[nodiscard]] auto get(CompletionToken&& token = CompletionToken{});

    /// Puts without waiting. @throws queue_full, queue_shut_down.
    void put_nowait(T item);
    /// Takes without waiting. @throws queue_empty; queue_shut_down if shut down and empty.
    T get_nowait();
    /// Takes an item if one is there (also after shutdown), else an empty optional.
    std::optional<T> try_get();

    std::size_t qsize() const noexcept { return storage_.size(); }
    bool empty() const noexcept { return storage_.empty(); }
    bool full() const noexcept { return maxsize_ > 0 && storage_.size() >= maxsize_; }
    std::size_t maxsize() const noexcept { return maxsize_; }
    bool is_shut_down() const noexcept { return shut_down_; }

    /// One item taken earlier is processed. @throws invalid_state_error if called more
    /// often than items were put.
    void task_done();

    /** Waits until every item put has been taken and marked with `task_done()`.

        @par Completion Signature
        `void(boost::system::error_code)`.

        @par Per-Operation Cancellation
        `terminal`, `partial` and `total`: the joiner leaves; the counts are unchanged.
    */
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
                  CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto join(CompletionToken&& token = CompletionToken{});

    /** Shuts the queue down (Python 3.13): `put` fails with `queue_shut_down` from now
        on, blocked putters fail, and `get` fails once the queue is empty (blocked getters
        fail at once, the queue being empty). With `immediate`, the items still queued are
        dropped (each counting as done for `join`) and getters fail at once. */
    void shutdown(bool immediate = false);

private:
    struct initiate_put;
    struct initiate_get;
    template <class Handler>
    void start_put(Handler&& h, T& item);
    template <bool Optional, class Handler>
    void start_get(Handler&& h);
    template <class Handler>
    void start_join(Handler&& h);
    void push(T&& item);
    T take();
    void cancel_waiter(detail::sync_waiter* w) override;
    void abandon_waiters() noexcept override;
    void fail_waiters_on_destroy() noexcept override;

    Storage storage_;
    std::size_t maxsize_;
    std::size_t unfinished_ = 0;
    bool shut_down_ = false;
    detail::counted_op_list getters_; // only while the queue is empty
    detail::counted_op_list putters_; // only while the queue is full
    detail::counted_op_list joiners_;
};

/// A first-in first-out queue (asyncio.Queue).
template <class T>
class queue : public basic_queue<T, detail::fifo_storage<T>>
{
public:
    explicit queue(std::size_t maxsize = 0)
        : basic_queue<T, detail::fifo_storage<T>>(maxsize)
    {}
};

/// A last-in first-out queue (asyncio.LifoQueue).
template <class T>
class lifo_queue : public basic_queue<T, detail::lifo_storage<T>>
{
public:
    explicit lifo_queue(std::size_t maxsize = 0)
        : basic_queue<T, detail::lifo_storage<T>>(maxsize)
    {}
};

/// A queue that gives the smallest item first by `Compare` (asyncio.PriorityQueue, heapq
/// order; items that compare equal come out in no particular order).
template <class T, class Compare = std::less<T>>
class priority_queue : public basic_queue<T, detail::priority_storage<T, Compare>>
{
public:
    explicit priority_queue(std::size_t maxsize = 0, Compare comp = Compare())
        : basic_queue<T, detail::priority_storage<T, Compare>>(
              maxsize, detail::priority_storage<T, Compare>(std::move(comp)))
    {}
};
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/queue.hpp>

#endif
