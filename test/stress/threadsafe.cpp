//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Eight threads at once against one running loop: four schedule callbacks with
// call_soon_threadsafe, three cancel a third of them while the loop may be running them,
// one stops the loop again and again. Afterwards every callback whose cancel() did not
// take effect (cancelled() false just after it) ran exactly once, on the loop's thread;
// every one whose cancel() did never ran; handles agree with that; nothing is left
// pending. Run it under the tsan preset.

#include <boost/tulip/event_loop.hpp>

#include <boost/test/unit_test.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(threadsafe_stress_suite)

namespace {

constexpr int producers = 4;
constexpr int cancellers = 3;
constexpr int per_producer = 25000;
constexpr int total = producers * per_producer;
constexpr std::size_t lag = 100;

enum class outcome : unsigned char
{
    not_asked,
    cancelled, // cancelled() was true right after cancel(): must never run
    too_late,  // cancelled() was false: it ran or was running, exactly once
};

struct shared_state
{
    asio::io_context ioc{1};
    tulip::event_loop& loop = tulip::get_event_loop(ioc);
    std::thread::id loop_thread;

    // Loop thread only (the callbacks), read by the test after the loop finished.
    std::vector<int> runs = std::vector<int>(total, 0);
    std::atomic<int> off_loop_runs{0};

    std::vector<tulip::handle> handles = std::vector<tulip::handle>(total); // by producers
    std::vector<outcome> outcomes = std::vector<outcome>(total, outcome::not_asked);

    std::mutex m;
    std::deque<int> to_cancel; // ids whose handle a canceller takes
    std::atomic<int> producers_left{producers};
    std::atomic<bool> cancellers_done{false};
    std::atomic<int> inconsistent{0};
};

void produce(shared_state& s, int p)
{
    for (int i = 0; i < per_producer; ++i) {
        const int id = p * per_producer + i;
        tulip::handle h = s.loop.call_soon_threadsafe([&s, id] {
            ++s.runs[static_cast<std::size_t>(id)];
            if (std::this_thread::get_id() != s.loop_thread)
                ++s.off_loop_runs;
        });
        s.handles[static_cast<std::size_t>(id)] = h;
        if (id % 3 == 0) {
            std::lock_guard lock(s.m);
            s.to_cancel.push_back(id);
        }
        if (i % 64 == 63) // let the loop and the cancellers in while producing
            std::this_thread::sleep_for(20us);
    }
    --s.producers_left;
}

void cancel_some(shared_state& s)
{
    for (;;) {
        std::optional<int> id;
        tulip::handle h;
        {
            std::lock_guard lock(s.m);
            // Lag behind the producers so that some cancels meet a callback the loop is
            // running or has run, and some come in time.
            if (s.to_cancel.size() > lag || (!s.to_cancel.empty() && s.producers_left == 0)) {
                id = s.to_cancel.front();
                s.to_cancel.pop_front();
                h = s.handles[static_cast<std::size_t>(*id)]; // written before the push
            }
        }
        if (!id) {
            if (s.producers_left.load() == 0) {
                std::lock_guard lock(s.m);
                if (s.to_cancel.empty())
                    return;
            }
            std::this_thread::yield();
            continue;
        }
        h.cancel();
        const bool won = h.cancelled();
        h.cancel();
        if (h.cancelled() != won) // once decided, the answer stays
            ++s.inconsistent;
        s.outcomes[static_cast<std::size_t>(*id)] = won ? outcome::cancelled : outcome::too_late;
    }
}

void stop_repeatedly(shared_state& s)
{
    while (!s.cancellers_done.load()) {
        s.loop.stop();
        if (s.loop.is_closed())
            ++s.inconsistent;
        std::this_thread::sleep_for(50us);
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(call_soon_threadsafe_cancel_and_stop_from_eight_threads,
                     *boost::unit_test::timeout(300))
{
    shared_state s;
    s.loop_thread = std::this_thread::get_id();
    auto work = asio::make_work_guard(s.ioc);
    bool finished = false;
    int stops = 0;

    std::thread coordinator([&] {
        std::vector<std::thread> threads;
        for (int p = 0; p < producers; ++p)
            threads.emplace_back(produce, std::ref(s), p);
        std::vector<std::thread> cancel_threads;
        for (int c = 0; c < cancellers; ++c)
            cancel_threads.emplace_back(cancel_some, std::ref(s));
        std::thread stopper(stop_repeatedly, std::ref(s));
        for (auto& t : threads)
            t.join();
        for (auto& t : cancel_threads)
            t.join();
        s.cancellers_done = true;
        stopper.join();
        // After every other post from these threads: it runs last (the queue is FIFO).
        s.loop.call_soon_threadsafe([&] {
            finished = true;
            work.reset();
        });
    });

    const auto deadline = std::chrono::steady_clock::now() + 240s;
    while (!finished && std::chrono::steady_clock::now() < deadline) {
        s.ioc.restart();
        s.ioc.run_for(1s);
        ++stops;
    }
    coordinator.join();
    BOOST_REQUIRE(finished);
    s.ioc.restart();
    s.ioc.poll(); // dropped (cancelled) nodes still queued, if any

    int cancelled = 0;
    int too_late = 0;
    int wrong = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(total); ++i) {
        const int expected = s.outcomes[i] == outcome::cancelled ? 0 : 1;
        if (s.runs[i] != expected || s.handles[i].cancelled() != (expected == 0)) {
            if (++wrong <= 5)
                BOOST_ERROR("callback " << i << " ran " << s.runs[i] << " times, expected "
                                        << expected);
        }
        cancelled += s.outcomes[i] == outcome::cancelled;
        too_late += s.outcomes[i] == outcome::too_late;
    }
    BOOST_TEST(wrong == 0);
    BOOST_TEST(s.off_loop_runs.load() == 0);
    BOOST_TEST(s.inconsistent.load() == 0);
    BOOST_TEST(cancelled + too_late == (total + 2) / 3);
    BOOST_TEST(s.loop.pending_callbacks() == 0u);
    BOOST_TEST_MESSAGE("cancelled in time: " << cancelled << ", too late: " << too_late
                                             << ", loop runs (stops): " << stops);
}

BOOST_AUTO_TEST_SUITE_END()
