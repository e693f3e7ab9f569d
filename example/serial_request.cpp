//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The asyncserial request/response, in Tulip: write a command to a device on a serial
// port, read its fixed-size answer, with a timeout around each exchange.
//
//     reader, writer = await serial_asyncio.open_serial_connection(url=port,
//                                                                  baudrate=115200)
//     writer.write(b"STATUS\n")
//     answer = await asyncio.wait_for(reader.readexactly(5), 2)
//
//     serial_request DEVICE        e.g. /dev/ttyUSB0
//
// Under ctest, serial_request.check.py puts a simulated device (Debian's python3-serial)
// on the far end of a pty pair and runs this program on the near end.

#include <boost/tulip.hpp>

#include <iostream>
#include <string>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

namespace {

tulip::awaitable<int> session(std::string device)
{
    auto [reader, writer] =
        co_await tulip::open_serial_connection(device, tulip::serial_options{.baud_rate = 115200});

    for (std::string command : {"STATUS", "TEMP"}) {
        writer.write(command + "\n");
        co_await writer.drain();
        // The device answers with exactly 5 bytes.
        std::string answer = co_await tulip::timeout(2s, reader.readexactly(5));
        std::cout << command << " -> " << answer << '\n';
    }

    // A command the device ignores: the timeout ends the wait, and the port stays usable.
    writer.write("NOP\n");
    bool answered = true;
    try {
        co_await tulip::timeout(200ms, reader.readexactly(5));
    } catch (const tulip::timeout_error&) {
        answered = false;
    }
    std::cout << "NOP -> " << (answered ? "answered" : "no answer (timeout)") << '\n';

    writer.close();
    co_await writer.wait_closed();
    co_return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: serial_request DEVICE\n";
        return 2;
    }
    try {
        return tulip::run(session(argv[1]));
    } catch (const std::exception& e) {
        std::cerr << "serial_request: " << e.what() << '\n';
        return 1;
    }
}
