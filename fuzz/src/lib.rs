//! Any bytes through the library's import (`roster::import::run`, as a dry run against a small
//! store): the fuzz targets call these, and so does the regression corpus test
//! (`tests/fuzz_corpus.rs` includes this file), so both exercise exactly the same code.
//!
//! A panic anywhere is a bug; a file-level error must be a typed `FileError`; the outcome's
//! invariants are asserted on the way.

use roster::columns::Catalog;
use roster::error::FileError;
use roster::import::{self, ImportInput, ImportOptions, Outcome, Quiet, Refusal};
use roster::model::Status;
use roster::parse::{InputFormat, Mapping};
use roster::report;
use roster::store::{StateChange, Store};

/// What one run did, for the caller to look at.
#[derive(Debug)]
pub struct Done {
    pub rows: u64,
    pub errors: usize,
    pub changes: usize,
}

/// The bytes as a CSV file (delimiter detected).
pub fn csv(bytes: &[u8]) -> Vec<Result<Done, FileError>> {
    vec![run(bytes, &Case::new(InputFormat::Csv, "roster.csv"))]
}

/// The bytes as a JSON array, as NDJSON, and as `--input-format auto` would take them.
pub fn json(bytes: &[u8]) -> Vec<Result<Done, FileError>> {
    vec![
        run(bytes, &Case::new(InputFormat::Json, "roster.json")),
        run(bytes, &Case::new(InputFormat::Ndjson, "roster.ndjson")),
        run(bytes, &Case::new(InputFormat::Auto, "-")),
    ]
}

pub fn catalog() -> Catalog {
    Catalog {
        labels: ["vip", "staff", "first-aid"].map(String::from).into(),
        form_fields: ["profile.size", "emergency.contact"]
            .map(String::from)
            .into(),
    }
}

/// A small store: three members, one of them deactivated, so that resolve and plan match.
/// One per thread, in the temporary folder; every run against it is a dry run.
fn with_store<T>(f: impl FnOnce(&mut Store) -> T) -> T {
    thread_local! {
        static STORE: std::cell::RefCell<Option<FuzzStore>> =
            const { std::cell::RefCell::new(None) };
    }
    STORE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let fuzz = slot.get_or_insert_with(FuzzStore::new);
        f(&mut fuzz.store)
    })
}

/// A thread's store and its files, removed when the thread ends (the corpus's tests run on
/// threads of `cargo test`; they left three stores in the temporary folder per run).
struct FuzzStore {
    store: Store,
    path: std::path::PathBuf,
}

impl FuzzStore {
    fn new() -> FuzzStore {
        let path = std::env::temp_dir().join(format!(
            "roster-fuzz-{}-{:?}.db",
            std::process::id(),
            std::thread::current().id()
        ));
        remove_store_files(&path);
        FuzzStore {
            store: new_store(&path),
            path,
        }
    }
}

impl Drop for FuzzStore {
    fn drop(&mut self) {
        remove_store_files(&self.path);
    }
}

