//! Hostile files (SPEC §4, §5): huge, deep, wide, badly encoded or deceptive input is refused
//! with the contract's message and changes nothing; output goes exactly where the user said.

use crate::harness::{Output, Roster};
use std::io::Write;
use std::path::{Path, PathBuf};

const TOO_LARGE: &str = "error: The file exceeds 10 MB. Please reduce the file size and try again.";
/// 60 MB of address space: enough for roster, far too little to hold a 100 MB file.
const SMALL_MEMORY: &str = "ulimit -v 60000";

/// A store with two members, and its dump: what "nothing changed" compares against.
fn store() -> (Roster, String) {
    let r = Roster::new();
    r.import_json(
        "base.csv",
        "email,first_name\nann@example.com,Ann\nbob@example.com,Bob\n",
    )
    .run();
    let dump = r.dump();
    (r, dump)
}

#[test]
fn a_1_gb_file_is_refused_without_being_read() {
    let (r, before) = store();
    let path = r.path("huge.csv");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(1 << 30).expect("sparse 1 GB");
    let huge = path.display().to_string();
    r.args(&["import", &huge])
        .status(1)
        .limits(SMALL_MEMORY)
        .stderr_line(TOO_LARGE)
        .run();
    r.args(&["diff", &huge])
        .status(1)
        .stderr_line(TOO_LARGE)
        .run();
    // Control: with the limit raised, the same memory cannot hold the file.
    let read_all = r
        .args(&["import", &huge, "--max-bytes", "2000000000"])
        .any_status()
        .limits(SMALL_MEMORY)
        .run();
    assert_ne!(read_all.code, 0);
    assert!(!read_all.stderr.contains(TOO_LARGE));
    assert_eq!(r.dump(), before);
}

#[test]
fn a_file_of_one_100_mb_line_is_refused_without_being_read() {
    let (r, before) = store();
    let path = r.path("line.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    file.write_all(b"email\n").expect("write");
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..100 {
        file.write_all(&chunk).expect("write");
    }
    file.write_all(b"@example.com\n").expect("write");
    drop(file);
    let line = path.display().to_string();
    r.args(&["import", &line])
        .status(1)
        .limits(SMALL_MEMORY)
        .stderr_line(TOO_LARGE)
        .run();
    let read_all = r
        .args(&["import", &line, "--max-bytes", "200000000"])
        .any_status()
        .limits(SMALL_MEMORY)
        .run();
    assert_ne!(read_all.code, 0);
    assert!(!read_all.stderr.contains(TOO_LARGE));
    assert_eq!(r.dump(), before);
}

#[test]
fn an_endless_stream_on_stdin_is_refused_after_the_limit() {
    let (r, before) = store();
    let mut child = r.args(&["import", "-"]).spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let mut line = b"email\n".to_vec();
        line.extend(std::iter::repeat_n(b"someone@example.com\n", 50_000).flatten());
        let mut written = 0u64;
        while written < 1 << 30 {
            match stdin.write_all(&line) {
                Ok(()) => written += line.len() as u64,
                Err(_) => break, // roster stopped reading: the pipe is closed
            }
        }
        written
    });
    let out = Output::of_child(child);
    let written = writer.join().expect("writer");
    assert_eq!(out.code, 1);
    let stderr = &out.stderr;
    assert!(stderr.lines().any(|l| l == TOO_LARGE), "stderr: {stderr}");
    assert!(
        written < 100_000_000,
        "roster read {written} bytes of stdin"
    );
    assert_eq!(r.dump(), before);
}

#[test]
fn deeply_nested_json_is_a_file_error_not_a_stack_overflow() {
    let (r, before) = store();
    let deep = "[".repeat(100_000);
    let cases = [
        (
            "deep.json",
            deep.clone(),
            "error: The file is not valid JSON: recursion limit exceeded at line 1 column 128.",
        ),
        (
            "cell.json",
            format!("[{{\"email\":{deep}"),
            "error: The file is not valid JSON: recursion limit exceeded at line 1 column 136.",
        ),
        (
            "deep.ndjson",
            format!(
                "{{\"email\":\"a@example.com\"}}\n{}",
                "{\"a\":".repeat(100_000)
            ),
            "error: The file is not valid JSON: line 2, column 636: recursion limit exceeded.",
        ),
    ];
    for (name, text, message) in cases {
        let path = r.write(name, text);
        r.args(&["import", &path])
            .status(1)
            .stderr_line(message)
            .run();
    }
    // Nesting under the limit inside a cell is flattened to text, not a crash.
    let nested = format!(
        "[{{\"email\":\"nest@example.com\",\"description\":{}\"x\"{}}}]",
        "[".repeat(100),
        "]".repeat(100)
    );
    let path = r.write("nested.json", nested);
    let run = r.args(&["diff", &path, "--output", "json"]).run();
    assert_eq!(run.report().summary.created, 1);
    assert_eq!(r.dump(), before);
}

#[test]
fn huge_json_is_refused_by_the_limits() {
    let (r, before) = store();
    let many: Vec<String> = (0..40_000)
        .map(|i| format!("{{\"email\":\"m{i}@example.com\"}}"))
        .collect();
    let path = r.write("many.json", format!("[{}]", many.join(",")));
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: The file has more than 30000 data rows.")
        .run();
    let long = "x".repeat(9_000_000);
    let path = r.write(
        "long.json",
        format!("[{{\"email\":\"a@example.com\",\"description\":\"{long}\"}}]"),
    );
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(1)
        .run();
    assert_eq!(
        run.report().errors[0].message,
        "Row 1, column description: cell is too long."
    );
    let path = r.write(
        "over.json",
        format!("[{{\"description\":\"{long}{long}\"}}]"),
    );
    r.args(&["import", &path])
        .status(1)
        .stderr_line(TOO_LARGE)
        .run();
    assert_eq!(r.dump(), before);
}

