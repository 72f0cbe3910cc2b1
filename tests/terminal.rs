//! What people read on stdout (SPEC §15), snapshotted at 80 and 120 columns: the plan of a
//! day-two full sync, the summary, `imports list|show`, `members list|show` and `log`.
//! stdout is not a terminal here, so the width comes from `COLUMNS` and there is no colour
//! (the coloured plan is snapshotted by the unit tests of `report::plan_text`).

use crate::harness::{Roster, fixture};

const WIDTHS: [&str; 2] = ["80", "120"];

/// A store with yesterday's `staff.csv`, a refused full sync of `staff_day2.csv` (over
/// `--max-deactivations 1`), then the same full sync applied.
fn day_two() -> Roster {
    let r = Roster::new();
    let read = |name: &str| std::fs::read_to_string(fixture(name)).expect("fixture");
    r.write("staff.csv", read("valid/staff.csv"));
    r.write("day2.csv", read("valid/staff_day2.csv"));
    r.args(&["import", "staff.csv"]).run();
    let refused = [
        "import",
        "day2.csv",
        "--full-sync",
        "--max-deactivations",
        "1",
    ];
    r.args(&refused).status(4).run();
    r
}

/// stdout of `args` at `columns` columns (`None`: `COLUMNS` unset), each line checked to fit.
fn at_width(r: &Roster, columns: Option<&str>, args: &[&str]) -> String {
    let run = match columns {
        Some(c) => r.args(args).env("COLUMNS", c).run(),
        None => r.args(args).env_remove("COLUMNS").run(),
    };
    let max: usize = columns.and_then(|c| c.parse().ok()).unwrap_or(80);
    for line in run.stdout.lines() {
        let width = unicode_width::UnicodeWidthStr::width(line);
        assert!(width <= max, "{width} columns: {line}");
    }
    run.stdout
}

fn at(r: &Roster, columns: &str, args: &[&str]) -> String {
    at_width(r, Some(columns), args)
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"\d{4}-\d\d-\d\d", "YYYY-MM-DD");
    s.add_filter(r"\d\d:\d\d:\d\dZ", "hh:mm:ssZ");
    s
}

#[test]
fn the_plan_and_the_summary_fit_the_width() {
    let r = day_two();
    for columns in WIDTHS {
        let out = at(&r, columns, &["diff", "day2.csv", "--full-sync"]);
        insta::assert_snapshot!(format!("diff_{columns}"), out);
    }
}

#[test]
fn the_history_tables_fit_the_width() {
    let r = day_two();
    r.args(&["import", "day2.csv", "--full-sync"]).run();
    for columns in WIDTHS {
        settings().bind(|| {
            let list = at(&r, columns, &["imports", "list"]);
            insta::assert_snapshot!(format!("imports_list_{columns}"), list);
            let show = at(&r, columns, &["imports", "show", "2"]);
            insta::assert_snapshot!(format!("imports_show_{columns}"), show);
            let log = at(&r, columns, &["log", "--member", "E1015"]);
            insta::assert_snapshot!(format!("log_{columns}"), log);
        });
    }
}

#[test]
fn the_member_tables_fit_the_width() {
    let r = day_two();
    for columns in WIDTHS {
        let list = at(&r, columns, &["members", "list"]);
        insta::assert_snapshot!(format!("members_list_{columns}"), list);
        let show = at(&r, columns, &["members", "show", "li.lei02@example.com"]);
        insta::assert_snapshot!(format!("members_show_{columns}"), show);
    }
}

#[test]
fn without_a_terminal_or_columns_the_width_is_80() {
    let r = day_two();
    let unset = at_width(&r, None, &["members", "list"]);
    assert_eq!(unset, at(&r, "80", &["members", "list"]));
    let nonsense = at_width(&r, Some("wide"), &["diff", "day2.csv", "--full-sync"]);
    assert_eq!(nonsense, at(&r, "80", &["diff", "day2.csv", "--full-sync"]));
    assert_ne!(
        unset,
        at(&r, "120", &["members", "list"]),
        "the width is used"
    );
}

#[test]
fn a_refused_run_shows_its_reason_not_its_counts() {
    let r = day_two();
    let list = at(&r, "200", &["imports", "list"]);
    let refused = list.lines().find(|l| l.starts_with("| 2 ")).expect("row 2");
    assert!(
        refused
            .contains("This import would deactivate 3 of 64 members (5%), above the limit of 1."),
        "{refused}"
    );
    assert!(!refused.contains("deactivated 3"), "{refused}");
    let completed = list.lines().find(|l| l.starts_with("| 1 ")).expect("row 1");
    assert!(completed.contains("created 64"), "{completed}");
}

#[test]
fn imports_show_lists_each_option() {
    let r = day_two();
    let show = at(&r, "120", &["imports", "show", "2"]);
    for line in [
        "| option full_sync         | true ",
        "| option max_deactivations | 1 ",
        "| option map               | (none) ",
    ] {
        assert!(show.lines().any(|l| l.starts_with(line)), "{line}\n{show}");
    }
    assert!(!show.contains("{\""), "no JSON string: {show}");
}

#[test]
fn the_keys_table_fits_the_width() {
    let r = Roster::new();
    let long = "the-nightly-hris-export-job-of-the-payroll-team-in-the-head-office";
    r.args(&["keys", "create", long]).run();
    r.args(&["keys", "create", "reader", "--scope", "read"])
        .run();
    for columns in WIDTHS {
        // at_width fails on any line wider than the terminal.
        let out = at(&r, columns, &["keys", "list"]);
        let text: String = out.split_whitespace().collect();
        assert!(text.contains("|sync|rst_"), "{out}");
        assert!(out.contains("| reader "), "{out}");
        // SPEC §12's columns, even before any key was used.
        let header: String = out.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(
            header, "|name|scope|prefix|created|lastused|revoked|",
            "{out}"
        );
        let wrapped: String = out
            .lines()
            .skip(2)
            .filter_map(|l| l.split('|').nth(1))
            .map(str::trim)
            .collect();
        assert!(wrapped.contains(long), "{out}");
    }
}
