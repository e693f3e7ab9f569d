//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/context.hpp>

#include <algorithm>

namespace boost::tulip {

namespace detail {

std::uint64_t next_unique_id() noexcept
{
    // Per-thread ranges: no shared counter to contend on in the hot path of set().
    static std::atomic<std::uint64_t> threads{0};
    thread_local const std::uint64_t base = (threads.fetch_add(1, std::memory_order_relaxed) + 1)
                                            << 40;
    thread_local std::uint64_t next = 0;
    return base | (++next & ((std::uint64_t(1) << 40) - 1));
}

void rebind(context_data_ptr& data, std::uint64_t var, context_value_ptr value,
            context_value_ptr* previous)
{
    const auto by_var = [](const context_entry& e, std::uint64_t v) { return e.var < v; };
    if (data && data->refs.load(std::memory_order_acquire) == 1) {
        // No other context shares this mapping: change it in place. A new uid keeps
        // lookup caches from returning the old value.
        auto* d = const_cast<context_data*>(data.get());
        auto pos = std::lower_bound(d->entries.begin(), d->entries.end(), var, by_var);
        const bool found = pos != d->entries.end() && pos->var == var;
        if (found && previous)
            *previous = std::move(pos->value); // moved, not shared: no count traffic
        if (value) {
            if (found)
                pos->value = std::move(value);
            else
                d->entries.insert(pos, context_entry{var, std::move(value)});
        } else if (found) {
            d->entries.erase(pos);
        }
        if (d->entries.empty())
            data.reset();
        else
            d->uid = next_unique_id();
        return;
    }
    auto* d = new context_data;
    d->uid = next_unique_id();
    if (data) {
        d->entries.reserve(data->entries.size() + 1);
        for (const auto& e : data->entries) {
            if (e.var != var)
                d->entries.push_back(e);
            else if (previous)
                *previous = e.value;
        }
    }
    if (value) {
        auto pos = std::lower_bound(d->entries.begin(), d->entries.end(), var, by_var);
        d->entries.insert(pos, context_entry{var, std::move(value)});
    }
    if (d->entries.empty()) {
        delete d;
        data.reset();
        return;
    }
    data = context_data_ptr(d);
}

context& thread_default_context() noexcept
{
    thread_local context own;
    return own;
}

} // namespace detail

std::uint64_t context::identity() noexcept
{
    if (id_ == 0)
        id_ = detail::next_unique_id();
    return id_;
}

context copy_context() noexcept
{
    return context::current();
}

} // namespace boost::tulip
