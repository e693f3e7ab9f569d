//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/debug.hpp>

#include <boost/tulip/task.hpp>

#include <iostream>
#include <set>
#include <sstream>

namespace boost::tulip {

namespace {

using detail::future_base;
using detail::task_base;

std::string what_it_awaits(const task_base& t, const std::set<const future_base*>& tasks)
{
    if (detail::current.task == &t)
        return "running";
    if (t.steps == 0)
        return "scheduled, not started";
    if (t.awaiting_future) {
        if (t.awaiting_future->is_task()) {
            auto& other = static_cast<const task_base&>(*t.awaiting_future);
            return "awaiting task '" + other.name() + "'" +
                   (tasks.count(&other) ? "" : " (finished)");
        }
        return "awaiting a future";
    }
    if (t.awaiting)
        return std::string("awaiting ") + t.awaiting;
    return "awaiting an Asio operation";
}

void draw(std::ostream& os, const task_base& t, const std::set<const future_base*>& tasks,
          std::set<const task_base*>& shown, const std::string& indent, bool child)
{
    os << indent << (child ? "└── " : "") << "task '" << t.name() << "' #" << t.number;
    if (t.cancelling() > 0)
        os << " [cancelling]";
    os << ": " << what_it_awaits(t, tasks);
    if (!shown.insert(&t).second) {
        os << " (shown above)\n";
        return;
    }
    if (t.created_at().line() != 0)
        os << "  (" << t.created_at().file_name() << ':' << t.created_at().line() << ')';
    os << '\n';
    if (t.awaiting_future && t.awaiting_future->is_task() && tasks.count(t.awaiting_future))
        draw(os, static_cast<const task_base&>(*t.awaiting_future), tasks, shown,
             child ? indent + "    " : indent, true);
}

} // namespace

std::string format_task_tree(event_loop& loop)
{
    auto list = detail::loop_tasks(loop).unfinished();
    std::set<const future_base*> tasks(list.begin(), list.end());
    std::set<const future_base*> awaited;
    for (auto* f : list)
        if (auto* a = static_cast<task_base*>(f)->awaiting_future; a && tasks.count(a))
            awaited.insert(a);
    std::ostringstream os;
    std::set<const task_base*> shown;
    // Roots are the tasks no one awaits; oldest first.
    for (auto it = list.rbegin(); it != list.rend(); ++it)
        if (!awaited.count(*it))
            draw(os, static_cast<const task_base&>(**it), tasks, shown, "", false);
    for (auto it = list.rbegin(); it != list.rend(); ++it) // cycles of awaits
        if (!shown.count(static_cast<const task_base*>(*it)))
            draw(os, static_cast<const task_base&>(**it), tasks, shown, "", false);
    if (list.empty())
        os << "(no tasks)\n";
    return os.str();
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
