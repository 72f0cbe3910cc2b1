#!/usr/bin/env python3
"""`roster serve` under the loads of issue 23. A script, not a test; loopback only.

    python3 benches/serve_hostile.py --roster PATH [--work DIR] [--concurrent 40] [--rows 30000]
                                     [--answer-rows 1000000] [-- SERVE_FLAGS...]

1. Memory: --concurrent simultaneous `POST /v1/sync?dry_run=true` of a --rows roster from one
   `read` key (curl, one thread each); the server's peak memory (VmHWM of /proc/PID/status) after
   all have answered, and how many answered 200 and 503.
2. The answer of a --answer-rows dry run (the whole report: every row a change), fetched plain,
   with `Accept-Encoding: gzip` and with `Accept-Encoding: zstd`: bytes on the wire and curl's
   total time, once each (0 skips this part).

Flags after `--` go to `roster serve` (for example `--max-concurrent-imports 2`). Needs curl and
../shared/bench/gen_roster.py. Standard library only.
"""
import argparse
import re
import subprocess
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared" / "bench" / "gen_roster.py"
BIG = "1000000000"


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


def roster_file(work, rows):
    path = work / f"r{rows}.csv"
    if not path.exists():
        run([sys.executable, str(GEN), "--rows", str(rows), "-o", str(path)])
    return path


def start(roster, db, flags):
    proc = subprocess.Popen(
        [roster, "--db", db, "serve", "--listen", "127.0.0.1:0", "--rate-limit", "1000000/s",
         *flags],
        stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    m = re.match(r"listening on (http://\S+)", line)
    if not m:
        proc.kill()
        sys.exit(f"roster serve did not start: {line}")
    # Drain the request log so that the pipe never fills.
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, m.group(1)


def curl(url, key, body, extra=()):
    out = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}",
         "-H", f"Authorization: Bearer {key}", "-H", "Content-Type: text/csv",
         "--data-binary", f"@{body}", *extra, url],
        capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), int(out[1]), float(out[2])


def peak_kib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--roster", required=True)
    ap.add_argument("--work", default=str(REPO / "bench-out"))
    ap.add_argument("--concurrent", type=int, default=40)
    ap.add_argument("--rows", type=int, default=30000)
    ap.add_argument("--answer-rows", type=int, default=1000000)
    ap.add_argument("serve_flags", nargs="*")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    db = work / "hostile.db"
    for p in work.glob("hostile.db*"):
        p.unlink()
    for setting in ("max-rows", "max-bytes"):
        run([args.roster, "--db", db, "config", "set", setting, BIG])
    key = run([args.roster, "--db", db, "--quiet", "keys", "create", "bench", "--scope",
               "read"]).stdout.strip()

    body = roster_file(work, args.rows)
    proc, base = start(args.roster, db, args.serve_flags)
    url = f"{base}/v1/sync?dry_run=true"
    statuses = []
    threads = [threading.Thread(target=lambda: statuses.append(curl(url, key, body)[0]))
               for _ in range(args.concurrent)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    peak = peak_kib(proc.pid)
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    print(f"{args.concurrent} concurrent {args.rows}-row dry runs: peak VmHWM {peak / 1024:.0f} MiB;"
          f" answers {counts}")
    proc.terminate()
    proc.wait()

    if args.answer_rows:
        body = roster_file(work, args.answer_rows)
        proc, base = start(args.roster, db, args.serve_flags)
        url = f"{base}/v1/sync?dry_run=true"
        for name, extra in (("plain", ()), ("gzip", ("-H", "Accept-Encoding: gzip")),
                            ("zstd", ("-H", "Accept-Encoding: zstd"))):
            status, size, seconds = curl(url, key, body, extra)
            print(f"{args.answer_rows}-row dry run answer, {name}: status {status}, "
                  f"{size / 1e6:.1f} MB, {seconds:.1f} s")
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
