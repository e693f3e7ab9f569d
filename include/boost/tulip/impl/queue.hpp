//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_QUEUE_HPP
#define BOOST_TULIP_IMPL_QUEUE_HPP

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>

#include <algorithm>
#include <tuple>
#include <utility>

namespace boost::tulip {
namespace detail {

enum : unsigned char
{
    queue_getter = 0,
    queue_putter = 1,
    queue_joiner = 2,
};

template <class T>
struct get_waiter : sync_waiter
{
    std::optional<T> value; // set when the waiter is chosen
};

template <class T>
struct put_waiter : sync_waiter
{
    explicit put_waiter(T&& v)
        : item(std::move(v))
    {}
    std::optional<T> item; // moved into the queue when a slot is given to it
};

// Optional: the handler takes std::optional<T> (the awaitable path, any movable T);
// else T, with T{} on error.
template <class T, bool Optional>
struct get_completion
{
    boost::system::error_code ec;
    std::optional<T> value;

    static get_completion make(get_waiter<T>& w, boost::system::error_code ec)
    {
        return {ec, std::move(w.value)};
    }

    template <class Handler>
    void operator()(Handler&& h)
    {
        if constexpr (Optional)
            static_cast<Handler&&>(h)(ec, std::move(value));
        else if (value)
            static_cast<Handler&&>(h)(ec, std::move(*value));
        else
            static_cast<Handler&&>(h)(ec, T{});
    }
};

} // namespace detail

template <std::movable T, class Storage>
basic_queue<T, Storage>::basic_queue(std::size_t maxsize, Storage storage) noexcept(
    std::is_nothrow_move_constructible_v<Storage>)
    : detail::sync_object("tulip::queue")
    , storage_(std::move(storage))
    , maxsize_(maxsize)
{}

template <std::movable T, class Storage>
basic_queue<T, Storage>::~basic_queue()
{
    unbind();
}

// ---- put ------------------------------------------------------------------------------

template <std::movable T, class Storage>
void basic_queue<T, Storage>::push(T&& item)
{
    ++unfinished_;
    // Getters wait only while the queue is empty: the first one takes the item directly.
    if (detail::op_node* w = getters_.pop_front()) {
        static_cast<detail::get_waiter<T>*>(w)->value.emplace(std::move(item));
        w->complete({}, detail::delivery::posted);
    } else {
        storage_.push(std::move(item));
    }
}

template <std::movable T, class Storage>
T basic_queue<T, Storage>::take()
{
    T v = storage_.pop();
    // The slot freed goes to the first putter at once (putters wait only while full).
    if (detail::op_node* w = putters_.pop_front()) {
        storage_.push(std::move(*static_cast<detail::put_waiter<T>*>(w)->item));
        ++unfinished_;
        w->complete({}, detail::delivery::posted);
    }
    return v;
}

template <std::movable T, class Storage>
struct basic_queue<T, Storage>::initiate_put
{
    basic_queue* q;

    template <class Handler>
    void operator()(Handler&& h, T item) const
    {
        q->start_put(static_cast<Handler&&>(h), item);
    }

    // awaitable_token's fast path: room (or a shut-down queue) needs no operation.
    std::optional<std::tuple<boost::system::error_code>> try_complete(T& item) const
    {
        if (q->shut_down_)
            return std::tuple<boost::system::error_code>(error::queue_shut_down);
        if (q->full())
            return std::nullopt;
        q->push(std::move(item));
        return std::tuple<boost::system::error_code>();
    }
};

template <std::movable T, class Storage>
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto basic_queue<T, Storage>::put(T item, CompletionToken&& token)
{
    check_thread();
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        initiate_put{this}, token, std::move(item));
}

template <std::movable T, class Storage>
template <class Handler>
void basic_queue<T, Storage>::start_put(Handler&& handler, T& item)
{
    event_loop& loop = detail::loop_for_handler(handler);
    if (auto ec = bind_for_op(loop)) {
        detail::deliver(loop, static_cast<Handler&&>(handler), detail::code_completion{ec},
                        detail::delivery::posted);
        return;
    }
    if (shut_down_) {
        detail::deliver(loop, static_cast<Handler&&>(handler),
                        detail::code_completion{error::queue_shut_down},
                        detail::delivery::immediate);
        return;
    }
    if (!full()) {
        push(std::move(item));
        detail::deliver(loop, static_cast<Handler&&>(handler), detail::code_completion{},
                        detail::delivery::immediate);
        return;
    }
    detail::enqueue_waiter<detail::put_waiter<T>, detail::code_completion>(
        *this, putters_, detail::queue_putter, detail::awaiting_queue_put, loop,
        static_cast<Handler&&>(handler), std::move(item));
}

template <std::movable T, class Storage>
void basic_queue<T, Storage>::put_nowait(T item)
{
    check_thread();
    if (shut_down_)
        throw queue_shut_down();
    if (full())
        throw queue_full();
    push(std::move(item));
}

// ---- get ------------------------------------------------------------------------------

template <std::movable T, class Storage>
struct basic_queue<T, Storage>::initiate_get
{
    basic_queue* q;

    template <class Handler>
    void operator()(Handler&& h) const
    {
        q->template start_get<false>(static_cast<Handler&&>(h));
    }

    // awaitable_token's variant: no T{} is needed on the error path.
    struct optional_values
    {
        basic_queue* q;

        template <class Handler>
        void operator()(Handler&& h) const
        {
            q->template start_get<true>(static_cast<Handler&&>(h));
        }

