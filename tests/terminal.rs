//! What people read on stdout (SPEC §15), snapshotted at terminals of 80 and 120 columns (a
//! pseudo-terminal, `crate::screen`): the plan of a day-two full sync, the summary, `imports
//! list|show`, `members list|show` and `log`; and in a pipe, where nothing wraps. No colour
//! (`NO_COLOR`; the coloured plan is snapshotted by the unit tests of `report::plan_text`).

use crate::harness::{Roster, fixture};
use crate::screen::{refs, terminal, text};

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

/// What `args` shows at a terminal of `columns` columns, each line checked to fit.
fn at(r: &Roster, columns: &str, args: &[&str]) -> String {
    let cols: u16 = columns.parse().expect("columns");
    let run = r.args(args).wrapper(&refs(&terminal(cols))).run();
    let shown = text(&run.stdout);
    for line in shown.lines() {
        let width = unicode_width::UnicodeWidthStr::width(line);
        assert!(width <= usize::from(cols), "{width} columns: {line}");
    }
    shown
}

/// stdout of `args` in a pipe, with `COLUMNS` set to `columns`.
fn piped(r: &Roster, columns: &str, args: &[&str]) -> String {
    r.args(args).env("COLUMNS", columns).run().stdout
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
            // See: issue 22, "a single word wider than its column is still cut": the sha256
            // is whole on its line at 80 columns too (the record as lines there).
            let sha = r
                .args(&["imports", "show", "2", "--output", "json"])
                .run()
                .json()["file"]["sha256"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(show.lines().any(|l| l.contains(&sha)), "{show}");
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

// See: issue 22, "in a pipe, tables still wrap at 80 columns": in a pipe there is no width
// limit, whatever COLUMNS says: one record a line, so grep and awk find each whole.
#[test]
fn in_a_pipe_each_record_is_one_line() {
    let r = day_two();
    let long = "alexandra.konstantinopoulou-vandenberghe.of-the-long-address@example.com";
    let csv = format!(
        "email,first_name,job_title\n{long},Alexandra,Senior Principal Engineer of Very Long Titles and Other Things\n"
    );
    r.write("long.csv", csv);
    r.args(&["import", "long.csv"]).run();
    for columns in ["80", "40"] {
        let list = piped(&r, columns, &["members", "list"]);
        assert_eq!(
            list.lines().filter(|l| l.contains(long)).count(),
            1,
            "{list}"
        );
        assert_eq!(
            list,
            piped(&r, "120", &["members", "list"]),
            "the width is not used"
        );
        let log = piped(&r, columns, &["log"]);
        let event = log.lines().find(|l| l.contains(long)).expect("the event");
        assert!(
            event.contains("Senior Principal Engineer of Very Long Titles"),
            "{log}"
        );
        let diff = piped(&r, columns, &["diff", "day2.csv", "--full-sync"]);
        assert!(!diff.contains('…'), "nothing is cut in a pipe: {diff}");
    }
    let history = piped(&r, "80", &["imports", "list"]);
    let refused = history
        .lines()
        .find(|l| l.starts_with("| 2 "))
        .expect("row 2");
    assert!(refused.contains("above the limit of 1."), "{history}");
}

// See: issue 22, "columns wrap mid-word": at a terminal, a table too wide wraps at spaces only;
// ids, statuses and modes keep their width, and a listing whose words cannot share the width
// becomes one block a record.
#[test]
fn at_a_terminal_nothing_wraps_mid_word() {
    let r = day_two();
    r.args(&["import", "day2.csv", "--full-sync"]).run();
    let reason = "This import would deactivate 3 of 64 members (5%), above the limit of 1.";
    for columns in ["80", "100", "120"] {
        let list = at(&r, columns, &["imports", "list"]);
        let words: Vec<&str> = list
            .split(|c: char| c.is_whitespace() || c == '|')
            .collect();
        let counts = ["created", "updated", "deactivated"];
        let short = ["FAILED", "COMPLETED", "full_sync", "additive"];
        for word in reason.split(' ').chain(counts).chain(short) {
            let whole = words.contains(&word);
            assert!(whole, "'{word}' is split at {columns}:\n{list}");
        }
        let times = words
            .iter()
            .filter(|w| w.len() == 20 && w.ends_with('Z') && w.contains('T'))
            .count();
        assert_eq!(times, 3, "a start time is split at {columns}:\n{list}");
    }
}

#[test]
fn a_refused_run_shows_its_reason_not_its_counts() {
    let r = day_two();
    let list = piped(&r, "80", &["imports", "list"]);
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
    let show = piped(&r, "80", &["imports", "show", "2"]);
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
    r.args(&["keys", "create", "reader", "--scope", "read"])
        .run();
    for columns in WIDTHS {
        // at_width fails on any line wider than the terminal.
        let out = at(&r, columns, &["keys", "list"]);
        let text: String = out.split_whitespace().collect();
        assert!(text.contains("|read|rst_"), "{out}");
        assert!(out.contains("| reader "), "{out}");
        // SPEC §12's columns, even before any key was used.
        let header: String = out.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(
            header, "|name|scope|prefix|created|lastused|revoked|",
            "{out}"
        );
    }
    // See: issue 22, "a single word wider than its column is still cut": a name longer than
    // its column is never cut across lines; the list is one block a key instead.
    let long = "the-nightly-hris-export-job-of-the-payroll-team-in-the-head-office";
    r.args(&["keys", "create", long]).run();
    for columns in WIDTHS {
        let out = at(&r, columns, &["keys", "list"]);
        assert!(out.lines().any(|l| l.contains(long)), "{out}");
        assert!(out.contains("reader"), "{out}");
    }
}
