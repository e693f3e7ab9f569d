//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Graceful shutdown on Ctrl-C or SIGTERM, the asyncio way:
//
//     loop.add_signal_handler(SIGINT, stop.set); loop.add_signal_handler(SIGTERM, stop.set)
//     await stop.wait()
//     server.close()                              # no new connections
//     try:
//         async with asyncio.timeout(grace):      # let requests in flight finish
//             await server.wait_closed()
//     except TimeoutError:
//         for t in handlers: t.cancel()           # then cancel what is left
//         await server.wait_closed()
//
// A line server: "SLOW <ms>" answers "done <ms>" after that long; any other line is echoed.
//   graceful_shutdown [port (0: any)] [grace seconds (default 5)]
// It prints "serving on 127.0.0.1:<port>", and exits 0 after a signal.

#include <boost/tulip.hpp>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

namespace {

struct shutdown_state
{
    std::vector<tulip::any_task> handlers; // the connections' tasks still running
    int completed = 0;                     // requests answered
};

tulip::awaitable<void> handle(shutdown_state& st, tulip::stream_reader reader,
                              tulip::stream_writer writer)
{
    auto me = tulip::current_task();
    st.handlers.push_back(me);
    struct forget
    {
        shutdown_state& st;
        tulip::any_task me;
        ~forget() { std::erase(st.handlers, me); }
    } on_exit{st, me};
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty())
            break; // the client closed
        if (line.starts_with("SLOW ")) {
            const int ms = std::stoi(line.substr(5));
            co_await tulip::sleep(std::chrono::milliseconds(ms));
            writer.write("done " + std::to_string(ms) + "\n");
        } else {
            writer.write(line);
        }
        co_await writer.drain();
        ++st.completed;
    }
}

tulip::awaitable<int> main_task(unsigned short port, tulip::duration grace)
{
    shutdown_state st;
    auto& loop = tulip::get_running_loop();
    tulip::event stop;
    int signal_seen = 0;
    loop.add_signal_handler(SIGINT, [&] {
        signal_seen = SIGINT;
        stop.set();
    });
    loop.add_signal_handler(SIGTERM, [&] {
        signal_seen = SIGTERM;
        stop.set();
    });

    auto cb = [&st](tulip::stream_reader r, tulip::stream_writer w) {
        return handle(st, std::move(r), std::move(w));
    };
    auto srv = co_await tulip::start_server(cb, "127.0.0.1", port);
    std::cout << "serving on 127.0.0.1:" << srv.sockets().front().port() << std::endl;

    co_await stop.wait();
    std::cout << "signal " << signal_seen << ": closing with " << st.handlers.size()
              << " connection(s) open" << std::endl;
    srv.close(); // stop accepting
    bool timed_out = false;
    try {
        co_await tulip::timeout(grace, srv.wait_closed());
    } catch (const tulip::timeout_error&) {
        timed_out = true;
    }
    std::size_t cancelled = 0;
    if (timed_out) {
        cancelled = st.handlers.size();
        for (auto& t : std::vector<tulip::any_task>(st.handlers))
            t.cancel("shutting down: grace period over");
        co_await srv.wait_closed();
    }
    std::cout << "finished: " << st.completed << " request(s) answered, " << cancelled
              << " connection(s) cancelled" << std::endl;
    co_return 0;
}

} // namespace

int main(int argc, char** argv)
{
    const auto port = static_cast<unsigned short>(argc > 1 ? std::stoi(argv[1]) : 0);
    const double grace_s = argc > 2 ? std::stod(argv[2]) : 5.0;
    const auto grace =
        std::chrono::duration_cast<tulip::duration>(std::chrono::duration<double>(grace_s));
    tulip::run_options opts;
    opts.handle_sigint = false; // the program's own handler takes SIGINT
    return tulip::run(main_task(port, grace), opts);
}
