//! The layers of ARCHITECTURE.md, checked on the source (rust-analyzer's tidy tests are the
//! model): a module that imports a part it may not fails here, naming the file, the line, the
//! path and the rule. Every file of src/ that is compiled outside tests is read, and every path
//! into the crate it names counts: `use crate::{a, b::{c, d}}`, `super::super::x`, and
//! `crate::cmd::export::write(...)` in code or in a macro's arguments.

mod read;

use read::{Module, Named, clap_types, crate_paths, modules, parse};
use std::path::{Path, PathBuf};

/// One part of the house: the modules it holds, the parts it may import (besides itself,
/// std and other crates), and the imports it must never have, with why.
pub struct Layer {
    pub part: &'static str,
    pub modules: &'static [&'static str],
    pub may_import: &'static [&'static str],
    pub never: &'static [(&'static str, &'static str)],
}

const fn layer(
    part: &'static str,
    modules: &'static [&'static str],
    may_import: &'static [&'static str],
    never: &'static [(&'static str, &'static str)],
) -> Layer {
    Layer {
        part,
        modules,
        may_import,
        never,
    }
}

/// The layers, top to bottom, as /work/shared/architecture.json draws them: `may_import` is
/// its `arrows`, `never` its `never` list (ARCHITECTURE.md prints the same table; tests/docs.rs
/// holds the two together). The crate root (src/lib.rs) is part of Face. Arrows not yet drawn
/// there: Report's Errors and Support came with the export renderer (`report::export`, which
/// returns a `StoreError` and writes CSV through `csv_out`); Invitations' Rules with the
/// invitation preview (`invitations::preview` renders a sample `model::Member`).
#[rustfmt::skip]
pub const LAYERS: &[Layer] = &[
    layer("Face", &["cli", "cmd"],
        &["Server", "Pipeline", "Report", "Invitations", "Keys", "Reading", "Planning", "Rules", "Store", "Errors", "Support"],
        &[("Postgres", "commands pick no backend: store::open does")]),
    layer("Server", &["server"],
        &["Pipeline", "Report", "Invitations", "Keys", "Reading", "Planning", "Rules", "Store", "Errors"],
        &[("Face", "two faces, one library: server never reaches into cmd/ or cli/")]),
    layer("Report", &["report", "term"],
        &["Pipeline", "Planning", "Rules", "Store", "Errors", "Support"],
        &[("Face", "renderers know no flags"), ("Server", "renderers know no HTTP")]),
    layer("Pipeline", &["import", "error_report"],
        &["Reading", "Planning", "Rules", "Store", "Errors", "Support"],
        &[("Report", "the pipeline returns an Outcome; faces render it"),
          ("Face", "the pipeline knows no flags"), ("Server", "the pipeline knows no HTTP")]),
    layer("Invitations", &["invitations"], &["Store", "Rules", "Errors"], &[]),
    layer("Keys", &["keys"], &[], &[]),
    layer("Store", &["store"], &["Sqlite", "Postgres", "Planning", "Rules", "Errors", "Support"],
        &[("Report", "the store does not format output"), ("Face", "the store knows no command"),
          ("Server", "the store knows no HTTP"),
          ("Pipeline", "the store serves the pipeline, not the other way"),
          ("Invitations", "the store keeps the outbox; tokens are derived above it")]),
    layer("Sqlite", &["store::sqlite"], &["Store", "Planning", "Rules", "Errors", "Support"],
        &[("Postgres", "backends never know each other")]),
    layer("Postgres", &["store::postgres"], &["Store", "Planning", "Rules", "Errors"],
        &[("Sqlite", "backends never know each other")]),
    layer("Reading", &["input", "decode", "parse"], &["Rules", "Errors", "Support"],
        &[("Store", "formats never see the database")]),
    layer("Planning", &["snapshot", "resolve", "plan", "policy", "revert"], &["Rules", "Errors", "Support"],
        &[("Store", "the plan is a pure value over a snapshot"), ("Report", "no printing from the core"),
          ("Pipeline", "the core knows no orchestration")]),
    layer("Rules", &["columns", "validate", "model"], &["Reading", "Errors", "Support"],
        &[("Store", "validation never touches the database"), ("Report", "no printing from the core")]),
    layer("Errors", &["error"], &[],
        &[("Rules", "messages hold words, not rules")]),
    layer("Support", &["parallel", "csv_out"], &[],
        &[("Pipeline", "helpers know no caller")]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The layer a module path (or a path to an item in it) belongs to: the longest module
/// prefix in the table; the crate root and what it re-exports are Face's.
fn layer_of(path: &[String]) -> &'static Layer {
    let joined = path.join("::");
    LAYERS
        .iter()
        .flat_map(|l| l.modules.iter().map(move |m| (l, *m)))
        .filter(|(_, m)| joined == *m || joined.starts_with(&format!("{m}::")))
        .max_by_key(|(_, m)| m.len())
        .map_or(&LAYERS[0], |(l, _)| l)
}

/// What module `module`'s `file` imports that its layer may not: one line per import.
fn broken_in(
    file: &syn::File,
    module: &[String],
    reexports: &[(String, Vec<String>)],
) -> Vec<String> {
    let own = layer_of(module);
    let mut broken = Vec::new();
    for Named { path, line } in crate_paths(file, module) {
        let path = match reexports
            .iter()
            .find(|(name, _)| path.first() == Some(name))
        {
            Some((_, target)) => target.iter().chain(&path[1..]).cloned().collect(),
            None => path,
        };
        let target = layer_of(&path);
        if target.part == own.part || own.may_import.contains(&target.part) {
            continue;
        }
        let why = own
            .never
            .iter()
            .find(|(p, _)| *p == target.part)
            .map_or("not an arrow of the layers table", |(_, why)| why);
        broken.push(format!(
            "{line}: {} imports {} (crate::{}): {why}",
            own.part,
            target.part,
            path.join("::")
        ));
    }
    broken
}

/// The root's `pub use` names (`Error`, `Cli`, ...) and the paths they stand for.
fn reexports(lib: &syn::File) -> Vec<(String, Vec<String>)> {
    let mut uses = lib.clone();
    uses.items.retain(|i| {
        matches!(i, syn::Item::Mod(_))
            || matches!(i, syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_)))
    });
    crate_paths(&uses, &[])
        .into_iter()
        .filter(|n| n.path.len() > 1)
        .filter_map(|n| Some((n.path.last()?.clone(), n.path)))
        .collect()
}

