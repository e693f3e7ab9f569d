//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// A chat room: each client sends its name, then lines that go to every other member.
// The server and two scripted clients run in one task group; when the clients are done
// the group is stopped (task_group::cancel), which cancels serve_forever: the server
// stops listening and waits for its connections to end, and the group ends cleanly.
//
//     async with asyncio.TaskGroup() as tg:
//         serving = tg.create_task(srv.serve_forever())
//         await asyncio.gather(ann(port), bob(port))
//         serving.cancel()

#include <boost/tulip.hpp>

#include <iostream>
#include <map>
#include <stdexcept>
#include <string>

namespace tulip = boost::tulip;

namespace {

struct room
{
    std::map<std::string, tulip::stream_writer> members;

    void broadcast(const std::string& from, const std::string& text)
    {
        for (auto& [name, w] : members)
            if (name != from)
                w.write(text);
    }
};

std::string strip(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
    return s;
}

tulip::awaitable<void> chatter(room& r, tulip::stream_reader reader, tulip::stream_writer writer)
{
    const std::string name = strip(co_await reader.readline());
    std::string others;
    for (auto& [n, w] : r.members)
        others += " " + n;
    writer.write("* welcome " + name + ", here:" + (others.empty() ? " nobody" : others) + "\n");
    r.broadcast(name, "* " + name + " joined\n");
    r.members.emplace(name, writer);
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty())
            break;
        r.broadcast(name, name + ": " + line);
    }
    r.members.erase(name);
    r.broadcast(name, "* " + name + " left\n");
}

tulip::awaitable<void> expect(tulip::stream_reader& r, const std::string& who, std::string want)
{
    std::string got = strip(co_await r.readline());
    std::cout << "[" << who << "] " << got << '\n';
    if (got != want)
        throw std::runtime_error(who + " expected '" + want + "', got '" + got + "'");
}

tulip::awaitable<void> ann(unsigned short port, tulip::event& ann_in)
{
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", port);
    w.write("ann\n");
    co_await expect(r, "ann", "* welcome ann, here: nobody");
    ann_in.set();
    co_await expect(r, "ann", "* bob joined");
    w.write("hello bob\n");
    co_await expect(r, "ann", "bob: hi ann, bye");
    co_await expect(r, "ann", "* bob left");
    w.close();
}

tulip::awaitable<void> bob(unsigned short port, tulip::event& ann_in)
{
    co_await ann_in.wait();
    auto [r, w] = co_await tulip::open_connection("127.0.0.1", port);
    w.write("bob\n");
    co_await expect(r, "bob", "* welcome bob, here: ann");
    co_await expect(r, "bob", "ann: hello bob");
    w.write("hi ann, bye\n");
    co_await w.drain();
    w.close();
}

tulip::awaitable<int> main_task()
{
    room chat;
    auto handler = [&chat](tulip::stream_reader r, tulip::stream_writer w) {
        return chatter(chat, std::move(r), std::move(w));
    };
    auto srv = co_await tulip::start_server(handler, "127.0.0.1", 0);
    const auto port = srv.sockets().front().port();
    co_await tulip::with_task_group([&](tulip::task_group& tg) -> tulip::awaitable<void> {
        tg.create_task(srv.serve_forever());
        tulip::event ann_in;
        auto a = tg.create_task(ann(port, ann_in));
        auto b = tg.create_task(bob(port, ann_in));
        co_await a.wait();
        co_await b.wait();
        tg.cancel(); // stops serve_forever: the server closes, the group ends cleanly
    });
    std::cout << "server closed: " << std::boolalpha << !srv.is_serving() << '\n';
    co_return 0;
}

} // namespace

int main()
{
    return tulip::run(main_task());
}
