//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Blocking work without blocking the loop (asyncio's run_in_executor / to_thread):
//
//     def checksum(path):                      # a blocking library call
//         with open(path, 'rb') as f:
//             return sum(f.read()) % 65521
//
//     async def main():
//         request_id.set('req-42')
//         s = await asyncio.to_thread(checksum, path)
//         with ThreadPoolExecutor(2) as pool:
//             s = await loop.run_in_executor(pool, functools.partial(checksum, path))
//         # four blocking calls at once, while a ticker keeps running
//         await asyncio.gather(*(asyncio.to_thread(time.sleep, 0.1) for _ in range(4)))
//
// Unlike asyncio's run_in_executor, Tulip's carries the caller's context variables into
// the thread (cpython#78195).

#include <boost/tulip.hpp>

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

namespace {

tulip::context_var<std::string> request_id("request_id");

// A blocking call, as a legacy library would make it.
unsigned checksum(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    unsigned sum = 0;
    for (unsigned char c : bytes)
        sum = (sum + c) % 65521;
    std::cout << "  checksum ran for " << request_id.get("?") << '\n';
    return sum;
}

tulip::awaitable<void> ticker(int& ticks)
{
    for (;;) {
        co_await tulip::sleep(10ms);
        ++ticks;
    }
}

tulip::awaitable<int> main_task()
{
    const std::string path = "run_in_executor.tmp";
    std::ofstream(path) << std::string(100000, 'x');
    auto token = request_id.set("req-42");

    // The loop's default executor (a thread pool made on first use).
    const unsigned a = co_await tulip::to_thread(checksum, path);
    std::cout << "to_thread: " << a << '\n';

    // An executor of one's own.
    boost::asio::thread_pool pool(2);
    auto job = [&path] { return checksum(path); };
    const unsigned b = co_await tulip::run_in_executor(pool.get_executor(), job);
    std::cout << "run_in_executor: " << b << '\n';
    pool.join();

    // Four blocking sleeps at once; the loop keeps ticking meanwhile.
    int ticks = 0;
    auto tick = tulip::create_task(ticker(ticks));
    const auto start = std::chrono::steady_clock::now();
    auto nap = [] { std::this_thread::sleep_for(100ms); };
    std::vector<tulip::task<void>> naps;
    for (int i = 0; i < 4; ++i)
        naps.push_back(tulip::create_task(tulip::to_thread(nap)));
    for (auto& t : naps)
        co_await t.wait();
    const auto took = std::chrono::steady_clock::now() - start;
    tick.cancel();
    std::cout << "4 blocking calls of 100 ms took "
              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
              << " ms; the loop ticked " << ticks << " times meanwhile\n";
    std::remove(path.c_str());
    co_return a == b ? 0 : 1;
}

} // namespace

int main()
{
    return tulip::run(main_task());
}