fn relative(file: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    file.strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string()
}

#[test]
fn layers_depend_one_way() {
    let (modules, _) = modules(&src().join("lib.rs"));
    let reexports = reexports(&parse(&src().join("lib.rs")));
    let mut broken = Vec::new();
    for Module { file, path } in &modules {
        let name = relative(file);
        for b in broken_in(&parse(file), path, &reexports) {
            broken.push(format!("{name}:{b}"));
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

/// Every top-level module of src/lib.rs is in the table, and the table names no module that
/// does not exist; every source file is read (or is a test module's).
#[test]
fn the_table_covers_every_module_and_file() {
    let (modules, tests) = modules(&src().join("lib.rs"));
    for m in modules.iter().filter(|m| m.path.len() == 1) {
        let name = &m.path[0];
        assert!(
            LAYERS.iter().any(|l| l.modules.contains(&name.as_str())),
            "the layers table has no row for `{name}`"
        );
    }
    for l in LAYERS {
        for m in l.modules {
            assert!(
                modules.iter().any(|x| x.path.join("::") == *m),
                "the layers table names `{m}`, which src/lib.rs does not have"
            );
        }
        for (p, _) in l.never {
            assert!(
                !l.may_import.contains(p),
                "{} both may and never import {p}",
                l.part
            );
        }
    }
    let seen: Vec<&PathBuf> = modules.iter().map(|m| &m.file).chain(&tests).collect();
    for file in rust_files(&src()) {
        let main = file == src().join("main.rs");
        assert!(
            main || seen.contains(&&file),
            "tidy does not read {}",
            relative(&file)
        );
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
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

/// The checker on small sources: each way of naming a module is seen, and what is no import
/// (a comment, a string, a test module) is not.
#[test]
fn the_checker_sees_every_form_of_import() {
    let check = |module: &str, source: &str| {
        let file = syn::parse_file(source).expect("valid Rust");
        let module: Vec<String> = module.split("::").map(String::from).collect();
        broken_in(
            &file,
            &module,
            &[("Cli".into(), vec!["cli".into(), "Cli".into()])],
        )
    };
    let server_to_face = "Server imports Face";
    for (form, module, source, expected) in [
        (
            "plain",
            "server::read",
            "use crate::cmd::export;",
            server_to_face,
        ),
        (
            "grouped",
            "server::read",
            "use crate::{model::Status, cli::ExportFormat};",
            server_to_face,
        ),
        (
            "nested group",
            "server::read",
            "use crate::{report, cmd::{export::{self, write}}};",
            server_to_face,
        ),
        (
            "re-export",
            "server::read",
            "use crate::Cli;",
            server_to_face,
        ),
        (
            "super::super",
            "store::sqlite::apply",
            "use super::super::postgres::copy;",
            "Sqlite imports Postgres",
        ),
        (
            "inline path",
            "server::read",
            "fn f() { crate::cmd::export::write(); }",
            server_to_face,
        ),
        (
            "in a macro",
            "server::read",
            "fn f() { println!(\"{}\", crate::cli::x()); }",
            server_to_face,
        ),
        (
            "in a type",
            "error::msg",
            "fn f(_: &crate::columns::DateCheck) {}",
            "Errors imports Rules",
        ),
        (
            "an inline module",
            "server",
            "mod read { use super::super::cmd; }",
            server_to_face,
        ),
    ] {
        let broken = check(module, source);
        assert!(
            broken.iter().any(|b| b.contains(expected)),
            "{form}: {source} in {module}: {broken:?}"
        );
    }
    assert_eq!(
        check("server::read", "use crate::{report, keys::Scope};"),
        Vec::<String>::new()
    );
    assert_eq!(
        check("store::sqlite::apply", "use super::super::shared;"),
        Vec::<String>::new()
    );
    let not_imports = "// use crate::cmd;\n/// crate::cmd::export\nconst S: &str = \"crate::cmd\";\n\
        #[cfg(test)]\nmod tests { use crate::cmd; }\n";
    assert_eq!(check("server::read", not_imports), Vec::<String>::new());
    let visibility = "pub(crate) fn f() {}\npub(super) struct S;";
    assert_eq!(check("parse::csv", visibility), Vec::<String>::new());
    let line = check("server::read", "use crate::report;\n\nuse crate::cmd;");
    assert!(line[0].starts_with("3: "), "{line:?}");
}

#[test]
fn every_clap_type_is_in_cli() {
    let (modules, _) = modules(&src().join("lib.rs"));
    let mut outside = Vec::new();
    for Module { file, path } in modules
        .iter()
        .filter(|m| m.path.first().is_none_or(|p| p != "cli"))
    {
        for (line, what) in clap_types(&parse(file)) {
            outside.push(format!(
                "{}:{line}: {what} ({})",
                relative(file),
                path.join("::")
            ));
        }
    }
    assert!(
        outside.is_empty(),
        "clap types outside cli/:\n{}",
        outside.join("\n")
    );
    let sample = "#[derive(Debug, clap::ValueEnum)]\nenum A { B }\nimpl clap::ValueEnum for C {}";
    assert_eq!(clap_types(&syn::parse_file(sample).expect("Rust")).len(), 2);
}

#[test]
fn no_source_file_is_over_400_lines() {
    let long: Vec<String> = rust_files(&src())
        .into_iter()
        .filter_map(|path| {
            let lines = std::fs::read_to_string(&path)
                .expect("read")
                .lines()
                .count();
            (lines > 400).then(|| format!("{} ({lines} lines)", path.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over 400 lines:\n{}",
        long.join("\n")
    );
}
