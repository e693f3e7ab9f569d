//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_CONTEXT_HPP
#define BOOST_TULIP_CONTEXT_HPP

#include <boost/tulip/detail/config.hpp>

#include <boost/tulip/detail/context_data.hpp>
#include <boost/tulip/detail/thread_state.hpp>
#include <boost/tulip/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace boost::tulip {

template <class T>
class context_var;

// tag::outline[]
/** A mapping of context variables to values (PEP 567 `contextvars.Context`).

    Copying a context is O(1): the copy shares the mapping, and a later `set` in
    either one replaces only that one's mapping. Each task runs in its own context,
    copied from its creator's at creation; loop callbacks run in the context that was
    current when they were scheduled.
*/
class context
{
public:
    /// An empty context.
    context() noexcept = default;
    /// A new context with the same mapping (PEP 567 `Context.copy()`).
    context(const context& other) noexcept
        : data_(other.data_)
    {}
    context& operator=(const context& other) noexcept
    {
        data_ = other.data_;
        id_ = 0;
        return *this;
    }
    context(context&& other) noexcept
        : data_(std::move(other.data_))
        , id_(other.id_)
    {
        other.id_ = 0;
    }
    context& operator=(context&& other) noexcept
    {
        data_ = std::move(other.data_);
        id_ = std::exchange(other.id_, 0);
        return *this;
    }

    /** Calls `f(args...)` with this context as the current one and returns its result.
        @throws invalid_state_error if this context is already entered (by `run`).
    */
    template <class F, class... Args>
    decltype(auto) run(F&& f, Args&&... args);

    /// A new context with the same mapping.
    context copy() const noexcept { return *this; }

    /// Whether `var` has a value in this context.
    template <class T>
    bool contains(const context_var<T>& var) const noexcept;

    /// The value of `var` in this context. @throws lookup_error if it has none.
    template <class T>
    T get(const context_var<T>& var) const;

    /// The number of variables with a value in this context.
    std::size_t size() const noexcept { return data_ ? data_->entries.size() : 0; }

    /// The context current on this thread (the running task's, or the thread's own).
    static context& current() noexcept;
    // end::outline[]

private:
    template <class T>
    friend class context_var;

    std::uint64_t identity() noexcept;

    detail::context_data_ptr data_;
    std::uint64_t id_ = 0; // drawn lazily: only tokens need a context's identity
    bool entered_ = false;
};

// tag::outline[]
/// The current context's copy (PEP 567 `contextvars.copy_context()`), O(1).
context copy_context() noexcept;

/** The object `context_var::set` returns, to undo that `set` with `reset`.

    A token can be used once, in the context where it was made.
*/
template <class T>
class token
{
public:
    token(token&&) noexcept = default;
    token& operator=(token&&) noexcept = default;
    token(const token&) = delete;
    token& operator=(const token&) = delete;

    /// The variable this token was made for.
    const context_var<T>& var() const noexcept { return *var_; }
    /// The value the variable had before the `set`, or empty if it had none.
    std::optional<T> old_value() const;
    /// Whether `reset` has already used this token.
    bool used() const noexcept { return used_; }
    // end::outline[]

private:
    friend class context_var<T>;
    token(const context_var<T>* v, std::uint64_t ctx, detail::context_value_ptr old)
        : var_(v)
        , ctx_id_(ctx)
        , old_(std::move(old))
    {}

    const context_var<T>* var_;
    std::uint64_t ctx_id_;
    detail::context_value_ptr old_;
    bool used_ = false;
};

// tag::outline[]
/** A context variable (PEP 567 `contextvars.ContextVar`).

    Declare it at namespace scope; its value depends on the current context, so each
    task sees its own. `T` must be copyable.
*/
template <class T>
class context_var
{
public:
    /// A variable with no default: `get()` throws `lookup_error` until it is set.
    explicit context_var(std::string name);
    /// A variable whose `get()` returns `default_value` until it is set.
    context_var(std::string name, T default_value);

    context_var(const context_var&) = delete;
    context_var& operator=(const context_var&) = delete;

    const std::string& name() const noexcept { return name_; }

    /// The value in the current context, else the default. @throws lookup_error if neither.
    T get() const;
    /// The value in the current context, else `fallback` (the default is not consulted).
    T get(T fallback) const;

    /// Sets the value in the current context. O(number of variables set in it).
    [[nodiscard("keep the token to reset the variable")]] token<T> set(T value);

    /** Restores the value the variable had before the `set` that made `tok`.
        @throws invalid_state_error if `tok` was already used.
        @throws std::invalid_argument if `tok` was made by another variable or in
                another context.
    */
    void reset(token<T>& tok);
    // end::outline[]

private:
    friend class context;
    const T* lookup(const detail::context_data* d) const noexcept;

    std::string name_;
    std::optional<T> default_;
    std::uint64_t id_;
};

} // namespace boost::tulip

#include <boost/tulip/impl/context.hpp>

#endif
