//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Thousands of tasks on each synchronisation primitive and queue kind, cancelled at
// random points by a seeded generator. After each round: no item lost or duplicated, no
// permit lost, no lock held, no notification lost, every task finished.
// The seed of a failing round is printed; TULIP_STRESS_SEED=<n> replays from seed n.

#include <boost/tulip/queue.hpp>
#include <boost/tulip/sync.hpp>

#include <boost/tulip/test.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(primitives_stress)

namespace {

constexpr int rounds = 3;
constexpr int tasks_per_round = 1500;

std::uint32_t first_seed()
{
    if (const char* s = std::getenv("TULIP_STRESS_SEED"))
        return static_cast<std::uint32_t>(std::strtoul(s, nullptr, 10));
    return 20261122;
}

// What every round shares: the generator, the tasks, unexpected errors.
struct harness
{
    std::uint32_t seed;
    std::mt19937 rng;
    std::vector<tulip::task<>> tasks;
    int errors = 0; // exceptions that are neither cancellations nor expected
    int cancellations = 0;
    std::string last_error;
};

harness* H = nullptr;

int pick(int n)
{
    return std::uniform_int_distribution<int>(0, n - 1)(H->rng);
}

void unexpected(const std::exception& e)
{
    ++H->errors;
    H->last_error = e.what();
}

// Nothing, a yield, or a short sleep.
tulip::awaitable<void> pause()
{
    switch (pick(3)) {
    case 0:
        break;
    case 1:
        co_await tulip::sleep(0s);
        break;
    default:
        co_await tulip::sleep(std::chrono::microseconds(1 + pick(200)));
    }
}

tulip::awaitable<void> canceller(int count)
{
    const int n = static_cast<int>(H->tasks.size());
    for (int i = 0; i < count; ++i) {
        // Half the cancellations land in the same loop time as the wake-ups they race.
        if (pick(2) == 0)
            co_await tulip::sleep(0s);
        else
            co_await tulip::sleep(std::chrono::microseconds(pick(5)));
        H->tasks[static_cast<std::size_t>(pick(n))].cancel("stress");
    }
}

template <class T>
tulip::awaitable<void> finish(tulip::task<T> t)
{
    try {
        co_await t.wait();
    } catch (...) {
    }
}

bool all_done(const std::vector<tulip::task<>>& ts)
{
    return std::all_of(ts.begin(), ts.end(), [](const auto& t) { return t.done(); });
}

// Runs `step` `steps` times; a cancellation ends the worker unless it `catches`.
template <class Step>
tulip::awaitable<void> worker(Step step, int steps, bool catches)
{
    for (int i = 0; i < steps; ++i) {
        try {
            co_await step();
        } catch (const std::exception& e) {
            if (!tulip::is_cancellation(e)) {
                unexpected(e);
            } else {
                ++H->cancellations;
                if (!catches)
                    throw;
            }
        }
    }
}

// Starts the round's tasks and a canceller; calls `unblock()` every millisecond until
// every task is done (it must eventually release whatever they wait for).
template <class Unblock>
tulip::awaitable<bool> drive(Unblock unblock, int cancels)
{
    auto c = tulip::create_task(canceller(cancels));
    co_await finish(c);
    for (int i = 0; i < 100000 && !all_done(H->tasks); ++i) {
        unblock();
        co_await tulip::sleep(1ms);
    }
    const bool ok = all_done(H->tasks);
    for (auto& t : H->tasks)
        if (t.done() && !t.cancelled() && t.exception())
            ++H->errors;
    co_return ok;
}

// The checks every round ends with.
void check_common(bool finished)
{
    BOOST_TEST(finished, "seed " << H->seed << ": tasks never finished");
    BOOST_TEST(H->errors == 0, "seed " << H->seed << ": " << H->errors
                                       << " unexpected error(s), last: " << H->last_error);
    BOOST_TEST(tulip::all_tasks().size() == 1u, "seed " << H->seed << ": tasks left running");
    int cancelled = 0;
    for (auto& t : H->tasks)
        cancelled += t.cancelled() ? 1 : 0;
    BOOST_TEST_MESSAGE("  seed " << H->seed << ": " << H->tasks.size() << " tasks, " << cancelled
                                 << " ended cancelled, " << H->cancellations
                                 << " cancellations caught");
}

// Runs `round(seed)` for each seed of this test.
template <class Round>
tulip::awaitable<void> run_rounds(Round round)
{
    const std::uint32_t first = first_seed();
    for (std::uint32_t i = 0; i < rounds; ++i) {
        harness h{first + i, std::mt19937(first + i), {}, 0, 0, {}};
        H = &h;
        BOOST_TEST_MESSAGE("primitives_stress: seed " << h.seed);
        co_await round();
        H = nullptr;
    }
}

// ---------------------------------------------------------------------------------------
// lock

struct lock_state
{
    tulip::lock l;
    int inside = 0;
    int overlaps = 0;
    int not_owned = 0;
    int entered = 0;
};

tulip::awaitable<void> lock_step(lock_state& s)
{
    if (pick(5) == 0) {
        if (!s.l.try_acquire())
            co_return;
        if (s.inside++ != 0)
            ++s.overlaps;
        ++s.entered;
        std::exception_ptr e;
        try {
            co_await pause();
        } catch (...) {
            e = std::current_exception();
        }
        --s.inside;
        s.l.release();
        if (e)
            std::rethrow_exception(e);
        co_return;
    }
    auto g = co_await s.l.acquire();
    if (!g.owns_lock() || !s.l.locked())
        ++s.not_owned;
    if (s.inside++ != 0)
        ++s.overlaps;
    ++s.entered;
    try {
        co_await pause();
    } catch (...) {
        --s.inside;
        throw;
    }
    --s.inside;
}

tulip::awaitable<void> lock_round()
{
    lock_state s;
    for (int i = 0; i < tasks_per_round; ++i)
        H->tasks.push_back(
            tulip::create_task(worker([&s] { return lock_step(s); }, 1 + pick(4), pick(3) == 0)));
    const bool ok = co_await drive([] {}, tasks_per_round / 2);
    check_common(ok);
    BOOST_TEST(s.overlaps == 0, "seed " << H->seed << ": two tasks held the lock at once");
    BOOST_TEST(s.not_owned == 0, "seed " << H->seed << ": acquire completed without the lock");
    BOOST_TEST(!s.l.locked(), "seed " << H->seed << ": the lock is left held");
    BOOST_TEST(s.entered > 0);
    BOOST_TEST_MESSAGE("  lock: " << s.entered << " entries");
}

// ---------------------------------------------------------------------------------------
// semaphore and bounded_semaphore

template <class Sem>
struct semaphore_state
{
    explicit semaphore_state(std::size_t n)
        : s(n)
        , permits(static_cast<int>(n))
    {}
    Sem s;
    int permits;
    int inside = 0;
    int too_many = 0;
};

template <class Sem>
tulip::awaitable<void> semaphore_step(semaphore_state<Sem>& st)
{
    if (pick(5) == 0) {
        if (!st.s.try_acquire())
            co_return;
        if (++st.inside > st.permits)
            ++st.too_many;
        std::exception_ptr e;
        try {
            co_await pause();
        } catch (...) {
            e = std::current_exception();
        }
        --st.inside;
        st.s.release();
        if (e)
            std::rethrow_exception(e);
        co_return;
    }
    auto g = co_await st.s.acquire();
    if (++st.inside > st.permits)
        ++st.too_many;
    try {
        co_await pause();
    } catch (...) {
        --st.inside;
        throw;
    }
    --st.inside;
}

template <class Sem>
tulip::awaitable<void> semaphore_round()
{
    semaphore_state<Sem> st(static_cast<std::size_t>(1 + pick(8)));
    for (int i = 0; i < tasks_per_round; ++i)
        H->tasks.push_back(tulip::create_task(
            worker([&st] { return semaphore_step(st); }, 1 + pick(4), pick(3) == 0)));
    const bool ok = co_await drive([] {}, tasks_per_round / 2);
    check_common(ok);
    BOOST_TEST(st.too_many == 0, "seed " << H->seed << ": more holders than permits");
    BOOST_TEST(st.s.value() == static_cast<std::size_t>(st.permits),
               "seed " << H->seed << ": permits lost or made up");
    BOOST_TEST(!st.s.locked(), "seed " << H->seed);
    BOOST_TEST_MESSAGE("  semaphore(" << st.permits << ")");
}

// ---------------------------------------------------------------------------------------
// condition: producers add tokens and notify; consumers wait_for a token

struct condition_state
{
    tulip::condition c;
    int tokens = 0;
    int produced = 0;
    int consumed = 0;
    int inside = 0;
    int overlaps = 0;
    int not_reacquired = 0; // a wait ended (either way) without the lock held
    int waiting = 0;
    bool closing = false;
};

tulip::awaitable<void> produce_token(condition_state& s)
{
    co_await pause();
    auto g = co_await s.c.acquire();
    if (s.inside++ != 0)
        ++s.overlaps;
    ++s.tokens;
    ++s.produced;
    --s.inside;
    if (pick(4) == 0)
        s.c.notify_all();
    else
        s.c.notify();
}

tulip::awaitable<void> consume_token(condition_state& s)
{
    auto g = co_await s.c.acquire();
    ++s.waiting;
    std::exception_ptr e;
    try {
        co_await s.c.wait_for(g, [&s] { return s.tokens > 0 || s.closing; });
    } catch (...) {
        e = std::current_exception();
    }
    --s.waiting;
    if (!g.owns_lock() || !s.c.locked())
        ++s.not_reacquired;
    if (e)
        std::rethrow_exception(e);
    if (s.inside++ != 0)
        ++s.overlaps;
    if (s.tokens > 0) {
        --s.tokens;
        ++s.consumed;
    }
    --s.inside;
}

tulip::awaitable<void> condition_round()
{
    condition_state s;
    for (int i = 0; i < tasks_per_round; ++i) {
        if (pick(2) == 0)
            H->tasks.push_back(tulip::create_task(
                worker([&s] { return produce_token(s); }, 1 + pick(3), pick(3) == 0)));
        else
            H->tasks.push_back(tulip::create_task(
                worker([&s] { return consume_token(s); }, 1 + pick(3), pick(3) == 0)));
    }
    auto c = tulip::create_task(canceller(tasks_per_round / 2));
    co_await finish(c);
    // Quiescent: while tokens are left, nobody may still be waiting (a lost notification).
    for (int i = 0; i < 100; ++i)
        co_await tulip::sleep(1ms);
    const bool lost = s.tokens > 0 && s.waiting > 0;
    BOOST_TEST(!lost, "seed " << H->seed << ": " << s.waiting << " consumer(s) still wait while "
                              << s.tokens << " token(s) are available");
    const bool ok = co_await drive(
        [&s] {
            if (!s.c.locked()) {
                s.closing = true;
                if (s.c.get_lock().try_acquire()) {
                    s.c.notify_all();
                    s.c.release();
                }
            }
        },
        0);
    check_common(ok);
    BOOST_TEST(s.overlaps == 0, "seed " << H->seed);
    BOOST_TEST(s.not_reacquired == 0,
               "seed " << H->seed << ": " << s.not_reacquired << " wait(s) ended without the lock");
    BOOST_TEST(s.produced == s.consumed + s.tokens, "seed " << H->seed);
    BOOST_TEST_MESSAGE("  condition: " << s.produced << " produced, " << s.consumed << " consumed");
    BOOST_TEST(!s.c.locked(), "seed " << H->seed << ": the lock is left held");
}

// ---------------------------------------------------------------------------------------
// event

struct event_state
{
    tulip::event ev;
    int sets = 0;
    int early = 0; // woke without a set() since it started waiting
    int woke = 0;
};

tulip::awaitable<void> event_step(event_state& s)
{
    const int before = s.sets;
    const bool was_set = s.ev.is_set();
    co_await s.ev.wait();
    if (!was_set && s.sets == before)
        ++s.early;
    ++s.woke;
    co_await pause();
}

tulip::awaitable<void> toggler(event_state& s, int n)
{
    for (int i = 0; i < n; ++i) {
        co_await tulip::sleep(std::chrono::microseconds(pick(100)));
        if (pick(2) == 0) {
            s.ev.set();
            ++s.sets;
        } else {
            s.ev.clear();
        }
    }
}

tulip::awaitable<void> event_round()
{
    event_state s;
    for (int i = 0; i < tasks_per_round; ++i)
        H->tasks.push_back(
            tulip::create_task(worker([&s] { return event_step(s); }, 1 + pick(3), pick(3) == 0)));
    auto t = tulip::create_task(toggler(s, 200));
    const bool ok = co_await drive(
        [&s] {
            s.ev.set();
            ++s.sets;
        },
        tasks_per_round / 2);
    co_await finish(t);
    check_common(ok);
    BOOST_TEST(s.early == 0,
               "seed " << H->seed << ": " << s.early << " waiter(s) woke without set()");
    BOOST_TEST(s.woke > 0);
    BOOST_TEST_MESSAGE("  event: " << s.woke << " wake-ups, " << s.sets << " sets");
}

// ---------------------------------------------------------------------------------------
// barrier

struct barrier_state
{
    explicit barrier_state(std::size_t p)
        : b(p)
        , counts(p, 0)
    {}
    tulip::barrier b;
    std::vector<int> counts; // how often each index was given out
    int bad_index = 0;
    int broken_early = 0; // broken_barrier_error before the final abort
    bool aborting = false;
};

tulip::awaitable<void> barrier_step(barrier_state& s)
{
    try {
        const std::size_t i = co_await s.b.wait();
        if (i < s.counts.size())
            ++s.counts[i];
        else
            ++s.bad_index;
    } catch (const tulip::broken_barrier_error&) {
        if (!s.aborting)
            ++s.broken_early;
        co_return;
    }
    co_await pause();
}

tulip::awaitable<void> barrier_round()
{
    barrier_state s(static_cast<std::size_t>(2 + pick(7)));
    for (int i = 0; i < tasks_per_round; ++i)
        H->tasks.push_back(tulip::create_task(
            worker([&s] { return barrier_step(s); }, 1 + pick(3), pick(3) == 0)));
    const bool ok = co_await drive(
        [&s] {
            s.aborting = true;
            s.b.abort();
        },
        tasks_per_round / 2);
    check_common(ok);
    // Each trip gives every index once: all counts equal.
    const bool even =
        std::all_of(s.counts.begin(), s.counts.end(), [&](int c) { return c == s.counts[0]; });
    BOOST_TEST(even, "seed " << H->seed << ": indices of a trip were not 0..parties-1 once each");
    BOOST_TEST(s.bad_index == 0, "seed " << H->seed);
    BOOST_TEST(s.broken_early == 0, "seed " << H->seed << ": barrier broke without abort");
    BOOST_TEST(s.b.n_waiting() == 0u, "seed " << H->seed);
    BOOST_TEST_MESSAGE("  barrier(" << s.counts.size() << "): " << s.counts[0] << " trips");
    s.b.reset();
    BOOST_TEST(!s.b.broken());
}

// ---------------------------------------------------------------------------------------
// queues

template <class Q>
struct queue_state
{
    explicit queue_state(std::size_t maxsize)
        : q(maxsize)
    {}
    Q q;
    std::vector<int> produced; // items whose put succeeded
    std::vector<int> consumed; // items a consumer received
    std::vector<int> left;     // items taken out at the end
    int next_item = 0;
};

template <class Q>
tulip::awaitable<void> put_step(queue_state<Q>& s)
{
    const int item = s.next_item++;
    if (pick(3) == 0) {
        try {
            s.q.put_nowait(item);
            s.produced.push_back(item);
        } catch (const tulip::queue_full&) {
        }
    } else {
        co_await s.q.put(item);
        s.produced.push_back(item); // no suspension in between: a chosen putter counts
    }
    co_await pause();
}

template <class Q>
tulip::awaitable<void> get_step(queue_state<Q>& s)
{
    try {
        if (pick(4) == 0) {
            if (auto v = s.q.try_get()) {
                s.consumed.push_back(*v);
                s.q.task_done();
            }
        } else {
            const int v = co_await s.q.get();
            s.consumed.push_back(v);
            s.q.task_done();
        }
    } catch (const tulip::queue_shut_down&) {
        co_return;
    }
    co_await pause();
}

template <class Q>
tulip::awaitable<void> queue_round()
{
    using namespace asio::experimental::awaitable_operators;
    const std::size_t maxsize = pick(3) == 0 ? 0 : static_cast<std::size_t>(1 + pick(8));
    queue_state<Q> s(maxsize);
    std::vector<tulip::task<>> producers;
    for (int i = 0; i < tasks_per_round; ++i) {
        if (pick(2) == 0) {
            producers.push_back(tulip::create_task(
                worker([&s] { return put_step(s); }, 1 + pick(4), pick(3) == 0)));
            H->tasks.push_back(producers.back());
        } else {
            H->tasks.push_back(tulip::create_task(
                worker([&s] { return get_step(s); }, 1 + pick(6), pick(3) == 0)));
        }
    }
    auto c = tulip::create_task(canceller(tasks_per_round / 2));
    co_await finish(c);
    // Producers may be blocked on a full queue whose consumers were cancelled: take items
    // out until they are done, then shut down to release the waiting consumers.
    auto take_left = [&s] {
        while (auto v = s.q.try_get()) {
            s.left.push_back(*v);
            s.q.task_done();
        }
    };
    for (int i = 0; i < 100000 && !all_done(producers); ++i) {
        take_left();
        co_await tulip::sleep(1ms);
    }
    co_await tulip::sleep(1ms);
    take_left();
    const bool immediate = pick(2) == 0;
    const bool ok = co_await drive(
        [&s, immediate, &take_left] {
            take_left();
            s.q.shutdown(immediate);
        },
        0);
    check_common(ok);
    std::vector<int> out = s.consumed;
    out.insert(out.end(), s.left.begin(), s.left.end());
    std::sort(out.begin(), out.end());
    std::vector<int> in = s.produced;
    std::sort(in.begin(), in.end());
    const bool duplicated = std::adjacent_find(out.begin(), out.end()) != out.end();
    BOOST_TEST(!duplicated, "seed " << H->seed << ": an item was received twice");
    BOOST_TEST((in == out), "seed " << H->seed << ": " << in.size() << " item(s) put, "
                                    << out.size() << " received or left in the queue");
    BOOST_TEST(s.q.empty(), "seed " << H->seed);
    BOOST_TEST_MESSAGE("  queue(" << maxsize << "): " << s.produced.size() << " put, "
                                  << s.consumed.size() << " got, " << s.left.size() << " left");
    // Every item taken was marked done: join completes at once.
    auto j = co_await (s.q.join(asio::use_awaitable) || tulip::sleep(1s, asio::use_awaitable));
    BOOST_TEST(j.index() == 0u, "seed " << H->seed << ": join waits with nothing unfinished");
}

} // namespace

