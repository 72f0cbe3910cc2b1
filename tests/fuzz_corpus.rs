//! The fuzz corpus as a regression suite under plain `cargo test`: every file of
//! `fuzz/corpus/<target>/` goes through the same stages as the fuzz target (the targets' own
//! code, included below), asserting no panic and that every failure is a typed file error.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod pipeline;

use roster::error::{Error, FileError};
use std::path::Path;

type Target = fn(&[u8]) -> Vec<Result<pipeline::Done, FileError>>;

fn run_corpus(target: &str, run: Target) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the {target} corpus is missing");
    let mut panicked = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    for file in &files {
        let bytes = std::fs::read(file).expect("read corpus file");
        match std::panic::catch_unwind(|| run(&bytes)) {
            Err(_) => panicked.push(file.display().to_string()),
            Ok(results) => {
                for result in results {
                    match result {
                        Ok(done) => {
                            assert!(done.rows > 0, "{}", file.display());
                            accepted += 1;
                        }
                        Err(e) => {
                            let message = e.to_string();
                            assert!(message.ends_with('.'), "{}: {message}", file.display());
                            assert_eq!(Error::File(e).exit_code(), 1);
                            refused += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(panicked.is_empty(), "panicked on: {panicked:#?}");
    assert!(
        accepted > 0 && refused > 0,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn the_csv_corpus_never_panics() {
    run_corpus("csv", pipeline::csv);
}

#[test]
fn the_json_corpus_never_panics() {
    run_corpus("json", pipeline::json);
}

#[test]
fn the_options_corpus_never_panics() {
    run_corpus("options", pipeline::options);
}
