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

#include <boost/tulip/detail/described_wait.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
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

tulip::awaitable<void> fail_soon()
{
    co_await tulip::sleep(10ms);
    throw std::runtime_error("child failed");
}

tulip::awaitable<void> gather_one_failing()
{
    std::vector<tulip::awaitable<void>> kids;
    kids.push_back(nap(5s));
    kids.push_back(fail_soon());
    co_await tulip::gather(std::move(kids));
}

tulip::awaitable<void> consume(std::vector<tulip::task<void>> tasks)
{
    auto it = tulip::as_completed(std::move(tasks));
    for (;;) {
        auto t = co_await it.next();
        if (!t)
            break;
    }
}

tulip::awaitable<void> shielded(tulip::task<void> t)
{
    co_await tulip::shield(std::move(t));
}

// What an I/O object of a library built on Tulip would show: the peer it reads from.
void describe_peer(std::string& out, const void* peer)
{
    out += ' ';
    out += *static_cast<const std::string*>(peer);
}

constexpr tulip::detail::await_desc awaiting_read{"reading", tulip::detail::await_kind::custom,
                                                  nullptr, &describe_peer};

tulip::awaitable<void> read_from(const std::string& peer, tulip::future<void> data)
{
    co_await tulip::detail::wait_described(data, awaiting_read, &peer);
}

// Restores the loop's exception handler (the test runner's) when a case is done with
// its own.
struct handler_guard
{
    tulip::event_loop& loop;
    tulip::event_loop::exception_handler saved;
    explicit handler_guard(tulip::event_loop& l)
        : loop(l)
        , saved(l.get_exception_handler())
    {}
    ~handler_guard()
    {
        loop.set_exception_handler(saved);
        loop.set_debug(false);
        loop.set_slow_callback_duration(100ms);
    }
    handler_guard(const handler_guard&) = delete;
    handler_guard& operator=(const handler_guard&) = delete;
};

struct reported
{
    std::string message;
    tulip::any_task task;
};

tulip::event_loop::exception_handler recorder(std::vector<reported>& out)
{
    return [&out](tulip::event_loop&, const tulip::exception_context& c) {
        out.push_back({c.message, c.task});
    };
}

// Stands for a computation that takes `d`: moves the running loop's virtual clock on
// (debug mode times steps and callbacks on the loop's clock, as asyncio does).
void spend(tulip::duration d)
{
    auto& loop = tulip::get_running_loop();
    tulip::detail::loop_timers(loop).advance_to(loop.time() + d);
}

