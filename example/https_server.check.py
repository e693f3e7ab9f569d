# Runs example/https_server with a fresh certificate and fetches from it with curl
# (--cacert: the certificate is verified): a GET, two requests on one connection, a
# 3 MiB POST echoed back, a 404; `openssl s_client` sees TLS 1.3 and a verified chain; a
# client that sends garbage instead of a ClientHello does not stop the server. SIGINT
# ends it.
#   python3 https_server.check.py path/to/https_server
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

from selfsigned import make_certificate

tmp = tempfile.mkdtemp(prefix="tulip-https-")
cert, key = make_certificate(tmp)

server = subprocess.Popen([sys.argv[1], cert, key, "0"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
try:
    line = server.stdout.readline()
    m = re.match(r"serving https://127\.0\.0\.1:(\d+)/", line)
    assert m, f"unexpected first line: {line!r}"
    port = m.group(1)
    base = f"https://localhost:{port}/"
    resolve = f"localhost:{port}:127.0.0.1"

    def curl(*args, data=None):
        r = subprocess.run(["curl", "-sS", "--max-time", "20", "--cacert", cert,
                            "--resolve", resolve, *args],
                           input=data, capture_output=True, timeout=30)
        assert r.returncode == 0, f"curl {args} failed: {r.stderr!r}"
        return r.stdout

    assert curl(base + "hello") == b"Hello over TLSv1.3, you asked for /hello\n"
    out = curl(base + "hello/1", base + "hello/2", "-w", "[%{num_connects}]\n")
    assert out == (b"Hello over TLSv1.3, you asked for /hello/1\n[1]\n"
                   b"Hello over TLSv1.3, you asked for /hello/2\n[0]\n"), out
    body = os.urandom(3 * 1024 * 1024)
    assert curl(base + "echo", "--data-binary", "@-", "-H", "Expect:", data=body) == body
    assert curl(base + "missing", "-o", "/dev/null", "-w", "%{http_code}") == b"404"

    # Garbage instead of a ClientHello: that connection fails, the server goes on.
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        while s.recv(4096):
            pass
    except ConnectionResetError:
        pass
    s.close()

    r = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:" + port,
                        "-CAfile", cert, "-servername", "localhost", "-verify_return_error",
                        "-brief"], input=b"", capture_output=True, timeout=30)
    out = r.stdout.decode() + r.stderr.decode()
    assert "Verification: OK" in out and "TLSv1.3" in out, out
    assert curl(base + "hello/again") == b"Hello over TLSv1.3, you asked for /hello/again\n"

    server.send_signal(signal.SIGINT)
    rest, err = server.communicate(timeout=30)
    assert server.returncode == 0, f"exit status {server.returncode}: {err}"
    assert "stopped" in rest, rest
    assert "TLS handshake failed" in err, err  # the garbage client was reported
    print("https_server: curl and openssl checks passed")
finally:
    if server.poll() is None:
        server.kill()
        server.wait()
    shutil.rmtree(tmp)  # the private key with it
