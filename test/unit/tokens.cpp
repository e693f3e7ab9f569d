//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Every Tulip operation is an ordinary Asio asynchronous operation: each one is run here
// with use_awaitable, deferred, as_tuple(deferred), a plain callback, use_future, and from
// a coroutine whose executor carries its own default token (asio::as_default_on). Then
// awaitable_token: its error mapping, with the data a completion carries (an incomplete
// read's bytes), and the default-token rule of objects that have an executor.

#include <boost/tulip/awaitable_token.hpp>
#include <boost/tulip/future.hpp>
#include <boost/tulip/generator.hpp>
#include <boost/tulip/queue.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/sync.hpp>
#include <boost/tulip/task.hpp>

#include <boost/tulip/test.hpp>

#include "helpers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <cstddef>
#include <deque>
#include <exception>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;
using tulip_test::settle;

namespace {

// What a completion `void(E, Vs...)` delivered, whatever the token.
template <class E, class... Vs>
using outcome = std::tuple<E, Vs...>;

template <class E>
bool failed(const E& e)
{
    return static_cast<bool>(e);
}

// Runs `op(token)` once with each kind of token; `op` starts one Tulip operation that
// completes without outside help, and `check` is given what it completed with.
template <class E, class... Vs, class Op, class Check>
tulip::awaitable<void> with_every_token(Op op, Check check, bool use_future = true)
{
    // use_awaitable: the value, or an exception.
    if constexpr (sizeof...(Vs) == 0) {
        co_await op(asio::use_awaitable);
        check(E{});
    } else {
        auto v = co_await op(asio::use_awaitable);
        check(E{}, v);
    }

    // deferred, awaited as an rvalue operation (Asio 1.26 cannot await an exception_ptr
    // completion with a value that way; DESIGN sec. 8).
    if constexpr (std::is_same_v<E, error_code> || sizeof...(Vs) == 0) {
        if constexpr (sizeof...(Vs) == 0) {
            auto d = op(asio::deferred);
            co_await std::move(d);
            check(E{});
        } else {
            auto d = op(asio::deferred);
            auto v = co_await std::move(d);
            check(E{}, v);
        }
    }

    // as_tuple(deferred): the error travels as a value.
    {
        auto d = op(asio::as_tuple(asio::deferred));
        auto r = co_await std::move(d);
        std::apply(check, r);
    }

    // A plain callback runs on the loop.
    {
        std::optional<outcome<E, Vs...>> got;
        op([&got](E e, Vs... v) { got.emplace(std::move(e), std::move(v)...); });
        for (int i = 0; i < 100 && !got; ++i)
            co_await tulip::sleep(1s);
        BOOST_TEST_REQUIRE(got.has_value());
        std::apply(check, *got);
    }

    // use_future: Asio runs the promise's handler on the system executor, another
    // thread; once the loop has completed the operation, this thread may block on it.
    if (use_future) {
        auto f = op(asio::use_future);
        for (int i = 0; i < 100 && f.wait_for(0s) != std::future_status::ready; ++i)
            co_await tulip::sleep(1s);
        BOOST_TEST_REQUIRE((f.wait_for(60s) == std::future_status::ready));
        if constexpr (sizeof...(Vs) == 0) {
            f.get();
            check(E{});
        } else {
            auto v = f.get();
            check(E{}, v);
        }
    }

    // A coroutine on an executor with its own default token (as_default_on): Tulip finds
    // its loop through that executor and completes there. A plain co_spawn holds the test
    // runner's virtual clock to real time, so the operations given here take milliseconds.
    {
        using loop_executor = tulip::event_loop::executor_type;
        asio::use_awaitable_t<>::executor_with_default<loop_executor> ex(
            tulip::get_running_loop().get_executor());
        auto body = [op]() -> tulip::awaitable<outcome<E, Vs...>> {
            // Bound first: no temporary in a co_await full-expression (g++ 12).
            auto a = op(asio::as_tuple(asio::use_awaitable));
            co_return co_await std::move(a);
        };
        auto spawned = asio::co_spawn(ex, body, asio::use_awaitable);
        auto r = co_await std::move(spawned);
        std::apply(check, r);
    }
}

void no_error(const error_code& ec)
{
    BOOST_TEST(!ec, ec.message());
}

tulip::async_generator<int> one_two()
{
    co_yield 1;
    co_yield 2;
}

} // namespace

