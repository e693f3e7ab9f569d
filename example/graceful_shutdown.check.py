# Runs example/graceful_shutdown as a child process and checks its shutdown: a request in
# flight when SIGTERM arrives is answered, no new connection is accepted after it, an
# idle connection is cancelled once the grace period is over, and the exit status is 0.
# Then the same with SIGINT and nothing open: a prompt exit 0.
#   python3 graceful_shutdown.check.py path/to/graceful_shutdown
import re
import signal
import socket
import subprocess
import sys
import time


def start(grace):
    p = subprocess.Popen([sys.argv[1], "0", str(grace)], stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    m = re.match(r"serving on 127\.0\.0\.1:(\d+)", line)
    assert m, f"unexpected first line: {line!r}"
    return p, int(m.group(1))


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    return s


def read_line(s):
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(100)
        if not chunk:
            break
        data += chunk
    return data


server, port = start(1.0)
try:
    busy = connect(port)
    idle = connect(port)
    idle.sendall(b"hello\n")
    assert read_line(idle) == b"hello\n"
    busy.sendall(b"SLOW 700\n")  # in flight when the signal comes
    time.sleep(0.2)
    sent = time.monotonic()
    server.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    try:
        late = socket.create_connection(("127.0.0.1", port), timeout=5)
        late.close()
        raise AssertionError("a connection was accepted after the signal")
    except ConnectionRefusedError:
        pass
    assert read_line(busy) == b"done 700\n", "the request in flight was not answered"
    busy.close()
    # The idle connection is cancelled after the 1 s grace period: the server closes it.
    assert read_line(idle) == b"", "the idle connection was not closed"
    rest, _ = server.communicate(timeout=30)
    took = time.monotonic() - sent
    assert server.returncode == 0, f"exit status {server.returncode}"
    assert "signal 15: closing with 2 connection(s) open" in rest, rest
    assert "2 request(s) answered, 1 connection(s) cancelled" in rest, rest
    assert took < 10, f"shutdown took {took:.1f} s"
finally:
    if server.poll() is None:
        server.kill()
        server.wait()

server, port = start(5.0)
try:
    sent = time.monotonic()
    server.send_signal(signal.SIGINT)
    rest, _ = server.communicate(timeout=30)
    assert server.returncode == 0, f"exit status {server.returncode}"
    assert "signal 2: closing with 0 connection(s) open" in rest, rest
    assert time.monotonic() - sent < 3, "an idle server did not exit promptly"
finally:
    if server.poll() is None:
        server.kill()
        server.wait()
print("graceful_shutdown: in-flight request answered, idle connection cancelled, exit 0")
