//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/detail/asyncgen_registry.hpp>

#include <boost/tulip/detail/generator_frame.hpp>

namespace boost::tulip::detail {

void asyncgen_registry::add(generator_core& g) noexcept
{
    g.prev = nullptr;
    g.next = head_;
    if (head_)
        head_->prev = &g;
    head_ = &g;
}

void asyncgen_registry::remove(generator_core& g) noexcept
{
    if (g.prev)
        g.prev->next = g.next;
    else if (head_ == &g)
        head_ = g.next;
    if (g.next)
        g.next->prev = g.prev;
    g.prev = g.next = nullptr;
}

std::vector<generator_core*> asyncgen_registry::suspended() const
{
    std::vector<generator_core*> v;
    for (generator_core* g = head_; g; g = g->next)
        if (g->state == generator_state::suspended)
            v.push_back(g);
    return v;
}

void asyncgen_registry::drop_all() noexcept
{
    while (generator_core* g = head_) {
        g->unregister();
        if (g->refs == 0)
            g->destroy_frame();
    }
}

} // namespace boost::tulip::detail
