//! Helpers for the robustness tests (kill, concurrency, hostile, backup): a deterministic
//! generator of large rosters, store checks through rusqlite, the import lock, and the stages
//! from a file to a plan for the tests that drive the store through the library.

#![allow(dead_code)]

use std::fs::File;
use std::path::{Path, PathBuf};

const FIRST: &[&str] = &[
    "james",
    "mary",
    "robert",
    "patricia",
    "jose",
    "maria",
    "zoe",
    "soren",
    "lukasz",
    "siobhan",
    "wei",
    "priya",
    "oluwaseun",
    "anastasia",
    "giuseppe",
    "pieter",
];
const FIRST_SHOWN: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "José",
    "María",
    "Zoë",
    "Søren",
    "Łukasz",
    "Siobhán",
    "Wei",
    "Priya",
    "Oluwaseun",
    "Anastasia",
    "Giuseppe",
    "Pieter",
];
const LAST: &[&str] = &[
    "Smith",
    "Müller",
    "O'Brien",
    "Nakamura",
    "Wiśniewski",
    "Garcia-Lopez",
    "Okafor",
    "Ivanov",
    "Horváth",
    "Chen",
    "Patel",
    "Dubois",
    "Rossi",
];
const TITLES: &[&str] = &[
    "Software Engineer",
    "\"Director, Sales Operations\"",
    "Support Specialist",
    "",
    "Registered Nurse",
    "\"VP, Engineering\"",
    "Warehouse Associate",
    "Data Analyst",
];
pub const TEAMS: &[&str] = &[
    "Engineering",
    "Sales",
    "Customer Support",
    "Operations",
    "Marketing",
    "Finance",
    "People",
    "Product",
    "Logistics",
    "Field Services",
];

/// One member row of day 0, or of a later day (`moved`: a new email, `retitled`: a new job title).
fn row(i: usize, moved: bool, retitled: bool) -> String {
    let first = FIRST[i % FIRST.len()];
    let shown = FIRST_SHOWN[i % FIRST.len()];
    let last = LAST[(i / FIRST.len()) % LAST.len()];
    let slug: String = last
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let domain = if moved { "acme.co.uk" } else { "acme-corp.com" };
    let email = format!("{first}.{slug}.{i}@{domain}");
    let external_id = 10_000_000 + (i * 7919) % 89_999_999;
    let phone = if i % 13 == 5 {
        String::new()
    } else {
        format!("+1555{i:07}")
    };
    let title = if retitled {
        "Senior Staff Engineer"
    } else {
        TITLES[i % TITLES.len()]
    };
    let team = TEAMS[i % TEAMS.len()];
    let team_role = if i < TEAMS.len() {
        "owner"
    } else if i.is_multiple_of(37) {
        "admin"
    } else {
        "member"
    };
    let org_role = if i < 2 {
        "owner"
    } else if i.is_multiple_of(97) {
        "admin"
    } else {
        "member"
    };
    format!("{email},{external_id},{shown},{last},{title},{phone},{team},{team_role},{org_role}\n")
}

/// A roster of `rows` members (about 100 bytes a row) with the header of the shared generator.
/// Day 1: a tenth retitled, a fiftieth moved to a new email, a twentieth gone (never an owner),
/// and a twentieth more joined.
pub fn roster_csv(rows: usize, day: u32) -> String {
    let mut out = String::with_capacity(rows * 110);
    out.push_str(
        "email,external_id,first_name,last_name,job_title,phone,team,team_role,organization_role\n",
    );
    for i in 0..rows {
        if day == 0 {
            out.push_str(&row(i, false, false));
            continue;
        }
        let owner = i < TEAMS.len();
        if !owner && i % 20 == 7 {
            continue;
        }
        out.push_str(&row(i, !owner && i % 50 == 11, i % 10 == 3));
        if i.is_multiple_of(20) {
            out.push_str(&row(rows + i / 20, false, false));
        }
    }
    out
}

/// `PRAGMA integrity_check` of a store, through its own connection.
pub fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("open store with rusqlite");
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    result
}

pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the one-import-at-a-time lock as an import would; held until dropped.
pub fn hold_import_lock(db: &Path) -> File {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(db))
        .expect("open lock file");
    file.try_lock().expect("take the import lock");
    file
}

/// Whether an import holds the lock right now.
pub fn import_lock_held(db: &Path) -> bool {
    match File::options().write(true).open(lock_path(db)) {
        Ok(f) => f.try_lock().is_err(),
        Err(_) => false,
    }
}

