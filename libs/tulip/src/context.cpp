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
    static std::atomic<std::uint64_t> counter{0};
    return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

context_data_ptr rebind(const context_data* base, std::uint64_t var, context_value_ptr value)
{
    auto* d = new context_data;
    d->uid = next_unique_id();
    if (base)
    {
        d->entries.reserve(base->entries.size() + 1);
        for (const auto& e : base->entries)
            if (e.var != var)
                d->entries.push_back(e);
    }
    if (value)
    {
        auto pos = std::lower_bound(d->entries.begin(), d->entries.end(), var,
                                    [](const context_entry& e, std::uint64_t v) { return e.var < v; });
        d->entries.insert(pos, context_entry{var, std::move(value)});
    }
    if (d->entries.empty())
    {
        delete d;
        return nullptr;
    }
    return context_data_ptr(d);
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
