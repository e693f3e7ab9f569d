//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Eight threads against one running loop at once: four schedule callbacks with
// call_soon_threadsafe, four submit coroutines with run_coroutine_threadsafe and, for each,
// either block on get(), cancel it, or leave it to a done callback; meanwhile the loop's
// own tasks send jobs the other way with to_thread. Afterwards every callback ran once on
// the loop's thread, every future is done with the outcome its thread chose, every done
// callback ran once on the loop's thread, and no task is left. Run it under the tsan
// preset.

#include <boost/tulip/threads.hpp>

#include <boost/tulip/run.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(thread_bridges_stress_suite)

namespace {

constexpr int callers = 4;
constexpr int submitters = 4;
constexpr int per_caller = 20000;
constexpr int per_submitter = 1500;

tulip::awaitable<int> echo(int v, bool slow)
{
    if (slow)
        co_await tulip::sleep(1ms);
    else
        co_await tulip::sleep(0ms); // a yield: one suspension
    co_return v;
}

} // namespace

BOOST_AUTO_TEST_CASE(call_soon_threadsafe_and_run_coroutine_threadsafe_from_8_threads)
{
    tulip::runner r;
    tulip::event_loop& loop = r.get_loop();
    std::thread::id loop_thread;

    std::atomic<int> callbacks_run{0}, callbacks_off_loop{0};
    std::atomic<int> got_right{0}, got_wrong{0}, cancelled_ok{0}, cancel_late{0};
    std::atomic<int> done_callbacks{0}, done_callbacks_off_loop{0};
    std::atomic<int> threads_left{callers + submitters};
    std::atomic<int> jobs_back{0};

    auto caller = [&](int) {
        for (int i = 0; i < per_caller; ++i)
            loop.call_soon_threadsafe([&] {
                ++callbacks_run;
                if (std::this_thread::get_id() != loop_thread)
                    ++callbacks_off_loop;
            });
        --threads_left;
    };
    std::vector<tulip::concurrent_future<int>> left_to_callbacks[submitters];
    auto submitter = [&](int s) {
        for (int i = 0; i < per_submitter; ++i) {
            auto f = tulip::run_coroutine_threadsafe(echo(i, i % 3 == 1), loop);
            switch (i % 3) {
            case 0:
                if (f.get() == i)
                    ++got_right;
                else
                    ++got_wrong;
                break;
            case 1:
                if (f.cancel())
                    ++cancelled_ok;
                else
                    ++cancel_late; // it finished first: allowed, counted
                break;
            default:
                f.add_done_callback([&](tulip::concurrent_future<int>& d) {
                    ++done_callbacks;
                    if (std::this_thread::get_id() != loop_thread)
                        ++done_callbacks_off_loop;
                    (void)d.done();
                });
                left_to_callbacks[s].push_back(f);
            }
        }
        --threads_left;
    };

    auto main = [&]() -> tulip::awaitable<void> {
        loop_thread = std::this_thread::get_id();
        std::vector<std::thread> threads;
        for (int c = 0; c < callers; ++c)
            threads.emplace_back(caller, c);
        for (int s = 0; s < submitters; ++s)
            threads.emplace_back(submitter, s);
        // The other direction at the same time.
        auto job = [] { return 1; };
        while (threads_left.load() > 0) {
            const int one = co_await tulip::to_thread(job);
            jobs_back += one;
        }
        for (auto& t : threads)
            t.join();
        // Let the last callbacks and coroutines finish.
        for (int i = 0; i < 200 && (callbacks_run.load() < callers * per_caller ||
                                    done_callbacks.load() < submitters * (per_submitter / 3));
             ++i)
            co_await tulip::sleep(5ms);
        co_await tulip::sleep(10ms);
    };
    r.run(main());

    BOOST_TEST(callbacks_run.load() == callers * per_caller);
    BOOST_TEST(callbacks_off_loop.load() == 0);
    BOOST_TEST(got_right.load() == submitters * (per_submitter / 3));
    BOOST_TEST(got_wrong.load() == 0);
    BOOST_TEST(cancelled_ok.load() + cancel_late.load() == submitters * (per_submitter / 3));
    BOOST_TEST(done_callbacks.load() == submitters * (per_submitter / 3));
    BOOST_TEST(done_callbacks_off_loop.load() == 0);
    for (auto& v : left_to_callbacks)
        for (auto& f : v) {
            BOOST_TEST(f.done());
            BOOST_TEST(f.get() >= 0);
        }
    BOOST_TEST(jobs_back.load() > 0);
    BOOST_TEST(tulip::all_tasks(loop).empty());
    BOOST_TEST(loop.pending_callbacks() == 0u);
    r.close();
}

BOOST_AUTO_TEST_SUITE_END()
