//! What the terminal and pipelines see: NDJSON events (with progress on long runs), --quiet,
//! colour (--color, NO_COLOR), no progress drawn off a terminal, and shell completions.

use crate::harness::{Roster, fixture};
use serde_json::Value;

/// A roster of `n` members (the progress threshold is 1000 rows).
fn big(n: usize) -> String {
    let mut s = String::from("email,first_name\n");
    for i in 0..n {
        s.push_str(&format!("user{i}@x.co,User {i}\n"));
    }
    s
}

fn events(lines: &[Value]) -> Vec<&str> {
    lines
        .iter()
        .map(|l| {
            l["event"]
                .as_str()
                .unwrap_or_else(|| panic!("no event key: {l}"))
        })
        .collect()
}

/// (stage, done, total) of the progress events.
fn progress(lines: &[Value]) -> Vec<(String, u64, u64)> {
    lines
        .iter()
        .filter(|l| l["event"] == "progress")
        .map(|l| {
            assert_eq!(l.as_object().map(|o| o.len()), Some(4), "{l}");
            (
                l["stage"].as_str().unwrap_or("").to_string(),
                l["done"].as_u64().unwrap_or(u64::MAX),
                l["total"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect()
}

fn p(stage: &str, done: u64, total: u64) -> (String, u64, u64) {
    (stage.to_string(), done, total)
}

#[test]
fn ndjson_lines_are_json_events_with_the_summary_last() {
    let r = Roster::new();
    let path = fixture("encodings/plain-utf8.csv");
    let run = r.run(&["import", &path, "--output", "ndjson"]);
    run.code(0);
    let lines = run.ndjson();
    let kinds = events(&lines);
    assert_eq!(kinds.len(), 9);
    assert!(kinds[..8].iter().all(|k| *k == "change"), "{kinds:?}");
    assert_eq!(kinds[8], "summary");
    let summary = &lines[8];
    assert_eq!(summary["status"], "COMPLETED");
    assert_eq!(summary["import_id"], 1);
    assert_eq!(summary["summary"]["created"], 8);
    assert_eq!(lines[0]["action"], "create");
    assert!(run.stdout.ends_with("}\n"));
}

#[test]
fn ndjson_streams_errors_and_warnings_before_the_summary() {
    let r = Roster::new();
    let before = r.dump();
    let path = r.write("staff.csv", "email,dept\nann@x.co,Ops\nbob@,Ops\n");
    let run = r.run(&["import", &path, "--output", "ndjson"]);
    run.code(1)
        .stderr_line("error: 1 row has 1 error; nothing was changed.");
    assert_eq!(r.dump(), before);
    let lines = run.ndjson();
    assert_eq!(events(&lines), ["change", "error", "warning", "summary"]);
    assert_eq!(lines[1]["row"], 3);
    assert_eq!(lines[1]["message"], "Invalid email format");
    assert_eq!(lines[2]["message"], "ignoring 1 unknown column: `dept`");
    assert_eq!(lines[3]["status"], "FAILED");
}

#[test]
fn small_files_have_no_progress_events() {
    let r = Roster::new();
    let path = r.write("staff.csv", big(999));
    let run = r.run(&["import", &path, "--output", "ndjson"]);
    run.code(0);
    assert_eq!(progress(&run.ndjson()), []);
}

#[test]
fn long_imports_stream_progress_at_each_stage() {
    let r = Roster::new();
    let path = r.write("staff.csv", big(1000));
    let run = r.run(&["import", &path, "--output", "ndjson"]);
    run.code(0);
    let lines = run.ndjson();
    assert_eq!(
        progress(&lines),
        [
            p("parse", 1000, 1000),
            p("validate", 0, 1000),
            p("validate", 1000, 1000),
            p("plan", 0, 1000),
            p("plan", 1000, 1000),
            p("apply", 0, 1000),
            p("apply", 1000, 1000),
        ]
    );
    let kinds = events(&lines);
    assert!(
        kinds[..7].iter().all(|k| *k == "progress"),
        "progress first"
    );
    assert_eq!(kinds.len(), 7 + 1000 + 1);
    assert_eq!(kinds.last(), Some(&"summary"));
}

#[test]
fn long_dry_runs_report_no_apply_stage() {
    let r = Roster::new();
    let path = r.write("staff.csv", big(1200));
    let run = r.run(&["diff", &path, "--output", "ndjson"]);
    run.code(0);
    let stages: Vec<String> = progress(&run.ndjson())
        .into_iter()
        .map(|(s, _, _)| s)
        .collect();
    assert_eq!(stages, ["parse", "validate", "validate", "plan", "plan"]);
}

#[test]
fn json_and_table_output_have_no_progress() {
    let r = Roster::new();
    let path = r.write("staff.csv", big(1000));
    let run = r.run(&["diff", &path, "--output", "json"]);
    run.code(0);
    assert!(run.json().get("progress").is_none());
    // stderr is not a terminal here: no spinner, no carriage returns, nothing at all.
    let run = r.run(&["import", &path]);
    run.code(0);
    assert_eq!(run.stderr, "");
}

#[test]
fn quiet_silences_warnings_and_hints_but_not_errors() {
    let r = Roster::new();
    let path = r.write("staff.csv", "email,dept\nann@x.co,Ops\n");
    let run = r.run(&["diff", &path]);
    run.code(0)
        .stderr_line("warning: ignoring 1 unknown column: `dept`");
    let run = r.run(&["diff", &path, "--quiet"]);
    run.code(0);
    assert_eq!(run.stderr, "");
    assert!(run.stdout.contains("Dry run: nothing was changed"));
    let empty = r.write("empty.csv", "");
    let run = r.run(&["import", &empty, "--quiet"]);
    run.code(1);
    assert_eq!(run.stderr, "error: The file is empty.\n");
}

#[test]
fn color_always_paints_the_error_word() {
    let r = Roster::new();
    let empty = r.write("empty.csv", "");
    // --color always wins over NO_COLOR (set by the harness).
    r.run(&["--color", "always", "import", &empty])
        .code(1)
        .stderr_line("\x1b[1;31merror\x1b[0m: The file is empty.");
    let bad = r.write("bad.csv", b"email\nJos\xe9\n");
    r.run(&["import", &bad, "--color", "always"])
        .code(1)
        .stderr_line("\x1b[1;31merror\x1b[0m: Line 2 is not valid UTF-8.")
        .stderr_line("\x1b[1;36mhint\x1b[0m: if the file was saved by Excel on Windows, re-run with --encoding windows-1252.");
}

#[test]
fn no_color_and_color_never_and_a_pipe_have_no_escapes() {
    let r = Roster::new();
    let empty = r.write("empty.csv", "");
    let runs = [
        r.run_env(&["import", &empty], &[("NO_COLOR", Some("1"))]),
        r.run_env(
            &["--color", "never", "import", &empty],
            &[("NO_COLOR", None)],
        ),
        // auto, and stderr is a pipe.
        r.run_env(&["import", &empty], &[("NO_COLOR", None)]),
    ];
    for run in runs {
        run.code(1);
        assert_eq!(run.stderr, "error: The file is empty.\n");
    }
}

#[test]
fn completions_print_a_script_for_each_shell() {
    let r = Roster::new();
    let cases = [
        ("bash", "complete -F _roster"),
        ("zsh", "#compdef roster"),
        ("fish", "complete -c roster"),
    ];
    for (shell, marker) in cases {
        let run = r.run(&["completions", shell]);
        run.code(0);
        assert!(run.stdout.contains(marker), "{shell}: no {marker:?}");
        assert!(run.stdout.contains("imports"), "{shell}: no subcommands");
        assert_eq!(run.stderr, "");
    }
    let run = r.run(&["completions", "klingon"]);
    run.code(2);
}
