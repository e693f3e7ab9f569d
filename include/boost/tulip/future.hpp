//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_FUTURE_HPP
#define BOOST_TULIP_FUTURE_HPP

#include <boost/tulip/event_loop.hpp>

#include <boost/tulip/detail/handle_base.hpp>

namespace boost::tulip {

// tag::outline[]
/** A result that will be set later, by code that is not a coroutine (asyncio.Future).

    For wrapping callback APIs: create it with `loop.create_future<T>()`, hand it to the
    callback, and `co_await fut.wait()`. Handles are shared: copies refer to one state.
    A handle belongs to its loop's thread.
*/
template <class T = void>
class future : public detail::handle_base<T, detail::future_state<T>, future<T>>
{
public:
    /// An empty handle.
    future() noexcept = default;
    /// A pending future on `loop`.
    explicit future(event_loop& loop);

    /// Sets the result and wakes the waiters. @throws invalid_state_error if done.
    template <class U = T>
        requires(!std::is_void_v<T> && std::constructible_from<T, U&&>)
    void set_result(U&& value);
    /// Marks a `future<void>` finished. @throws invalid_state_error if done.
    void set_result() requires std::is_void_v<T>;
    /// Sets the exception. @throws invalid_state_error if done.
    void set_exception(std::exception_ptr e);

    /// Cancels it (waiters receive `cancelled_error(msg)`); false if already done.
    bool cancel(std::string msg = {});
    // end::outline[]

private:
    using base = detail::handle_base<T, detail::future_state<T>, future<T>>;
    friend base;
    explicit future(boost::intrusive_ptr<detail::future_base> st) noexcept
        : base(std::move(st))
    {}
    // tag::outline[]
};
// end::outline[]

template <class T>
future<T>::future(event_loop& loop)
    : base(boost::intrusive_ptr<detail::future_base>(new detail::future_state<T>(loop)))
{}

template <class T>
template <class U>
    requires(!std::is_void_v<T> && std::constructible_from<T, U&&>)
void future<T>::set_result(U&& value)
{
    auto& s = this->state();
    if (s.done())
        throw invalid_state_error("future::set_result: the future is already done");
    s.value.emplace(static_cast<U&&>(value));
    s.set_finished();
}

template <class T>
void future<T>::set_result() requires std::is_void_v<T>
{
    this->st_->set_finished();
}

template <class T>
void future<T>::set_exception(std::exception_ptr e)
{
    this->st_->set_exception(std::move(e));
}

template <class T>
bool future<T>::cancel(std::string msg)
{
    return this->st_->cancel(std::move(msg));
}

template <class T>
future<T> event_loop::create_future()
{
    return future<T>(*this);
}

} // namespace boost::tulip

#endif
