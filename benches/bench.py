#!/usr/bin/env python3
"""Benchmark harness for roster (issues 6 and 25): roster against the yardsticks, taken in turns.

    python3 benches/bench.py [--sizes 10000,30000,200000] [--runs 5] [--roster PATH] [--limit PATH]
                             [--work DIR] [--scenarios a,b,...] [--json out.json] [--verbose]

Builds roster (`cargo build --release`) and the yardstick `limit` (a copy of
../shared/bench/limit built in the work dir) unless their paths are given, generates the roster
files with ../shared/bench/gen_roster.py (cached in the work dir), then runs every scenario with
roster and with its yardstick in turns (roster, yardstick, roster, yardstick, ...), each run on a
fresh copy of the store state it needs. It measures the wall time of each run and its peak
resident memory (ru_maxrss from os.wait4 of that very child), and prints medians, ratios and the
targets of issue 25. See benches/README.md. Standard library only (Python 3.11).
"""
import argparse
import json
import os
import platform
import pty
import termios
import threading
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "bench"
BIG = 1_000_000_000  # --max-rows / --max-bytes for every roster run
TARGET_ROWS = 1_000_000  # issue 25 states its memory target and its strictest ratios here
JUDGED_FROM = 10_000  # issue 25: its four import scenarios are judged from 10k rows up
MEM_LIMIT_MB = 400  # issue 25: peak RSS of every path at 1M rows
GROWTH_LIMIT = 10.0  # issue 25: the 1M figure at most 10x the 100k figure
EXPORT_SQL = ("select email, external_id, phone, first_name, last_name, name, job_title, "
              "date_of_birth, description, labels, notify_email, notify_sms, notify_voice, "
              "organization_role from members where status not in ('INACTIVE','BANNED') "
              "order by email")

# name -> (target ratio roster/yardstick below 1M rows, at 1M rows and above, label of the
# yardstick column). Issue 25 judges the four import scenarios from 10k rows up (None: not
# judged at that size); the others keep issue 6's targets, judged at 1M rows.
SCENARIOS = {
    "import_empty": (1.0, 0.8, "limit"),
    "noop_full_sync": (1.0, 0.5, "limit"),
    "diff_next_day": (1.0, 0.5, "limit"),
    "full_sync_next_day": (1.0, 0.8, "limit"),
    "export": (None, 1.5, "sqlite3"),
    "ndjson_overhead": (None, 1.02, "--output json"),
    "progress_overhead": (None, 1.02, "stderr file"),
}


def target_of(name, n):
    """The target ratio of a scenario at n rows, or None where it is not judged."""
    small, large, _ = SCENARIOS[name]
    if n >= TARGET_ROWS:
        return large
    return small if n >= JUDGED_FROM else None


def die(msg):
    print(f"bench: error: {msg}", file=sys.stderr)
    sys.exit(2)


