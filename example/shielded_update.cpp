//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// A request handler starts a database update through `shield`, then the client goes
// away and the handler is cancelled. The handler stops at once; the update runs on,
// commits, and `run()` waits for it before returning (asyncio's `shield` recipe, with
// the orphaned-task problem solved: the loop keeps the shielded task and awaits it).

#include <boost/tulip/run.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/wait.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

namespace {

struct database
{
    int balance = 100;
    bool committed = false;
};

double seconds()
{
    static const auto start = tulip::clock::now();
    return std::chrono::duration<double>(tulip::clock::now() - start).count();
}

// Two steps that must not be separated: a cancellation between them would leave the
// transaction open.
tulip::awaitable<int> transfer(database& db, int amount)
{
    std::printf("[%.2fs] update: begin transaction\n", seconds());
    co_await tulip::sleep(100ms); // write
    db.balance -= amount;
    co_await tulip::sleep(100ms); // commit
    db.committed = true;
    std::printf("[%.2fs] update: committed, balance %d\n", seconds(), db.balance);
    co_return db.balance;
}

tulip::awaitable<void> request_handler(database& db)
{
    std::printf("[%.2fs] handler: request received\n", seconds());
    std::exception_ptr cancelled;
    try {
        const int balance = co_await tulip::shield(transfer(db, 30));
        std::printf("[%.2fs] handler: replied with balance %d\n", seconds(), balance);
    } catch (const std::exception& e) {
        if (!tulip::is_cancellation(e))
            throw;
        cancelled = std::current_exception();
    }
    if (cancelled) {
        // Awaiting is allowed again outside the catch block.
        std::printf("[%.2fs] handler: cancelled (client gone); the update goes on\n", seconds());
        std::rethrow_exception(cancelled);
    }
}

tulip::awaitable<int> server(database& db)
{
    auto handler = tulip::create_task(request_handler(db), {.name = "handler"});
    co_await tulip::sleep(50ms);
    std::printf("[%.2fs] server: client disconnected, cancelling the handler\n", seconds());
    handler.cancel("client disconnected");
    // wait() leaves the outcome in the task instead of throwing it. (The vector is built
    // first: g++ 12 miscompiles an initializer list inside a co_await expression.)
    std::vector<tulip::any_task> handlers{handler};
    co_await tulip::wait(std::move(handlers));
    std::printf("[%.2fs] server: handler %s; returning from main while the update runs\n",
                seconds(), handler.cancelled() ? "cancelled" : "finished");
    co_return 0;
}

} // namespace

int main()
{
    database db;
    seconds();
    int status = 0;
    try {
        status = tulip::run(server(db));
    } catch (const std::exception& e) {
        std::printf("error: %s\n", e.what());
        return 1;
    }
    // run() returned only after the shielded update finished.
    std::printf("[%.2fs] after run(): committed=%s, balance %d\n", seconds(),
                db.committed ? "yes" : "no", db.balance);
    return status == 0 && db.committed && db.balance == 70 ? 0 : 1;
}
