//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_AS_COMPLETED_HPP
#define BOOST_TULIP_AS_COMPLETED_HPP

#include <boost/tulip/detail/combinator.hpp>
#include <boost/tulip/detail/described_wait.hpp>
#include <boost/tulip/future.hpp>
#include <boost/tulip/generator.hpp>
#include <boost/tulip/task.hpp>

#include <boost/assert/source_location.hpp>

#include <cstddef>
#include <deque>
#include <memory>
#include <vector>

namespace boost::tulip {

// tag::outline[]
/** Yields the given tasks as they finish, in completion order (asyncio `as_completed`,
    iterated with `async for` as in Python 3.13, which yields the original tasks).

    @code
    for (auto it = as_completed(std::move(tasks)); auto t = co_await it.next();)
        use(t->result());
    @endcode

    The tasks are not cancelled or awaited by the generator itself: a consumer that stops
    early leaves them running. Awaiting `next()` with every remaining task still running
    suspends until one of them is done; cancelling the consumer then interrupts that wait
    only. A task listed twice is yielded twice.
*/
template <class T>
[[nodiscard]] async_generator<task<T>> as_completed(std::vector<task<T>> tasks);

/** `as_completed` over awaitables (or asynchronous operations of one type, such as
    `tulip::sleep(1s)` with its default token), each scheduled as a task on the running
    loop when `as_completed` is called (asyncio wraps coroutines in tasks at once); the
    generator yields those tasks. `T` is what `co_await` on one child gives.

    @throws no_running_loop (from the call) outside a running loop.
*/
template <detail::awaitable_operation A>
[[nodiscard]] async_generator<task<detail::operation_value_t<A>>>
as_completed(std::vector<A> children, const boost::source_location& where = BOOST_CURRENT_LOCATION);
// end::outline[]

template <detail::awaitable_operation A>
async_generator<task<detail::operation_value_t<A>>>
as_completed(std::vector<A> children, const boost::source_location& where)
{
    return as_completed(detail::to_tasks(children, where));
}

template <class T>
async_generator<task<T>> as_completed(std::vector<task<T>> tasks)
{
    // Done callbacks queue the tasks and wake the generator; they hold this state, not
    // the frame, so a generator closed early leaves nothing dangling.
    struct state
    {
        std::deque<task<T>> ready;
        future<void> wake;
    };
    auto st = std::make_shared<state>();
    std::vector<callback_id> ids;
    ids.reserve(tasks.size());
    for (auto& t : tasks)
        ids.push_back(t.add_done_callback([st](const task<T>& done) {
            st->ready.push_back(done);
            if (st->wake && !st->wake.done())
                st->wake.set_result();
        }));
    struct remove_callbacks
    {
        std::vector<task<T>>& tasks;
        std::vector<callback_id>& ids;
        ~remove_callbacks()
        {
            for (std::size_t i = 0; i < ids.size(); ++i)
                tasks[i].remove_done_callback(ids[i]);
        }
    } guard{tasks, ids};
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        while (st->ready.empty()) {
            st->wake = get_running_loop().create_future<void>();
            co_await detail::wait_described(
                st->wake, detail::children_descs<std::vector<task<T>>>::as_completed, &tasks);
        }
        task<T> t = std::move(st->ready.front());
        st->ready.pop_front();
        co_yield std::move(t);
    }
}

} // namespace boost::tulip

#endif
