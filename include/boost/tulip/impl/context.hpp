//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_CONTEXT_HPP
#define BOOST_TULIP_IMPL_CONTEXT_HPP

#include <stdexcept>

namespace boost::tulip {

namespace detail {
context& thread_default_context() noexcept;
} // namespace detail

inline context& context::current() noexcept
{
    if (auto* c = detail::current.ctx)
        return *c;
    return detail::thread_default_context();
}

template <class F, class... Args>
decltype(auto) context::run(F&& f, Args&&... args)
{
    if (entered_)
        throw invalid_state_error("context::run: this context is already entered");
    struct guard
    {
        context* self;
        context* saved;
        ~guard()
        {
            self->entered_ = false;
            detail::current.ctx = saved;
        }
    } g{this, detail::current.ctx};
    entered_ = true;
    detail::current.ctx = this;
    return std::invoke(static_cast<F&&>(f), static_cast<Args&&>(args)...);
}

template <class T>
bool context::contains(const context_var<T>& var) const noexcept
{
    return var.lookup(data_.get()) != nullptr;
}

template <class T>
T context::get(const context_var<T>& var) const
{
    if (const T* v = var.lookup(data_.get()))
        return *v;
    throw lookup_error("context has no value for context_var '" + var.name() + "'");
}

template <class T>
std::optional<T> token<T>::old_value() const
{
    if (!old_)
        return std::nullopt;
    return static_cast<const detail::context_value_of<T>&>(*old_).value;
}

template <class T>
context_var<T>::context_var(std::string name)
    : name_(std::move(name))
    , id_(detail::next_unique_id())
{}

template <class T>
context_var<T>::context_var(std::string name, T default_value)
    : name_(std::move(name))
    , default_(std::move(default_value))
    , id_(detail::next_unique_id())
{}

template <class T>
const T* context_var<T>::lookup(const detail::context_data* d) const noexcept
{
    if (!d)
        return nullptr;
    auto& cache = detail::lookup_cache;
    const detail::context_value* v;
    if (cache.uid == d->uid && cache.var == id_) {
        v = cache.value;
    } else {
        v = detail::find_value(*d, id_);
        cache = {d->uid, id_, v};
    }
    return v ? &static_cast<const detail::context_value_of<T>*>(v)->value : nullptr;
}

template <class T>
T context_var<T>::get() const
{
    if (const T* v = lookup(context::current().data_.get()))
        return *v;
    if (default_)
        return *default_;
    throw lookup_error("context_var '" + name_ + "' has no value and no default");
}

template <class T>
T context_var<T>::get(T fallback) const
{
    if (const T* v = lookup(context::current().data_.get()))
        return *v;
    return fallback;
}

template <class T>
token<T> context_var<T>::set(T value)
{
    context& c = context::current();
    detail::context_value_ptr old;
    auto* v = new detail::context_value_of<T>(std::move(value));
    v->refs.store(1, std::memory_order_relaxed); // adopted below: no atomic increment
    detail::rebind(c.data_, id_, detail::context_value_ptr(v, false), &old);
    return token<T>(this, c.identity(), std::move(old));
}

template <class T>
void context_var<T>::reset(token<T>& tok)
{
    if (tok.used_)
        throw invalid_state_error("context_var '" + name_ + "': token has already been used");
    if (tok.var_ != this)
        throw std::invalid_argument("context_var '" + name_ +
                                    "': token was created by a different context_var");
    context& c = context::current();
    if (tok.ctx_id_ != c.identity())
        throw std::invalid_argument("context_var '" + name_ +
                                    "': token was created in a different context");
    detail::rebind(c.data_, id_, tok.old_);
    tok.used_ = true;
}

} // namespace boost::tulip

#endif