def note(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Building and generating


def cargo_release(args, exe, what, cwd=None):
    """`cargo build --release ARGS`, then the path of the binary it must have made."""
    note(f"building {what}: cargo build --release {' '.join(args)}".rstrip())
    r = subprocess.run(["cargo", "build", "--release", *args], cwd=cwd)
    if r.returncode != 0:
        die(f"building {what} failed")
    if not exe.is_file():
        die(f"{exe} not found after the build")
    return exe


def build_roster():
    return cargo_release([], REPO / "target" / "release" / "roster", "roster", cwd=REPO)


def build_limit(work):
    src = SHARED / "limit"
    if not (src / "Cargo.toml").is_file():
        die(f"the yardstick sources {src} are missing (expected ../shared/bench/limit next to "
            "the repository); pass --limit PATH to a built `limit` binary")
    dest = work / "limit"
    # ../shared is read-only: build a copy (kept, so later builds are incremental).
    shutil.copytree(src, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("target"))
    manifest = ["--manifest-path", str(dest / "Cargo.toml")]
    return cargo_release(manifest, dest / "target" / "release" / "limit", "the yardstick `limit`")


def generate(work, n):
    """rN.csv and rN_d1.csv in the work dir, generated once (the generator is deterministic)."""
    gen = SHARED / "gen_roster.py"
    if not gen.is_file():
        die(f"the shared generator {gen} is missing (expected ../shared/bench/gen_roster.py "
            "relative to the repository root)")
    files = {}
    for key, extra, name in (("base", [], f"r{n}.csv"), ("d1", ["--next-day"], f"r{n}_d1.csv")):
        path = work / name
        if not path.is_file():
            tmp = work / (name + ".tmp")
            note(f"generating {path.name}")
            r = subprocess.run([sys.executable, str(gen), "--rows", str(n), *extra,
                                "-o", str(tmp)])
            if r.returncode != 0:
                die(f"{gen} failed for {name}")
            tmp.replace(path)
        files[key] = path
    return files


# ---------------------------------------------------------------------------------------------
# Stores and runs

STORE_SUFFIXES = ("", "-wal", "-shm", "-journal", ".lock")


def remove_store(path):
    for s in STORE_SUFFIXES:
        p = Path(str(path) + s)
        if p.exists():
            p.unlink()


def copy_store(template, dest):
    """A fresh copy of a prepared store state: the .db file plus -wal/-shm when present."""
    remove_store(dest)
    if template is None:
        return
    for s in ("", "-wal", "-shm"):
        p = Path(str(template) + s)
        if p.exists():
            shutil.copyfile(p, str(dest) + s)


class RunFailed(Exception):
    pass


def run(cmd, out_path, err_path, env, verbose, label, tty=False):
    """Run cmd, return (wall s, user+sys CPU s, peak RSS KB) of that child; raise RunFailed on
    exit != 0.

    With tty=True the child's stderr is a pseudo-terminal (so a progress bar is drawn); what it
    writes there is drained by a thread into err_path."""
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        master = drain = None
        stderr = err
        if tty:
            master, slave = pty.openpty()
            termios.tcsetwinsize(slave, (24, 100))
            stderr = slave
            env = dict(env, TERM=env.get("TERM") or "xterm")

            def pump():
                while True:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:  # EIO once the child has closed the terminal
                        break
                    if not chunk:
                        break
                    err.write(chunk)
            drain = threading.Thread(target=pump, daemon=True)
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=stderr, env=env)
        if tty:
            os.close(slave)
            drain.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        if tty:
            drain.join(timeout=5)
            os.close(master)
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    stderr = Path(err_path).read_text(errors="replace")
    if verbose and stderr.strip():
        print(f"    --- stderr of {label} ---")
        print("    " + stderr.rstrip().replace("\n", "\n    "))
    if p.returncode != 0:
        raise RunFailed(f"{label} exited with {p.returncode}: {' '.join(map(str, cmd))}\n"
                        f"{stderr.rstrip()}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


class Bench:
    def __init__(self, args, roster, limit, work):
        self.args = args
        self.roster = str(roster)
        self.limit = str(limit) if limit else None
        self.work = work
        self.rundir = work / "run"
        self.rundir.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ)
        if args.verbose:
            self.env["ROSTER_TIMINGS"] = "1"
        self.templates = {}

    def roster_cmd(self, store, *rest, quiet=True, limits=True):
        cmd = [self.roster, "--db", str(store), *rest]
        if limits:
            cmd += ["--max-rows", str(BIG), "--max-bytes", str(BIG)]
        if quiet:
            cmd.append("--quiet")
        return cmd

    def template(self, tool, n, files):
        """The store state after importing rN.csv with `tool`, prepared once per size."""
        key = (tool, n)
        if key not in self.templates:
            tdir = self.work / "templates"
            tdir.mkdir(exist_ok=True)
            store = tdir / f"{tool}_{n}.db"
            remove_store(store)
            note(f"preparing the {tool} store for {n} rows")
            if tool == "roster":
                cmd = self.roster_cmd(store, "import", str(files["base"]))
            else:
                cmd = [self.limit, "import", str(store), str(files["base"])]
            run(cmd, tdir / "prep.out", tdir / "prep.err", self.env, False, f"prepare {tool}")
            self.templates[key] = store
        return self.templates[key]

    def sides(self, scenario, n, files):
        """[(label, store template or None, command builder(store, outdir))] for roster, yardstick."""
        base, d1 = str(files["base"]), str(files["d1"])
        lim = self.limit
        if scenario == "import_empty":
            return [("roster", None, lambda s, o: self.roster_cmd(s, "import", base)),
                    ("limit", None, lambda s, o: [lim, "import", str(s), base])]
        if scenario == "noop_full_sync":
            return [("roster", self.template("roster", n, files),
                     lambda s, o: self.roster_cmd(s, "import", base, "--full-sync")),
                    ("limit", self.template("limit", n, files),
                     lambda s, o: [lim, "import", str(s), base])]
        if scenario == "diff_next_day":
            return [("roster", self.template("roster", n, files),
                     lambda s, o: self.roster_cmd(s, "diff", d1, "--full-sync")),
                    ("limit", self.template("limit", n, files),
                     lambda s, o: [lim, "import", str(s), d1, "--dry-run"])]
        if scenario == "full_sync_next_day":
            return [("roster", self.template("roster", n, files),
                     lambda s, o: self.roster_cmd(s, "import", d1, "--full-sync",
                                                  "--max-deactivations", "100%")),
                    ("limit", self.template("limit", n, files),
                     lambda s, o: [lim, "import", str(s), d1])]
        if scenario == "export":
            t = self.template("roster", n, files)
            return [("roster", t, lambda s, o: self.roster_cmd(
                        s, "export", "-o", str(o / "export_roster.csv"), limits=False)),
                    ("sqlite3", t, lambda s, o: ["sqlite3", "-csv", str(s), EXPORT_SQL])]
        if scenario == "ndjson_overhead":
            # Not --quiet: --quiet may turn progress off, and progress is what is measured.
            t = self.template("roster", n, files)
            return [("ndjson", t, lambda s, o: self.roster_cmd(
                        s, "diff", d1, "--full-sync", "--output", "ndjson", quiet=False)),
                    ("json", t, lambda s, o: self.roster_cmd(
                        s, "diff", d1, "--full-sync", "--output", "json", quiet=False))]
        if scenario == "progress_overhead":
            # The progress bar is drawn only when stderr is a terminal: the same diff with
            # stderr on a pseudo-terminal, then on a file.
            t = self.template("roster", n, files)
            cmd = lambda s, o: self.roster_cmd(s, "diff", d1, "--full-sync", quiet=False)
            return [("tty", t, cmd), ("file", t, cmd)]
        raise ValueError(scenario)

    def scenario(self, scenario, n, files):
        sides = self.sides(scenario, n, files)
        res = [{"label": label, "wall_s": [], "cpu_s": [], "rss_kb": []}
               for label, _, _ in sides]
        for i in range(self.args.runs):
            for (label, template, build), r in zip(sides, res):
                store = self.rundir / f"{label}.db"
                copy_store(template, store)
                cmd = build(store, self.rundir)
                out = self.rundir / f"{label}.out"
                try:
                    wall, cpu, rss = run(cmd, out, self.rundir / f"{label}.err", self.env,
                                    self.args.verbose, f"{scenario}/{label} run {i + 1}",
                                    tty=(label == "tty"))
                finally:
                    remove_store(store)
                r["wall_s"].append(wall)
                r["cpu_s"].append(cpu)
                r["rss_kb"].append(rss)
                note(f"  {n} {scenario:<18} {label:<8} run {i + 1}: {wall:7.3f} s "
                     f"(cpu {cpu:7.3f} s) {rss / 1024:7.1f} MB")
        if scenario == "export":
            check_export(self.rundir)
        if scenario == "ndjson_overhead":
            count_events(self.rundir / "ndjson.out")
        return res


