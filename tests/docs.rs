//! The docs stay true: the codemap names every module, README names every subcommand and
//! documents the test command CI runs, and the CLI definition is consistent.

use clap::CommandFactory;

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .expect("read file")
}

#[test]
fn the_codemap_names_every_module() {
    let lib = read("src/lib.rs");
    let docs: String = lib
        .lines()
        .filter(|l| l.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    for line in lib.lines() {
        if let Some(name) = line
            .strip_prefix("pub mod ")
            .and_then(|l| l.strip_suffix(';'))
        {
            assert!(
                docs.contains(&format!("`{name}`")),
                "the codemap does not name `{name}`"
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
