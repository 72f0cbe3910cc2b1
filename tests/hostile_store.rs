//! Hostile stores (SPEC §2, §11): a file that is not SQLite, a newer schema, a read-only
//! store, a full disk. Each: a clear message, exit 1, and nothing lost.

use crate::harness::Roster;
use crate::support::{history_statuses, integrity, roster_csv};
use std::os::unix::fs::PermissionsExt;

#[test]
fn a_store_that_is_not_sqlite_is_refused_untouched() {
    if Roster::sqlite_only("a_store_that_is_not_sqlite_is_refused_untouched") {
        return;
    }
    let r = Roster::new();
    let file = r.write("one.csv", "email\na@example.com\n");
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let garbage: Vec<u8> = (0..8192)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect();
    let text = "email,first_name\nann@example.com,Ann\n".repeat(200);
    for contents in [garbage, text.into_bytes()] {
        std::fs::write(r.db(), &contents).expect("write");
        let message = format!(
            "error: could not open the roster store at {}: file is not a database",
            r.db().display()
        );
        for args in [
            vec!["import", file.as_str()],
            vec!["export"],
            vec!["imports", "list"],
        ] {
            r.args(&args).status(1).stderr_line(&message).run();
        }
        assert_eq!(std::fs::read(r.db()).expect("read"), contents);
    }
}

#[test]
fn a_store_from_a_newer_schema_is_refused_untouched() {
    if Roster::sqlite_only("a_store_from_a_newer_schema_is_refused_untouched") {
        return;
    }
    let r = Roster::new();
    r.import_json("a.csv", "email\na@example.com\n").run();
    let conn = rusqlite::Connection::open(r.db()).expect("open");
    conn.pragma_update(None, "user_version", 99)
        .expect("user_version");
    drop(conn);
    let bytes = std::fs::read(r.db()).expect("read");
    let file = r.write("b.csv", "email\nb@example.com\n");
    let prefix = format!(
        "error: the roster store at {} has schema version 99, newer than this roster understands (",
        r.db().display()
    );
    for args in [vec!["import", file.as_str()], vec!["export"]] {
        let run = r.args(&args).status(1).run();
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with(&prefix) && l.ends_with(')')),
            "stderr: {}",
            run.stderr
        );
    }
    assert_eq!(std::fs::read(r.db()).expect("read"), bytes);
}

/// Whether this process can write where permissions say it may not (root).
fn privileged(dir: &std::path::Path) -> bool {
    let probe = dir.join("probe");
    let ok = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(probe);
    ok
}

#[test]
fn a_read_only_store_refuses_the_import_and_loses_nothing() {
    if Roster::sqlite_only("a_read_only_store_refuses_the_import_and_loses_nothing") {
        return;
    }
    let r = Roster::new();
    r.import_json("a.csv", "email\na@example.com\n").run();
    let file = r.write("b.csv", "email\nb@example.com\n");
    let store_dir = r.path("store");
    std::fs::create_dir(&store_dir).expect("mkdir");
    let db = store_dir.join("roster.db");
    std::fs::copy(r.db(), &db).expect("copy");
    let bytes = std::fs::read(&db).expect("read");
    let set = |p: &std::path::Path, mode| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod")
    };
    set(&db, 0o444);
    set(&store_dir, 0o555);
    // As root, permissions do not bind: run roster as `nobody` (setpriv), or skip.
    let mut import = r.args(&["import", &file]).db(&db).any_status();
    if privileged(&store_dir) {
        let setpriv = std::path::Path::new("/usr/bin/setpriv");
        if !setpriv.exists() {
            set(&store_dir, 0o755);
            eprintln!("note: running as root without setpriv; read-only store test skipped");
            return;
        }
        let bin = r.path("roster-bin");
        std::fs::copy(env!("CARGO_BIN_EXE_roster"), &bin).expect("copy binary");
        set(r.dir(), 0o755);
        set(std::path::Path::new(&file), 0o644);
        import = import.binary(bin).wrapper(&[
            setpriv.as_os_str(),
            "--reuid=65534".as_ref(),
            "--regid=65534".as_ref(),
            "--clear-groups".as_ref(),
        ]);
    }
    let out = import.run();
    set(&store_dir, 0o755);
    if matches!(out.code, 126 | 127) {
        // `nobody` cannot reach the test's folder (a private TMPDIR): nothing to judge.
        eprintln!("note: read-only store test skipped: {}", out.stderr);
        return;
    }
    assert_eq!(out.code, 1);
    let stderr = &out.stderr;
    // "attempt to write a readonly database"; "unable to open database file" where the
    // folder cannot even be searched.
    let prefix = format!(
        "error: could not open the roster store at {}: ",
        db.display()
    );
    assert!(
        stderr.lines().any(|l| l.starts_with(&prefix)),
        "stderr: {stderr}"
    );
    assert_eq!(std::fs::read(&db).expect("read"), bytes);
}