fn remove_store_files(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn new_store(path: &std::path::Path) -> Store {
    let mut store = roster::store::open(&roster::store::Location::Sqlite(path.to_path_buf()))
        .expect("fuzz store");
    let catalog = catalog();
    for slug in &catalog.labels {
        store.add_label(slug, "fuzz").expect("label");
    }
    for key in &catalog.form_fields {
        store.add_form_field(key, "fuzz").expect("form field");
    }
    let csv = "email,external_id,phone\na@example.com,1,+15550000001\n\
               b@example.com,2,+15550000002\nc@example.com,3,+15550000003\n";
    let input = ImportInput::bytes("seed.csv", csv.as_bytes().to_vec());
    let outcome = import::run(&mut store, input, &ImportOptions::new("fuzz"), &mut Quiet)
        .expect("seed import");
    assert_eq!(outcome.summary.created, 3);
    let snapshot = store.snapshot().expect("snapshot");
    let states: Vec<StateChange> = [(0, Status::Active), (2, Status::Inactive)]
        .into_iter()
        .map(|(i, status)| StateChange {
            member_id: snapshot.members[i].id,
            status,
            prior: (status == Status::Inactive).then_some(Status::Provisioned),
            protected: false,
            action: "seed",
        })
        .collect();
    store.set_member_states(&states, "fuzz").expect("states");
    store
}

/// How a run reads the file: the options `roster import` would be given.
#[derive(Debug, Clone)]
pub struct Case {
    pub format: InputFormat,
    pub name: &'static str,
    pub encoding: Option<&'static str>,
    pub delimiter: Option<u8>,
    pub max_rows: u64,
    pub mappings: Vec<Mapping>,
}

impl Case {
    fn new(format: InputFormat, name: &'static str) -> Case {
        Case {
            format,
            name,
            encoding: None,
            delimiter: None,
            max_rows: 30_000,
            mappings: Vec::new(),
        }
    }
}

/// The first byte picks the options (encoding, delimiter, format, row limit, `--map`);
/// the rest is the file.
pub fn options(bytes: &[u8]) -> Vec<Result<Done, FileError>> {
    let Some((&pick, file)) = bytes.split_first() else {
        return Vec::new();
    };
    const ENCODINGS: [Option<&str>; 6] = [
        None,
        Some("windows-1252"),
        Some("utf-16le"),
        Some("utf-16be"),
        Some("shift_jis"),
        Some("utf-8"),
    ];
    const FORMATS: [InputFormat; 4] = [
        InputFormat::Auto,
        InputFormat::Csv,
        InputFormat::Json,
        InputFormat::Ndjson,
    ];
    let p = pick as usize;
    let mut case = Case::new(FORMATS[(p / 6) % 4], "roster.txt");
    case.encoding = ENCODINGS[p % 6];
    case.delimiter = [None, Some(b','), Some(b';'), Some(b'\t')][(p / 24) % 4];
    if p >= 96 {
        case.max_rows = 2;
    }
    if p % 2 == 1 {
        case.mappings = [
            "Mail=email",
            "Team Name=team",
            "Rolle=team_role",
            "x=labels",
        ]
        .iter()
        .map(|m| m.parse().expect("mapping"))
        .collect();
    }
    vec![run(file, &case)]
}

/// The library's import of the bytes, as a dry run against the small store: additive, then
/// full sync; every report rendered.
pub fn run(bytes: &[u8], case: &Case) -> Result<Done, FileError> {
    let mut options = ImportOptions {
        dry_run: true,
        input_format: case.format,
        encoding: case.encoding.map(String::from),
        delimiter: case.delimiter,
        map: case.mappings.clone(),
        max_rows: Some(case.max_rows),
        always_report_errors: true,
        ..ImportOptions::new("fuzz")
    };
    let additive = import(bytes, case, &options)?;
    options.mode.full_sync = true;
    let synced = import(bytes, case, &options)?;
    assert!(synced.summary.deactivated <= 3);
    assert_eq!(
        additive.errors, synced.errors,
        "the mode changed the row errors"
    );
    Ok(Done {
        rows: additive.summary.rows,
        errors: additive.errors.len(),
        changes: additive.plan().map_or(0, |p| p.changes.len()),
    })
}

fn import(bytes: &[u8], case: &Case, options: &ImportOptions) -> Result<Outcome, FileError> {
    let input = ImportInput::bytes(case.name, bytes.to_vec());
    let outcome = with_store(|store| import::run(store, input, options, &mut Quiet))
        .unwrap_or_else(|e| panic!("the store failed: {e}"));
    if let Some(Refusal::File(e)) = outcome.refusal {
        return Err(e);
    }
    let plan = outcome.plan().expect("a plan unless the file was refused");
    assert_eq!(outcome.summary, plan.summary);
    assert_eq!(outcome.summary.errors, outcome.errors.len() as u64);
    report(&outcome);
    Ok(outcome)
}

/// Everything a real import prints about the run: the JSON document, the NDJSON events, the
/// summary table and the error report CSV.
fn report(outcome: &Outcome) {
    let mut bytes = Vec::new();
    report::json::write_document(outcome, None, &mut bytes).expect("json");
    let document: serde_json::Value = serde_json::from_slice(&bytes).expect("the document parses");
    assert!(document["summary"].is_object());
    // Written in pieces, the document is exactly what serde's pretty printer makes of it.
    let pretty = serde_json::to_vec_pretty(&document).expect("pretty");
    assert!(pretty == bytes, "the document is not serde's pretty form");
    report::ndjson::write(outcome, None, &mut std::io::sink()).expect("ndjson");
    report::table::write(outcome, &mut std::io::sink()).expect("table");
    let csv = outcome.error_report.as_deref().expect("an error report");
    assert!(
        std::str::from_utf8(csv).is_ok(),
        "the error report is not UTF-8"
    );
}
