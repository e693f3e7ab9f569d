# A fresh self-signed P-256 certificate for localhost and 127.0.0.1, made with the
# `openssl` command, for the example checks that run a TLS server (clients verify it
# with --cacert / -CAfile).
import os
import subprocess


def make_certificate(directory):
    """Writes cert.pem and key.pem into `directory`; returns their paths."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-keyout", key, "-out", cert, "-days", "2",
                    "-nodes", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key
