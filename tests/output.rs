//! What the terminal and pipelines see: NDJSON events (with progress on long runs), --quiet,
//! colour (--color, NO_COLOR), no progress drawn off a terminal, and shell completions.

use crate::harness::{Event, Progress, Roster, fixture, members_csv};

/// A roster of `n` members (the progress threshold is 1000 rows).
fn big(n: usize) -> String {
    let mut s = String::from("email,first_name\n");
    for i in 0..n {
        s.push_str(&format!("user{i}@x.co,User {i}\n"));
    }
    s
}

fn events(lines: &[Event]) -> Vec<&str> {
    lines.iter().map(Event::name).collect()
}

/// The progress events (each exactly `event`, `stage`, `done` and `total`: `Progress` refuses
/// other keys).
fn progress(lines: &[Event]) -> Vec<Progress> {
    lines
        .iter()
        .filter_map(|l| match l {
            Event::Progress(p) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

fn p(stage: &str, done: u64, total: u64) -> Progress {
    Progress {
        stage: stage.to_string(),
        done,
        total,
    }
}

#[test]
fn ndjson_lines_are_json_events_with_the_summary_last() {
    let r = Roster::new();
    let path = fixture("encodings/plain-utf8.csv");
    let run = r.args(&["import", &path, "--output", "ndjson"]).run();
    let lines = run.events();
    let kinds = events(&lines);
    assert_eq!(kinds.len(), 9);
    assert!(kinds[..8].iter().all(|k| *k == "change"), "{kinds:?}");
    assert_eq!(kinds[8], "summary");
    let Event::Summary(summary) = &lines[8] else {
        panic!("not the summary: {:?}", lines[8])
    };
    assert_eq!(summary.status, "COMPLETED");
    assert_eq!(summary.import_id, Some(1));
    assert_eq!(summary.summary.created, 8);
    let Event::Change(first) = &lines[0] else {
        panic!("not a change: {:?}", lines[0])
    };
    assert_eq!(first.action, "create");
    assert!(run.stdout.ends_with("}\n"));
}

#[test]
fn ndjson_streams_errors_and_warnings_before_the_summary() {
    let r = Roster::new();
    let before = r.dump();
    let path = r.write("staff.csv", "email,dept\nann@x.co,Ops\nbob@,Ops\n");
    let run = r
        .args(&["import", &path, "--output", "ndjson"])
        .status(1)
        .stderr_line("error: 1 row has 1 error; nothing was changed.")
        .run();
    assert_eq!(r.dump(), before);
    let lines = run.events();
    assert_eq!(events(&lines), ["change", "error", "warning", "summary"]);
    let (Event::Error(error), Event::Warning(warning), Event::Summary(summary)) =
        (&lines[1], &lines[2], &lines[3])
    else {
        panic!("not an error, a warning and the summary: {lines:?}")
    };
    assert_eq!(error.row, Some(3));
    assert_eq!(error.message, "Invalid email format");
    assert_eq!(warning.message, "ignoring 1 unknown column: `dept`");
    assert_eq!(summary.status, "FAILED");
}

#[test]
fn small_files_have_no_progress_events() {
    let r = Roster::new();
    let path = r.write("staff.csv", big(999));
    let run = r.args(&["import", &path, "--output", "ndjson"]).run();
    assert_eq!(progress(&run.events()), []);
}

#[test]
fn long_imports_stream_progress_at_each_stage() {
    let r = Roster::new();
    let path = r.write("staff.csv", big(1000));
    let run = r.args(&["import", &path, "--output", "ndjson"]).run();
    let lines = run.events();
    // Every stage reports at its start and end and about every 5% between them (issue 17);
    // the steps do not depend on how the threads ran. Parse's total is known at its end only
    // (the file's lines until then), plan's first half resolves the rows, its second plans them.
    let steps = |stage: &'static str, ks: std::ops::RangeInclusive<u64>| {
        ks.map(move |k| p(stage, k * 50, 1000))
    };
    let expected: Vec<Progress> = steps("parse", 1..=20)
        .chain(steps("validate", 0..=20))
        .chain(steps("plan", 0..=9))
        .chain(steps("plan", 11..=20))
        .chain(steps("apply", 0..=20))
        .collect();
    assert_eq!(progress(&lines), expected);
    let kinds = events(&lines);
    let n = expected.len();
    assert!(
        kinds[..n].iter().all(|k| *k == "progress"),
        "progress first"
    );
    assert_eq!(kinds.len(), n + 1000 + 1);
    assert_eq!(kinds.last(), Some(&"summary"));
}

// See: issue 17, "NDJSON progress events come during a stage too (at most about every 5%)":
// a longer file, with a team column (a member's rows grouped), blank lines and a row error
// skipped: each stage reports several times within it, rising, at most 21 times, and the
// summary is the last line.
#[test]
fn every_stage_reports_progress_within_it() {
    let r = Roster::new();
    let mut text = String::from("email,first_name,team,team_role\n");
    for i in 0..6000 {
        text.push_str(&format!(
            "user{k}@x.co,User {k},Team {},member\n\n",
            i % 7,
            k = i / 2
        ));
    }
    text.push_str("bad-email,Bad,Red,member\n");
    let path = r.write("staff.csv", text);
    let run = r
        .args(&["import", &path, "--output", "ndjson", "--skip-invalid"])
        .run();
    let lines = run.events();
    let all = progress(&lines);
    for stage in ["parse", "validate", "plan", "apply"] {
        let of: Vec<&Progress> = all.iter().filter(|p| p.stage == stage).collect();
        let within = of.iter().filter(|p| p.done > 0 && p.done < p.total).count();
        assert!(within >= 5, "{stage}: {of:?}");
        assert!(of.len() <= 22, "{stage}: {of:?}");
        assert!(
            of.windows(2).all(|w| w[0].done < w[1].done),
            "{stage}: {of:?}"
        );
        let last = of.last().expect("an end");
        assert_eq!(last.done, last.total, "{stage}");
    }
    let stages: Vec<&str> = all.iter().map(|p| p.stage.as_str()).collect();
    assert!(stages.is_sorted_by_key(|s| {
        ["parse", "validate", "plan", "apply"]
            .iter()
            .position(|x| x == s)
    }));
    assert_eq!(events(&lines).last(), Some(&"summary"));
}

#[test]
fn long_dry_runs_report_no_apply_stage() {
    let r = Roster::new();
    let path = r.write("staff.csv", big(1200));
    let run = r.args(&["diff", &path, "--output", "ndjson"]).run();
    let stages: Vec<String> = progress(&run.events())
        .into_iter()
        .map(|p| p.stage)
        .collect();
    assert!(stages.len() > 40, "{stages:?}");
    assert!(
        stages
            .iter()
            .all(|s| s == "parse" || s == "validate" || s == "plan"),
        "{stages:?}"
    );
}

#[test]
fn json_and_table_output_have_no_progress() {
    let r = Roster::new();
    let path = r.write("staff.csv", big(1000));
    let run = r.args(&["diff", &path, "--output", "json"]).run();
    assert!(run.json().get("progress").is_none());
    // stderr is not a terminal here: no spinner, no carriage returns, nothing at all.
    let run = r.args(&["import", &path]).run();
    assert_eq!(run.stderr, "");
}

#[test]
fn quiet_silences_warnings_and_hints_but_not_errors() {
    let r = Roster::new();
    let path = r.write("staff.csv", "email,dept\nann@x.co,Ops\n");
    r.args(&["diff", &path])
        .stderr_line("warning: ignoring 1 unknown column: `dept`")
        .run();
    let run = r.args(&["diff", &path, "--quiet"]).run();
    assert_eq!(run.stderr, "");
    assert!(run.stdout.contains("Dry run: nothing was changed"));
    let empty = r.write("empty.csv", "");
    let run = r.args(&["import", &empty, "--quiet"]).status(1).run();
    assert_eq!(run.stderr, "error: The file is empty.\n");
}

#[test]
fn color_always_paints_the_error_word() {
    let r = Roster::new();
    let empty = r.write("empty.csv", "");
    // --color always wins over NO_COLOR (set by the harness).
    r.args(&["--color", "always", "import", &empty])
        .status(1)
        .stderr_line("\x1b[1;31merror\x1b[0m: The file is empty.")
        .run();
    let bad = r.write("bad.csv", b"email\nJos\xe9\n");
    r.args(&["import", &bad, "--color", "always"])
        .status(1)
        .stderr_line("\x1b[1;31merror\x1b[0m: Line 2 is not valid UTF-8.")
        .stderr_line("\x1b[1;36mhint\x1b[0m: if the file was saved by Excel on Windows, re-run with --encoding windows-1252.")
        .run();
}

#[test]
fn no_color_and_color_never_and_a_pipe_have_no_escapes() {
    let r = Roster::new();
    let empty = r.write("empty.csv", "");
    let runs = [
        r.args(&["import", &empty]).env("NO_COLOR", "1"),
        r.args(&["--color", "never", "import", &empty])
            .env_remove("NO_COLOR"),
        // auto, and stderr is a pipe.
        r.args(&["import", &empty]).env_remove("NO_COLOR"),
    ];
    for run in runs {
        run.status(1).stderr("error: The file is empty.\n").run();
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
        let run = r.args(&["completions", shell]).run();
        assert!(run.stdout.contains(marker), "{shell}: no {marker:?}");
        assert!(run.stdout.contains("imports"), "{shell}: no subcommands");
        assert_eq!(run.stderr, "");
    }
    r.args(&["completions", "klingon"]).status(2).run();
}

/// `(stage, done, total)` of each spinner message in what a terminal received.
fn spinner_counts(text: &str) -> Vec<(String, u64, u64)> {
    text.split(['\r', '\n'])
        .filter_map(|piece| {
            let (stage, rest) = ["parse: ", "validate: ", "plan: "]
                .iter()
                .find_map(|s| piece.find(s).map(|at| (s, &piece[at + s.len()..])))?;
            let (done, rest) = rest.split_once(" of ")?;
            let total = rest.split(' ').next()?;
            Some((
                stage.trim_end_matches(": ").to_string(),
                done.parse().ok()?,
                total.parse().ok()?,
            ))
        })
        .collect()
}

// See: issue 17, "the spinner's counts move during every stage (throttled)": on a terminal the
// spinner shows a count within a stage (not only its start or end), then Ctrl-C ends the run.
#[test]
fn the_spinner_shows_counts_within_a_stage() {
    use std::io::{Read, Write};
    let r = Roster::new();
    let file = r.write("huge.csv", big(300_000));
    let mut child = r
        .args(&[
            "diff",
            &file,
            "--max-rows",
            "400000",
            "--max-bytes",
            "100000000",
        ])
        .wrapper(&crate::support::at_a_terminal())
        .spawn();
    let mut stdout = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let within = |seen: &[u8]| {
        spinner_counts(&String::from_utf8_lossy(seen))
            .into_iter()
            .any(|(_, done, total)| done > 0 && done < total)
    };
    while !within(&seen) {
        let n = stdout.read(&mut buf).expect("read the terminal");
        assert!(
            n > 0,
            "no count within a stage: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"\x03").ok();
    drop(stdin);
    stdout.read_to_end(&mut seen).ok();
    child.wait().expect("wait");
    let counts = spinner_counts(&String::from_utf8_lossy(&seen));
    assert!(
        counts.iter().all(|(_, done, total)| done <= total),
        "{counts:?}"
    );
}

// See: issue 22, "the threshold refusal says ... above the limit of 449": a percentage limit
// is named as it was set, with the members it comes to; a plain number stays a number.
#[test]
fn the_deactivation_limit_is_named_as_it_was_set() {
    let r = Roster::new();
    r.import_json("all.csv", members_csv(0..40)).run();
    let sync = r.write("sync.csv", members_csv(10..40));
    r.args(&["diff", &sync, "--full-sync", "--max-deactivations", "15%"])
        .status(4)
        .stderr_line("error: This import would deactivate 10 of 40 members (25%), above the limit of 15% (6 members). Review it with roster diff, then re-run with --max-deactivations 10 to allow it.")
        .run();
    r.args(&["diff", &sync, "--full-sync", "--max-deactivations", "6"])
        .status(4)
        .stderr_line("error: This import would deactivate 10 of 40 members (25%), above the limit of 6. Review it with roster diff, then re-run with --max-deactivations 10 to allow it.")
        .run();
    r.args(&["config", "set", "max-deactivations", "20%"]).run();
    r.args(&["diff", &sync, "--full-sync"])
        .status(4)
        .stderr_line("error: This import would deactivate 10 of 40 members (25%), above the limit of 20% (8 members). Review it with roster diff, then re-run with --max-deactivations 10 to allow it.")
        .run();
}

// See: issue 22, "the mapped-column warning repeats on every nightly run": the --maps of a run
// are one line on stderr (JSON keeps a warning each).
#[test]
fn the_mapped_columns_are_one_line() {
    let r = Roster::new();
    let path = r.write(
        "hr.csv",
        "Work Mail,Employee ID,First\nm1@example.com,E1,Ann\n",
    );
    let maps = [
        "--map",
        "Work Mail=email",
        "--map",
        "Employee ID=external_id",
        "--map",
        "First=first_name",
    ];
    let mut args = vec!["import", path.as_str()];
    args.extend_from_slice(&maps);
    let run = r
        .args(&args)
        .stderr_line("warning: mapped 3 columns: `Work Mail` to email, `Employee ID` to external_id, `First` to first_name")
        .run();
    assert_eq!(run.stderr.matches("mapped").count(), 1, "{}", run.stderr);
    let mut json = vec!["diff", path.as_str(), "--output", "json"];
    json.extend_from_slice(&maps);
    let warnings = r.args(&json).run().report().warnings;
    assert_eq!(
        warnings,
        [
            "mapped 3 columns: `Work Mail` to email, `Employee ID` to external_id, `First` to first_name"
        ]
    );
}

/// Issue 22: a nightly run's `--map` that names the column its header is anyway changes
/// nothing and is not said, on stderr or in JSON; one that does is one line.
#[test]
fn a_mapping_that_changes_nothing_is_not_said() {
    let r = Roster::new();
    let path = r.write(
        "hr.csv",
        "Email,Work Name
m1@example.com,Ann
",
    );
    let same = ["--map", "Email=email"];
    let mut args = vec!["import", path.as_str()];
    args.extend_from_slice(&same);
    let run = r.args(&args).run();
    assert!(!run.stderr.contains("mapped"), "{}", run.stderr);
    let mut json = vec!["diff", path.as_str(), "--output", "json"];
    json.extend_from_slice(&same);
    let warnings = r.args(&json).run().report().warnings;
    assert!(
        warnings.iter().all(|w| !w.contains("mapped")),
        "{warnings:?}"
    );
    // With one that changes the result: that one alone, in one line.
    json.extend_from_slice(&["--map", "Work Name=first_name"]);
    let warnings = r.args(&json).run().report().warnings;
    assert_eq!(warnings, ["mapped column `Work Name` to first_name"]);
}

// See: issue 22, "imports list has no --limit".
#[test]
fn imports_list_takes_a_limit() {
    let r = Roster::new();
    for n in 1..=3 {
        r.args(&["import", &r.write(&format!("f{n}.csv"), members_csv([n]))])
            .run();
    }
    let list = r.args(&["imports", "list", "--limit", "2"]).run().stdout;
    let ids: Vec<String> = list
        .lines()
        .skip(2)
        .filter_map(|l| l.split('|').nth(1).map(|s| s.trim().to_string()))
        .collect();
    assert_eq!(ids, ["3", "2"], "{list}");
    let json = r
        .args(&["imports", "list", "--limit", "1", "--output", "json"])
        .run()
        .json();
    assert_eq!(json.as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(r.args(&["imports", "list"]).run().stdout.lines().count(), 5);
}

// See: issue 22, "the --skip-invalid hint appears on runs without that flag": a file with no
// valid row, without the flag, is not told about it.
#[test]
fn the_skip_invalid_hint_is_for_runs_that_gave_it() {
    let r = Roster::new();
    let path = r.write("bad.csv", "email,first_name\nbad@,X\n");
    let run = r
        .args(&["import", &path])
        .status(1)
        .stderr_line("hint: no row is valid: fix the rows and run again.")
        .run();
    assert!(!run.stderr.contains("--skip-invalid"), "{}", run.stderr);
    r.args(&["import", &path, "--skip-invalid"])
        .status(1)
        .stderr_line("hint: no row is valid, so there is nothing to apply (--skip-invalid applies only valid rows): fix the rows and run again.")
        .run();
}
