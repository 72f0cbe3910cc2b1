//! Issue 22 at a terminal, as a person sees it (`crate::screen`: a pseudo-terminal of 80 or 120
//! columns and a terminal emulator): one spinner redrawn in place at every stage, nothing of it
//! left after the run or after Ctrl-C, the plan shown once with the question; and every value
//! that came from outside shown with its control characters made visible.

use crate::harness::{Roster, members_csv};
use crate::screen::{ROWS, lines, refs, screen, spinner_lines, terminal, text};
use std::io::{Read, Write};

const WIDTHS: [u16; 2] = [80, 120];

// See: issue 22, "the progress spinner scrolls: each parse update leaves a line behind, two
// spinners are drawn in turn": a 3,000-row import at 80 and 120 columns shows at most one
// spinner line at any moment, and none once it has ended.
#[test]
fn one_spinner_is_redrawn_in_place() {
    for cols in WIDTHS {
        let r = Roster::new();
        let file = r.write("staff.csv", members_csv(1..=3000));
        let run = r
            .args(&["import", &file])
            .wrapper(&refs(&terminal(cols)))
            .run();
        let bytes = run.stdout.as_bytes();
        assert!(
            spinner_lines(&lines(&screen(bytes, cols))).is_empty(),
            "the spinner is left on screen at {cols}:\n{}",
            lines(&screen(bytes, cols)).join("\n")
        );
        // Replayed a little at a time: never two spinner lines on screen.
        let mut parser = vt100::Parser::new(ROWS, cols, 0);
        let mut drawn = 0;
        for chunk in bytes.chunks(16) {
            parser.process(chunk);
            let shown = lines(&parser);
            let spinners = spinner_lines(&shown);
            assert!(spinners.len() <= 1, "at {cols}: {spinners:?}");
            drawn += spinners.len();
        }
        assert!(
            drawn > 0,
            "no spinner was drawn at {cols}: {:?}",
            run.stdout
        );
        assert!(text(&run.stdout).contains("created"), "{}", run.stdout);
    }
}

// See: issue 22, "Ctrl-C leaves all of them on screen": after Ctrl-C nothing of the spinner is
// left, and the cursor is at the start of a clean line.
#[test]
fn ctrl_c_leaves_a_clean_line() {
    let cols = 80;
    let r = Roster::new();
    let file = r.write("huge.csv", members_csv(1..=150_000));
    let mut child = r
        .args(&["import", &file, "--max-bytes", "100000000"])
        .wrapper(&refs(&terminal(cols)))
        .spawn();
    let mut stdout = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while spinner_lines(&lines(&screen(&seen, cols))).is_empty() {
        let n = stdout.read(&mut buf).expect("read the terminal");
        assert!(n > 0, "no spinner: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"\x03").expect("type Ctrl-C");
    drop(stdin);
    stdout.read_to_end(&mut seen).expect("read the rest");
    child.wait().expect("wait");
    let parser = screen(&seen, cols);
    let shown = lines(&parser);
    assert!(
        shown.iter().all(String::is_empty),
        "left on screen: {shown:?}"
    );
    assert_eq!(parser.screen().cursor_position().1, 0, "{shown:?}");
}

// See: issue 22, "after the answer y, the plan is printed a second time on stdout".
#[test]
fn a_confirmed_plan_is_shown_once() {
    let r = Roster::new();
    r.args(&["import", &r.write("all.csv", members_csv(1..=3))])
        .run();
    let one = r.write("one.csv", members_csv(1..=1));
    let run = r
        .args(&["import", &one, "--full-sync", "--max-deactivations", "5"])
        .wrapper(&refs(&terminal(100)))
        .stdin("y\n")
        .run();
    let shown = text(&run.stdout);
    assert_eq!(
        shown.matches("Apply these changes? [y/N]").count(),
        1,
        "{shown}"
    );
    assert_eq!(shown.matches("Plan: 0 to create").count(), 1, "{shown}");
    assert_eq!(shown.matches("- m2@example.com").count(), 1, "{shown}");
    assert!(shown.contains("Import 2 completed"), "{shown}");
    assert_eq!(r.status("m2@example.com"), "INACTIVE");
}

/// A store whose file name, member fields and team came with escape sequences that would
/// clear the screen and set the terminal's title.
fn hostile() -> (Roster, String) {
    let r = Roster::new();
    let clear = "\x1b[2J\x1b[H";
    let title = "\x1b]0;pwned\x07";
    let csv = format!(
        "email,first_name,job_title,team,team_role,Dept{clear}\n\
         eve@example.com,Eve{clear},Boss{title},Red{title},member,x\n"
    );
    let name = r.write(&format!("staff{title}.csv"), csv);
    (r, name)
}

// See: issue 22, "values that came from a file or over HTTP are printed raw to the terminal":
// tables, the plan, the log and messages show `\u{1b}` instead; JSON keeps the value exact.
#[test]
fn values_from_outside_cannot_act_on_the_terminal() {
    let (r, name) = hostile();
    let import = r.args(&["import", &name]).run();
    let mut shown = vec![import.stdout, import.stderr];
    for args in [
        &["imports", "list"][..],
        &["imports", "show", "1"],
        &["members", "list"],
        &["members", "show", "eve@example.com"],
        &["log"],
    ] {
        for cols in [None, Some(80u16)] {
            let run = match cols {
                None => r.args(args).run(),
                Some(c) => r.args(args).wrapper(&refs(&terminal(c))).run(),
            };
            shown.push(run.stdout);
            shown.push(run.stderr);
        }
    }
    let missing = r
        .args(&["members", "show", "nobody\x1b]0;pwned\x07"])
        .status(1)
        .run();
    shown.push(missing.stderr);
    let diff = r.args(&["diff", &name, "--full-sync"]).run();
    shown.extend([diff.stdout, diff.stderr]);
    for out in &shown {
        assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
    }
    let all = shown.concat();
    for visible in [
        "Eve\\u{1b}[2J",
        "Boss\\u{1b}]0;pwned\\u{7}",
        "staff\\u{1b}]0;pwned",
    ] {
        assert!(all.contains(visible), "{visible} in {all}");
    }
    let json = r
        .args(&["members", "show", "eve@example.com", "--output", "json"])
        .run()
        .json();
    assert_eq!(json["first_name"], "Eve\x1b[2J\x1b[H");
}