/// A full disk, simulated with `ulimit -f` (512-byte blocks): every write past the limit fails
/// with EFBIG. Limits from "cannot record the import" to "cannot commit its transaction".
#[test]
fn a_full_disk_fails_the_import_and_loses_nothing() {
    if Roster::sqlite_only("a_full_disk_fails_the_import_and_loses_nothing") {
        return;
    }
    let base = Roster::new();
    base.import_json("day0.csv", roster_csv(300, 0)).run();
    let before = base.dump();
    let big = base.write("big.csv", roster_csv(2_000, 0));
    let mut failed = 0;
    for blocks in [64, 512, 1024, 4096] {
        let r = Roster::new();
        crate::support::copy_store(base.db(), r.db());
        let run = r
            .args(&["import", &big])
            .any_status()
            .limits(&format!("ulimit -f {blocks}"))
            .run();
        if run.code == 0 {
            continue;
        }
        failed += 1;
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr
                .lines()
                .any(|l| l == "error: store error: disk I/O error"),
            "{}",
            run.stderr
        );
        assert_eq!(integrity(r.db()), "ok");
        assert_eq!(r.dump(), before, "ulimit -f {blocks}");
        let list = r.args(&["imports", "list"]).run();
        let statuses = history_statuses(&list.stdout);
        assert_eq!(statuses.last().map(String::as_str), Some("COMPLETED"));
        assert!(
            statuses[..statuses.len() - 1]
                .iter()
                .all(|s| s.starts_with("FAILED")),
            "{statuses:?}"
        );
        r.args(&["import", &big]).run();
        assert_ne!(r.dump(), before);
    }
    assert!(failed >= 2, "the small limits must make the import fail");
}

#[test]
fn output_never_overwrites_a_store() {
    if Roster::sqlite_only("output_never_overwrites_a_store") {
        return;
    }
    let r = Roster::new();
    r.import_json("a.csv", "email\na@example.com\n").run();
    let before = r.dump();
    let bytes = std::fs::read(r.db()).expect("read");
    let db = r.db().display().to_string();
    let message = format!(
        "error: {db} is an SQLite database (a roster store?); roster will not overwrite it."
    );
    r.args(&["export", "-o", &db])
        .status(1)
        .stderr_line(&message)
        .run();
    let bad = r.write("bad.csv", "email\nnot-an-email\n");
    r.args(&["import", &bad, "--errors-csv", &db])
        .status(1)
        .stderr_line(&message)
        .run();
    // Its write-ahead log too, while a connection keeps one.
    let conn = rusqlite::Connection::open(r.db()).expect("open");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; INSERT INTO labels (slug) VALUES ('kept');")
        .expect("write");
    let wal = format!("{db}-wal");
    let message = format!(
        "error: {wal} is an SQLite database (a roster store?); roster will not overwrite it."
    );
    r.args(&["export", "-o", &wal])
        .status(1)
        .stderr_line(&message)
        .run();
    drop(conn);
    assert_eq!(std::fs::read(r.db()).expect("read").len(), bytes.len());
    assert_eq!(r.dump(), before);
    assert!(r.args(&["labels", "list"]).run().stdout.contains("kept"));
}
