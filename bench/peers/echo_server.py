#!/usr/bin/python3
#
# Copyright (c) 2026 The Boost.Tulip authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
"""Echo servers of the tcp_echo benchmark on CPython asyncio and uvloop.

Usage: echo_server.py --loop asyncio|uvloop --api streams|protocol [--port P]

Impl names in bench/run: asyncio (asyncio streams), asyncio_protocol, uvloop (uvloop
streams), uvloop_protocol. Follows the contract of the C++ servers
(bench/servers/server_common.hpp) except `--idle`: listens on 127.0.0.1:P (0: a free
port) with a backlog of 4096, TCP_NODELAY on each connection, prints `port <bound port>`
as its first stdout line, then echoes until killed.

streams:  start_server; per connection `data = await reader.read(65536)`,
          `writer.write(data)`, `await writer.drain()`, as the asyncio docs' echo server.
protocol: an asyncio.Protocol whose data_received calls transport.write(data).
If uvloop cannot be imported, exits with status 3 and a note on stderr.
"""

import argparse
import asyncio
import resource
import signal
import socket
import sys


def nodelay(transport):
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


async def handle(reader, writer):
    nodelay(writer.transport)
    read, write, drain = reader.read, writer.write, writer.drain
    try:
        while True:
            data = await read(65536)
            if not data:
                break
            write(data)
            await drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        nodelay(transport)
        self.write = transport.write

    def data_received(self, data):
        self.write(data)


async def serve(api, port):
    loop = asyncio.get_running_loop()
    if api == "streams":
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
    else:
        server = await loop.create_server(Echo, "127.0.0.1", port, backlog=4096)
    print("port %d" % server.sockets[0].getsockname()[1], flush=True)
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with server:
        await stop


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    ap.add_argument("--api", choices=["streams", "protocol"], default="streams")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    # 1024 connections need more descriptors than the usual soft limit.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.loop == "uvloop":
        try:
            import uvloop
        except ImportError as e:
            print("echo_server.py: uvloop not available (%s)" % e, file=sys.stderr)
            return 3
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(serve(args.api, args.port))
    finally:
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
