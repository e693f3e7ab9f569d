# Runs example/serial_request against a simulated device: socat joins two ptys, a
# python3-serial script answers on one end (STATUS -> "OK:42", TEMP -> "21.5", NOP ->
# nothing), the example opens the other end.
#   python3 serial_request.check.py path/to/serial_request
import os
import subprocess
import sys
import tempfile
import time

import serial

with tempfile.TemporaryDirectory() as d:
    host, dev = os.path.join(d, "host"), os.path.join(d, "device")
    socat = subprocess.Popen(["socat", f"pty,raw,echo=0,link={host}",
                              f"pty,raw,echo=0,link={dev}"])
    try:
        for _ in range(500):
            if os.path.exists(host) and os.path.exists(dev):
                break
            time.sleep(0.01)
        port = serial.Serial(dev, baudrate=115200, timeout=0.1)
        example = subprocess.Popen([sys.argv[1], host], stdout=subprocess.PIPE, text=True)
        answers = {b"STATUS": b"OK:42", b"TEMP": b"21.5C"}
        deadline = time.monotonic() + 30
        while example.poll() is None and time.monotonic() < deadline:
            line = port.readline()
            if line.endswith(b"\n") and line.strip() in answers:
                port.write(answers[line.strip()])
        out, _ = example.communicate(timeout=30)
        assert example.returncode == 0, f"exit status {example.returncode}"
        assert out == ("STATUS -> OK:42\nTEMP -> 21.5C\nNOP -> no answer (timeout)\n"), out
    finally:
        socat.terminate()
        socat.wait()
print("serial_request: ok")
