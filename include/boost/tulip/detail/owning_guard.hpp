//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_OWNING_GUARD_HPP
#define BOOST_TULIP_DETAIL_OWNING_GUARD_HPP

#include <boost/tulip/error.hpp>

#include <utility>

namespace boost::tulip::detail {

/** What `lock::guard` and `semaphore::guard` share: a movable, non-copyable hold on what
    an `Owner` handed out (its lock, one permit), given back by `release()` or on
    destruction.

    `Owner` provides `release()` (may throw), `release_noexcept()` (for the destructor
    and move assignment) and `empty_guard_message` (what `release()` on an empty guard
    throws), and befriends this template.
*/
template <class Owner>
class owning_guard
{
public:
    owning_guard() noexcept = default;
    owning_guard(owning_guard&& other) noexcept
        : owner_(std::exchange(other.owner_, nullptr))
    {}

    owning_guard& operator=(owning_guard&& other) noexcept
    {
        if (this != &other) {
            if (owner_)
                owner_->release_noexcept();
            owner_ = std::exchange(other.owner_, nullptr);
        }
        return *this;
    }

    ~owning_guard()
    {
        if (owner_)
            owner_->release_noexcept();
    }

    /// Gives back now. @throws invalid_state_error if the guard holds nothing.
    void release()
    {
        if (!owner_)
            throw invalid_state_error(Owner::empty_guard_message);
        std::exchange(owner_, nullptr)->release();
    }

    bool owns_lock() const noexcept { return owner_ != nullptr; }
    explicit operator bool() const noexcept { return owner_ != nullptr; }

protected:
    explicit owning_guard(Owner* owner) noexcept
        : owner_(owner)
    {}

    Owner* owner_ = nullptr;
};

} // namespace boost::tulip::detail

#endif
