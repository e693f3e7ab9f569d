//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/async_with.hpp>

#include <boost/tulip/test.hpp>

#include "helpers.hpp"

#include <boost/asio/deferred.hpp>
#include <boost/asio/post.hpp>

#include <memory>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using tulip::async_generator;
using tulip::awaitable;

namespace {

using log_t = std::vector<std::string>;

// An @asynccontextmanager: enter, yield, always exit (even when the body threw).
async_generator<std::string> session(log_t* log, std::string user)
{
    co_await tulip::sleep(1s);
    log->push_back("login " + user);
    std::exception_ptr e;
    try {
        co_yield "session of " + user;
    } catch (...) {
        e = std::current_exception();
        log->push_back("body failed: " + tulip_test::what_of(e));
    }
    co_await tulip::sleep(1s);
    log->push_back("logout " + user);
    if (e)
        std::rethrow_exception(e);
}

async_generator<int> swallowing(log_t* log)
{
    try {
        co_yield 1;
    } catch (const std::runtime_error& e) {
        log->push_back(std::string("swallowed ") + e.what());
    }
}

async_generator<int> yields_twice()
{
    co_yield 1;
    co_yield 2;
}

async_generator<int> never_yields()
{
    co_return;
}

async_generator<int> replaces_error()
{
    try {
        co_yield 1;
    } catch (const std::runtime_error&) {
        throw std::logic_error("replaced");
    }
}

struct resource
{
    log_t* log;
    std::string name;
    bool fail_close = false;

    static awaitable<resource> create(log_t* log, std::string name)
    {
        co_await tulip::sleep(1s);
        log->push_back("open " + name);
        co_return resource{log, std::move(name)};
    }