BOOST_TULIP_TEST_CASE(lock_stays_exclusive_and_is_never_left_held_under_random_cancellation)
{
    co_await run_rounds(lock_round);
}

BOOST_TULIP_TEST_CASE(semaphore_never_loses_a_permit_under_random_cancellation)
{
    co_await run_rounds(semaphore_round<tulip::semaphore>);
}

BOOST_TULIP_TEST_CASE(bounded_semaphore_never_loses_a_permit_under_random_cancellation)
{
    co_await run_rounds(semaphore_round<tulip::bounded_semaphore>);
}

BOOST_TULIP_TEST_CASE(condition_never_loses_a_notification_under_random_cancellation)
{
    co_await run_rounds(condition_round);
}

BOOST_TULIP_TEST_CASE(event_wakes_only_after_set_under_random_cancellation)
{
    co_await run_rounds(event_round);
}

BOOST_TULIP_TEST_CASE(barrier_trips_give_each_index_once_under_random_cancellation)
{
    co_await run_rounds(barrier_round);
}

BOOST_TULIP_TEST_CASE(queue_never_loses_or_duplicates_an_item_under_random_cancellation)
{
    co_await run_rounds(queue_round<tulip::queue<int>>);
}

BOOST_TULIP_TEST_CASE(priority_queue_never_loses_or_duplicates_an_item_under_random_cancellation)
{
    co_await run_rounds(queue_round<tulip::priority_queue<int>>);
}

BOOST_TULIP_TEST_CASE(lifo_queue_never_loses_or_duplicates_an_item_under_random_cancellation)
{
    co_await run_rounds(queue_round<tulip::lifo_queue<int>>);
}

BOOST_AUTO_TEST_SUITE_END()
