//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_AWAITABLE_TOKEN_HPP
#define BOOST_TULIP_IMPL_AWAITABLE_TOKEN_HPP

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <type_traits>
#include <utility>

namespace boost::tulip {

inline void throw_tulip_error(const boost::system::error_code& ec)
{
    if (ec.category() == tulip_category()) {
        switch (static_cast<error>(ec.value())) {
        case error::queue_shut_down:
            throw queue_shut_down();
        case error::broken_barrier:
            throw broken_barrier_error();
        case error::invalid_state:
            throw invalid_state_error(ec.message());
        case error::timeout:
            throw timeout_error();
        case error::loop_closed:
            break;
        }
    }
    throw boost::system::system_error(ec);
}

namespace detail {

template <class... Ts>
struct awaitable_token_value
{
    using type = std::tuple<Ts...>;
};
template <>
struct awaitable_token_value<>
{
    using type = void;
};
template <class T>
struct awaitable_token_value<T>
{
    using type = T;
};

} // namespace detail
} // namespace boost::tulip

namespace boost::asio {

template <class... Ts>
class async_result<boost::tulip::awaitable_token_t, void(boost::system::error_code, Ts...)>
{
public:
    using value_type = typename boost::tulip::detail::awaitable_token_value<Ts...>::type;
    using return_type = boost::asio::awaitable<value_type>;

    template <class Initiation, class RawToken, class... Args>
    static return_type initiate(Initiation&& init, RawToken&&, Args&&... args)
    {
        return run(std::decay_t<Initiation>(static_cast<Initiation&&>(init)),
                   std::decay_t<Args>(static_cast<Args&&>(args))...);
    }

private:
    template <class Initiation, class... Args>
    static return_type run(Initiation init, Args... args)
    {
        // The operation sees a plain error_code completion; the error becomes the Tulip
        // exception here. The operation object is bound to a local (g++ 12, DESIGN 8).
        auto op =
            boost::asio::async_initiate<const boost::asio::as_tuple_t<boost::asio::deferred_t>&,
                                        void(boost::system::error_code, Ts...)>(
                std::move(init), boost::asio::as_tuple(boost::asio::deferred), std::move(args)...);
        auto r = co_await std::move(op);
        if (std::get<0>(r))
            boost::tulip::throw_tulip_error(std::get<0>(r));
        if constexpr (sizeof...(Ts) == 1)
            co_return std::move(std::get<1>(r));
        else if constexpr (sizeof...(Ts) > 1)
            co_return std::apply([](const boost::system::error_code&,
                                    Ts&... v) { return value_type(std::move(v)...); },
                                 r);
    }
};

} // namespace boost::asio

#endif