#[test]
fn a_header_of_10_000_columns() {
    let (r, before) = store();
    let header: Vec<String> = (0..9_999).map(|i| format!("col{i}")).collect();
    let file = format!(
        "email,{}\nwide@example.com{}\n",
        header.join(","),
        ",".repeat(9_999)
    );
    let path = r.write("wide.csv", file);
    let run = r.args(&["diff", &path, "--output", "json"]).run();
    assert_eq!(run.report().summary.created, 1);
    let same = vec!["email"; 10_000].join(",");
    let path = r.write(
        "same.csv",
        format!("{same}\n{}\n", "a@example.com,".repeat(9_999)),
    );
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: Duplicate column found: email.")
        .run();
    assert_eq!(r.dump(), before);
}

#[test]
fn invalid_utf8_at_the_start_middle_and_end_names_the_line() {
    let (r, before) = store();
    let cases: [(&[u8], u32); 4] = [
        (b"\xFFemail\na@example.com\n", 1),
        (
            b"email\na@example.com\nb\xC3(@example.com\nc@example.com\n",
            3,
        ),
        (
            b"email\na@example.com\nb@example.com\nc@example.com\xE2\x82",
            4,
        ),
        (
            b"\xEF\xBB\xBFemail\na@example.com\n\xED\xA0\x80@example.com\n",
            3,
        ),
    ];
    for (bytes, line) in cases {
        let path = r.write("bad.csv", bytes);
        r.args(&["import", &path])
            .status(1)
            .stderr_line(format!("error: Line {line} is not valid UTF-8."))
            .stderr_line("hint: if the file was saved by Excel on Windows, re-run with --encoding windows-1252.")
            .run();
    }
    assert_eq!(r.dump(), before);
}

#[test]
fn look_alike_and_invisible_characters_make_an_email_invalid() {
    let (r, before) = store();
    let bad = [
        "j\u{0430}ne@example.com", // Cyrillic а
        "ja\u{200B}ne@example.com",
        "jane@exa\u{200B}mple.com",
        "ja\u{200D}ne@example.com",
        "ja\u{FEFF}ne@example.com",
        "ja\u{2060}ne@example.com",
        "j\u{00E9}@example.com",
        "jane\u{FF20}example.com", // fullwidth @
    ];
    let mut file = String::from("email\n");
    for e in bad {
        file.push_str(e);
        file.push('\n');
    }
    file.push_str("\u{200B}clean@example.com\u{FEFF}\n"); // at the ends: trimmed, valid
    let path = r.write("lookalike.csv", file);
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(1)
        .run();
    let doc = run.report();
    assert_eq!(doc.errors.len(), bad.len());
    for (e, value) in doc.errors.iter().zip(bad) {
        assert_eq!(e.message, "Invalid email format");
        assert_eq!(e.column.as_deref(), Some("email"));
        assert_eq!(e.value.as_deref(), Some(value));
    }
    assert_eq!(doc.summary.created, 1);
    assert_eq!(r.dump(), before);
}

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).expect("prefix").to_path_buf());
            }
        }
    }
    out.retain(|p| !p.to_string_lossy().starts_with("roster.db"));
    out.sort();
    out
}

#[test]
fn output_paths_with_dots_and_absolute_paths_are_written_exactly_there() {
    let (r, _) = store();
    let other = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(r.path("work/sub")).expect("mkdir");
    std::fs::create_dir_all(r.path("elsewhere")).expect("mkdir");
    r.write("work/bad.csv", "email\nnot-an-email\n");
    let csv = r.args(&["export"]).run().stdout.clone();
    let in_work = |args: &[&str]| {
        r.args(args)
            .current_dir(r.path("work/sub"))
            .any_status()
            .run()
            .code
    };
    let abs = other.path().join("abs.csv");
    let cases: Vec<(Vec<String>, PathBuf)> = vec![
        (
            vec!["export".into(), "-o".into(), "../up.csv".into()],
            r.path("work/up.csv"),
        ),
        (
            vec![
                "export".into(),
                "-o".into(),
                "../../elsewhere/../top.csv".into(),
            ],
            r.path("top.csv"),
        ),
        (
            vec!["export".into(), "-o".into(), abs.display().to_string()],
            abs.clone(),
        ),
    ];
    for (args, want) in cases {
        let before = files(r.dir());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(in_work(&args), 0, "{args:?}");
        assert_eq!(std::fs::read_to_string(&want).expect("written"), csv);
        let mut added = files(r.dir());
        added.retain(|p| !before.contains(p));
        let inside = want.strip_prefix(r.dir()).ok().map(Path::to_path_buf);
        assert_eq!(added, inside.into_iter().collect::<Vec<_>>(), "{args:?}");
    }
    let before = files(r.dir());
    let errors = in_work(&["import", "../bad.csv", "--errors-csv", "../../errors.csv"]);
    assert_eq!(errors, 1);
    let report = std::fs::read_to_string(r.path("errors.csv")).expect("errors.csv");
    assert_eq!(
        report,
        "email,error_row,error_column,error_message,error_code\nnot-an-email,2,email,Invalid email format,invalid_email\n"
    );
    let mut added = files(r.dir());
    added.retain(|p| !before.contains(p));
    assert_eq!(added, [PathBuf::from("errors.csv")]);
    // A folder that does not exist: an error, and nothing written anywhere.
    let before = files(r.dir());
    assert_eq!(in_work(&["export", "-o", "../nowhere/x.csv"]), 1);
    assert_eq!(files(r.dir()), before);
    assert_eq!(files(other.path()), [PathBuf::from("abs.csv")]);
}
