//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include "sigpipe.hpp"

#include <atomic>
#include <csignal>

namespace boost::tulip::detail {

namespace {
std::atomic<unsigned> epoch{0};
} // namespace

unsigned sigpipe_epoch() noexcept
{
    return epoch.load(std::memory_order_acquire);
}

void sigpipe_disposition_changed() noexcept
{
    epoch.fetch_add(1, std::memory_order_acq_rel);
}

bool ignore_sigpipe() noexcept
{
    // Asked each time, not remembered: the program may change it in between.
    struct sigaction old = {};
    if (::sigaction(SIGPIPE, nullptr, &old) != 0)
        return false;
    if (old.sa_flags & SA_SIGINFO)
        return false;
    if (old.sa_handler == SIG_IGN)
        return true;
    if (old.sa_handler != SIG_DFL)
        return false;
    struct sigaction ign = {};
    ign.sa_handler = SIG_IGN;
    ::sigemptyset(&ign.sa_mask);
    return ::sigaction(SIGPIPE, &ign, nullptr) == 0;
}

} // namespace boost::tulip::detail
