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

#include <optional>
#include <string>
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
        case error::incomplete_read:
            // No bytes at hand: an empty partial read, the count unknown.
            throw incomplete_read_error(std::string());
        case error::limit_overrun:
            // No count at hand (readuntil and readline give theirs through their mapper).
            throw limit_overrun_error(ec.message(), 0);
        case error::sendfile_not_available:
            throw sendfile_not_available();
        case error::loop_closed:
        case error::device_gone: // a system_error with the code, as a lost connection's
        case error::server_hostname_required:
            break;
        }
    }
    throw boost::system::system_error(ec);
}

inline void throw_tulip_error(const boost::system::error_code& ec, std::string& partial,
                              std::ptrdiff_t expected)
{
    if (ec == error::incomplete_read)
        throw incomplete_read_error(std::move(partial), expected);
    throw_tulip_error(ec);
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

// The initiation's own error mapper, else the default one (see awaitable_token_t).
template <class Initiation>
auto error_mapper_of(const Initiation& init)
{
    if constexpr (requires { init.error_mapper(); })
        return init.error_mapper();
    else
        return default_error_mapper{};
}

// An initiation may offer, through a const member `with_optional_values()`, a variant of
// itself whose handler takes `(error_code, std::optional<Ts>...)`: on an error it then
// needs no value to pass, so `awaitable_token` serves a `T` that cannot be default
// constructed (queue::get). Other tokens use the initiation as it is.
template <class Initiation>
concept has_optional_values = requires(const Initiation& init)
{
    init.with_optional_values();
};

// An initiation may offer a const member `try_complete(args&...)` returning
// `std::optional<std::tuple<error_code, Vs...>>`: the completion when the operation can
// finish at once (an item in the queue). `awaitable_token` then returns it without
// starting an asynchronous operation, as a coroutine's fast path would.
template <class Signature>
struct completion_tuple;
template <class... Vs>
struct completion_tuple<void(Vs...)>
{
    using type = std::tuple<Vs...>;
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
        // The mapper is taken now: the initiation is moved into the operation.
        auto mapper = boost::tulip::detail::error_mapper_of(init);
        if constexpr (boost::tulip::detail::has_optional_values<std::decay_t<Initiation>>) {
            static_assert(sizeof...(Ts) == 1, "with_optional_values: one value");
            return run<void(boost::system::error_code, std::optional<Ts>...)>(
                init.with_optional_values(), std::move(mapper),
                std::decay_t<Args>(static_cast<Args&&>(args))...);
        } else {
            return run<void(boost::system::error_code, Ts...)>(
                std::decay_t<Initiation>(static_cast<Initiation&&>(init)), std::move(mapper),
                std::decay_t<Args>(static_cast<Args&&>(args))...);
        }
    }

private:
    template <class Signature, class Initiation, class Mapper, class... Args>
    static return_type run(Initiation init, Mapper mapper, Args... args)
    {
        // The operation sees a plain error_code completion; the error becomes the Tulip
        // exception here. The operation object is bound to a local (g++ 12, DESIGN 8).
        std::optional<typename boost::tulip::detail::completion_tuple<Signature>::type> done;
        if constexpr (requires { init.try_complete(args...); })
            done = init.try_complete(args...);
        if (!done) {
            auto op =
                boost::asio::async_initiate<const boost::asio::as_tuple_t<boost::asio::deferred_t>&,
                                            Signature>(std::move(init),
                                                       boost::asio::as_tuple(boost::asio::deferred),
                                                       std::move(args)...);
            auto completed = co_await std::move(op);
            done.emplace(std::move(completed));
        }
        auto& r = *done;
        if (std::get<0>(r)) {
            std::apply(
                [&mapper](const boost::system::error_code& ec, auto&... v) { mapper(ec, v...); },
                r);
            // A mapper that returned did not do its job: the code still becomes an error.
            boost::tulip::throw_tulip_error(std::get<0>(r));
        }
        if constexpr (sizeof...(Ts) == 1) {
            if constexpr (std::is_same_v<Signature, void(boost::system::error_code, Ts...)>)
                co_return std::move(std::get<1>(r));
            else
                co_return std::move(*std::get<1>(r)); // with_optional_values
        } else if constexpr (sizeof...(Ts) > 1)
            co_return std::apply([](const boost::system::error_code&,
                                    auto&... v) { return value_type(std::move(v)...); },
                                 r);
    }
};

} // namespace boost::asio

#endif