    awaitable<void> aclose()
    {
        co_await tulip::sleep(1s);
        log->push_back("close " + name);
        if (fail_close)
            throw std::runtime_error("close failed");
    }
};

// async_close() as an Asio operation with the deferred token.
struct asio_style
{
    log_t* log;
    auto async_close()
    {
        log->push_back("async_close");
        return asio::post(tulip::get_running_loop().get_executor(), asio::deferred);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(async_with_suite)

BOOST_TULIP_TEST_CASE(async_with_runs_enter_body_exit_in_order_and_returns_body_result)
{
    log_t log;
    int r = co_await tulip::async_with(session(&log, "ann"), [&](std::string& s) -> awaitable<int> {
        log.push_back("body with " + s);
        co_await tulip::sleep(1s);
        co_return 42;
    });
    BOOST_TEST(r == 42);
    BOOST_TEST((log == log_t{"login ann", "body with session of ann", "logout ann"}));
}

BOOST_TULIP_TEST_CASE(async_with_throws_body_exception_into_cm_and_it_propagates)
{
    log_t log;
    std::string what;
    try {
        co_await tulip::async_with(session(&log, "bob"), [](std::string&) -> awaitable<void> {
            co_await tulip::sleep(1s);
            throw std::runtime_error("oops");
        });
    } catch (const std::runtime_error& e) {
        what = e.what();
    }
    BOOST_TEST(what == "oops");
    BOOST_TEST((log == log_t{"login bob", "body failed: oops", "logout bob"}));
}

BOOST_TULIP_TEST_CASE(async_with_cm_that_swallows_the_exception_returns_normally)
{
    log_t log;
    int r = co_await tulip::async_with(swallowing(&log), [](int&) -> awaitable<int> {
        throw std::runtime_error("ignored");
        co_return 5;
    });
    BOOST_TEST(r == 0); // value-initialised: the body gave no result
    BOOST_TEST((log == log_t{"swallowed ignored"}));
}

BOOST_TULIP_TEST_CASE(async_with_cm_may_replace_the_exception)
{
    bool replaced = false;
    try {
        co_await tulip::async_with(replaces_error(), [](int&) -> awaitable<void> {
            throw std::runtime_error("original");
            co_return;
        });
    } catch (const std::logic_error& e) {
        replaced = std::string(e.what()) == "replaced";
    }
    BOOST_TEST(replaced);
}

BOOST_TULIP_TEST_CASE(async_with_cm_that_yields_twice_is_an_error)
{
    bool thrown = false;
    try {
        co_await tulip::async_with(yields_twice(), [](int&) -> awaitable<void> { co_return; });
    } catch (const tulip::invalid_state_error&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
}

BOOST_TULIP_TEST_CASE(async_with_cm_that_does_not_yield_is_an_error_and_body_never_runs)
{
    bool ran = false, thrown = false;
    try {
        co_await tulip::async_with(never_yields(), [&](int&) -> awaitable<void> {
            ran = true;
            co_return;
        });
    } catch (const tulip::invalid_state_error&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    BOOST_TEST(!ran);
}

BOOST_TULIP_TEST_CASE(async_with_cancellation_of_the_body_reaches_cm_exit)
{
    log_t log;
    auto t = tulip::create_task(tulip::async_with(
        session(&log, "cy"), [](std::string&) -> awaitable<void> { co_await tulip::sleep(1h); }));
    co_await tulip::sleep(10s);
    t.cancel();
    BOOST_TEST(co_await tulip_test::ends_cancelled(t));
    BOOST_TEST_REQUIRE(log.size() == 3u);
    BOOST_TEST(log[2] == "logout cy");
}

BOOST_TULIP_TEST_CASE(async_with_object_closes_it_after_body_even_on_error)
{
    log_t log;
    resource r{&log, "file"};
    co_await tulip::async_with(r, [&](resource& x) -> awaitable<void> {
        log.push_back("use " + x.name);
        co_return;
    });
    bool thrown = false;
    try {
        // An rvalue is moved in (bound to a local first: g++ 12 destroys an aggregate
        // temporary twice in a full-expression with a co_await).
        resource tmp{&log, "tmp", true};
        co_await tulip::async_with(std::move(tmp), [&](resource&) -> awaitable<void> {
            throw std::logic_error("body error wins");
            co_return;
        });
    } catch (const std::logic_error&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    BOOST_TEST((log == log_t{"use file", "close file", "close tmp"}));
}

BOOST_TULIP_TEST_CASE(async_with_object_close_error_propagates_after_successful_body)
{
    log_t log;
    bool thrown = false;
    try {
        resource x{&log, "x", true};
        co_await tulip::async_with(std::move(x), [](resource&) -> awaitable<void> { co_return; });
    } catch (const std::runtime_error&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
}

BOOST_TULIP_TEST_CASE(async_with_object_accepts_asio_style_async_close)
{
    log_t log;
    co_await tulip::async_with(asio_style{&log}, [&](asio_style&) -> awaitable<void> {
        log.push_back("body");
        co_return;
    });
    BOOST_TEST((log == log_t{"body", "async_close"}));
}

BOOST_TULIP_TEST_CASE(async_with_factory_method_awaits_create_then_closes)
{
    log_t log;
    auto n = co_await tulip::async_with(resource::create(&log, "db"),
                                        [&](resource& r) -> awaitable<std::size_t> {
                                            log.push_back("query " + r.name);
                                            co_return r.name.size();
                                        });
    BOOST_TEST(n == 2u);
    BOOST_TEST((log == log_t{"open db", "query db", "close db"}));
}

BOOST_TULIP_TEST_CASE(exit_stack_unwinds_in_reverse_order)
{
    log_t log;
    tulip::async_exit_stack stack;
    auto s = co_await stack.enter_async_context(session(&log, "a"));
    BOOST_TEST(s == "session of a");
    stack.push_async_callback(
        [&](std::string what) -> awaitable<void> {
            co_await tulip::sleep(1s);
            log.push_back(what);
        },
        std::string("callback"));
    co_await stack.enter_async_context(session(&log, "b"));
    BOOST_TEST(stack.size() == 3u);
    co_await stack.aclose();
    BOOST_TEST(stack.size() == 0u);
    BOOST_TEST((log == log_t{"login a", "login b", "logout b", "callback", "logout a"}));
}

BOOST_TULIP_TEST_CASE(exit_stack_runs_every_exit_and_rethrows_a_single_error_as_itself)
{
    log_t log;
    tulip::async_exit_stack stack;
    stack.push_async_callback([&]() -> awaitable<void> {
        log.push_back("first pushed");
        co_return;
    });
    stack.push_async_callback([]() -> awaitable<void> {
        throw std::runtime_error("only");
        co_return;
    });
    std::string what;
    try {
        co_await stack.aclose();
    } catch (const std::runtime_error& e) {
        what = e.what();
    }
    BOOST_TEST(what == "only");
    BOOST_TEST((log == log_t{"first pushed"}));
}

BOOST_TULIP_TEST_CASE(exit_stack_reports_several_errors_as_an_exception_group)
{
    log_t log;
    tulip::async_exit_stack stack;
    stack.push_async_callback([]() -> awaitable<void> {
        throw std::runtime_error("second");
        co_return;
    });
    co_await stack.enter_async_context(session(&log, "c"));
    stack.push_async_callback([]() -> awaitable<void> {
        co_await tulip::sleep(1s);
        throw std::logic_error("first");
    });
    std::vector<std::string> whats;
    try {
        co_await stack.aclose();
    } catch (const tulip::exception_group& g) {
        for (auto& e : g.exceptions())
            whats.push_back(tulip_test::what_of(e));
    }
    BOOST_TEST((whats == std::vector<std::string>{"first", "second"}));
    BOOST_TEST(log.back() == "logout c"); // ran between the two failures
}

BOOST_TULIP_TEST_CASE(exit_stack_enter_of_a_cm_that_does_not_yield_throws)
{
    tulip::async_exit_stack stack;
    bool thrown = false;
    try {
        co_await stack.enter_async_context(never_yields());
    } catch (const tulip::invalid_state_error&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    BOOST_TEST(stack.size() == 0u);
}

BOOST_TULIP_TEST_CASE(exit_stack_context_that_yields_twice_fails_at_unwind)
{
    tulip::async_exit_stack stack;
    co_await stack.enter_async_context(yields_twice());
    bool thrown = false;
    try {
        co_await stack.aclose();
    } catch (const tulip::invalid_state_error&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
}

BOOST_AUTO_TEST_SUITE_END()
