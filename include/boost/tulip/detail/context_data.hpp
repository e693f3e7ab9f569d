//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_CONTEXT_DATA_HPP
#define BOOST_TULIP_DETAIL_CONTEXT_DATA_HPP

#include <boost/tulip/detail/recycled.hpp>

#include <boost/smart_ptr/intrusive_ptr.hpp>

#include <atomic>
#include <cstdint>
#include <vector>

namespace boost::tulip::detail {

// One variable's value. Shared by every context mapping that holds it; contexts cross
// threads (to_thread), so the count is atomic.
struct context_value
{
    mutable std::atomic<std::size_t> refs{0};
    virtual ~context_value() = default;
};

template <class T>
struct context_value_of final
    : context_value
    , recycled
{
    template <class U>
    explicit context_value_of(U&& v)
        : value(static_cast<U&&>(v))
    {}
    T value;
};

inline void intrusive_ptr_add_ref(const context_value* p) noexcept
{
    p->refs.fetch_add(1, std::memory_order_relaxed);
}

inline void intrusive_ptr_release(const context_value* p) noexcept
{
    if (p->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
        delete p;
}

using context_value_ptr = boost::intrusive_ptr<const context_value>;

struct context_entry
{
    std::uint64_t var;
    context_value_ptr value;
};

// A mapping sorted by variable id, immutable while shared: a `set` on a shared mapping
// builds a new one, and contexts that copied the old one keep it. `uid` is unique for the life of
// the process, so a lookup cache keyed by it can never confuse two mappings.
struct context_data
{
    mutable std::atomic<std::size_t> refs{0};
    std::uint64_t uid;
    std::vector<context_entry> entries;
};

inline void intrusive_ptr_add_ref(const context_data* p) noexcept
{
    p->refs.fetch_add(1, std::memory_order_relaxed);
}

inline void intrusive_ptr_release(const context_data* p) noexcept
{
    if (p->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
        delete p;
}

using context_data_ptr = boost::intrusive_ptr<const context_data>;

inline const context_value* find_value(const context_data& d, std::uint64_t var) noexcept
{
    // Few variables are set in practice: a scan beats a binary search up to about 16.
    for (const auto& e : d.entries) {
        if (e.var == var)
            return e.value.get();
        if (e.var > var)
            break;
    }
    return nullptr;
}

// Binds `var` to `value` in `data` (removes it if `value` is null): in place when no
// other context shares the mapping, else in a new mapping. The value it had goes to
// `*previous`, if given.
void rebind(context_data_ptr& data, std::uint64_t var, context_value_ptr value,
            context_value_ptr* previous = nullptr);

// A process-wide unique id (never 0) for variables, mappings and contexts.
std::uint64_t next_unique_id() noexcept;

// The last lookup on this thread, keyed by mapping uid and variable id.
struct context_lookup_cache
{
    std::uint64_t uid = 0;
    std::uint64_t var = 0;
    const context_value* value = nullptr;
};

inline thread_local context_lookup_cache lookup_cache{};

} // namespace boost::tulip::detail

#endif
