//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_RECYCLED_HPP
#define BOOST_TULIP_DETAIL_RECYCLED_HPP

#include <boost/asio/recycling_allocator.hpp>

#include <cstddef>

namespace boost::tulip::detail {

// Per-operation objects (task states, waiters, timers) come from Asio's per-thread
// recycling cache, as Asio's own operations do, instead of a malloc/free pair each.
struct recycled
{
    static void* operator new(std::size_t size)
    {
        return boost::asio::recycling_allocator<unsigned char>().allocate(size);
    }

    static void operator delete(void* p, std::size_t size) noexcept
    {
        boost::asio::recycling_allocator<unsigned char>().deallocate(static_cast<unsigned char*>(p),
                                                                     size);
    }
};

} // namespace boost::tulip::detail

#endif
