//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_WRITE_MARKS_HPP
#define BOOST_TULIP_DETAIL_WRITE_MARKS_HPP

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>

namespace boost::tulip::detail {

// A transport's write-buffer marks and whether its protocol was told pause_writing
// (asyncio's flow control), for every transport: stream, TLS and datagram. The transport
// calls the protocol; this says when.
class write_marks
{
public:
    // asyncio's set_write_buffer_limits: `high` defaults to 64 KiB, or to 4 x `low` when
    // only `low` is given; `low` to `high` / 4. Throws std::invalid_argument if low > high.
    void set(std::optional<std::size_t> high, std::optional<std::size_t> low)
    {
        std::size_t h = high ? *high : (low ? 4 * *low : default_high);
        std::size_t l = low ? *low : h / 4;
        if (l > h)
            throw std::invalid_argument("set_write_buffer_limits: low > high");
        high_ = h;
        low_ = l;
    }

    // {low, high}, as get_write_buffer_limits returns them.
    std::pair<std::size_t, std::size_t> get() const noexcept { return {low_, high_}; }

    // True when `buffered` has gone above the high mark and the protocol is not paused
    // yet: it is to be told pause_writing now (and is counted as paused).
    bool pause(std::size_t buffered) noexcept
    {
        if (paused_ || buffered <= high_)
            return false;
        paused_ = true;
        return true;
    }

    // True when the protocol is paused and `buffered` is down to the low mark: it is to
    // be told resume_writing now (and is counted as running).
    bool resume(std::size_t buffered) noexcept
    {
        if (!paused_ || buffered > low_)
            return false;
        paused_ = false;
        return true;
    }

private:
    static constexpr std::size_t default_high = 64 * 1024;

    std::size_t high_ = default_high;
    std::size_t low_ = default_high / 4;
    bool paused_ = false;
};

} // namespace boost::tulip::detail

#endif
