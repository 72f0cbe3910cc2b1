"""roster on PostgreSQL against roster on SQLite, in turns, in one run (`bench.py --postgres URL`).

Scenarios (as bench.py's, each timed with both stores): import_empty, noop_full_sync,
diff_next_day, full_sync_next_day, export. Target at 1M rows: PostgreSQL at most 2x SQLite's
median time, and a peak memory no higher than SQLite's. Also the size of each store after
importing rN.csv, and at the size nearest 100k (within 50k-200k) the COPY path of an import into an
empty store against the per-row path (ROSTER_PG_PER_ROW=1). See benches/README.md.

Every PostgreSQL run gets a schema of its own on the server at URL: empty, or a copy of the
imported state made by `roster store copy` from the SQLite template (untimed); read-only
scenarios (diff, export) run on the template schema itself. Schemas are dropped afterwards.
"""
import glob
import shutil
import statistics
import subprocess
import time

import bench as B

SCENARIOS = ["import_empty", "noop_full_sync", "diff_next_day", "full_sync_next_day", "export"]
TARGET = 1.5


def with_param(url, key, value):
    return f"{url}{'&' if '?' in url else '?'}{key}={value}"


class PgBench:
    def __init__(self, args, roster, work, url):
        self.b = B.Bench(args, roster, None, work)
        self.url = url
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql")) or [shutil.which("psql")]
        if not found[-1]:
            B.die("psql is not installed (it reads the store sizes)")
        self.psql = found[-1]
        self.count = 0
        self.pg_templates = {}

    def sql(self, query):
        r = subprocess.run([self.psql, "-X", "-A", "-t", "-q", "-d", self.url, "-c", query],
                           capture_output=True, text=True)
        if r.returncode != 0:
            B.die(f"psql failed: {r.stderr.strip()}")
        return r.stdout.strip()

    def settle(self):
        """Writes out what an untimed preparation left dirty (CHECKPOINT, where the user may),
        so that its writes do not land in the timed run that follows."""
        subprocess.run([self.psql, "-X", "-q", "-d", self.url, "-c", "CHECKPOINT"],
                       capture_output=True, text=True)

    def schema(self):
        self.count += 1
        name = f"bench_{int(time.time())}_{self.count}"
        return name, with_param(self.url, "schema", name)

    def drop(self, name):
        self.sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    def pg_copy(self, sqlite_template):
        """A fresh schema holding the SQLite template's state (untimed)."""
        name, url = self.schema()
        cmd = [self.b.roster, "--db", str(sqlite_template), "store", "copy", "--to", url]
        B.run(cmd, self.b.rundir / "copy.out", self.b.rundir / "copy.err", self.b.env, False,
              "store copy")
        self.settle()
        return name, url

    def pg_template(self, n, files):
        if n not in self.pg_templates:
            name, url = self.schema()
            B.note(f"preparing the PostgreSQL store for {n} rows")
            cmd = self.b.roster_cmd(url, "import", str(files["base"]))
            B.run(cmd, self.b.rundir / "prep.out", self.b.rundir / "prep.err", self.b.env,
                  False, "prepare postgres")
            self.settle()
            self.pg_templates[n] = (name, url)
        return self.pg_templates[n]

    def command(self, scenario, store, files):
        base, d1, out = str(files["base"]), str(files["d1"]), self.b.rundir / "export.csv"
        rc = self.b.roster_cmd
        return {
            "import_empty": lambda: rc(store, "import", base),
            "noop_full_sync": lambda: rc(store, "import", base, "--full-sync"),
            "diff_next_day": lambda: rc(store, "diff", d1, "--full-sync"),
            "full_sync_next_day": lambda: rc(store, "import", d1, "--full-sync",
                                             "--max-deactivations", "100%"),
            "export": lambda: rc(store, "export", "-o", str(out), limits=False),
        }[scenario]()

    def pg_store(self, scenario, n, files):
        """(url, schema to drop afterwards or None) for one PostgreSQL run."""
        if scenario == "import_empty":
            name, url = self.schema()
            return url, name
        if scenario in ("diff_next_day", "export"):
            return self.pg_template(n, files)[1], None
        name, url = self.pg_copy(self.b.template("roster", n, files))
        return url, name

    def one(self, label, cmd, n, scenario, i, env=None):
        wall, cpu, rss = B.run(cmd, self.b.rundir / f"{label}.out", self.b.rundir / f"{label}.err",
                               env or self.b.env, self.b.args.verbose, f"{scenario}/{label}")
        B.note(f"  {n} {scenario:<18} {label:<9} run {i + 1}: {wall:7.3f} s "
               f"(cpu {cpu:7.3f} s) {rss / 1024:7.1f} MB")
        return wall, rss

    def scenario(self, scenario, n, files):
        res = {"sqlite": ([], []), "postgres": ([], [])}
        for i in range(self.b.args.runs):
            template = None if scenario == "import_empty" else self.b.template("roster", n, files)
            store = self.b.rundir / "sqlite.db"
            B.copy_store(template, store)
            try:
                wall, rss = self.one("sqlite", self.command(scenario, store, files), n, scenario, i)
            finally:
                B.remove_store(store)
            res["sqlite"][0].append(wall)
            res["sqlite"][1].append(rss)
            url, fresh = self.pg_store(scenario, n, files)
            try:
                wall, rss = self.one("postgres", self.command(scenario, url, files), n, scenario, i)
            finally:
                if fresh:
                    self.drop(fresh)
            res["postgres"][0].append(wall)
            res["postgres"][1].append(rss)
        return res

    def per_row(self, n, files):
        """Median seconds of import_empty on PostgreSQL through COPY and row by row."""
        times = {"copy": [], "per_row": []}
        for i in range(self.b.args.runs):
            for label, extra in (("copy", {}), ("per_row", {"ROSTER_PG_PER_ROW": "1"})):
                name, url = self.schema()
                try:
                    wall, _ = self.one(label, self.command("import_empty", url, files), n,
                                       "import_empty", i, env=dict(self.b.env, **extra))
                finally:
                    self.drop(name)
                times[label].append(wall)
        return {k: statistics.median(v) for k, v in times.items()}

    def sizes(self, n, files):
        sqlite = self.b.template("roster", n, files)
        sq = sum(p.stat().st_size for p in [sqlite, sqlite.with_name(sqlite.name + "-wal")]
                 if p.exists())
        name, _ = self.pg_template(n, files)
        pg = int(self.sql(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN "
            "pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = '" + name + "' "
            "AND c.relkind IN ('r', 'm', 'p')"))
        return sq, pg


