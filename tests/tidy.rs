//! The layers of src/lib.rs's codemap, checked on the source (rust-analyzer's tidy tests are the
//! model): a module that imports a layer above it fails here, naming the file and the line.

use std::path::{Path, PathBuf};

/// (layer, modules it must never import).
const RULES: &[(&str, &[&str])] = &[
    ("columns", &["store", "report", "import", "cmd"]),
    ("validate", &["store", "report", "import", "cmd"]),
    ("model", &["store", "report", "import", "cmd"]),
    ("snapshot", &["store", "report", "import", "cmd"]),
    ("resolve", &["store", "report", "import", "cmd"]),
    ("plan", &["store", "report", "import", "cmd"]),
    ("policy", &["store", "report", "import", "cmd"]),
    ("store", &["report", "import", "cmd"]),
    ("import", &["report", "cmd"]),
];

/// The files of module `name`: `src/name.rs` and everything under `src/name/`.
fn files_of(name: &str) -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let file = src.join(format!("{name}.rs"));
    if file.exists() {
        files.push(file);
    }
    let mut dirs = vec![src.join(name)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// Every line of `text` that names `crate::<module>` (a `use` or a path).
fn lines_naming(text: &str, module: &str) -> Vec<(usize, String)> {
    let needle = format!("crate::{module}");
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .filter(|(_, l)| {
            l.match_indices(&needle).any(|(i, _)| {
                let rest = &l[i + needle.len()..];
                !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')
            })
        })
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .collect()
}

#[test]
fn layers_depend_one_way() {
    let mut broken = Vec::new();
    for (layer, forbidden) in RULES {
        let files = files_of(layer);
        assert!(!files.is_empty(), "no source for the layer {layer}");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read source");
            for module in *forbidden {
                for (n, line) in lines_naming(&text, module) {
                    broken.push(format!(
                        "{}:{n}: {layer} imports {module}: {line}",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn the_checker_sees_an_import() {
    let text =
        "use crate::store::Snapshot;\n// crate::report in a comment\nuse crate::reporting;\n";
    assert_eq!(lines_naming(text, "store").len(), 1);
    assert_eq!(lines_naming(text, "report"), []);
}

#[test]
fn no_source_file_is_over_400_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut long = Vec::new();
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let lines = std::fs::read_to_string(&path)
                    .expect("read")
                    .lines()
                    .count();
                if lines > 400 {
                    long.push(format!("{} ({lines} lines)", path.display()));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "files over 400 lines:\n{}",
        long.join("\n")
    );
}
