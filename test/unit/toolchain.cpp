//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Regression tests for compiler bugs the library works around (DESIGN.md sec. 8).

#include <boost/tulip/task.hpp>

#include <boost/tulip/test.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(toolchain_suite)

namespace {

tulip::awaitable<int> next_value(int v)
{
    co_await tulip::sleep(1ms);
    co_return v;
}

tulip::awaitable<std::string> named_child(int v)
{
    co_return tulip::current_task().get_name() + "=" + std::to_string(v);
}

tulip::context_var<int> level{"level", 0};

} // namespace

// g++ 12.2 destroys an aggregate temporary twice (a bitwise copy of it lives in the
// coroutine frame) when it appears in a full-expression that also holds a co_await.
// task_options is trivially copyable so that this pattern is safe.
BOOST_TULIP_TEST_CASE(gcc12_options_temporary_beside_co_await_in_one_expression)
{
    static_assert(std::is_trivially_copyable_v<tulip::task_options>);
    std::vector<tulip::task<std::string>> tasks;
    const std::string names[] = {"first-with-a-name-longer-than-the-small-string-buffer", "b"};
    for (int i = 0; i < 2; ++i)
        tasks.push_back(
            tulip::create_task(named_child(co_await next_value(i)), {.name = names[i]}));
    BOOST_TEST(co_await tasks[0].wait() == names[0] + "=0");
    BOOST_TEST(co_await tasks[1].wait() == "b=1");

    // The same with a context, which holds a reference count.
    auto tok = level.set(7);
    tulip::context ctx = tulip::copy_context();
    level.reset(tok);
    for (int i = 0; i < 3; ++i) {
        auto t =
            tulip::create_task([](int v) -> tulip::awaitable<int> { co_return level.get() + v; }(
                                             co_await next_value(i)),
                               {.ctx = &ctx});
        BOOST_TEST(co_await t.wait() == 7 + i);
    }
    BOOST_TEST(level.get() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
