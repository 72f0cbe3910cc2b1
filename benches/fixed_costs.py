#!/usr/bin/env python3
"""Fixed costs of a run (issue 25): the process start, and a one-row import into a new store and
into that store again, for roster and the yardstick, in turns, medians of RUNS runs.

    python3 benches/fixed_costs.py --roster target/release/roster \\
        --limit bench-out/limit/target/release/limit [--runs 21]

Standard library only; the stores live in a temporary folder, removed afterwards.
"""
import argparse
import glob
import os
import statistics
import subprocess
import tempfile
import time


def timed(cmd, check=True):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=check)
    return time.perf_counter() - start


def remove_store(path):
    for name in glob.glob(path + "*"):
        os.remove(name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roster", required=True)
    parser.add_argument("--limit", required=True)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        one = os.path.join(work, "one.csv")
        with open(one, "w") as f:
            f.write("email,first_name\na@example.com,A\n")
        roster_db, limit_db = os.path.join(work, "r.db"), os.path.join(work, "l.db")
        cases = {
            "process start: roster": lambda: timed([args.roster, "--version"]),
            # Without arguments the yardstick prints its usage and exits 1.
            "process start: yardstick": lambda: timed([args.limit], check=False),
            "new store: roster": lambda: (
                remove_store(roster_db),
                timed([args.roster, "--db", roster_db, "import", one, "--quiet"]),
            )[1],
            "new store: yardstick": lambda: (
                remove_store(limit_db),
                timed([args.limit, "import", limit_db, one]),
            )[1],
            "same store again: roster": lambda: timed(
                [args.roster, "--db", roster_db, "import", one, "--quiet"]
            ),
            "same store again: yardstick": lambda: timed([args.limit, "import", limit_db, one]),
        }
        times = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, case in cases.items():
                times[name].append(case())
        for name, values in times.items():
            print(
                f"{name:30} median {statistics.median(values) * 1000:6.1f} ms"
                f"  min {min(values) * 1000:6.1f} ms"
            )


if __name__ == "__main__":
    main()
