//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_QUEUE_STORAGE_HPP
#define BOOST_TULIP_DETAIL_QUEUE_STORAGE_HPP

#include <algorithm>
#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

namespace boost::tulip::detail {

// The item orders of the queues: push, pop (the next item to get), size.

template <class T>
class fifo_storage
{
public:
    bool empty() const noexcept { return c_.empty(); }
    std::size_t size() const noexcept { return c_.size(); }
    void push(T&& v) { c_.push_back(std::move(v)); }
    T pop()
    {
        T v(std::move(c_.front()));
        c_.pop_front();
        return v;
    }
    void clear() noexcept { c_.clear(); }

private:
    std::deque<T> c_;
};

template <class T>
class lifo_storage
{
public:
    bool empty() const noexcept { return c_.empty(); }
    std::size_t size() const noexcept { return c_.size(); }
    void push(T&& v) { c_.push_back(std::move(v)); }
    T pop()
    {
        T v(std::move(c_.back()));
        c_.pop_back();
        return v;
    }
    void clear() noexcept { c_.clear(); }

private:
    std::vector<T> c_;
};

// A binary min-heap by Compare (heapq's order).
template <class T, class Compare>
class priority_storage
{
public:
    priority_storage() = default;
    explicit priority_storage(Compare comp)
        : comp_(std::move(comp))
    {}

    bool empty() const noexcept { return c_.empty(); }
    std::size_t size() const noexcept { return c_.size(); }
    void push(T&& v)
    {
        c_.push_back(std::move(v));
        std::push_heap(c_.begin(), c_.end(), greater());
    }
    T pop()
    {
        std::pop_heap(c_.begin(), c_.end(), greater());
        T v(std::move(c_.back()));
        c_.pop_back();
        return v;
    }
    void clear() noexcept { c_.clear(); }

private:
    auto greater()
    {
        return [this](const T& a, const T& b) { return comp_(b, a); };
    }

    std::vector<T> c_;
    Compare comp_{};
};

} // namespace boost::tulip::detail

#endif
