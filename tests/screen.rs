//! A terminal for the tests: roster run under a pseudo-terminal of a chosen size (util-linux
//! `script`, sized with `stty` inside it), and the screen a person would see after what it
//! wrote, through a terminal emulator (`vt100`): cursor moves, carriage returns and erases
//! applied, so that a spinner redrawn in place counts as one line and one left behind counts
//! as two.

use std::ffi::OsString;

/// The rows of the terminals here: enough that nothing a test prints scrolls off the screen.
pub const ROWS: u16 = 500;

/// The wrapper (`Test::wrapper`) that runs roster at a terminal of `cols` columns.
pub fn terminal(cols: u16) -> Vec<OsString> {
    let script = format!(
        r#"exec script -qec "stty cols {cols} rows {ROWS}; exec $(printf '%q ' "$0" "$@")" /dev/null"#
    );
    vec!["bash".into(), "-c".into(), script.into()]
}

/// `Test::wrapper` takes borrowed arguments.
pub fn refs(wrapper: &[OsString]) -> Vec<&std::ffi::OsStr> {
    wrapper.iter().map(OsString::as_os_str).collect()
}

/// The screen after `bytes` on a terminal of `cols` columns.
pub fn screen(bytes: &[u8], cols: u16) -> vt100::Parser {
    let mut parser = vt100::Parser::new(ROWS, cols, 0);
    parser.process(bytes);
    parser
}

/// The lines of the screen, without trailing blanks, the empty ones at the end left out.
pub fn lines(parser: &vt100::Parser) -> Vec<String> {
    let mut lines: Vec<String> = parser
        .screen()
        .contents()
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// What the pty received, as plain lines (`\r\n` as `\n`), for tests that read text the
/// program wrote without cursor moves.
pub fn text(raw: &str) -> String {
    raw.replace("\r\n", "\n")
}

/// The spinner's lines on `screen`: `<stage>: <done> of <total> <unit>`.
pub fn spinner_lines(screen: &[String]) -> Vec<&String> {
    screen
        .iter()
        .filter(|l| {
            ["parse: ", "validate: ", "plan: ", "apply: "]
                .iter()
                .any(|s| l.contains(s))
                && l.contains(" of ")
        })
        .collect()
}
