//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The README's example, built and run by the tests so that it stays true.

#include <boost/tulip.hpp>
#include <iostream>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

tulip::context_var<std::string> request_id{"request_id", "-"};

tulip::awaitable<int> handle(std::string id, std::chrono::milliseconds work)
{
    auto token = request_id.set(id);            // this task's own value
    co_await tulip::sleep(work);
    std::cout << request_id.get() << " done\n";
    co_return static_cast<int>(work.count());
}

tulip::awaitable<int> main_task()
{
    auto a = tulip::create_task(handle("a", 30ms));
    auto b = tulip::create_task(handle("b", 10ms), {.name = "handler-b"});
    auto slow = tulip::create_task(tulip::sleep(1h, boost::asio::use_awaitable));
    slow.cancel("not needed");                  // delivered at its suspension point
    co_return co_await a.wait() + co_await b.wait();
}

int main() { return tulip::run(main_task()) == 40 ? 0 : 1; }