BOOST_AUTO_TEST_SUITE(tokens)

BOOST_TULIP_TEST_CASE(sleep_completes_with_every_token)
{
    auto& loop = tulip::get_running_loop();
    tulip::clock::time_point start;
    co_await with_every_token<error_code>(
        [&](auto&& token) {
            start = loop.time();
            return tulip::sleep(20ms, std::forward<decltype(token)>(token));
        },
        [&](const error_code& ec) {
            no_error(ec);
            BOOST_TEST((loop.time() - start >= 20ms));
        });
    co_await with_every_token<error_code>(
        [&](auto&& token) {
            start = loop.time();
            return tulip::sleep_until(start + 30ms, std::forward<decltype(token)>(token));
        },
        [&](const error_code& ec) {
            no_error(ec);
            BOOST_TEST((loop.time() - start >= 30ms));
        });
}

BOOST_TULIP_TEST_CASE(event_wait_completes_with_every_token)
{
    tulip::event ev;
    ev.set();
    co_await with_every_token<error_code>(
        [&](auto&& token) { return ev.wait(std::forward<decltype(token)>(token)); }, no_error);
}

BOOST_TULIP_TEST_CASE(lock_and_semaphore_acquire_complete_with_every_token)
{
    tulip::lock l;
    co_await with_every_token<error_code, tulip::lock::guard>(
        [&](auto&& token) { return l.acquire(std::forward<decltype(token)>(token)); },
        [&](const error_code& ec, tulip::lock::guard& g) {
            no_error(ec);
            BOOST_TEST(g.owns_lock());
            BOOST_TEST(l.locked());
            g.release(); // the next token finds it free
        });

    tulip::condition cond;
    co_await with_every_token<error_code, tulip::lock::guard>(
        [&](auto&& token) { return cond.acquire(std::forward<decltype(token)>(token)); },
        [&](const error_code& ec, tulip::lock::guard& g) {
            no_error(ec);
            BOOST_TEST(g.owns_lock());
            g.release();
        });

    tulip::semaphore sem(1);
    co_await with_every_token<error_code, tulip::semaphore::guard>(
        [&](auto&& token) { return sem.acquire(std::forward<decltype(token)>(token)); },
        [&](const error_code& ec, tulip::semaphore::guard& g) {
            no_error(ec);
            BOOST_TEST(g.owns_lock());
            BOOST_TEST(sem.value() == 0u);
            g.release();
        });
}

BOOST_TULIP_TEST_CASE(condition_wait_for_completes_with_every_token)
{
    tulip::condition cond;
    auto g = co_await cond.acquire();
    int checks = 0;
    co_await with_every_token<error_code>(
        [&](auto&& token) {
            return cond.wait_for(
                g, [&checks] { return ++checks > 0; }, std::forward<decltype(token)>(token));
        },
        [&](const error_code& ec) {
            no_error(ec);
            BOOST_TEST(g.owns_lock()); // the lock is held again on completion
        });
    BOOST_TEST(checks == 6);
}

BOOST_TULIP_TEST_CASE(barrier_wait_completes_with_every_token)
{
    tulip::barrier b(1);
    co_await with_every_token<error_code, std::size_t>(
        [&](auto&& token) { return b.wait(std::forward<decltype(token)>(token)); },
        [&](const error_code& ec, std::size_t index) {
            no_error(ec);
            BOOST_TEST(index == 0u);
        });
}

BOOST_TULIP_TEST_CASE(queue_operations_complete_with_every_token)
{
    tulip::queue<std::string> q;
    int next = 0;
    co_await with_every_token<error_code>(
        [&](auto&& token) {
            return q.put(std::to_string(next++), std::forward<decltype(token)>(token));
        },
        no_error);
    BOOST_TEST(q.qsize() == 6u);

    int expected = 0;
    co_await with_every_token<error_code, std::string>(
        [&](auto&& token) { return q.get(std::forward<decltype(token)>(token)); },
        [&](const error_code& ec, std::string& item) {
            no_error(ec);
            BOOST_TEST(item == std::to_string(expected++)); // FIFO across tokens
            q.task_done();
        });
    BOOST_TEST(q.empty());

    co_await with_every_token<error_code>(
        [&](auto&& token) { return q.join(std::forward<decltype(token)>(token)); }, no_error);
}

