# Runs example/websocket_echo and talks to it with the `websockets` library (Debian's
# python3-websockets, a real WebSocket client): text and binary messages come back
# unchanged, a large message too, and the close handshake completes with code 1000;
# then SIGINT, after which the server must exit 0.
#   python3 websocket_echo.check.py path/to/websocket_echo
import asyncio
import os
import re
import signal
import subprocess
import sys

import websockets

server = subprocess.Popen([sys.argv[1], "0"], stdout=subprocess.PIPE, text=True)


async def talk(uri):
    async with websockets.connect(uri, max_size=None) as ws:
        for msg in ["hello", "żółw 🐢", b"\x00\x01binary\xff", os.urandom(1 << 20)]:
            await ws.send(msg)
            back = await asyncio.wait_for(ws.recv(), 20)
            assert back == msg and type(back) is type(msg), (type(back), len(back))
        # Two connections at once: each has its own echo task.
        async with websockets.connect(uri) as other:
            await other.send("second")
            await ws.send("first")
            assert await asyncio.wait_for(other.recv(), 20) == "second"
            assert await asyncio.wait_for(ws.recv(), 20) == "first"
    # The context manager closed it: the server answered the close frame.
    assert ws.close_code == 1000, ws.close_code


try:
    line = server.stdout.readline()
    m = re.match(r"serving (ws://127\.0\.0\.1:\d+/)", line)
    assert m, f"unexpected first line: {line!r}"
    asyncio.run(asyncio.wait_for(talk(m.group(1)), 60))

    server.send_signal(signal.SIGINT)
    rest, _ = server.communicate(timeout=30)
    assert server.returncode == 0, f"exit status {server.returncode}"
    assert "stopped" in rest, rest
    print("websocket_echo: all checks passed")
finally:
    if server.poll() is None:
        server.kill()
        server.wait()
