#!/usr/bin/env python3
"""Throughput of `roster invitations send` (issue 23): N invitations delivered to a local
aiosmtpd that only counts them (tests/mail/smtp_sink.py with '-'), for each roster binary
given, on a fresh SQLite store each. A script, not a test; loopback only.

    python3 benches/invitations.py --roster OLD_BINARY --roster target/release/roster \\
        [--count 10000] [--python $ROSTER_PYTHON]

Prints, per binary: the send's wall time, messages per second, and the run's JSON counts.
Needs a Python with aiosmtpd (ROSTER_PYTHON, as .ci/run makes). Standard library only.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(python, port):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "tests", "mail"))
    proc = subprocess.Popen(
        [python, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "smtp_sink.Sink", "-"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("aiosmtpd did not listen")


def run(binary, db, *args, **kw):
    return subprocess.run([binary, "--db", db, "--quiet", *args], check=True,
                          capture_output=True, text=True, **kw)


def measure(binary, port, count, work):
    db = os.path.join(work, f"{abs(hash(binary))}.db")
    for key, value in [("smtp-url", f"smtp://127.0.0.1:{port}"),
                       ("smtp-from", "Roster <roster@example.org>"),
                       ("invite-link", "https://example.org/invitations/{token}")]:
        run(binary, db, "config", "set", key, value)
    csv = os.path.join(work, "members.csv")
    with open(csv, "w") as f:
        f.write("email,first_name,last_name\n")
        for i in range(count):
            f.write(f"m{i}@example.com,First{i},Last{i}\n")
    run(binary, db, "import", csv, "--invite")
    start = time.perf_counter()
    out = run(binary, db, "invitations", "send", "--now", "--output", "json")
    took = time.perf_counter() - start
    doc = json.loads(out.stdout)
    return took, {k: doc[k] for k in ("sent", "failed", "pending")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roster", action="append", required=True)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--python", default=os.environ.get("ROSTER_PYTHON"))
    args = parser.parse_args()
    if not args.python:
        sys.exit("--python or ROSTER_PYTHON: a Python with aiosmtpd")
    port = free_port()
    sink = start_sink(args.python, port)
    try:
        for binary in args.roster:
            with tempfile.TemporaryDirectory() as work:
                took, counts = measure(binary, port, args.count, work)
            print(f"{binary}: {args.count} invitations in {took:.1f} s, "
                  f"{args.count / took:.0f} messages/s, {counts}")
    finally:
        sink.kill()
        sink.wait()


if __name__ == "__main__":
    main()