BOOST_TULIP_TEST_CASE(future_and_task_async_wait_complete_with_every_token)
{
    // use_future included: the outcome is taken on the loop, then handed to use_future's
    // executor (Asio's system thread pool), which touches no Tulip state.
    auto f = tulip::get_running_loop().create_future<>();
    f.set_result();
    co_await with_every_token<std::exception_ptr>(
        [&](auto&& token) { return f.async_wait(std::forward<decltype(token)>(token)); },
        [](const std::exception_ptr& e) { BOOST_TEST(!e); });

    auto t = tulip::create_task(tulip_test::immediate(42));
    co_await with_every_token<std::exception_ptr, int>(
        [&](auto&& token) { return t.async_wait(std::forward<decltype(token)>(token)); },
        [](const std::exception_ptr& e, int v) {
            BOOST_TEST(!e);
            BOOST_TEST(v == 42);
        });
}

BOOST_TULIP_TEST_CASE(async_wait_with_use_future_on_pending_future_and_task_gets_the_outcome)
{
    // The waits are pending when started: the outcome is taken on the loop when the
    // future or task completes, not by use_future's thread.
    auto f = tulip::get_running_loop().create_future<std::string>();
    auto fut = f.async_wait(asio::use_future);
    auto t = tulip::create_task(tulip_test::value_after(3s, 7));
    auto tfut = t.async_wait(asio::use_future);
    auto failing = tulip::create_task(tulip_test::fail_after(2s, "boom"));
    auto ffut = failing.async_wait(asio::use_future);
    co_await tulip::sleep(1s);
    f.set_result("done");
    co_await tulip::sleep(5s);
    BOOST_TEST_REQUIRE((fut.wait_for(60s) == std::future_status::ready));
    BOOST_TEST(fut.get() == "done");
    BOOST_TEST_REQUIRE((tfut.wait_for(60s) == std::future_status::ready));
    BOOST_TEST(tfut.get() == 7);
    BOOST_TEST_REQUIRE((ffut.wait_for(60s) == std::future_status::ready));
    BOOST_CHECK_THROW(ffut.get(), std::runtime_error);
}

BOOST_TULIP_TEST_CASE(waits_bound_to_a_strand_of_another_io_context_complete_on_its_thread)
{
    // The outcome is taken on the loop; the handler then runs on its own executor, a
    // strand of an io_context run by another thread, and reads no Tulip state there.
    asio::io_context other;
    auto work = asio::make_work_guard(other);
    std::thread runner([&other] { other.run(); });
    auto strand = asio::make_strand(other);

    std::promise<std::pair<bool, int>> task_seen, next_seen;
    std::promise<std::pair<bool, std::string>> future_seen;
    auto t = tulip::create_task(tulip_test::value_after(2s, 5));
    t.async_wait(asio::bind_executor(strand, [&](std::exception_ptr e, int v) {
        task_seen.set_value({strand.running_in_this_thread() && !e, v});
    }));
    auto f = tulip::get_running_loop().create_future<std::string>();
    f.async_wait(asio::bind_executor(strand, [&](std::exception_ptr e, std::string v) {
        future_seen.set_value({strand.running_in_this_thread() && !e, std::move(v)});
    }));
    auto gen = one_two();
    gen.async_next(asio::bind_executor(strand, [&](std::exception_ptr e, std::optional<int> v) {
        next_seen.set_value({strand.running_in_this_thread() && !e, v.value_or(-1)});
    }));
    co_await tulip::sleep(1s);
    f.set_result("set");
    co_await tulip::sleep(2s);

    auto task_result = task_seen.get_future();
    auto future_result = future_seen.get_future();
    auto next_result = next_seen.get_future();
    BOOST_TEST_REQUIRE((task_result.wait_for(60s) == std::future_status::ready));
    BOOST_TEST_REQUIRE((future_result.wait_for(60s) == std::future_status::ready));
    BOOST_TEST_REQUIRE((next_result.wait_for(60s) == std::future_status::ready));
    work.reset();
    runner.join();
    BOOST_TEST((task_result.get() == std::pair<bool, int>(true, 5)));
    BOOST_TEST((future_result.get() == std::pair<bool, std::string>(true, "set")));
    BOOST_TEST((next_result.get() == std::pair<bool, int>(true, 1)));
}