        // awaitable_token's fast path: an item there is taken at once (asyncio).
        std::optional<std::tuple<boost::system::error_code, std::optional<T>>> try_complete() const
        {
            using result = std::tuple<boost::system::error_code, std::optional<T>>;
            if (!q->storage_.empty())
                return result(boost::system::error_code(), q->take());
            if (q->shut_down_)
                return result(error::queue_shut_down, std::nullopt);
            return std::nullopt;
        }
    };
    optional_values with_optional_values() const noexcept { return {q}; }
};

template <std::movable T, class Storage>
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, T)) CompletionToken>
    requires std::same_as<std::decay_t<CompletionToken>, awaitable_token_t> ||
        std::default_initializable<T>
auto basic_queue<T, Storage>::get(CompletionToken&& token)
{
    check_thread();
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, T)>(
        initiate_get{this}, token);
}

template <std::movable T, class Storage>
template <bool Optional, class Handler>
void basic_queue<T, Storage>::start_get(Handler&& handler)
{
    using completion = detail::get_completion<T, Optional>;
    event_loop& loop = detail::loop_for_handler(handler);
    if (auto ec = bind_for_op(loop)) {
        detail::deliver(loop, static_cast<Handler&&>(handler), completion{ec, std::nullopt},
                        detail::delivery::posted);
        return;
    }
    if (!storage_.empty()) {
        detail::deliver(loop, static_cast<Handler&&>(handler), completion{{}, take()},
                        detail::delivery::immediate);
        return;
    }
    if (shut_down_) {
        detail::deliver(loop, static_cast<Handler&&>(handler),
                        completion{error::queue_shut_down, std::nullopt},
                        detail::delivery::immediate);
        return;
    }
    detail::enqueue_waiter<detail::get_waiter<T>, completion>(*this, getters_, detail::queue_getter,
                                                              detail::awaiting_queue_get, loop,
                                                              static_cast<Handler&&>(handler));
}

template <std::movable T, class Storage>
T basic_queue<T, Storage>::get_nowait()
{
    check_thread();
    if (storage_.empty()) {
        if (shut_down_)
            throw queue_shut_down();
        throw queue_empty();
    }
    return take();
}

template <std::movable T, class Storage>
std::optional<T> basic_queue<T, Storage>::try_get()
{
    check_thread();
    if (storage_.empty())
        return std::nullopt;
    return take();
}

// ---- task_done, join, shutdown --------------------------------------------------------

template <std::movable T, class Storage>
void basic_queue<T, Storage>::task_done()
{
    check_thread();
    if (unfinished_ == 0)
        throw_state("task_done() called more times than items were put");
    if (--unfinished_ == 0)
        joiners_.complete_all({}, detail::delivery::posted);
}

template <std::movable T, class Storage>
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto basic_queue<T, Storage>::join(CompletionToken&& token)
{
    check_thread();
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        [this](auto&& h) { this->start_join(static_cast<decltype(h)&&>(h)); }, token);
}

template <std::movable T, class Storage>
template <class Handler>
void basic_queue<T, Storage>::start_join(Handler&& handler)
{
    event_loop& loop = detail::loop_for_handler(handler);
    if (auto ec = bind_for_op(loop)) {
        detail::deliver(loop, static_cast<Handler&&>(handler), detail::code_completion{ec},
                        detail::delivery::posted);
        return;
    }
    if (unfinished_ == 0) {
        detail::deliver(loop, static_cast<Handler&&>(handler), detail::code_completion{},
                        detail::delivery::immediate);
        return;
    }
    detail::enqueue_waiter<detail::plain_waiter, detail::code_completion>(
        *this, joiners_, detail::queue_joiner, detail::awaiting_queue_join, loop,
        static_cast<Handler&&>(handler));
}

template <std::movable T, class Storage>
void basic_queue<T, Storage>::shutdown(bool immediate)
{
    check_thread();
    shut_down_ = true;
    if (immediate) {
        const std::size_t dropped = storage_.size();
        storage_.clear();
        unfinished_ -= std::min(dropped, unfinished_);
        if (unfinished_ == 0)
            joiners_.complete_all({}, detail::delivery::posted);
    }
    getters_.complete_all(error::queue_shut_down, detail::delivery::posted);
    putters_.complete_all(error::queue_shut_down, detail::delivery::posted);
}

template <std::movable T, class Storage>
void basic_queue<T, Storage>::cancel_waiter(detail::sync_waiter* w)
{
    switch (w->tag) {
    case detail::queue_getter:
        getters_.remove(w);
        break;
    case detail::queue_putter:
        putters_.remove(w);
        break;
    default:
        joiners_.remove(w);
        break;
    }
    w->complete(boost::asio::error::operation_aborted, detail::delivery::posted);
}

template <std::movable T, class Storage>
void basic_queue<T, Storage>::abandon_waiters() noexcept
{
    getters_.destroy_all();
    putters_.destroy_all();
    joiners_.destroy_all();
}

template <std::movable T, class Storage>
void basic_queue<T, Storage>::fail_waiters_on_destroy() noexcept
{
    getters_.complete_all(boost::asio::error::operation_aborted, detail::delivery::posted);
    putters_.complete_all(boost::asio::error::operation_aborted, detail::delivery::posted);
    joiners_.complete_all(boost::asio::error::operation_aborted, detail::delivery::posted);
}

} // namespace boost::tulip

#endif
