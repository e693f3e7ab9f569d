# Runs example/smtp_starttls with a fresh self-signed certificate and talks to it with
# real STARTTLS clients: `openssl s_client -starttls smtp` (certificate verified) and
# `curl --ssl-reqd`, then a raw socket that sends STARTTLS and an injected command in one
# packet (CVE-2011-0411): the command must never be answered. SIGINT ends the server.
#   python3 smtp_starttls.check.py path/to/smtp_starttls
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

from selfsigned import make_certificate

tmp = tempfile.mkdtemp(prefix="tulip-smtp-")
cert, key = make_certificate(tmp)

server = subprocess.Popen([sys.argv[1], cert, key, "0"], stdout=subprocess.PIPE, text=True)
try:
    line = server.stdout.readline()
    m = re.match(r"serving smtp://127\.0\.0\.1:(\d+)", line)
    assert m, f"unexpected first line: {line!r}"
    port = m.group(1)

    r = subprocess.run(["openssl", "s_client", "-starttls", "smtp", "-connect",
                        "127.0.0.1:" + port, "-CAfile", cert, "-verify_return_error",
                        "-servername", "localhost", "-ign_eof", "-brief"],
                       input=b"NOOP\r\nQUIT\r\n", capture_output=True, timeout=30)
    out = r.stdout.decode() + r.stderr.decode()
    assert r.returncode == 0, out
    assert "Verification: OK" in out, out
    assert "Protocol version: TLSv1.3" in out, out
    assert "250 OK (TLSv1.3)" in out, out
    assert "221 Bye" in out, out

    r = subprocess.run(["curl", "-sS", "--max-time", "20", "--ssl-reqd", "--cacert", cert,
                        "smtp://localhost:" + port, "-X", "NOOP"],
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr

    # STARTTLS and an injected command in one packet: refused by the TLS engine.
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    f = s.makefile("rb")
    assert f.readline().startswith(b"220 ")
    s.sendall(b"STARTTLS\r\nNOOP\r\n")
    rest = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            rest += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    assert rest.startswith(b"220 Ready to start TLS\r\n"), rest
    assert b"250" not in rest, rest

    server.send_signal(signal.SIGINT)
    rest, _ = server.communicate(timeout=30)
    assert server.returncode == 0, f"exit status {server.returncode}"
    assert "stopped" in rest, rest
    print("smtp_starttls: openssl s_client, curl and the injection check passed")
finally:
    if server.poll() is None:
        server.kill()
        server.wait()
    shutil.rmtree(tmp)  # the private key with it
