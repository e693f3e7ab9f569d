//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_EXCEPTION_GROUP_HPP
#define BOOST_TULIP_EXCEPTION_GROUP_HPP

#include <boost/tulip/detail/config.hpp>

#include <concepts>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace boost::tulip {

class exception_group;

namespace detail {
// A type-erased test on one stored exception (leaf or nested group), so that the
// recursive walk lives in the compiled library.
struct exception_matcher
{
    bool (*fn)(const void* ctx, const std::exception_ptr& e);
    const void* ctx;

    bool operator()(const std::exception_ptr& e) const { return fn(ctx, e); }
};
} // namespace detail

// tag::outline[]
/// A predicate for `exception_group::subgroup` and `split`: called with the
/// `std::exception_ptr` of each exception, or with the exception itself as
/// `const std::exception&` (exceptions that are not `std::exception`s never match the
/// second form).
template <class P>
concept exception_predicate = std::is_invocable_r_v<bool, const P&, const std::exception_ptr&> ||
    std::is_invocable_r_v<bool, const P&, const std::exception&>;

/// Several exceptions raised together (Python's ExceptionGroup, PEP 654): a message and
/// a non-empty list of exceptions, each of which may itself be an `exception_group`.
///
/// `with_task_group` throws one holding every non-cancellation error of the group. C++
/// has no `except*`: use `contains<E>()` to test, `split<E>()` / `subgroup(pred)` to take
/// the part you handle and rethrow the rest. Copies share the same immutable contents
/// (copying never throws).
class exception_group : public std::exception
{
public:
    /// The result of `split`: the matching part and the rest, each empty if nothing is
    /// left for it.
    using split_result = std::pair<std::optional<exception_group>, std::optional<exception_group>>;

    /// Throws `std::invalid_argument` if `exceptions` is empty or holds a null pointer.
    exception_group(std::string message, std::vector<std::exception_ptr> exceptions);

    /// The message given at construction.
    const std::string& message() const noexcept;

    /// The exceptions, in the order given (nested groups stay groups).
    const std::vector<std::exception_ptr>& exceptions() const noexcept;

    /// The message, the number of exceptions, then one line per exception (its type and
    /// `what()`), nested groups indented under their own header line.
    const char* what() const noexcept override;

    /// True if any exception in the tree (leaves and nested groups, at any depth) is an
    /// `E` (a `catch (const E&)` would catch it).
    template <class E>
    bool contains() const;

    /// Splits by type (PEP 654 `split(type)`): `first` holds the exceptions that are an
    /// `E`, `second` the others; nesting and messages are preserved, and an empty side is
    /// `std::nullopt`. If this group itself is an `E` (e.g. `E` is `std::exception`), the
    /// whole group matches.
    template <class E>
    split_result split() const;

    /// Splits by predicate. `pred` is called on this group first (the whole group matches
    /// if it returns true), then on each nested group and each leaf.
    template <exception_predicate Pred>
    split_result split(const Pred& pred) const;

    /// The part of the tree for which `pred` holds (PEP 654 `subgroup`), or `std::nullopt`.
    template <exception_predicate Pred>
    std::optional<exception_group> subgroup(const Pred& pred) const;

    /// The part of the tree whose exceptions are an `E`, or `std::nullopt`.
    template <class E>
    std::optional<exception_group> subgroup() const;

    /// A group with this group's message and other exceptions (PEP 654 `derive`), used by
    /// `split` and `subgroup` to rebuild each level.
    exception_group derive(std::vector<std::exception_ptr> exceptions) const;

private:
    struct data;

    split_result split_by(detail::exception_matcher m) const;
    bool contains_by(detail::exception_matcher m) const;

    std::shared_ptr<const data> data_;
};
// end::outline[]

} // namespace boost::tulip

#include <boost/tulip/impl/exception_group.hpp>

#endif
