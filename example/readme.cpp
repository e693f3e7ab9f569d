//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The README's example, built and run by the tests so that it stays true.

#include <boost/tulip.hpp>
#include <iostream>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

tulip::awaitable<void> worker(tulip::queue<int>& jobs, int& total)
{
    for (;;) {
        int job = co_await jobs.get();    // waits while the queue is empty
        co_await tulip::sleep(job * 1ms); // the work
        total += job;
        jobs.task_done();
    }
}

tulip::awaitable<int> main_task()
{
    tulip::queue<int> jobs(4); // bounded: put() waits while full
    int total = 0;
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        for (int i = 0; i < 3; ++i)
            tg.create_task(worker(jobs, total), {.name = "worker"});
        for (int job = 1; job <= 10; ++job)
            co_await jobs.put(job);
        co_await jobs.join(); // every job is done
        tg.cancel();          // stops the workers, no error
    });
    auto late = co_await tulip::move_on_after(50ms, tulip::sleep(1h));
    std::cout << "total " << total << (late ? ", late" : ", gave up waiting") << '\n';
    co_return total;
}

int main()
{
    return tulip::run(main_task()) == 55 ? 0 : 1;
}
