//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// 10,000 concurrent connections to one server: an asyncio client process opens them all,
// keeps them open until every one is up, then each sends a line and reads its echo.

#include <boost/tulip/server.hpp>

#include "../common/net.hpp"

#include <boost/tulip/test.hpp>
#include <boost/tulip/timeout.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(server_stress)

using net_test::run_command;

namespace {

constexpr int connections = 10000;

int live = 0;
int most_live = 0;

tulip::awaitable<void> counted_echo(tulip::stream_reader r, tulip::stream_writer w)
{
    most_live = std::max(most_live, ++live);
    std::exception_ptr e;
    try {
        for (;;) {
            std::string line = co_await r.readline();
            if (line.empty())
                break;
            w.write(line);
            co_await w.drain();
        }
    } catch (...) {
        e = std::current_exception();
    }
    --live;
    if (e)
        std::rethrow_exception(e);
}

bool enough_descriptors()
{
    rlimit r{};
    ::getrlimit(RLIMIT_NOFILE, &r);
    // This process holds one descriptor per connection (the client is another process).
    const bool ok = r.rlim_max == RLIM_INFINITY || r.rlim_max >= connections + 200;
    if (!ok)
        std::cout << "server_stress: RLIMIT_NOFILE hard limit " << r.rlim_max << " is too low for "
                  << connections << " connections: SKIPPED, not passed\n";
    return ok;
}

tulip::awaitable<void> ten_thousand_body()
{
    rlimit saved{};
    ::getrlimit(RLIMIT_NOFILE, &saved);
    rlimit raised = saved;
    raised.rlim_cur = saved.rlim_max;
    BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &raised) == 0); // inherited by the client
    struct restore
    {
        rlimit r;
        ~restore() { ::setrlimit(RLIMIT_NOFILE, &r); }
    } restore_limit{saved};

    tulip::server_options o;
    o.backlog = 4096;
    auto srv = co_await tulip::start_server(counted_echo, "127.0.0.1", 0, o);
    const auto port = srv.sockets().front().port();
    const auto script = std::filesystem::temp_directory_path() /
                        ("tulip-server-stress-" + std::to_string(::getpid()) + ".py");
    std::ofstream(script) << R"(import asyncio, sys
async def main(port, n):
    opening = asyncio.Semaphore(500)
    up = 0
    all_up = asyncio.Event()
    async def one(i):
        nonlocal up
        async with opening:
            r, w = await asyncio.open_connection('127.0.0.1', port)
        up += 1
        if up == n:
            all_up.set()
        await all_up.wait()
        w.write(b'line %d\n' % i)
        got = await r.readline()
        w.close()
        await w.wait_closed()
        return got == b'line %d\n' % i
    results = await asyncio.gather(*(one(i) for i in range(n)))
    print('echoed', sum(results))
asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
)";
    std::string out =
        co_await run_command("python3 " + script.string() + " " + std::to_string(port) + " " +
                             std::to_string(connections) + " 2>&1");
    std::filesystem::remove(script);
    BOOST_TEST(out == "echoed " + std::to_string(connections) + "\nexit=0");
    BOOST_TEST(most_live == connections); // all open at once
    srv.close();
    co_await tulip::timeout(30s, srv.wait_closed());
    BOOST_TEST(live == 0);
}

} // namespace

BOOST_AUTO_TEST_CASE(ten_thousand_concurrent_connections_are_served,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                         return enough_descriptors();
                     }))
{
    tulip::test::case_options o;
    o.virtual_clock = false;
    o.timeout = 240s;
    tulip::test::run_case(&ten_thousand_body, o);
}

BOOST_AUTO_TEST_SUITE_END()
