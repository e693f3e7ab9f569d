//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_EXCEPTION_GROUP_HPP
#define BOOST_TULIP_IMPL_EXCEPTION_GROUP_HPP

namespace boost::tulip {

namespace detail {

template <class E>
bool exception_is(const void*, const std::exception_ptr& e)
{
    try {
        std::rethrow_exception(e);
    } catch (const E&) {
        return true;
    } catch (...) {
        return false;
    }
}

template <class Pred>
bool exception_satisfies(const void* ctx, const std::exception_ptr& e)
{
    const Pred& pred = *static_cast<const Pred*>(ctx);
    if constexpr (std::is_invocable_r_v<bool, const Pred&, const std::exception_ptr&>) {
        return static_cast<bool>(pred(e));
    } else {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            return static_cast<bool>(pred(x));
        } catch (...) {
            return false;
        }
    }
}

} // namespace detail

template <class E>
bool exception_group::contains() const
{
    return contains_by(detail::exception_matcher{&detail::exception_is<E>, nullptr});
}

template <class E>
exception_group::split_result exception_group::split() const
{
    if constexpr (std::is_base_of_v<E, exception_group>)
        return {*this, std::nullopt};
    else
        return split_by(detail::exception_matcher{&detail::exception_is<E>, nullptr});
}

template <exception_predicate Pred>
exception_group::split_result exception_group::split(const Pred& pred) const
{
    bool whole;
    if constexpr (std::is_invocable_r_v<bool, const Pred&, const std::exception_ptr&>)
        whole = static_cast<bool>(pred(std::make_exception_ptr(*this)));
    else
        whole = static_cast<bool>(pred(static_cast<const std::exception&>(*this)));
    if (whole)
        return {*this, std::nullopt};
    return split_by(detail::exception_matcher{&detail::exception_satisfies<Pred>, &pred});
}

template <exception_predicate Pred>
std::optional<exception_group> exception_group::subgroup(const Pred& pred) const
{
    return split(pred).first;
}

template <class E>
std::optional<exception_group> exception_group::subgroup() const
{
    return split<E>().first;
}

} // namespace boost::tulip

#endif
