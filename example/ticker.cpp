//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// PEP 525's ticker: an async generator that yields 0..to-1, sleeping between values.
//
//   async def ticker(delay, to):
//       for i in range(to):
//           yield i
//           await asyncio.sleep(delay)

#include <boost/tulip/generator.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/sleep.hpp>

#include <chrono>
#include <iostream>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

tulip::async_generator<int> ticker(tulip::duration delay, int to)
{
    for (int i = 0; i < to; ++i) {
        co_yield i;
        co_await tulip::sleep(delay);
    }
}

tulip::awaitable<int> main_coro()
{
    auto gen = ticker(10ms, 5);
    int sum = 0;
    while (auto v = co_await gen.next()) // async for v in ticker(...)
    {
        std::cout << "tick " << *v << '\n';
        sum += *v;
    }
    // The same with a comprehension helper: [i async for i in ticker(0.01, 3)]
    auto all = co_await tulip::collect(ticker(10ms, 3));
    std::cout << "collected " << all.size() << " ticks\n";
    co_return sum == 10 && all.size() == 3 ? 0 : 1;
}

int main()
{
    return tulip::run(main_coro());
}