def check_export(rundir):
    """Sanity: roster's export (with header) and sqlite3's (without) have the same members."""
    try:
        with open(rundir / "export_roster.csv", "rb") as f:
            a = sum(1 for _ in f) - 1
        with open(rundir / "sqlite3.out", "rb") as f:
            b = sum(1 for _ in f)
    except OSError as e:
        note(f"  export check skipped: {e}")
        return
    if a != b:
        note(f"  WARNING: roster exported {a} rows, sqlite3 selected {b}")
    for p in (rundir / "export_roster.csv", rundir / "sqlite3.out"):
        p.unlink(missing_ok=True)


def count_events(path):
    """How many NDJSON events of each type the last run printed (progress events included)."""
    counts = {}
    try:
        with open(path, "rb") as f:
            for line in f:
                try:
                    kind = str(json.loads(line).get("event", "?"))
                except (ValueError, AttributeError):
                    kind = "unparsable"
                counts[kind] = counts.get(kind, 0) + 1
    except OSError as e:
        note(f"  ndjson event count skipped: {e}")
        return
    note("  ndjson events: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


def baseline_rss_kb(env):
    """ru_maxrss of a trivial child: the floor every figure includes (Linux carries the parent's
    high-water mark into the child across exec), so memory below it means nothing."""
    p = subprocess.Popen(["true"], env=env)
    _, _, ru = os.wait4(p.pid, 0)
    p.returncode = 0
    return ru.ru_maxrss


# ---------------------------------------------------------------------------------------------
# Report


def summarise(res, target, n):
    a, b = res
    ma, mb = statistics.median(a["wall_s"]), statistics.median(b["wall_s"])
    ratio = ma / mb if mb > 0 else float("inf")
    ca, cb = statistics.median(a["cpu_s"]), statistics.median(b["cpu_s"])
    cpu_ratio = ca / cb if cb > 0 else float("inf")
    peak_a, peak_b = max(a["rss_kb"]) / 1024, max(b["rss_kb"]) / 1024
    mem_ok = None if n < TARGET_ROWS else peak_a <= MEM_LIMIT_MB
    judged = target is not None
    return {"roster_label": a["label"], "yardstick": b["label"],
            "roster_median_s": ma, "yardstick_median_s": mb, "ratio": ratio,
            "roster_cpu_median_s": ca, "yardstick_cpu_median_s": cb, "cpu_ratio": cpu_ratio,
            "target": target, "pass": ratio <= target if judged else None,
            "roster_peak_mb": peak_a, "yardstick_peak_mb": peak_b, "mem_ok": mem_ok,
            "runs": res}


def verdict(ok):
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def print_table(n, rows):
    print(f"\n== {n} rows (medians of {len(next(iter(rows.values()))['runs'][0]['wall_s'])} runs; "
          f"peak RSS = max over runs) ==")
    hdr = (f"{'scenario':<19} {'yardstick':<14} {'roster s':>9} {'yard s':>9} {'ratio':>7} "
           f"{'target':>7} {'time':>5} {'cpu ratio':>9} {'roster MB':>10} {'yard MB':>9} "
           f"{'mem':>5}")
    print(hdr)
    print("-" * len(hdr))
    for name, s in rows.items():
        mem = "-" if s["mem_ok"] is None else ("ok" if s["mem_ok"] else "OVER")
        print(f"{name:<19} {s['yardstick']:<14} {s['roster_median_s']:>9.3f} "
              f"{s['yardstick_median_s']:>9.3f} {s['ratio']:>7.2f} "
              f"{'-' if s['target'] is None else format(s['target'], '.2f'):>7} "
              f"{verdict(s['pass']):>5} {s['cpu_ratio']:>9.2f} "
              f"{s['roster_peak_mb']:>10.1f} "
              f"{s['yardstick_peak_mb']:>9.1f} {mem:>5}")
    print("(ratio and PASS/FAIL: median wall times; cpu ratio: median user+sys CPU times, "
          "less sensitive to a busy machine)")
    if any(s["pass"] is None for s in rows.values()):
        print(f"(target '-': issue 25 judges import_empty, noop_full_sync, diff_next_day and "
              f"full_sync_next_day from {JUDGED_FROM} rows, the others at {TARGET_ROWS})")
    if any(s["mem_ok"] is not None for s in rows.values()):
        print(f"(mem: roster peak RSS at most {MEM_LIMIT_MB} MB at 1M rows)")
    if "ndjson_overhead" in rows:
        print("(ndjson_overhead: 'roster' is diff --output ndjson, 'yardstick' the same diff "
              "with --output json)")
    if "progress_overhead" in rows:
        print("(progress_overhead: 'roster' is diff with stderr on a pseudo-terminal, "
              "'yardstick' the same diff with stderr on a file)")


def print_growth(results):
    sizes = sorted(results)
    pairs = [(s, l) for s in sizes for l in sizes if l == 10 * s]
    growth = {}
    for small, large in pairs:
        print(f"\n== growth {large}/{small} rows of roster (target at most {GROWTH_LIMIT:g}x) ==")
        print(f"{'scenario':<19} {'time x':>8} {'memory x':>9} {'result':>7}")
        for name in results[large]:
            if name not in results[small]:
                continue
            a, b = results[small][name], results[large][name]
            t = b["roster_median_s"] / a["roster_median_s"]
            m = b["roster_peak_mb"] / a["roster_peak_mb"]
            ok = t <= GROWTH_LIMIT and m <= GROWTH_LIMIT
            print(f"{name:<19} {t:>8.2f} {m:>9.2f} {'PASS' if ok else 'FAIL':>7}")
            growth.setdefault(f"{large}/{small}", {})[name] = {"time_x": t, "memory_x": m,
                                                               "pass": ok}
    return growth


def machine():
    cpu = platform.processor()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) // 1024} MiB"
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": mem, "os": platform.platform(),
            "python": platform.python_version()}


