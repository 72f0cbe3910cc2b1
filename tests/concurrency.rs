//! SPEC §2: one import at a time per store. A second one fails at once (exit 5) and changes
//! nothing; `roster diff` still works; the lock dies with its holder.

use crate::harness::{Output, Report, Roster, Summary, members_csv};
use std::io::Write;
use std::process::Child;

const BUSY: &str =
    "error: Another import is being applied. Please wait for it to finish before uploading again.";

/// Holds the store's import lock as an import does, until dropped (either store).
pub fn hold_lock(r: &Roster) -> roster::store::Guard {
    r.hold_import_lock()
}

#[test]
fn a_second_import_while_the_lock_is_held() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1, 2])).run();
    let path = r.write("b.csv", members_csv([1, 2, 3]));
    let lock = hold_lock(&r);
    for args in [
        &["import", path.as_str()][..],
        &["import", path.as_str(), "--full-sync"][..],
        &["import", "-"][..],
    ] {
        r.args(args).status(5).stderr_line(BUSY).unchanged().run();
    }
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(5)
        .stderr_line(BUSY)
        .unchanged()
        .run();
    // The import never started: no import document, the refusal document (issue 22).
    let refusal = run.json();
    crate::schema_check::assert_valid("refusal", &refusal);
    assert_eq!(refusal["errors"][0]["code"], "import_busy", "{refusal}");
    // Reading is never blocked: diff, dry runs, export and history work.
    let diff = r.args(&["diff", &path, "--output", "json"]).run();
    assert_eq!(
        diff.report().summary,
        Summary {
            rows: 3,
            created: 1,
            unchanged: 2,
            ..Summary::default()
        }
    );
    r.args(&["import", &path, "--dry-run"]).run();
    r.args(&["imports", "list"]).run();
    drop(lock);
    let run = import_once_free(&r, &path);
    assert_eq!(run.report().summary.created, 1);
}

/// Runs an import, retrying while a child process that another test thread is forking still
/// shares this test's (closed) lock file description: `flock` locks belong to the description,
/// so until that child execs, the lock outlives `drop(lock)`.
fn import_once_free(r: &Roster, path: &str) -> Output {
    for _ in 0..200 {
        let run = r
            .args(&["import", path, "--output", "json"])
            .any_status()
            .run();
        if run.code != 5 {
            assert_eq!(run.code, 0, "{}", run.stderr);
            return run;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the lock was never released");
}

/// Whether process `pid` holds a `flock` lock (Linux: `/proc/locks`).
fn holds_flock(pid: u32) -> bool {
    let locks = std::fs::read_to_string("/proc/locks").unwrap_or_default();
    locks.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() > 4 && f[1] == "FLOCK" && f[4] == pid.to_string()
    })
}

/// Starts `roster import -` and waits until it holds the lock; it then blocks reading stdin.
fn start_import(r: &Roster, args: &[&str]) -> Child {
    let mut child = r.args(&["import", "-"]).args(args).spawn();
    // Polls without a deadline on purpose: no timed assertions. The process exits only on error.
    while !holds_flock(child.id()) {
        if let Some(status) = child.try_wait().expect("try_wait") {
            panic!("the first import exited early with {status}");
        }
        std::thread::yield_now();
    }
    child
}

#[cfg(target_os = "linux")]
#[test]
fn two_real_processes_on_a_large_file() {
    if Roster::sqlite_only("two_real_processes_on_a_large_file") {
        return;
    }
    let r = Roster::new();
    r.import_json("a.csv", members_csv(0..10)).run();
    let big = members_csv(0..20_000);
    let path = r.write("big.csv", &big);
    let before = r.dump();
    let mut first = start_import(&r, &["--output", "json"]);
    // The first holds the lock while it reads: the second is refused at once.
    r.args(&["import", &path])
        .status(5)
        .stderr_line(BUSY)
        .unchanged()
        .run();
    r.args(&["import", &path, "--full-sync"])
        .status(5)
        .stderr_line(BUSY)
        .unchanged()
        .run();
    r.args(&["diff", &path, "--detailed-exitcode"])
        .status(3)
        .run();
    assert_eq!(r.dump(), before);
    // The first then gets its large file and applies it.
    let mut stdin = first.stdin.take().expect("stdin");
    stdin.write_all(big.as_bytes()).expect("write stdin");
    drop(stdin);
    let out = Output::of_child(first);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: Report = out.report();
    assert_eq!(
        doc.summary,
        Summary {
            rows: 20_000,
            created: 19_990,
            unchanged: 10,
            ..Summary::default()
        }
    );
    // Now the second one goes through and finds nothing to do.
    let run = r.args(&["import", &path, "--output", "json"]).run();
    assert_eq!(run.report().summary.unchanged, 20_000);
}

#[cfg(target_os = "linux")]
#[test]
fn a_killed_import_blocks_nothing() {
    if Roster::sqlite_only("a_killed_import_blocks_nothing") {
        return;
    }
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1])).run();
    let before = r.dump();
    let mut first = start_import(&r, &[]);
    let path = r.write("b.csv", members_csv([1, 2]));
    r.args(&["import", &path])
        .status(5)
        .stderr_line(BUSY)
        .unchanged()
        .run();
    first.kill().expect("kill");
    first.wait().expect("wait");
    assert_eq!(r.dump(), before);
    let run = r.import_json("b.csv", members_csv([1, 2])).run();
    assert_eq!(run.report().summary.created, 1);
}

#[test]
fn wait_takes_the_lock_once_it_is_free() {
    // See: issue 17, "--wait[=DURATION] on import".
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1])).run();
    let path = r.write("b.csv", members_csv([1, 2]));
    let lock = hold_lock(&r);
    // A bounded wait that runs out is the same refusal, after the wait.
    let started = std::time::Instant::now();
    r.args(&["import", &path, "--wait=1s"])
        .status(5)
        .stderr_line("another import is being applied; waiting for it to finish (up to 1s)...")
        .stderr_line(BUSY)
        .unchanged()
        .run();
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    // An open wait goes on until the holder lets go, then applies.
    let child = r.args(&["import", &path, "--wait"]).spawn();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(r.members().len(), 1, "it applied while the lock was held");
    drop(lock);
    let run = Output::of_child(child);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .lines()
            .any(|l| l == "another import is being applied; waiting for it to finish..."),
        "{}",
        run.stderr
    );
    assert_eq!(r.members().len(), 2);
}
