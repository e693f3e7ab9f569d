//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Run a command and collect its output, with a timeout (the recipe asyncio users write
// around wait_for):
//
//   proc = await asyncio.create_subprocess_shell(cmd, stdout=PIPE, stderr=PIPE)
//   try:
//       out, err = await asyncio.wait_for(proc.communicate(), timeout)
//   except TimeoutError:
//       proc.kill()
//       out, err = await proc.communicate()   # what was read before the timeout
//
// A cancelled communicate() keeps what it had read (cpython#139373 lost it), so the
// second communicate() returns the output from before the timeout too.

#include <boost/tulip/run.hpp>
#include <boost/tulip/subprocess.hpp>
#include <boost/tulip/timeout.hpp>

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

struct command_result
{
    int returncode;
    std::string out;
    std::string err;
    bool timed_out;
};

tulip::awaitable<command_result> run_command(std::string cmd, tulip::duration limit)
{
    tulip::subprocess_options opts;
    opts.stdout_ = tulip::redirect::pipe;
    opts.stderr_ = tulip::redirect::pipe;
    opts.stdin_ = tulip::redirect::devnull;
    auto p = co_await tulip::create_subprocess_shell(cmd, opts);

    bool timed_out = false;
    std::pair<std::string, std::string> output;
    try {
        auto communicate = p.communicate();
        output = co_await tulip::timeout(limit, std::move(communicate));
    } catch (const tulip::timeout_error&) {
        timed_out = true;
    }
    if (timed_out) {
        // Not in the catch block: C++ cannot co_await there.
        p.kill();
        output = co_await p.communicate();
    }
    int code = co_await p.wait();
    co_return command_result{code, std::move(output.first), std::move(output.second), timed_out};
}

tulip::awaitable<int> main_coro()
{
    auto quick = co_await run_command("echo hello; echo warning >&2", 5s);
    std::cout << "quick: returncode " << quick.returncode << ", stdout " << quick.out
              << "       stderr " << quick.err;

    // `exec` so that the shell is the sleep: killing it ends the pipes' last writer.
    auto slow = co_await run_command("echo partial; exec sleep 30", 500ms);
    std::cout << "slow: timed out " << slow.timed_out << ", returncode " << slow.returncode
              << ", stdout " << slow.out;

    bool ok = quick.returncode == 0 && quick.out == "hello\n" && quick.err == "warning\n" &&
              !quick.timed_out && slow.timed_out && slow.returncode == -9 &&
              slow.out == "partial\n";
    co_return ok ? 0 : 1;
}

int main()
{
    return tulip::run(main_coro());
}
