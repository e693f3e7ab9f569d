//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Thousands of tasks awaiting sleeps, futures and each other, cancelled at random
// points by a seeded generator. After each round: every task finished, and no
// cancellation was lost (an await that started after a successful cancel() completed
// normally) or delivered twice (a second await after the caught one threw again).

#include <boost/tulip/task.hpp>

#include <boost/tulip/test.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <sstream>
#include <vector>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(cancellation_stress_suite)

namespace {

struct worker_state
{
    int seen = 0;       // cancellations delivered into the body
    int accounted = 0;  // cancelling() when the previous await ended: all handled by then
    int lost = 0;       // awaits that started with a request pending and completed normally
    int duplicated = 0; // deliveries beyond the requests made (task::cancelling())
    bool catches = false;
};

struct round_state
{
    std::mt19937 rng;
    std::vector<tulip::future<void>> pending; // futures workers await, resolved at random
    std::vector<tulip::task<int>> tasks;
    std::vector<worker_state> workers;
};

round_state* current_round = nullptr;

int pick(int n)
{
    return std::uniform_int_distribution<int>(0, n - 1)(current_round->rng);
}

// One await of a random kind; false if a cancellation of this task was delivered.
tulip::awaitable<bool> one_await(int self)
{
    auto& r = *current_round;
    auto& w = r.workers[static_cast<std::size_t>(self)];
    const int requested_before = tulip::current_task().cancelling();
    bool cancelled = false;
    try {
        switch (pick(3)) {
        case 0:
            co_await tulip::sleep(std::chrono::milliseconds(1 + pick(20)));
            break;
        case 1: {
            // A future of its own: cancelling this task cancels it, and no one else.
            auto f = tulip::get_running_loop().create_future<void>();
            r.pending.push_back(f);
            co_await f.wait();
            break;
        }
        default:
            if (self == 0) {
                co_await tulip::sleep(1ms);
            } else {
                // An earlier task (no cycles). Its own cancellation is not ours.
                auto other = r.tasks[static_cast<std::size_t>(pick(self))];
                std::exception_ptr e;
                try {
                    co_await other.wait();
                } catch (const std::exception& x) {
                    if (!tulip::is_cancellation(x))
                        throw;
                    e = std::current_exception();
                }
                if (e && tulip::current_task().cancelling() > w.seen)
                    std::rethrow_exception(e);
            }
        }
    } catch (const std::exception& e) {
        if (!tulip::is_cancellation(e))
            throw;
        cancelled = true;
    }
    // A request made while the task ran must be delivered at its next await; one made
    // while it waited on a task is forwarded to that task, which may swallow it (asyncio).
    const bool pending_at_start = requested_before > w.accounted;
    w.accounted = tulip::current_task().cancelling();
    if (cancelled) {
        ++w.seen;
        if (w.seen > tulip::current_task().cancelling())
            ++w.duplicated;
        co_return false;
    }
    if (pending_at_start)
        ++w.lost;
    co_return true;
}

tulip::awaitable<int> worker(int self)
{
    auto& r = *current_round;
    const int steps = 1 + pick(6);
    for (int i = 0; i < steps; ++i) {
        bool normal = co_await one_await(self);
        if (!normal && !r.workers[static_cast<std::size_t>(self)].catches)
            throw tulip::cancelled_error("worker gives up");
    }
    co_return self;
}

void resolve_some(round_state& r, bool all)
{
    for (auto& f : r.pending)
        if (!f.done() && (all || pick(3) == 0))
            f.set_result();
    std::erase_if(r.pending, [](const tulip::future<void>& f) { return f.done(); });
}

tulip::awaitable<void> canceller()
{
    auto& r = *current_round;
    const int n = static_cast<int>(r.tasks.size());
    for (int i = 0; i < n; ++i) {
        co_await tulip::sleep(std::chrono::microseconds(pick(2000)));
        r.tasks[static_cast<std::size_t>(pick(n))].cancel("stress");
        resolve_some(r, false);
    }
    // Workers keep making futures until they finish: resolve them all until then.
    while (std::any_of(r.tasks.begin(), r.tasks.end(), [](auto& t) { return !t.done(); })) {
        resolve_some(r, true);
        co_await tulip::sleep(1ms);
    }
}

tulip::awaitable<void> one_round(std::uint32_t seed, int n)
{
    round_state r{
        std::mt19937(seed), {}, {}, std::vector<worker_state>(static_cast<std::size_t>(n))};
    current_round = &r;
    for (int i = 0; i < n; ++i) {
        r.workers[static_cast<std::size_t>(i)].catches = pick(3) == 0;
        r.tasks.push_back(tulip::create_task(worker(i), {.eager = pick(4) == 0}));
    }
    co_await tulip::create_task(canceller()).wait();
    int lost = 0, duplicated = 0;
    for (int i = 0; i < n; ++i) {
        auto& t = r.tasks[static_cast<std::size_t>(i)];
        BOOST_TEST(t.done());
        if (!t.cancelled())
            if (auto e = t.exception())
                BOOST_TEST(false, "seed " << seed << ": task " << i << " failed");
        lost += r.workers[static_cast<std::size_t>(i)].lost;
        duplicated += r.workers[static_cast<std::size_t>(i)].duplicated;
    }
    BOOST_TEST(lost == 0, "seed " << seed << ": " << lost << " cancellation(s) lost");
    BOOST_TEST(duplicated == 0,
               "seed " << seed << ": " << duplicated << " cancellation(s) delivered twice");
    BOOST_TEST(tulip::all_tasks().size() == 1u, "seed " << seed << ": tasks left running");
    current_round = nullptr;
}

} // namespace

BOOST_TULIP_TEST_CASE(random_cancellations_are_delivered_exactly_once_and_nothing_hangs)
{
    const std::uint32_t first_seed = 20261121;
    for (std::uint32_t round = 0; round < 40; ++round)
        co_await one_round(first_seed + round, 500);
}

BOOST_AUTO_TEST_SUITE_END()