def print_results(n, rows, sizes):
    mb = 1024 * 1024
    print(f"\n## {n} rows: roster on PostgreSQL / roster on SQLite "
          f"(target at 1M: time <= {TARGET}x, peak memory <= SQLite's)")
    print("| scenario | SQLite s | PostgreSQL s | ratio | time | SQLite MB | PostgreSQL MB | mem |")
    print("|---|---|---|---|---|---|---|---|")
    for name, res in rows.items():
        (sw, sr), (pw, pr) = res["sqlite"], res["postgres"]
        ratio = statistics.median(pw) / statistics.median(sw)
        judged = n >= B.TARGET_ROWS
        time_ok = B.verdict(ratio <= TARGET) if judged else "-"
        mem_ok = B.verdict(max(pr) <= max(sr)) if judged else "-"
        print(f"| {name} | {statistics.median(sw):.2f} | {statistics.median(pw):.2f} | "
              f"{ratio:.2f} | {time_ok} | {max(sr) / 1024:.0f} | {max(pr) / 1024:.0f} | {mem_ok} |")
    print(f"store size after importing r{n}.csv: SQLite {sizes[0] / mb:.1f} MB, "
          f"PostgreSQL {sizes[1] / mb:.1f} MB (pg_total_relation_size of the schema's tables)")


def main(args, roster, work, sizes):
    pb = PgBench(args, roster, work, args.postgres)
    t0 = time.perf_counter()
    failed = False
    for n in sizes:
        files = B.generate(work, n)
        rows = {}
        for name in SCENARIOS:
            try:
                rows[name] = pb.scenario(name, n, files)
            except B.RunFailed as e:
                print(f"\nFAILED: {e}")
                failed = True
        print_results(n, rows, pb.sizes(n, files))
        if n == min(sizes, key=lambda s: abs(s - 100_000)) and 50_000 <= n <= 200_000:
            t = pb.per_row(n, files)
            print(f"import into an empty store, {n} rows, PostgreSQL: COPY {t['copy']:.2f} s, "
                  f"per row (ROSTER_PG_PER_ROW=1) {t['per_row']:.2f} s, "
                  f"per row / COPY {t['per_row'] / t['copy']:.2f}")
        for name, _ in pb.pg_templates.values():
            pb.drop(name)
        pb.pg_templates = {}
        pb.b.templates = {}
        for p in (work / "templates").glob("*"):
            p.unlink()
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    return 1 if failed else 0
