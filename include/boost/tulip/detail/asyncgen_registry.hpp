//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_ASYNCGEN_REGISTRY_HPP
#define BOOST_TULIP_DETAIL_ASYNCGEN_REGISTRY_HPP

#include <boost/tulip/detail/config.hpp>

#include <vector>

namespace boost::tulip {
class event_loop;
namespace detail {

class generator_core;

// The loop's async generators that started and have not finished (asyncio's
// loop._asyncgens): what shutdown_asyncgens() closes, and what the loop's shutdown drops.
// An intrusive list threaded through the generators. Loop thread only.
class asyncgen_registry
{
public:
    asyncgen_registry() noexcept = default;
    asyncgen_registry(const asyncgen_registry&) = delete;
    asyncgen_registry& operator=(const asyncgen_registry&) = delete;

    void add(generator_core& g) noexcept;
    void remove(generator_core& g) noexcept;
    bool empty() const noexcept { return head_ == nullptr; }
    // Those suspended at a co_yield, which aclose() can close.
    std::vector<generator_core*> suspended() const;
    // The loop is going away: generators nobody holds are destroyed (their locals'
    // destructors run, no cleanup can be awaited any more); the others forget the loop.
    void drop_all() noexcept;

private:
    generator_core* head_ = nullptr;
};

// Runs `l.shutdown_asyncgens()` to its end on the loop's io_context (runner::close).
void close_asyncgens(event_loop& l);

} // namespace detail
} // namespace boost::tulip

#endif