tulip::awaitable<void> step_taking(tulip::duration d)
{
    spend(d);
    co_return;
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

BOOST_TULIP_TEST_CASE(children_of_a_variadic_gather_show_no_site_inside_tulip)
{
    // gather(a, b) cannot take its caller's location: its children show none at all.
    tulip::event go;
    auto g = tulip::create_task(tulip::gather(nap(1s), go.wait()), {.name = "g"});
    co_await tulip::sleep(0s);
    const std::string tree = tulip::format_task_tree();
    BOOST_TEST(tree.find("gather of 2 tasks") != std::string::npos, tree);
    BOOST_TEST(tree.find("gather.hpp") == std::string::npos, tree);
    go.set();
    co_await g.wait();
}

BOOST_TULIP_TEST_CASE(task_tree_shows_a_task_group_exit_and_a_child_waiting_for_a_slot)
{
    auto body = [](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.create_task(nap(1s), {.name = "a"});
        tg.create_task(nap(2s), {.name = "b"});
        co_return;
    };
    auto parent = tulip::create_task(tulip::with_task_group(body, {.max_concurrency = 1}),
                                     {.name = "parent"});
    co_await tulip::sleep(500ms);
    auto where = sites();
    BOOST_TEST(tulip::format_task_tree() ==
               "task 'test' #1: running" + where["test"] + "\n" +
                   "task 'parent' #2: task_group exit (2 tasks left)" + where["parent"] + "\n" +
                   "├── task 'a' #3: sleep (0.5s left)" + where["a"] + "\n" +
                   "└── task 'b' #4: waiting for a task_group slot" + where["b"] + "\n");
    co_await parent.wait();
}

BOOST_TULIP_TEST_CASE(task_tree_shows_as_completed_and_shield_with_what_they_wait_for)
{
    std::vector<tulip::task<void>> tasks;
    tasks.push_back(tulip::create_task(nap(1s), {.name = "x"}));
    tasks.push_back(tulip::create_task(nap(3s), {.name = "y"}));
    auto consumer = tulip::create_task(consume(tasks), {.name = "consumer"});
    auto guarded = tulip::create_task(nap(4s), {.name = "guarded"});
    auto shielder = tulip::create_task(shielded(guarded), {.name = "shielder"});
    co_await tulip::sleep(2s);
    auto where = sites();
    BOOST_TEST(tulip::format_task_tree() ==
               "task 'test' #1: running" + where["test"] + "\n" +
                   "task 'consumer' #4: as_completed of 2 tasks (1 done)" + where["consumer"] +
                   "\n" + "└── task 'y' #3: sleep (1s left)" + where["y"] + "\n" +
                   "task 'shielder' #6: awaiting task 'guarded' (shielded)" + where["shielder"] +
                   "\n" + "└── task 'guarded' #5: sleep (2s left)" + where["guarded"] + "\n");
    co_await consumer.wait();
    co_await shielder.wait();
}

BOOST_TULIP_TEST_CASE(task_tree_shows_an_operation_that_describes_its_object_itself)
{
    const std::string peer = "127.0.0.1:8081";
    auto data = tulip::get_running_loop().create_future<void>();
    auto reader = tulip::create_task(read_from(peer, data), {.name = "reader"});
    co_await tulip::sleep(1s);
    auto where = sites();
    BOOST_TEST(tulip::format_task_tree() == "task 'test' #1: running" + where["test"] + "\n" +
                                                "task 'reader' #2: reading 127.0.0.1:8081" +
                                                where["reader"] + "\n");
    data.set_result();
    co_await reader.wait();
}

BOOST_TULIP_TEST_CASE(task_tree_shows_a_combinator_child_as_a_root_once_its_parent_is_finished)
{
    auto parent = tulip::create_task(gather_one_failing(), {.name = "parent"});
    std::string error;
    try {
        co_await parent.wait();
    } catch (const std::runtime_error& e) {
        error = e.what();
    }
    BOOST_TEST(error == "child failed");
    co_await tulip::sleep(1s);
    auto where = sites();
    BOOST_TEST(tulip::format_task_tree() == "task 'test' #1: running" + where["test"] + "\n" +
                                                "task 'Task-3' #3: sleep (3.99s left)" +
                                                where["Task-3"] + "\n");
    for (auto& t : tulip::all_tasks())
        if (t.get_name() == "Task-3")
            t.cancel();
    co_await tulip::sleep(0s);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(debug_mode)

BOOST_TULIP_TEST_CASE(debug_mode_reports_a_slow_task_step_with_the_task_name)
{
    auto& loop = tulip::get_running_loop();
    handler_guard restore(loop);
    std::vector<reported> seen;
    loop.set_exception_handler(recorder(seen));
    loop.set_debug(true);
    auto t = tulip::create_task(step_taking(250ms), {.name = "slowpoke"});
    co_await t.wait();
    BOOST_TEST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(seen[0].message == "Executing task 'slowpoke' took 0.250 seconds");
    BOOST_TEST((seen[0].task == tulip::any_task(t)));
}

BOOST_TULIP_TEST_CASE(a_step_within_slow_callback_duration_is_not_reported)
{
    auto& loop = tulip::get_running_loop();
    handler_guard restore(loop);
    std::vector<reported> seen;
    loop.set_exception_handler(recorder(seen));
    loop.set_debug(true);
    loop.set_slow_callback_duration(300ms);
    auto t = tulip::create_task(step_taking(250ms), {.name = "quick enough"});
    co_await t.wait();
    BOOST_TEST(seen.empty());
}

BOOST_TULIP_TEST_CASE(slow_steps_are_not_reported_outside_debug_mode)
{
    auto& loop = tulip::get_running_loop();
    handler_guard restore(loop);
    std::vector<reported> seen;
    loop.set_exception_handler(recorder(seen));
    loop.set_debug(false);
    auto t = tulip::create_task(step_taking(250ms), {.name = "slowpoke"});
    co_await t.wait();
    BOOST_TEST(seen.empty());
}

BOOST_TULIP_TEST_CASE(debug_mode_reports_a_slow_callback_as_it_does_a_slow_step)
{
    auto& loop = tulip::get_running_loop();
    handler_guard restore(loop);
    std::vector<reported> seen;
    loop.set_exception_handler(recorder(seen));
    loop.set_debug(true);
    loop.call_soon([] { spend(250ms); });
    loop.call_later(1s, [] { spend(400ms); });
    loop.call_soon([] { spend(50ms); }); // within slow_callback_duration
    co_await tulip::sleep(2s);
    BOOST_TEST_REQUIRE(seen.size() == 2u);
    for (const auto& r : seen) {
        BOOST_TEST(r.message.rfind("Executing callback ", 0) == 0, r.message);
        BOOST_TEST(!r.task); // no task ran it
    }
    const std::string suffix1 = " took 0.250 seconds", suffix2 = " took 0.400 seconds";
    BOOST_TEST(seen[0].message.size() > suffix1.size());
    BOOST_TEST(seen[0].message.substr(seen[0].message.size() - suffix1.size()) == suffix1);
    BOOST_TEST(seen[1].message.substr(seen[1].message.size() - suffix2.size()) == suffix2);
    // The callable is named, so that the report says which callback it was.
    BOOST_TEST(seen[0].message.find("callback_node") == std::string::npos, seen[0].message);
    BOOST_TEST(seen[0].message.find("debug_mode_reports_a_slow_callback") != std::string::npos,
               seen[0].message);
}

BOOST_TULIP_TEST_CASE(slow_callbacks_are_not_reported_outside_debug_mode)
{
    auto& loop = tulip::get_running_loop();
    handler_guard restore(loop);
    std::vector<reported> seen;
    loop.set_exception_handler(recorder(seen));
    loop.call_soon([] { spend(250ms); });
    co_await tulip::sleep(1s);
    BOOST_TEST(seen.empty());
}

BOOST_AUTO_TEST_SUITE_END()
