#!/usr/bin/env python3
"""Benchmark of `roster serve` (issue 13): a sync over HTTP against the CLI import, and the
read and dry-run endpoints under load. A script, not a test; loopback only.

    python3 benches/serve.py [--roster PATH] [--work DIR] [--sizes 30000,1000000]
                             [--runs 3,1] [--load-seconds 10] [--connections 16] [--no-load]

1. `POST /v1/sync` (and, issue 25, `POST /v1/sync?report=summary`) end to end with curl (--data-binary @FILE, answer to /dev/null) against
   `roster --quiet import FILE` and `roster import FILE --output json >/dev/null` (the same
   answer document as the server's: the whole report) on the same file, each on a fresh store
   (same settings: max-rows/max-bytes raised), in turns; medians. The server is started before the timing and its
   store already holds the key; the timing is curl's whole run (upload, import, answer).
2. Under load with wrk (Debian's package): `GET /v1/imports/1` and a 10 000-row
   `POST /v1/sync?dry_run=true` (a Lua script sends the body), each for --load-seconds with
   --connections connections and 2 threads, `--rate-limit 1000000/s` so that no request is
   refused; p50/p99 from `wrk --latency`, non-2xx counts, socket errors; the server's RSS
   (VmRSS) at idle and its peak during each load (sampled every 100 ms).

Needs: a release build (`cargo build --release`, or --roster), curl, wrk, and
../shared/bench/gen_roster.py. Standard library only.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared" / "bench" / "gen_roster.py"
BIG = "1000000000"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def store(roster, work, name):
    """A fresh store with the limits raised, and a sync key; returns (db, key)."""
    db = work / f"{name}.db"
    for p in work.glob(f"{name}.db*"):
        p.unlink()
    for key in ("max-rows", "max-bytes"):
        run([roster, "--db", db, "config", "set", key, BIG])
    key = run([roster, "--db", db, "--quiet", "keys", "create", "bench"]).stdout.strip()
    return db, key


class Server:
    def __init__(self, roster, db, rate="1000000/s"):
        self.proc = subprocess.Popen(
            [roster, "--db", db, "serve", "--listen", "127.0.0.1:0", "--rate-limit", rate],
            stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        m = re.match(r"listening on (http://\S+)", line)
        if not m:
            raise SystemExit(f"roster serve did not start: {line}")
        self.base = m.group(1)
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def rss_mb(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=120)


def curl_sync(base, key, path, query=""):
    cmd = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
           "-H", f"Authorization: Bearer {key}", "-H", "Content-Type: text/csv",
           "--data-binary", f"@{path}", f"{base}/v1/sync{query}"]
    start = time.perf_counter()
    code = run(cmd).stdout.strip()
    took = time.perf_counter() - start
    if code != "200":
        raise SystemExit(f"sync answered {code}")
    return took


def sync_vs_cli(roster, work, rows, runs):
    path = work / f"r{rows}.csv"
    cli, json_cli, srv, summary = [], [], [], []
    for i in range(runs):
        db, _ = store(roster, work, "cli")
        start = time.perf_counter()
        run([roster, "--db", db, "--quiet", "import", path])
        cli.append(time.perf_counter() - start)
        # The same answer document as the server's: the whole JSON report, to /dev/null.
        db, _ = store(roster, work, "cli")
        with open(os.devnull, "w") as null:
            start = time.perf_counter()
            subprocess.run([roster, "--db", db, "import", path, "--output", "json"],
                           check=True, stdout=null)
            json_cli.append(time.perf_counter() - start)
        db, key = store(roster, work, "srv")
        server = Server(roster, db)
        try:
            srv.append(curl_sync(server.base, key, path))
        finally:
            server.stop()
        # Issue 25: the summary only (`report=summary`), against `roster --quiet import`.
        db, key = store(roster, work, "srv")
        server = Server(roster, db)
        try:
            summary.append(curl_sync(server.base, key, path, "?report=summary"))
        finally:
            server.stop()
        print(f"  {rows} rows run {i + 1}: cli --quiet {cli[-1]:.2f}s  cli --output json "
              f"{json_cli[-1]:.2f}s  server {srv[-1]:.2f}s  server report=summary "
              f"{summary[-1]:.2f}s", flush=True)
    for label, answers, name, times in (
            ("POST /v1/sync", srv, "cli --quiet", cli),
            ("POST /v1/sync", srv, "cli --output json", json_cli),
            ("POST /v1/sync?report=summary", summary, "cli --quiet", cli)):
        s, c = statistics.median(answers), statistics.median(times)
        verdict = "PASS" if s <= 1.1 * c else "MISSED"
        print(f"sync {rows}: {name} median {c:.2f}s, {label} median {s:.2f}s, "
              f"ratio {s / c:.3f} (target <= 1.10: {verdict})", flush=True)


def wrk(args, seconds, connections, server):
    peak = [server.rss_mb()]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], server.rss_mb())
            time.sleep(0.1)

    t = threading.Thread(target=sample)
    t.start()
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
    out = run(cmd + args).stdout
    done.set()
    t.join()
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    total = re.search(r"(\d+) requests in", out).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)$", out, re.M)
    rps = re.search(r"Requests/sec:\s+(\S+)", out).group(1)
    return (f"{total} requests, {rps} req/s, p50 {pct.get('50')}, p99 {pct.get('99')}, "
            f"non-2xx {non2xx.group(1) if non2xx else 0}, socket errors "
            f"{errors.group(1) if errors else 'none'}, peak RSS {peak[0]:.0f} MB")


def under_load(roster, work, seconds, connections):
    db, key = store(roster, work, "load")
    server = Server(roster, db)
    try:
        time.sleep(0.5)
        print(f"idle RSS, empty store: {server.rss_mb():.0f} MB", flush=True)
        curl_sync(server.base, key, work / "r30000.csv")
        time.sleep(0.5)
        print(f"idle RSS after a 30000-row sync: {server.rss_mb():.0f} MB", flush=True)
        auth = ["-H", f"Authorization: Bearer {key}"]
        print("GET /v1/imports/1: " + wrk(auth + [f"{server.base}/v1/imports/1"],
                                          seconds, connections, server), flush=True)
        lua = work / "dry_run.lua"
        body = (work / "r10000.csv").resolve()
        lua.write_text(
            'wrk.method = "POST"\n'
            f'local f = io.open("{body}", "rb")\nwrk.body = f:read("*a")\nf:close()\n'
            'wrk.headers["Content-Type"] = "text/csv"\n')
        print("POST /v1/sync?dry_run=true (10000 rows): " + wrk(
            auth + ["-s", str(lua), f"{server.base}/v1/sync?dry_run=true"],
            seconds, connections, server), flush=True)
        time.sleep(1)
        print(f"idle RSS after the load: {server.rss_mb():.0f} MB", flush=True)
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--roster", default=str(REPO / "target" / "release" / "roster"))
    ap.add_argument("--work", default=str(REPO / "bench-out" / "serve"))
    ap.add_argument("--sizes", default="30000,1000000")
    ap.add_argument("--runs", default="3,1", help="runs per size, in the order of --sizes")
    ap.add_argument("--load-seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--no-load", action="store_true", help="only the syncs against the CLI")
    a = ap.parse_args()
    for tool in ("curl",) if a.no_load else ("curl", "wrk"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing (apt-get install -y {tool})")
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in a.sizes.split(",") if s]
    runs = [int(r) for r in a.runs.split(",")]
    for rows in sorted(set(sizes + [10000, 30000])):
        path = work / f"r{rows}.csv"
        if not path.exists():
            run([sys.executable, GEN, "--rows", str(rows), "-o", path])
    for i, rows in enumerate(sizes):
        sync_vs_cli(a.roster, work, rows, runs[min(i, len(runs) - 1)])
    if not a.no_load:
        under_load(a.roster, work, a.load_seconds, a.connections)


if __name__ == "__main__":
    main()
