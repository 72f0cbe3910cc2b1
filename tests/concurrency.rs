//! SPEC §2: one import at a time per store. A second one fails at once (exit 5) and changes
//! nothing; `roster diff` still works; the lock dies with its holder.

use crate::harness::{Roster, members_csv, summary};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::process::Child;

const BUSY: &str =
    "error: Another import is being applied. Please wait for it to finish before uploading again.";

/// Holds the store's import lock (`<db>.lock`) as an import does, until dropped.
pub fn hold_lock(r: &Roster) -> File {
    let mut name = r.db().as_os_str().to_owned();
    name.push(".lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(name)
        .expect("open lock file");
    file.try_lock().expect("the lock is free");
    file
}

#[test]
fn a_second_import_while_the_lock_is_held() {
    let r = Roster::new();
    r.import("a.csv", &members_csv([1, 2]), &[]);
    let path = r.write("b.csv", members_csv([1, 2, 3]));
    let lock = hold_lock(&r);
    for args in [
        &["import", path.as_str()][..],
        &["import", path.as_str(), "--full-sync"][..],
        &["import", "-"][..],
    ] {
        r.refuses(args, 5, BUSY);
    }
    let run = r.refuses(&["import", &path, "--output", "json"], 5, BUSY);
    assert_eq!(
        run.stdout, "",
        "nothing on stdout: the import never started"
    );
    // Reading is never blocked: diff, dry runs, export and history work.
    let diff = r.run(&["diff", &path, "--output", "json"]);
    diff.code(0);
    assert_eq!(
        diff.summary(),
        summary(&[("rows", 3), ("created", 1), ("unchanged", 2)])
    );
    r.run(&["import", &path, "--dry-run"]).code(0);
    r.run(&["imports", "list"]).code(0);
    drop(lock);
    let run = import_once_free(&r, &path);
    assert_eq!(run.summary()["created"], 1);
}

/// Runs an import, retrying while a child process that another test thread is forking still
/// shares this test's (closed) lock file description: `flock` locks belong to the description,
/// so until that child execs, the lock outlives `drop(lock)`.
fn import_once_free(r: &Roster, path: &str) -> crate::harness::Run {
    for _ in 0..200 {
        let run = r.run(&["import", path, "--output", "json"]);
        if run.code != 5 {
            run.code(0);
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
    let mut child = r.spawn(&[&["import", "-"][..], args].concat());
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
    let r = Roster::new();
    r.import("a.csv", &members_csv(0..10), &[]);
    let big = members_csv(0..20_000);
    let path = r.write("big.csv", &big);
    let before = r.dump();
    let mut first = start_import(&r, &["--output", "json"]);
    // The first holds the lock while it reads: the second is refused at once.
    r.refuses(&["import", &path], 5, BUSY);
    r.refuses(&["import", &path, "--full-sync"], 5, BUSY);
    r.run(&["diff", &path, "--detailed-exitcode"]).code(3);
    assert_eq!(r.dump(), before);
    // The first then gets its large file and applies it.
    let mut stdin = first.stdin.take().expect("stdin");
    stdin.write_all(big.as_bytes()).expect("write stdin");
    drop(stdin);
    let out = first.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        doc["summary"],
        summary(&[("rows", 20_000), ("created", 19_990), ("unchanged", 10)])
    );
    // Now the second one goes through and finds nothing to do.
    let run = r.run(&["import", &path, "--output", "json"]);
    run.code(0);
    assert_eq!(run.summary()["unchanged"], 20_000);
}

#[cfg(target_os = "linux")]
#[test]
fn a_killed_import_blocks_nothing() {
    let r = Roster::new();
    r.import("a.csv", &members_csv([1]), &[]);
    let before = r.dump();
    let mut first = start_import(&r, &[]);
    let path = r.write("b.csv", members_csv([1, 2]));
    r.refuses(&["import", &path], 5, BUSY);
    first.kill().expect("kill");
    first.wait().expect("wait");
    assert_eq!(r.dump(), before);
    let run = r.import("b.csv", &members_csv([1, 2]), &[]);
    assert_eq!(run.summary()["created"], 1);
}