BOOST_TULIP_TEST_CASE(generator_async_next_completes_with_every_token)
{
    // One generator per token kind: each sees the first item. With use_future the body
    // still runs on the loop; only the item goes to use_future's executor.
    std::deque<tulip::async_generator<int>> gens;
    co_await with_every_token<std::exception_ptr, std::optional<int>>(
        [&gens](auto&& token) {
            gens.push_back(one_two());
            return gens.back().async_next(std::forward<decltype(token)>(token));
        },
        [](const std::exception_ptr& e, std::optional<int>& v) {
            BOOST_TEST(!e);
            BOOST_TEST((v == 1));
        });
}

// ---- awaitable_token: the error mapping and the data it carries ------------------------

namespace {

// A read that ends with `ec` and the bytes it got, as a stream read will; posted to the
// handler's executor like any Asio completion.
struct initiate_fake_read
{
    error_code ec;
    std::string bytes;

    template <class Handler>
    void operator()(Handler&& h) const
    {
        auto ex = asio::get_associated_executor(h, tulip::get_running_loop().get_executor());
        asio::post(ex, [h = std::forward<Handler>(h), ec = ec, bytes = bytes]() mutable {
            std::move(h)(ec, std::move(bytes));
        });
    }
};

// The same read knowing how many bytes it wanted (readexactly): its mapper says so.
struct initiate_fake_read_exactly : initiate_fake_read
{
    std::ptrdiff_t n;

    auto error_mapper() const
    {
        return [n = n](const error_code& e, std::string& partial) {
            tulip::throw_tulip_error(e, partial, n);
        };
    }
};

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, std::string))
              CompletionToken = tulip::awaitable_token_t>
auto fake_read(error_code ec, std::string bytes, CompletionToken&& token = CompletionToken{})
{
    return asio::async_initiate<CompletionToken, void(error_code, std::string)>(
        initiate_fake_read{ec, std::move(bytes)}, token);
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, std::string))
              CompletionToken = tulip::awaitable_token_t>
auto fake_read_exactly(std::ptrdiff_t n, error_code ec, std::string bytes,
                       CompletionToken&& token = CompletionToken{})
{
    return asio::async_initiate<CompletionToken, void(error_code, std::string)>(
        initiate_fake_read_exactly{{ec, std::move(bytes)}, n}, token);
}

// Runs `a` and returns the exception it ended with.
template <class T>
tulip::awaitable<std::exception_ptr> failure_of(tulip::awaitable<T> a)
{
    std::exception_ptr e;
    try {
        co_await std::move(a);
    } catch (...) {
        e = std::current_exception();
    }
    co_return e;
}

} // namespace

BOOST_TULIP_TEST_CASE(awaitable_token_returns_the_value_of_a_successful_completion)
{
    std::string got = co_await fake_read({}, "hello");
    BOOST_TEST(got == "hello");
}

BOOST_TULIP_TEST_CASE(awaitable_token_throws_incomplete_read_error_carrying_the_partial_bytes)
{
    auto e = co_await failure_of(fake_read(tulip::error::incomplete_read, "par"));
    BOOST_TEST_REQUIRE(static_cast<bool>(e));
    try {
        std::rethrow_exception(e);
    } catch (tulip::incomplete_read_error& err) {
        BOOST_TEST(err.partial() == "par");
        BOOST_TEST(err.expected() == -1); // the operation named no count
        BOOST_TEST(std::string(err.what()).find('3') != std::string::npos, err.what());
        BOOST_TEST(err.take_partial() == "par");
        BOOST_TEST(err.partial().empty());
    } catch (...) {
        BOOST_TEST_FAIL("not an incomplete_read_error");
    }
}

BOOST_TULIP_TEST_CASE(an_operations_error_mapper_adds_what_its_initiation_knows)
{
    auto e = co_await failure_of(fake_read_exactly(10, tulip::error::incomplete_read, "0123"));
    try {
        std::rethrow_exception(e);
    } catch (const tulip::incomplete_read_error& err) {
        BOOST_TEST(err.partial() == "0123");
        BOOST_TEST(err.expected() == 10);
    } catch (...) {
        BOOST_TEST_FAIL("not an incomplete_read_error");
    }
    // A code the read mapping does not know is thrown as the other Tulip codes are.
    auto e2 = co_await failure_of(fake_read_exactly(10, tulip::error::loop_closed, "01"));
    try {
        std::rethrow_exception(e2);
    } catch (const boost::system::system_error& err) {
        BOOST_TEST((err.code() == tulip::error::loop_closed));
    } catch (...) {
        BOOST_TEST_FAIL("not a system_error");
    }
}

