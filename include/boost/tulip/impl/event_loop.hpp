//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_EVENT_LOOP_HPP
#define BOOST_TULIP_IMPL_EVENT_LOOP_HPP

#include <type_traits>

namespace boost::tulip {

inline clock::time_point event_loop::time() const noexcept
{
    return timers_.now();
}

namespace detail {
// clock::now() in code that no task or loop callback runs (plain Asio code): the time of
// the loop running on this thread when it has a virtual clock, else steady time.
clock::time_point time_outside_loop_code() noexcept;
} // namespace detail

inline clock::time_point clock::now() noexcept
{
    if (auto* l = detail::current.loop)
        return l->time();
    return detail::time_outside_loop_code();
}

namespace detail {
template <class F>
callback_node* make_callback_node(event_loop& loop, F&& f,
                                  std::optional<boost::tulip::context>& ctx)
{
    auto* n = new callback_node_impl<std::decay_t<F>>(static_cast<F&&>(f));
    n->loop = &loop;
    n->ctx = ctx ? std::move(*ctx) : copy_context();
    return n;
}
} // namespace detail

template <class F>
handle event_loop::call_soon(F&& f, std::optional<boost::tulip::context> ctx)
{
    return schedule_soon(detail::make_callback_node(*this, static_cast<F&&>(f), ctx));
}

template <class F>
handle event_loop::call_soon_threadsafe(F&& f, std::optional<boost::tulip::context> ctx)
{
    return schedule_soon_threadsafe(detail::make_callback_node(*this, static_cast<F&&>(f), ctx));
}

template <class F>
timer_handle event_loop::call_later(duration delay, F&& f, std::optional<boost::tulip::context> ctx)
{
    return call_at(time() + delay, static_cast<F&&>(f), std::move(ctx));
}

template <class F>
timer_handle event_loop::call_at(clock::time_point when, F&& f,
                                 std::optional<boost::tulip::context> ctx)
{
    return schedule_at(when, detail::make_callback_node(*this, static_cast<F&&>(f), ctx));
}

template <class F>
void event_loop::add_signal_handler(int signum, F&& f)
{
    add_signal_handler_impl(signum, std::function<void()>(static_cast<F&&>(f)));
}

template <class F>
handle call_soon(F&& f, std::optional<boost::tulip::context> ctx)
{
    return get_running_loop().call_soon(static_cast<F&&>(f), std::move(ctx));
}

template <class F>
handle call_soon_threadsafe(event_loop& loop, F&& f, std::optional<boost::tulip::context> ctx)
{
    return loop.call_soon_threadsafe(static_cast<F&&>(f), std::move(ctx));
}

template <class F>
timer_handle call_later(duration delay, F&& f, std::optional<boost::tulip::context> ctx)
{
    return get_running_loop().call_later(delay, static_cast<F&&>(f), std::move(ctx));
}

template <class F>
timer_handle call_at(clock::time_point when, F&& f, std::optional<boost::tulip::context> ctx)
{
    return get_running_loop().call_at(when, static_cast<F&&>(f), std::move(ctx));
}

} // namespace boost::tulip

#endif
