//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// A paginated API hidden behind an async generator: the consumer sees one stream of
// items, pages are fetched on demand, and `take` stops early (closing the generator,
// which runs its cleanup) without fetching pages nobody reads.

#include <boost/tulip/generator.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/sleep.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

struct page
{
    std::vector<std::string> items;
    int next = -1; // -1: last page
};

int pages_fetched = 0;

// Stands for an HTTP request: page `n` of 4 items, 10 pages in all.
tulip::awaitable<page> fetch_page(int n)
{
    co_await tulip::sleep(5ms);
    ++pages_fetched;
    page p;
    for (int i = 0; i < 4; ++i)
        p.items.push_back("item-" + std::to_string(n * 4 + i));
    p.next = n + 1 < 10 ? n + 1 : -1;
    co_return p;
}

tulip::async_generator<std::string> all_items()
{
    std::exception_ptr e;
    try {
        for (int n = 0; n != -1;) {
            page p = co_await fetch_page(n);
            for (auto& item : p.items)
                co_yield std::move(item);
            n = p.next;
        }
    } catch (const tulip::generator_exit&) {
        e = std::current_exception(); // closed early: clean up, then let it go on
    }
    std::cout << "closing the listing after " << pages_fetched << " page(s)\n";
    co_await tulip::sleep(1ms); // e.g. release a server-side cursor
    if (e)
        std::rethrow_exception(e);
}

tulip::awaitable<int> main_coro()
{
    auto first = tulip::take(all_items(), 6);
    int n = 0;
    while (auto item = co_await first.next()) {
        std::cout << *item << '\n';
        ++n;
    }
    co_return n == 6 && pages_fetched == 2 ? 0 : 1;
}

int main()
{
    return tulip::run(main_coro());
}
