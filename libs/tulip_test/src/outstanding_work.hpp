//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_TEST_SRC_OUTSTANDING_WORK_HPP
#define BOOST_TULIP_TEST_SRC_OUTSTANDING_WORK_HPP

// The one place the test runner reads Asio internals: the count of unfinished work of an
// io_context, which Asio keeps (io_context::run returns when it reaches zero) but does
// not expose. Checked on Boost 1.81 / Asio 1.26:
// - on POSIX, an io_context's implementation (detail::io_context_impl) is
//   detail::scheduler, registered as a service of the io_context, so
//   use_service<detail::scheduler>(ioc) is that scheduler;
// - the count is the private member scheduler::outstanding_work_ (a detail::atomic_count);
// - work started by a handler of a single-threaded io_context is first counted per
//   thread and added to that member when the handler returns, so the count is exact
//   only between handlers (where the runner reads it).
// The member is named through an explicit template instantiation, where access is not
// checked ([temp.spec.general]/6). If Asio changes any of this, this file stops compiling
// or test/unit/test_runner.cpp's probes of the count fail.

#include <boost/asio/detail/scheduler.hpp>
#include <boost/asio/io_context.hpp>

#include <type_traits>

#if defined(BOOST_ASIO_HAS_IOCP)
#error "Boost.Tulip's test runner reads the outstanding work of the POSIX scheduler only"
#endif

namespace boost::tulip::test::detail {

static_assert(std::is_same_v<boost::asio::detail::io_context_impl, boost::asio::detail::scheduler>);

struct scheduler_work_member
{
    using type = boost::asio::detail::atomic_count boost::asio::detail::scheduler::*;
    friend type member_of(scheduler_work_member) noexcept;
};

template <class Tag, typename Tag::type Member>
struct expose_member
{
    friend typename Tag::type member_of(Tag) noexcept { return Member; }
};

template struct expose_member<scheduler_work_member,
                              &boost::asio::detail::scheduler::outstanding_work_>;

/// Unfinished work of `ioc`: handlers queued, asynchronous operations started and not
/// completed, work guards and tracked executors alive. Call it between handlers.
inline long outstanding_work(boost::asio::io_context& ioc) noexcept
{
    auto& sched = boost::asio::use_service<boost::asio::detail::scheduler>(ioc);
    return static_cast<long>(sched.*member_of(scheduler_work_member{}));
}

} // namespace boost::tulip::test::detail

#endif