BOOST_TULIP_TEST_CASE(other_tokens_see_the_code_and_the_partial_bytes)
{
    auto op =
        fake_read_exactly(10, tulip::error::incomplete_read, "ab", asio::as_tuple(asio::deferred));
    auto [ec, bytes] = co_await std::move(op);
    BOOST_TEST((ec == tulip::error::incomplete_read));
    BOOST_TEST(bytes == "ab");
    BOOST_TEST(!ec.message().empty());
}

BOOST_TULIP_TEST_CASE(awaitable_token_maps_foreign_codes_to_system_error)
{
    auto e = co_await failure_of(fake_read(asio::error::connection_reset, "x"));
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& err) {
        BOOST_TEST((err.code() == asio::error::connection_reset));
    } catch (...) {
        BOOST_TEST_FAIL("not a system_error");
    }
}

BOOST_TULIP_TEST_CASE(queue_get_with_awaitable_token_serves_a_type_without_default_constructor)
{
    struct no_default
    {
        explicit no_default(int x)
            : v(x)
        {}
        int v;
    };
    static_assert(!std::is_default_constructible_v<no_default>);
    tulip::queue<no_default> q;
    auto getter = tulip::create_task([](tulip::queue<no_default>& q) -> tulip::awaitable<int> {
        auto item = co_await q.get();
        co_return item.v;
    }(q));
    co_await settle();
    q.put_nowait(no_default(7));
    BOOST_TEST(co_await getter.wait() == 7);
    q.shutdown();
    auto e = co_await failure_of(q.get());
    try {
        std::rethrow_exception(e);
    } catch (const tulip::queue_shut_down&) {
    } catch (...) {
        BOOST_TEST_FAIL("not queue_shut_down");
    }
}

// ---- default tokens of objects with an executor -----------------------------------------

namespace {

// The shape of an I/O object (a stream): its operations default to its executor's token,
// so asio::as_default_on and as_default_on_t apply to it.
template <class Executor>
class fake_stream
{
public:
    using executor_type = Executor;
    template <class Other>
    struct rebind_executor
    {
        using other = fake_stream<Other>;
    };

    explicit fake_stream(Executor ex)
        : ex_(std::move(ex))
    {}
    template <class Other>
    fake_stream(fake_stream<Other>&& other)
        : ex_(other.get_executor())
    {}
    executor_type get_executor() const { return ex_; }

    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, std::string))
                  CompletionToken = tulip::detail::default_token_t<executor_type>>
    auto async_read(error_code ec, std::string bytes, CompletionToken&& token = CompletionToken{})
    {
        return asio::async_initiate<CompletionToken, void(error_code, std::string)>(
            initiate_fake_read{ec, std::move(bytes)}, token);
    }

private:
    Executor ex_;
};

} // namespace

BOOST_TULIP_TEST_CASE(an_io_object_defaults_to_awaitable_token_unless_its_executor_names_a_token)
{
    auto ex = tulip::get_running_loop().get_executor();
    fake_stream<decltype(ex)> plain(ex);
    static_assert(std::is_same_v<decltype(plain.async_read({}, "")), asio::awaitable<std::string>>);
    auto e = co_await failure_of(plain.async_read(tulip::error::incomplete_read, "pq"));
    try {
        std::rethrow_exception(e);
    } catch (const tulip::incomplete_read_error& err) {
        BOOST_TEST(err.partial() == "pq");
    } catch (...) {
        BOOST_TEST_FAIL("not an incomplete_read_error");
    }

    // as_default_on_t: the executor's token (as_tuple(use_awaitable)) replaces it.
    using tuple_token = asio::as_tuple_t<asio::use_awaitable_t<>>;
    tuple_token::as_default_on_t<fake_stream<decltype(ex)>> with_tuples(std::move(plain));
    auto op = with_tuples.async_read(tulip::error::incomplete_read, "pq");
    static_assert(
        std::is_same_v<decltype(op), asio::awaitable<std::tuple<error_code, std::string>>>);
    auto [ec, bytes] = co_await std::move(op);
    BOOST_TEST((ec == tulip::error::incomplete_read));
    BOOST_TEST(bytes == "pq");
}

BOOST_AUTO_TEST_SUITE_END()
