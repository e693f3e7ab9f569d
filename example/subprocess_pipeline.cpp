//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// A pipeline of two processes, `seq 1 200000 | grep -c 7`, with a task of ours copying
// between them (where a filter of our own could sit), as in asyncio:
//
//   producer = await asyncio.create_subprocess_exec("seq", "1", "200000", stdout=PIPE)
//   consumer = await asyncio.create_subprocess_exec("grep", "-c", "7",
//                                                   stdin=PIPE, stdout=PIPE)
//   async def copy():
//       while chunk := await producer.stdout.read(65536):
//           consumer.stdin.write(chunk)
//           await consumer.stdin.drain()
//       consumer.stdin.close()
//   copier = asyncio.create_task(copy())
//   count, _ = await consumer.communicate()

#include <boost/tulip/run.hpp>
#include <boost/tulip/subprocess.hpp>
#include <boost/tulip/task.hpp>

#include <iostream>
#include <string>
#include <vector>

namespace tulip = boost::tulip;

// Copies everything `from` gives to `to` with backpressure, then closes `to` (the
// consumer's end of input).
tulip::awaitable<std::size_t> copy(tulip::stream_reader from, tulip::stream_writer to)
{
    std::size_t total = 0;
    for (;;) {
        std::string chunk = co_await from.read(65536);
        if (chunk.empty())
            break;
        total += chunk.size();
        to.write(chunk);
        co_await to.drain(); // the consumer's pipe is full: wait for it to read
    }
    to.close();
    co_return total;
}

tulip::awaitable<int> main_coro()
{
    tulip::subprocess_options out_pipe;
    out_pipe.stdout_ = tulip::redirect::pipe;
    // Argument vectors are named first (g++ 12 cannot compile a braced list in a co_await).
    std::vector<std::string> seq_args{"1", "200000"};
    auto producer = co_await tulip::create_subprocess_exec("seq", seq_args, out_pipe);

    tulip::subprocess_options both;
    both.stdin_ = tulip::redirect::pipe;
    both.stdout_ = tulip::redirect::pipe;
    std::vector<std::string> grep_args{"-c", "7"};
    auto consumer = co_await tulip::create_subprocess_exec("grep", grep_args, both);

    auto copier = tulip::create_task(copy(*producer.stdout_, *consumer.stdin_));
    // The copier holds the consumer's input now: drop ours so that its close is the last.
    consumer.stdin_.reset();

    auto [count, errors] = co_await consumer.communicate();
    std::size_t copied = co_await copier.wait();
    int producer_code = co_await producer.wait();
    int consumer_code = co_await consumer.wait();

    std::cout << "copied " << copied << " bytes; numbers with a 7: " << count;
    // 1..200000 less those without a 7: 0..199999 as six digits, the first 0 or 1 and
    // no 7 in the other five, is 2 x 9^5 = 118098 numbers (with 0, and 200000 has none).
    bool ok = producer_code == 0 && consumer_code == 0 && count == "81902\n" && copied == 1288895 &&
              errors.empty();
    co_return ok ? 0 : 1;
}

int main()
{
    return tulip::run(main_coro());
}