def git_rev(path):
    try:
        return subprocess.run(["git", "-C", str(path), "describe", "--always", "--dirty"],
                              capture_output=True, text=True).stdout.strip() or None
    except OSError:
        return None


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,30000,200000",
                    help="comma-separated row counts (default 10000,30000,200000; add "
                         "100000,1000000 for the 1M targets and the growth check)")
    ap.add_argument("--runs", type=int, default=5, help="runs per tool and scenario (default 5)")
    ap.add_argument("--roster", help="the roster binary (default: cargo build --release)")
    ap.add_argument("--limit", help="the yardstick binary (default: build a copy of "
                                    "../shared/bench/limit in the work dir)")
    ap.add_argument("--work", help="work dir for files, stores and builds (default bench-out/)")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS),
                    help=f"comma-separated, from: {', '.join(SCENARIOS)} (default all)")
    ap.add_argument("--json", help="also write the results, every run included, to this file")
    ap.add_argument("--postgres", metavar="URL",
                    help="instead of the yardsticks: roster on a PostgreSQL store at URL against "
                         "roster on SQLite (benches/bench_pg.py)")
    ap.add_argument("--verbose", action="store_true",
                    help="print every run's stderr (and set ROSTER_TIMINGS=1)")
    args = ap.parse_args()

    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        die(f"--sizes: not a list of numbers: {args.sizes}")
    if not sizes or any(n <= 0 for n in sizes):
        die("--sizes: give positive row counts")
    if args.runs < 1:
        die("--runs: at least 1")
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        die(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    if "export" in scenarios and shutil.which("sqlite3") is None:
        note("note: the sqlite3 CLI is not installed; skipping the export scenario")
        scenarios.remove("export")
    needs_limit = not args.postgres and any(SCENARIOS[s][2] == "limit" for s in scenarios)

    work = Path(args.work).resolve() if args.work else REPO / "bench-out"
    work.mkdir(parents=True, exist_ok=True)

    roster = Path(args.roster).resolve() if args.roster else build_roster()
    if not os.access(roster, os.X_OK):
        die(f"roster binary {roster} is not executable")
    rev = git_rev(roster.parent)
    # Run a private copy, so a rebuild during the session cannot change the binary under test.
    frozen = work / "bin" / "roster"
    frozen.parent.mkdir(exist_ok=True)
    shutil.copy2(roster, frozen)
    limit = None
    if needs_limit:
        limit = Path(args.limit).resolve() if args.limit else build_limit(work)
        if not os.access(limit, os.X_OK):
            die(f"yardstick binary {limit} is not executable")

    if args.postgres:
        import bench_pg
        print(f"roster: {roster} ({rev}; run from a copy); PostgreSQL against SQLite")
        sys.exit(bench_pg.main(args, frozen, work, sizes))
    bench = Bench(args, frozen, limit, work)
    info = machine()
    floor = baseline_rss_kb(bench.env)
    print(f"machine: {info['cpus']} CPUs, {info['cpu']}, {info['memory']}, {info['os']}")
    print(f"roster: {roster} ({rev}; run from a copy)   yardstick: {limit}")
    print(f"RSS floor of a trivial child of this harness: {floor / 1024:.1f} MB")

    t_start = time.perf_counter()
    results = {}
    failed = False
    for n in sizes:
        files = generate(work, n)
        results[n] = {}
        for name in scenarios:
            try:
                res = bench.scenario(name, n, files)
            except RunFailed as e:
                print(f"\nFAILED: {e}", file=sys.stderr)
                failed = True
                continue
            results[n][name] = summarise(res, target_of(name, n), n)
        if results[n]:
            print_table(n, results[n])
        bench.templates = {k: v for k, v in bench.templates.items() if k[1] != n}
        for p in (work / "templates").glob("*"):
            p.unlink()
    growth = print_growth(results)
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": info, "roster": str(roster), "roster_rev": rev,
                       "yardstick": str(limit) if limit else None, "runs": args.runs,
                       "rss_floor_mb": floor / 1024,
                       "results": {str(n): r for n, r in results.items()}, "growth": growth},
                      f, indent=1)
        note(f"results written to {args.json}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
