# Runs example/echo_per_core with 2 loops, echoes on many connections at once, then sends
# SIGINT, after which it must exit 0.
#   python3 echo_per_core.check.py path/to/echo_per_core
import re
import signal
import socket
import subprocess
import sys

server = subprocess.Popen([sys.argv[1], "0", "2"], stdout=subprocess.PIPE, text=True)
try:
    line = server.stdout.readline()
    m = re.match(r"serving on 127\.0\.0\.1:(\d+) with 2 loops", line)
    assert m, f"unexpected first line: {line!r}"
    port = int(m.group(1))
    conns = [socket.create_connection(("127.0.0.1", port), timeout=20) for _ in range(16)]
    for i, c in enumerate(conns):
        c.sendall(f"hello {i}".encode())
    for i, c in enumerate(conns):
        want = f"hello {i}".encode()
        got = b""
        while len(got) < len(want):
            chunk = c.recv(100)
            assert chunk, "connection closed early"
            got += chunk
        assert got == want, (got, want)
        c.close()
    server.send_signal(signal.SIGINT)
    rest, _ = server.communicate(timeout=30)
    assert server.returncode == 0, f"exit status {server.returncode}"
    assert "stopped" in rest, rest
    print("echo_per_core: 16 connections echoed on 2 loops, SIGINT, exit 0")
finally:
    if server.poll() is None:
        server.kill()
        server.wait()