/// Whether the write-ahead log ends in frames of a transaction that never committed: the
/// process died inside a write transaction (after SQLite spilled pages of it to the log).
/// Reads the log as the kill left it; call before anything opens the store.
pub fn wal_has_uncommitted_tail(db: &Path) -> bool {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    let Ok(wal) = std::fs::read(PathBuf::from(name)) else {
        return false;
    };
    if wal.len() < 32 {
        return false;
    }
    let be = |b: &[u8], at: usize| u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    let page_size = be(&wal, 8) as usize;
    let salts = (be(&wal, 16), be(&wal, 20));
    let mut at = 32;
    let mut last_commit = true;
    while at + 24 + page_size <= wal.len() {
        if (be(&wal, at + 8), be(&wal, at + 12)) != salts {
            break;
        }
        last_commit = be(&wal, at + 4) != 0;
        at += 24 + page_size;
    }
    !last_commit
}

/// The status texts of `roster imports list`, newest first (its table's second column).
pub fn history_statuses(table: &str) -> Vec<String> {
    table
        .lines()
        .skip(2)
        .filter_map(|l| l.split('|').nth(2).map(|s| s.trim().to_string()))
        .collect()
}

/// A copy of a store file (and its write-ahead log, if any) to a new path.
pub fn copy_store(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("copy store");
    let log = |p: &Path| {
        let mut name = p.as_os_str().to_owned();
        name.push("-wal");
        PathBuf::from(name)
    };
    let _ = std::fs::remove_file(log(to));
    if log(from).exists() {
        std::fs::copy(log(from), log(to)).expect("copy store log");
    }
}

/// Reads a number from the environment, with a default.
pub fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs the binary under a pseudo-terminal (util-linux `script`): stdin, stdout and stderr are
/// the terminal, and what the test writes to stdin is typed into it.
const AT_A_TERMINAL: &str = r#"exec script -qec "$(printf '%q ' "$0" "$@")" /dev/null"#;

/// The wrapper (`Test::wrapper`) that runs roster at a terminal.
pub fn at_a_terminal() -> [&'static std::ffi::OsStr; 3] {
    ["bash".as_ref(), "-c".as_ref(), AT_A_TERMINAL.as_ref()]
}

/// Polls `done` every 5 ms; fails the test after a minute, naming `what` it waited for.
#[track_caller]
pub fn wait_until(mut done: impl FnMut() -> bool, what: &str) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// The stages from file to plan, against `snapshot` (the file must be valid).
pub fn plan_for(
    snapshot: &roster::store::Snapshot,
    text: &str,
    mode: &roster::plan::Mode,
) -> roster::plan::Plan<'static> {
    use roster::parse::{self, InputFormat, ParseOptions};
    let input = roster::input::Input {
        name: "p.csv".into(),
        bytes: text.as_bytes().to_vec(),
    };
    let decoded = roster::decode::decode(&input, None).unwrap();
    let mut options = ParseOptions::new(InputFormat::Csv, "p.csv");
    // The tests' files are their own: no row limit (the CLI's default is 30,000).
    options.max_rows = u64::MAX;
    let table = parse::parse(&decoded, &options, &snapshot.catalog).unwrap();
    let validated = roster::validate::validate(&table, &snapshot.catalog);
    let resolved = Box::leak(Box::new(roster::resolve::resolve(validated, snapshot)));
    assert_eq!(resolved.errors, [], "the file is valid");
    roster::plan::plan(resolved, snapshot, mode)
}

/// Plans `text` against `store`'s snapshot and applies it as one import, through the library.
pub fn apply_file(store: &mut roster::store::Store, text: &str) {
    apply_file_beside(store, text, &|| {});
}

/// [`apply_file`], with `beside` as the store's apply runs it (`Store::apply`).
pub fn apply_file_beside(store: &mut roster::store::Store, text: &str, beside: &(dyn Fn() + Sync)) {
    let snap = store.snapshot().unwrap();
    let plan = plan_for(&snap, text, &roster::plan::Mode::default());
    let _lock = store.lock_imports().unwrap();
    let id = store
        .record_import(&test_meta("additive"), original(text))
        .unwrap();
    let summary = serde_json::json!({});
    store
        .apply(id, &plan, &snap, &summary, "test", &mut |_| {}, beside)
        .unwrap();
}

/// What history records of a library-driven import in `mode` (`additive`, `full_sync`).
pub fn test_meta(mode: &str) -> roster::store::ImportMeta {
    roster::store::ImportMeta {
        operator: "test".into(),
        file_name: "p.csv".into(),
        sha256: "0".into(),
        bytes: 1,
        encoding: "UTF-8".into(),
        mode: mode.into(),
        options: "{}".into(),
    }
}

/// A file's original as history keeps it.
pub fn original(text: &str) -> roster::store::shared::Original {
    roster::store::shared::Original::compress(text.as_bytes()).expect("compress")
}
