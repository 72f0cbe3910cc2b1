//! The binary on a PostgreSQL store (SPEC §14): the same commands on the fixtures give the same
//! bytes as on SQLite (times aside); two importers at once, exactly one applies; a write
//! between `diff` and `import --expect-plan` refuses the plan.

use crate::harness::{Roster, fixture};
use crate::postgres_support::{PgStore, command};
use std::process::Output;

/// Runs the binary on the store `db` (a path or URL).
pub fn on(r: &Roster, db: &str, args: &[&str]) -> Output {
    command(r, db).args(args).output().expect("run roster")
}

/// stdout and stderr of a run, with every RFC 3339 time replaced by `<time>`.
fn text(out: &Output) -> String {
    let all = format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut masked = String::with_capacity(all.len());
    let bytes = all.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if is_time(&bytes[i..]) {
            masked.push_str("<time>");
            i += 20;
        } else {
            let c = all[i..].chars().next().unwrap_or(' ');
            masked.push(c);
            i += c.len_utf8();
        }
    }
    masked
}

/// `2026-11-29T15:03:02Z`
fn is_time(b: &[u8]) -> bool {
    let pattern = b"dddd-dd-ddTdd:dd:ddZ";
    b.len() >= pattern.len()
        && pattern.iter().zip(b).all(|(p, c)| match p {
            b'd' => c.is_ascii_digit(),
            _ => p == c,
        })
}

/// A session of commands on the fixtures, every output collected.
fn session(r: &Roster, db: &str) -> Vec<String> {
    let all = "ACTIVE,INVITED,PROVISIONED,INACTIVE,BANNED";
    let runs: Vec<Vec<String>> = vec![
        vec![
            "import".into(),
            fixture("valid/teams.csv"),
            "--output".into(),
            "json".into(),
        ],
        vec!["labels".into(), "add".into(), "vip".into()],
        vec![
            "import".into(),
            fixture("valid/staff.csv"),
            "--output".into(),
            "json".into(),
        ],
        vec![
            "diff".into(),
            fixture("valid/staff_day2.csv"),
            "--full-sync".into(),
            "--output".into(),
            "json".into(),
        ],
        vec![
            "import".into(),
            fixture("valid/roster.json"),
            "--output".into(),
            "json".into(),
        ],
        vec![
            "import".into(),
            fixture("valid/staff_day2.csv"),
            "--max-deactivations".into(),
            "100%".into(),
        ],
        vec!["members".into(), "ban".into(), "eli@example.org".into()],
        vec![
            "export".into(),
            "--format".into(),
            "json".into(),
            "--status".into(),
            all.into(),
        ],
        vec!["export".into(), "--format".into(), "ndjson".into()],
        vec!["export".into()],
        vec![
            "imports".into(),
            "list".into(),
            "--output".into(),
            "json".into(),
        ],
        vec!["imports".into(), "list".into()],
        vec!["imports".into(), "show".into(), "2".into()],
        vec!["imports".into(), "original".into(), "3".into()],
        vec!["log".into(), "--output".into(), "json".into()],
        vec!["log".into()],
        vec![
            "members".into(),
            "show".into(),
            "carl@example.org".into(),
            "--output".into(),
            "json".into(),
        ],
        vec!["members".into(), "list".into()],
    ];
    runs.iter()
        .map(|args| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            format!("$ {}\n{}", args.join(" "), text(&on(r, db, &args)))
        })
        .collect()
}

#[test]
fn every_output_is_the_sqlite_store_s() {
    if Roster::sqlite_only("every_output_is_the_sqlite_store_s") {
        return;
    }
    let Some(pg) = PgStore::new("every_output_is_the_sqlite_store_s") else {
        return;
    };
    let r = Roster::new();
    let sqlite = session(&r, &r.db().display().to_string());
    let postgres = session(&r, &pg.url);
    assert!(
        sqlite.iter().any(|s| s.contains("\"deactivate\"")),
        "the session deactivates"
    );
    for (a, b) in sqlite.iter().zip(&postgres) {
        assert_eq!(b, a);
    }
}

#[test]
fn two_importers_at_once_exactly_one_applies() {
    let Some(pg) = PgStore::new("two_importers_at_once_exactly_one_applies") else {
        return;
    };
    let r = Roster::new();
    let file = r.write("big.csv", crate::support::roster_csv(20_000, 0));
    let start = |_: usize| {
        command(&r, &pg.url)
            .args([
                "import",
                &file,
                "--max-rows",
                "100000",
                "--max-bytes",
                "100000000",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children: Vec<_> = (0..2).map(start).collect();
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut codes: Vec<i32> = outs.iter().map(|o| o.status.code().unwrap_or(-1)).collect();
    codes.sort();
    if codes == [0, 0] {
        // The first finished before the second started: the second changed nothing.
        let list = on(&r, &pg.url, &["imports", "list", "--output", "json"]);
        let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
        assert_eq!(
            list[0]["summary"]["created"], 0,
            "the second import was a no-op"
        );
        return;
    }
    assert_eq!(codes, [0, 5], "{outs:?}");
    let refused = outs.iter().find(|o| o.status.code() == Some(5)).unwrap();
    assert!(String::from_utf8_lossy(&refused.stderr).contains(
        "Another import is being applied. Please wait for it to finish before uploading again."
    ));
}

#[test]
fn a_write_between_diff_and_import_refuses_the_plan() {
    let Some(pg) = PgStore::new("a_write_between_diff_and_import_refuses_the_plan") else {
        return;
    };
    let r = Roster::new();
    let teams = fixture("valid/teams.csv");
    // diff never creates a store (SPEC §2): create it first.
    roster::store::open(&roster::store::Location::parse(&pg.url)).expect("a new store");
    let diff = on(&r, &pg.url, &["diff", &teams, "--output", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    let plan_id = doc["plan_id"].as_str().unwrap().to_string();
    assert!(on(&r, &pg.url, &["labels", "add", "late"]).status.success());
    let out = on(&r, &pg.url, &["import", &teams, "--expect-plan", &plan_id]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("The plan has changed since it was reviewed.")
    );
    let export = on(&r, &pg.url, &["export"]);
    assert_eq!(
        String::from_utf8_lossy(&export.stdout).lines().count(),
        1,
        "only the header"
    );
    // Reviewed again, it applies.
    let diff = on(&r, &pg.url, &["diff", &teams, "--output", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    let plan_id = doc["plan_id"].as_str().unwrap();
    assert!(
        on(&r, &pg.url, &["import", &teams, "--expect-plan", plan_id])
            .status
            .success()
    );
}
