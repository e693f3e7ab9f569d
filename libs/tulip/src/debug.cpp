//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/debug.hpp>

#include <boost/tulip/task.hpp>

#include <boost/core/demangle.hpp>

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <typeinfo>
#include <vector>

namespace boost::tulip {

namespace detail {

std::string format_seconds(duration d)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", std::chrono::duration<double>(d).count());
    std::string s(buf);
    // 0.300 -> 0.3, 2.000 -> 2: the virtual clock gives round figures.
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.')
        s.pop_back();
    return s + "s";
}

void report_if_slow(event_loop& loop, clock::time_point start, const std::type_info& node_type)
{
    const duration took = loop.time() - start;
    if (took <= loop.slow_callback_duration())
        return;
    // The node is callback_node_impl<F>: name F, the callable.
    std::string name = boost::core::demangle(node_type.name());
    if (auto open = name.find('<'), close = name.rfind('>');
        open != std::string::npos && close != std::string::npos && close > open)
        name = name.substr(open + 1, close - open - 1);
    std::ostringstream os;
    os << "Executing callback " << name << " took " << std::fixed << std::setprecision(3)
       << std::chrono::duration<double>(took).count() << " seconds";
    loop.call_exception_handler({os.str(), nullptr, {}});
}

} // namespace detail

namespace {

using detail::await_kind;
using detail::future_base;
using detail::task_base;

std::string address_of(const void* p)
{
    std::ostringstream os;
    os << p;
    return os.str();
}

// The tree's view of the loop's unfinished tasks: who is drawn beneath whom.
class task_graph
{
public:
    explicit task_graph(event_loop& loop)
        : loop_(loop)
    {
        auto list = detail::loop_tasks(loop).unfinished();
        for (auto it = list.rbegin(); it != list.rend(); ++it) // oldest first
            tasks_.push_back(*it);
        live_.insert(tasks_.begin(), tasks_.end());
        for (const task_base* t : tasks_) {
            // A task made by a task group, gather or wait sits beneath the task that made
            // it while both are unfinished. The creator is older: a newer task at the same
            // address is another task.
            if (const task_base* p = t->parent; p && live_.count(p) && p->number < t->number)
                add_child(p, t);
            // Only unfinished tasks are looked into: a finished one may be gone.
            for (const future_base* f : awaited_by(*t))
                if (live_.count(f))
                    add_child(t, static_cast<const task_base*>(f));
        }
        for (auto& [parent, kids] : children_)
            std::sort(kids.begin(), kids.end(),
                      [](const task_base* a, const task_base* b) { return a->number < b->number; });
    }

    std::string draw()
    {
        std::ostringstream os;
        if (tasks_.empty())
            os << "(no tasks)\n";
        for (const task_base* t : tasks_) // roots: the tasks no other task holds
            if (!held_.count(t))
                draw(os, *t, "", "");
        for (const task_base* t : tasks_) // cycles of awaits
            if (!shown_.count(t))
                draw(os, *t, "", "");
        return os.str();
    }

private:
    // The futures `t` waits for, as far as its record says.
    static std::vector<const future_base*> awaited_by(const task_base& t)
    {
        std::vector<const future_base*> out;
        const detail::await_desc* d = t.awaiting.desc;
        if (!d || detail::current.task == &t || !t.started)
            return out;
        if (d->kind == await_kind::future || d->kind == await_kind::shield)
            out.push_back(static_cast<const future_base*>(t.awaiting.object));
        else if (d->kind == await_kind::children && d->children)
            d->children(t.awaiting.object, out);
        return out;
    }

    void add_child(const task_base* parent, const task_base* child)
    {
        auto& kids = children_[parent];
        if (std::find(kids.begin(), kids.end(), child) == kids.end())
            kids.push_back(child);
        held_.insert(child);
    }

    std::string task_label(const future_base& f) const
    {
        if (live_.count(&f))
            return "task '" + static_cast<const task_base&>(f).name() + "'";
        // Done: the awaiter's handle keeps it until the awaiter resumes.
        if (!f.is_task())
            return "a future";
        return "task '" + static_cast<const task_base&>(f).name() + "' (finished)";
    }

    std::string what_it_awaits(const task_base& t) const
    {
        if (detail::current.task == &t)
            return "running";
        if (!t.started)
            return "scheduled, not started";
        const detail::await_desc* d = t.awaiting.desc;
        if (!d)
            return "awaiting an Asio operation";
        const void* obj = t.awaiting.object;
        switch (d->kind) {
        case await_kind::plain:
            return d->what;
        case await_kind::future:
            return "awaiting " + task_label(*static_cast<const future_base*>(obj));
        case await_kind::shield:
            return "awaiting " + task_label(*static_cast<const future_base*>(obj)) + " (shielded)";
        case await_kind::deadline: {
            const clock::time_point when{duration(t.awaiting.value)};
            const duration left = when - loop_.time();
            return std::string(d->what) + (left > duration::zero()
                                               ? " (" + detail::format_seconds(left) + " left)"
                                               : " (due)");
        }
        case await_kind::object:
            return std::string(d->what) + " on " + d->object_type + "@" + address_of(obj);
        case await_kind::children: {
            std::vector<const future_base*> kids;
            if (d->children)
                d->children(obj, kids);
            const auto done = std::count_if(kids.begin(), kids.end(),
                                            [](const future_base* f) { return f->done(); });
            return std::string(d->what) + " of " + std::to_string(kids.size()) +
                   (kids.size() == 1 ? " task" : " tasks") +
                   (done ? " (" + std::to_string(done) + " done)" : "");
        }
        case await_kind::custom: {
            std::string s = d->what;
            if (d->format)
                d->format(s, obj);
            return s;
        }
        }
        return d->what;
    }

    // `first`: the prefix of the task's own line; `rest`: of the lines beneath it.
    void draw(std::ostream& os, const task_base& t, const std::string& first,
              const std::string& rest)
    {
        os << first << "task '" << t.name() << "' #" << t.number;
        if (t.cancelling() > 0)
            os << " [cancelling]";
        os << ": " << what_it_awaits(t);
        if (!shown_.insert(&t).second) {
            os << " (shown above)\n";
            return;
        }
        if (t.created_at().line() != 0)
            os << "  (" << t.created_at().file_name() << ':' << t.created_at().line() << ')';
        os << '\n';
        auto it = children_.find(&t);
        if (it == children_.end())
            return;
        const auto kids = it->second;
        for (std::size_t i = 0; i < kids.size(); ++i) {
            const bool last = i + 1 == kids.size();
            draw(os, *kids[i], rest + (last ? "└── " : "├── "), rest + (last ? "    " : "│   "));
        }
    }

    event_loop& loop_;
    std::vector<const task_base*> tasks_;
    std::set<const future_base*> live_;
    std::map<const task_base*, std::vector<const task_base*>> children_;
    std::set<const task_base*> held_;
    std::set<const task_base*> shown_;
};

} // namespace

std::string format_task_tree(event_loop& loop)
{
    return task_graph(loop).draw();
}

std::string format_task_tree()
{
    return format_task_tree(get_running_loop());
}

void print_task_tree(event_loop& loop, std::ostream& os)
{
    os << format_task_tree(loop);
}

void print_task_tree()
{
    print_task_tree(get_running_loop(), std::cerr);
}

} // namespace boost::tulip
