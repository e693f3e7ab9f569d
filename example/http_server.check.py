# Runs example/http_server and talks to it with curl (a real HTTP client): single
# requests, keep-alive reuse of one connection, a large POST echoed back, a 404, an
# HTTP/1.0 request, then SIGINT, after which the server must exit 0.
#   python3 http_server.check.py path/to/http_server
import os
import re
import signal
import subprocess
import sys

server = subprocess.Popen([sys.argv[1], "0"], stdout=subprocess.PIPE, text=True)
try:
    line = server.stdout.readline()
    m = re.match(r"serving (http://127\.0\.0\.1:\d+/)", line)
    assert m, f"unexpected first line: {line!r}"
    base = m.group(1)

    def curl(*args, data=None):
        r = subprocess.run(["curl", "-sS", "--max-time", "20", *args], input=data,
                           capture_output=True, timeout=30)
        assert r.returncode == 0, f"curl {args} failed: {r.stderr!r}"
        return r.stdout

    assert curl(base + "hello") == b"Hello from Tulip, you asked for /hello\n"

    # Two transfers on one connection: the second one makes no new connection.
    out = curl(base + "hello/1", base + "hello/2", "-w", "[%{num_connects}]\n")
    assert out == (b"Hello from Tulip, you asked for /hello/1\n[1]\n"
                   b"Hello from Tulip, you asked for /hello/2\n[0]\n"), out

    # 3 MiB up and back: more than the reader's limit and the writer's high-water mark.
    body = os.urandom(3 * 1024 * 1024)
    assert curl(base + "echo", "--data-binary", "@-", "-H", "Expect:", data=body) == body

    assert curl(base + "missing", "-o", "/dev/null", "-w", "%{http_code}") == b"404"
    assert curl("-0", base + "hello/old") == b"Hello from Tulip, you asked for /hello/old\n"

    server.send_signal(signal.SIGINT)
    rest, _ = server.communicate(timeout=30)
    assert server.returncode == 0, f"exit status {server.returncode}"
    assert "stopped" in rest, rest
    print("http_server: all curl checks passed")
finally:
    if server.poll() is None:
        server.kill()
        server.wait()
