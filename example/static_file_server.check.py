# Runs example/static_file_server on a temporary directory and fetches from it with curl
# (a real HTTP client): a small and a 5 MiB file byte for byte, HEAD (the length, no
# body), keep-alive reuse of one connection, index.html for "/", 404 for missing files,
# directories and paths that try to leave the root, 405 for POST, HTTP/1.0, several
# files at once over parallel connections, and a client that leaves mid-file; then
# SIGINT, after which the server must exit 0. All of it twice: over plain HTTP (bodies
# by sendfile(2)) and over HTTPS with a certificate made here (curl --cacert verifies it;
# bodies by the read/write fallback).
#   python3 static_file_server.check.py path/to/static_file_server
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

from selfsigned import make_certificate

with tempfile.TemporaryDirectory() as root:
    files = {
        "index.html": b"<html><body>Tulip</body></html>\n",
        "small.txt": os.urandom(1024),
        "big.bin": os.urandom(5 * 1024 * 1024 + 17),
        "empty.txt": b"",
        "sub/page.html": b"<p>sub</p>\n",
    }
    for name, data in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    # The certificate lives outside the served directory.
    keys = tempfile.mkdtemp(prefix="tulip-static-")
    cert, key = make_certificate(keys)

    def check(scheme, tls_args):

        server = subprocess.Popen([sys.argv[1], "0", root, *tls_args],
                                  stdout=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline()
            m = re.match(r"serving (https?)://127\.0\.0\.1:(\d+)/", line)
            assert m and m.group(1) == scheme, f"unexpected first line: {line!r}"
            port = m.group(2)
            # Over HTTPS curl checks the certificate, made for the name localhost.
            base = f"{scheme}://localhost:{port}/"
            peer = ["--resolve", f"localhost:{port}:127.0.0.1"]
            if scheme == "https":
                peer += ["--cacert", cert]

            def curl(*args):
                r = subprocess.run(["curl", "-sS", "--max-time", "20", *peer, *args],
                                   capture_output=True, timeout=30)
                assert r.returncode == 0, f"curl {args} failed: {r.stderr!r}"
                return r.stdout

            for name, data in files.items():
                got = curl(base + name)
                assert got == data, f"{name}: {len(got)} bytes, expected {len(data)}"
            assert curl(base) == files["index.html"]

            # HEAD: the headers of GET, no body.
            head = curl("-I", base + "big.bin").decode()
            assert head.startswith("HTTP/1.1 200"), head
            assert f"Content-Length: {len(files['big.bin'])}" in head, head
            assert "Content-Type: application/octet-stream" in head, head

            # Three transfers on one connection: only the first one connects.
            out = curl(base + "small.txt", base + "big.bin", base + "index.html",
                       "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                       "-w", "[%{num_connects} %{size_download}]")
            assert out == (b"[1 1024][0 %d][0 %d]"
                           % (len(files["big.bin"]), len(files["index.html"]))), out

            def status(*args):
                return curl(*args, "-o", "/dev/null", "-w", "%{http_code}")

            assert status(base + "missing") == b"404"
            assert status(base + "sub") == b"404"  # a directory
            assert status("--path-as-is", base + "../../etc/passwd") == b"404"
            assert status("--path-as-is", base + "sub/../index.html") == b"404"
            assert status("-X", "POST", "-d", "x", base + "index.html") == b"405"
            assert curl("-0", base + "small.txt") == files["small.txt"]

            # Parallel connections, each with the big file.
            procs = [subprocess.Popen(["curl", "-sS", "--max-time", "20", *peer,
                                       base + "big.bin"], stdout=subprocess.PIPE)
                     for _ in range(4)]
            for p in procs:
                body, _ = p.communicate(timeout=30)
                assert p.returncode == 0 and body == files["big.bin"]

            # A client that goes away in the middle of a big file costs the server nothing.
            subprocess.run(["curl", "-sS", "--max-time", "20", *peer, "--limit-rate", "100K",
                            "-m", "1", "-o", "/dev/null", base + "big.bin"],
                           capture_output=True)
            assert curl(base + "small.txt") == files["small.txt"]

            server.send_signal(signal.SIGINT)
            rest, _ = server.communicate(timeout=30)
            assert server.returncode == 0, f"exit status {server.returncode}"
            assert "stopped" in rest, rest
            print(f"static_file_server: all curl checks passed over {scheme}")
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()

    try:
        check("http", [])
        check("https", [cert, key])
    finally:
        shutil.rmtree(keys)
