//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Another thread hands coroutines to a running loop (asyncio's run_coroutine_threadsafe):
//
//     def worker(loop):
//         fut = asyncio.run_coroutine_threadsafe(lookup('tulip'), loop)
//         print(fut.result())                  # blocks this thread only
//         slow = asyncio.run_coroutine_threadsafe(asyncio.sleep(3600), loop)
//         try:
//             slow.result(timeout=0.05)
//         except TimeoutError:
//             slow.cancel()                    # the task stops on the loop
//         loop.call_soon_threadsafe(done.set)
//
// The loop runs in main(); a plain std::thread (a GUI thread, a device callback) is the
// other side.

#include <boost/tulip.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

namespace {

tulip::awaitable<std::string> lookup(std::string name)
{
    co_await tulip::sleep(20ms); // stands for a network round trip
    co_return name + " -> 42";
}

tulip::awaitable<void> forever(bool& stopped)
{
    struct on_exit
    {
        bool& flag;
        ~on_exit() { flag = true; }
    } guard{stopped};
    co_await tulip::sleep(1h);
}

} // namespace

int main()
{
    tulip::runner r;
    tulip::event_loop& loop = r.get_loop();
    tulip::event done;
    bool slow_stopped = false; // written on the loop's thread only
    int status = 0;

    std::thread worker([&] {
        // Queued until the loop runs: the loop need not be running yet.
        auto f = tulip::run_coroutine_threadsafe(lookup("tulip"), loop);
        std::cout << "worker got: " << f.get() << '\n';

        auto slow = tulip::run_coroutine_threadsafe(forever(slow_stopped), loop);
        if (!slow.wait_for(50ms)) {
            slow.cancel();
            std::cout << "worker cancelled the slow one\n";
        }
        slow.add_done_callback([](tulip::concurrent_future<void>& s) {
            std::cout << "done callback on the loop's thread, cancelled: " << s.cancelled() << '\n';
        });
        loop.call_soon_threadsafe([&done] { done.set(); });
    });

    auto main_task = [&]() -> tulip::awaitable<void> {
        co_await done.wait();
        co_await tulip::sleep(10ms); // the cancelled task ends on this loop
        if (!slow_stopped)
            status = 1;
        std::cout << "slow task stopped: " << slow_stopped << '\n';
    };
    r.run(main_task());
    worker.join();
    r.close();
    return status;
}
