//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/detail/task_registry.hpp>

#include <boost/tulip/detail/task_base.hpp>

namespace boost::tulip::detail {

std::uint64_t task_registry::add(task_base& t) noexcept
{
    t.number = ++created_;
    t.link(tasks_);
    ++count_;
    return t.number;
}

void task_registry::remove(task_base& t) noexcept
{
    t.unlink(tasks_);
    --count_;
}

std::vector<task_base*> task_registry::unfinished() const
{
    std::vector<task_base*> v;
    v.reserve(count_);
    for (future_base* t = tasks_; t; t = t->next_)
        v.push_back(static_cast<task_base*>(t));
    return v;
}

void task_registry::add_unretrieved(future_base& f) noexcept
{
    f.link(unretrieved_);
    f.in_unretrieved_ = true;
}

void task_registry::remove_unretrieved(future_base& f) noexcept
{
    if (!f.in_unretrieved_)
        return;
    f.in_unretrieved_ = false;
    f.unlink(unretrieved_);
}

void task_registry::forget_loop() noexcept
{
    for (auto* head : {&tasks_, &unretrieved_}) {
        while (future_base* f = *head) {
            *head = f->next_;
            f->prev_ = f->next_ = nullptr;
            f->in_unretrieved_ = false;
            f->loop_ = nullptr;
        }
    }
    count_ = 0;
}

} // namespace boost::tulip::detail
