//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/debug.hpp>

#include <boost/tulip/as_completed.hpp>
#include <boost/tulip/gather.hpp>
#include <boost/tulip/queue.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/task_group.hpp>
#include <boost/tulip/test.hpp>
#include <boost/tulip/wait.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// "  (file:line)", as the tree ends a task's line.
std::string site(const boost::source_location& where)
{
    return std::string("  (") + where.file_name() + ":" + std::to_string(where.line()) + ")";
}

std::string at(const void* p)
{
    std::ostringstream os;
    os << p;
    return os.str();
}

tulip::awaitable<void> get_one(tulip::queue<int>& q)
{
    co_await q.get();
}

tulip::awaitable<void> take_lock(tulip::lock& l)
{
    auto g = co_await l.acquire();
}

tulip::awaitable<void> nap(tulip::duration d)
{
    co_await tulip::sleep(d);
}

tulip::awaitable<void> wait_for_event(tulip::event& e)
{
    co_await e.wait();
}

tulip::awaitable<void> gather_two(tulip::event& go)
{
    std::vector<tulip::awaitable<void>> kids;
    kids.push_back(nap(1500ms));
    kids.push_back(wait_for_event(go));
    co_await tulip::gather(std::move(kids));
}

tulip::awaitable<void> wait_first_of_two(tulip::event& go)
{
    std::vector<tulip::awaitable<void>> kids;
    kids.push_back(nap(5s));
    kids.push_back(wait_for_event(go));
    auto r = co_await tulip::wait(std::move(kids), tulip::return_when::first_completed);
    for (auto& t : r.pending)
        t.cancel();
}

tulip::awaitable<void> structured(tulip::queue<int>& jobs, tulip::lock& mu, tulip::event& go)
{
    auto body = [&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.create_task(get_one(jobs), {.name = "consumer"});
        tg.create_task(gather_two(go), {.name = "gatherer"});
        tg.create_task(wait_first_of_two(go), {.name = "waiter"});
        auto locker = tg.create_task(take_lock(mu), {.name = "locker"});
        co_await locker.wait();
    };
    co_await tulip::with_task_group(body);
}

// Where each unfinished task of the running loop was made, by name, as the tree shows it.
std::map<std::string, std::string> sites()
{
    std::map<std::string, std::string> m;
    for (auto& t : tulip::all_tasks())
        m[t.get_name()] = site(t.created_at());
    return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(task_tree)

BOOST_TULIP_TEST_CASE(task_tree_nests_group_gather_and_wait_children_with_what_each_awaits)
{
    tulip::queue<int> jobs;
    tulip::lock mu;
    tulip::event go;
    auto held = co_await mu.acquire();
    auto main = tulip::create_task(structured(jobs, mu, go), {.name = "main"});
    co_await tulip::sleep(1200ms);

    auto where = sites();
    const std::string expected =
        "task 'test' #1: running" + where["test"] + "\n" +
        "task 'main' #2: awaiting task 'locker'" + where["main"] + "\n" +
        "├── task 'consumer' #3: queue.get on queue@" + at(&jobs) + where["consumer"] + "\n" +
        "├── task 'gatherer' #4: gather of 2 tasks" + where["gatherer"] + "\n" +
        "│   ├── task 'Task-7' #7: sleep (0.3s left)" + where["Task-7"] + "\n" +
        "│   └── task 'Task-8' #8: event.wait on event@" + at(&go) + where["Task-8"] + "\n" +
        "├── task 'waiter' #5: wait first_completed of 2 tasks" + where["waiter"] + "\n" +
        "│   ├── task 'Task-9' #9: sleep (3.8s left)" + where["Task-9"] + "\n" +
        "│   └── task 'Task-10' #10: event.wait on event@" + at(&go) + where["Task-10"] + "\n" +
        "└── task 'locker' #6: lock.acquire on lock@" + at(&mu) + where["locker"] + "\n";
    BOOST_TEST(tulip::format_task_tree() == expected);
    // A child of gather carries the site of the gather call, not one inside Tulip.
    BOOST_TEST(where["Task-7"].find("debug.cpp:") != std::string::npos, where["Task-7"]);
    BOOST_TEST(where["Task-7"] != where["Task-9"]);

    go.set();
    held.release();
    jobs.put_nowait(1);
    co_await main.wait();
}

BOOST_AUTO_TEST_SUITE_END()
