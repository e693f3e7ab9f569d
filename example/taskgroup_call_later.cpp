//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// asyncio's TaskGroup with call_later, in Tulip:
//
//     async with asyncio.TaskGroup() as tg:
//         tg.create_task(worker("a", 0.1))
//         tg.create_task(worker("b", 0.2))
//         loop.call_later(0.15, lambda: tg.create_task(worker("late", 0.1)))
//     print("all done")
//
// In asyncio the call_later callback is not part of the group: if the group has already
// finished when it fires, create_task raises, and its errors go to the loop's exception
// handler. task_group::call_later runs the callback inside the group instead: the group
// waits for it, cancels it when the group stops, and a throwing callback fails the group
// like any child.

#include <boost/tulip.hpp>
#include <boost/tulip/task_group.hpp>

#include <iostream>
#include <stdexcept>
#include <string>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

namespace {

auto since(tulip::clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(tulip::clock::now() - start)
        .count();
}

tulip::awaitable<int> worker(std::string name, tulip::duration work, tulip::clock::time_point start)
{
    std::cout << "[" << since(start) << " ms] " << name << " started\n";
    co_await tulip::sleep(work);
    std::cout << "[" << since(start) << " ms] " << name << " finished\n";
    co_return static_cast<int>(name.size());
}

tulip::awaitable<int> main_task()
{
    const auto start = tulip::clock::now();

    // 1. The seed: two workers, and a third one started later by a timer callback.
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.create_task(worker("a", 100ms, start));
        tg.create_task(worker("b", 200ms, start));
        tg.call_later(150ms, [&, tg]() mutable {
            std::cout << "[" << since(start) << " ms] timer fired\n";
            tg.create_task(worker("late", 100ms, start));
        });
        co_return;
    });
    // The group waited for the timer and for the task it started (about 250 ms).
    std::cout << "[" << since(start) << " ms] all done\n";

    // 2. A callback that throws fails the group: the other children are cancelled and
    //    the error comes out in an exception_group.
    try {
        co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
            tg.create_task(worker("doomed", 1h, start));
            tg.call_later(50ms, [] { throw std::runtime_error("callback failed"); });
            co_return;
        });
    } catch (const tulip::exception_group& eg) {
        std::cout << "[" << since(start) << " ms] caught:\n" << eg.what() << '\n';
    }

    // 3. Stopping a group cancels the timers that have not fired yet.
    bool fired = false;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.call_later(1h, [&] { fired = true; });
        co_await tulip::sleep(10ms);
        tg.cancel();
    });
    std::cout << "[" << since(start) << " ms] stopped group, timer fired: " << std::boolalpha
              << fired << '\n';
    co_return fired ? 1 : 0;
}

} // namespace

int main()
{
    return tulip::run(main_task());
}
