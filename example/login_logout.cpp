//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// `@asynccontextmanager` in C++: a login/logout session.
//
//   @asynccontextmanager
//   async def session(user):
//       s = await login(user)
//       try:
//           yield s
//       finally:
//           await logout(s)
//
//   async with session("ann") as s:
//       await s.work()

#include <boost/tulip/async_with.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/sleep.hpp>

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

struct session
{
    std::string user;
    int token = 0;
};

int open_sessions = 0;

tulip::awaitable<session> login(std::string user)
{
    co_await tulip::sleep(5ms);
    ++open_sessions;
    std::cout << "login " << user << '\n';
    co_return session{std::move(user), 42};
}

tulip::awaitable<void> logout(const session& s)
{
    co_await tulip::sleep(5ms);
    --open_sessions;
    std::cout << "logout " << s.user << '\n';
}

tulip::async_generator<session> logged_in(std::string user)
{
    session s = co_await login(std::move(user));
    std::exception_ptr e;
    try {
        co_yield s;
    } catch (...) {
        e = std::current_exception(); // no co_await in a catch block: keep it
    }
    co_await logout(s); // "finally"
    if (e)
        std::rethrow_exception(e);
}

tulip::awaitable<int> main_coro()
{
    co_await tulip::async_with(logged_in("ann"), [](session& s) -> tulip::awaitable<void> {
        std::cout << s.user << " works with token " << s.token << '\n';
        co_await tulip::sleep(5ms);
    });

    bool failed = false;
    try {
        co_await tulip::async_with(logged_in("bob"), [](session&) -> tulip::awaitable<void> {
            co_await tulip::sleep(5ms);
            throw std::runtime_error("bob's work failed");
        });
    } catch (const std::runtime_error& e) {
        std::cout << "caught: " << e.what() << '\n';
        failed = true;
    }

    // Several sessions at once, released in reverse order.
    tulip::async_exit_stack stack;
    for (const char* user : {"cy", "di"})
        co_await stack.enter_async_context(logged_in(user));
    std::cout << open_sessions << " sessions open\n";
    co_await stack.aclose();

    co_return failed&& open_sessions == 0 ? 0 : 1;
}

int main()
{
    return tulip::run(main_coro());
}
