//! The docs stay true: the codemaps (src/lib.rs, ARCHITECTURE.md) name every module, ARCHITECTURE.md
//! prints the layers tests/tidy.rs checks, README names every subcommand and
//! documents the test command CI runs, and the CLI definition is consistent.

use clap::CommandFactory;

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .expect("read file")
}

/// The top-level modules src/lib.rs declares.
fn modules() -> Vec<String> {
    read("src/lib.rs")
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
        .map(String::from)
        .collect()
}

#[test]
fn the_codemap_names_every_module() {
    let docs: String = read("src/lib.rs")
        .lines()
        .filter(|l| l.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    for name in modules() {
        assert!(
            docs.contains(&format!("`{name}`")),
            "the codemap does not name `{name}`"
        );
    }
}

/// ARCHITECTURE.md's codemap has a heading for every module, and its layers table is the
/// one tests/tidy.rs checks, row for row.
#[test]
fn architecture_md_names_every_module_and_the_checked_layers() {
    let doc = read("ARCHITECTURE.md");
    for name in modules() {
        assert!(
            doc.lines()
                .any(|l| l.starts_with("### ") && l.contains(&format!("`{name}`"))),
            "ARCHITECTURE.md's codemap has no heading naming `{name}`"
        );
    }
    for layer in crate::tidy::LAYERS {
        let modules: Vec<String> = layer.modules.iter().map(|m| format!("`{m}`")).collect();
        let may = match layer.may_import {
            [] => "nothing".to_string(),
            parts => parts.join(", "),
        };
        let row = format!("| {} | {} | {may} |", layer.part, modules.join(", "));
        assert!(
            doc.lines().any(|l| l == row),
            "ARCHITECTURE.md's layers table lacks the row tests/tidy.rs checks:\n{row}"
        );
        for (part, why) in layer.never {
            let rule = format!("- {} never imports {part}: {why}.", layer.part);
            assert!(
                doc.lines().any(|l| l == rule),
                "ARCHITECTURE.md lacks the rule:\n{rule}"
            );
        }
    }
}

#[test]
fn readme_documents_every_subcommand() {
    let readme = read("README.md");
    for sub in roster::Cli::command().get_subcommands() {
        let name = sub.get_name();
        if name == "help" {
            continue;
        }
        let heading = readme.lines().filter(|l| l.starts_with("### ")).any(|l| {
            l.contains(&format!("`roster {name} ")) || l.contains(&format!("`roster {name}`"))
        });
        assert!(heading, "README.md has no section for `roster {name}`");
    }
}

#[test]
fn ci_runs_the_test_command_readme_gives() {
    let readme = read("README.md");
    let ci = read(".ci/run");
    assert!(
        readme.contains("cargo test "),
        "README names the test command"
    );
    assert!(
        ci.lines().any(|l| l.trim() == "cargo test"),
        ".ci/run runs `cargo test` exactly"
    );
}

#[test]
fn the_cli_definition_is_consistent() {
    roster::Cli::command().debug_assert();
}
