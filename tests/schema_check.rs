//! Validation of what roster prints against the JSON Schemas of `schemas/` (draft 2020-12),
//! with the `jsonschema` crate; each schema's references to other files resolve in `schemas/`.

use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

/// Where relative `$ref`s resolve: a name only, never fetched (the retriever reads the file).
const BASE: &str = "https://roster.invalid/schemas/";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

/// The schema `name` (its file without `.json`) as JSON.
pub fn load(name: &str) -> Value {
    let path = dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// Every schema's name.
pub fn names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("schemas/")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

struct Files;

impl jsonschema::Retrieve for Files {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let file = uri.as_str().rsplit('/').next().unwrap_or_default();
        let name = file.strip_suffix(".json").ok_or("not a schema file")?;
        Ok(load(name))
    }
}

fn validator(name: &str) -> std::sync::Arc<jsonschema::Validator> {
    static BUILT: OnceLock<Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>> =
        OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap();
    built
        .entry(name.to_string())
        .or_insert_with(|| {
            let v = jsonschema::options()
                .with_base_uri(format!("{BASE}{name}.json"))
                .with_retriever(Files)
                .should_validate_formats(true)
                .build(&load(name))
                .unwrap_or_else(|e| panic!("schema {name}: {e}"));
            std::sync::Arc::new(v)
        })
        .clone()
}

/// The reasons `value` does not conform to the schema `name` (none: it does).
pub fn violations(name: &str, value: &Value) -> Vec<String> {
    validator(name)
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Asserts that `value` conforms to the schema `name`.
#[track_caller]
pub fn assert_valid(name: &str, value: &Value) {
    let problems = violations(name, value);
    assert!(
        problems.is_empty(),
        "not a valid {name}: {problems:#?}\n{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}
