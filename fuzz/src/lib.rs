//! The stages a roster file goes through before the store, for any bytes: the fuzz targets
//! call these, and so does the regression corpus test (`tests/fuzz_corpus.rs` includes this
//! file), so both exercise exactly the same code.
//!
//! A panic anywhere is a bug; a file-level error must be a typed `FileError`; the stages'
//! invariants are asserted on the way.

use roster::columns::Catalog;
use roster::decode::{self, Decoded};
use roster::error::FileError;
use roster::error::RowError;
use roster::input::{self, Input};
use roster::model::{Field, Member, Status, Values};
use roster::parse::{self, InputFormat, Mapping, ParseOptions};
use roster::plan::{self, Mode, Plan};
use roster::report::{self, FileInfo, Outcome};
use roster::resolve;
use roster::store::{Settings, Snapshot};
use roster::validate;

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
pub fn snapshot() -> Snapshot {
    let member = |id: i64, email: &str, ext: &str, phone: &str, status: Status| {
        let values = Values::of(&[
            (Field::Email, email),
            (Field::ExternalId, ext),
            (Field::Phone, phone),
        ]);
        Member::new(id, values, status)
    };
    let members = vec![
        member(1, "a@example.com", "1", "+15550000001", Status::Active),
        member(2, "b@example.com", "2", "+15550000002", Status::Provisioned),
        member(3, "c@example.com", "3", "+15550000003", Status::Inactive),
    ];
    Snapshot::new(
        members,
        Vec::new(),
        vec![Vec::new(); 3],
        catalog(),
        Settings::default(),
        1,
    )
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

/// Input checks (as `input::read` makes them), decode, parse, validate, resolve, plan.
pub fn run(bytes: &[u8], case: &Case) -> Result<Done, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    if let Some(kind) = input::binary_kind(bytes) {
        return Err(FileError::NotCsv {
            looks_like: Some(kind),
        });
    }
    let input = Input {
        name: case.name.to_string(),
        bytes: bytes.to_vec(),
        sha256: String::new(),
    };
    let decoded: Decoded = decode::decode(&input, case.encoding)?;
    let options = ParseOptions {
        format: case.format,
        delimiter: case.delimiter,
        mappings: case.mappings.clone(),
        max_rows: case.max_rows,
        file_name: case.name.to_string(),
    };
    let snapshot = snapshot();
    let table = parse::parse(&decoded, &options, &snapshot.catalog)?;
    assert!(
        !table.rows.is_empty(),
        "parse returned a table without rows"
    );
    assert_eq!(table.header.len(), table.columns.len());
    let validated = validate::validate(&table, &snapshot.catalog);
    assert_eq!(validated.rows, table.rows.len() as u64);
    let errors = validated.errors.len();
    let resolved = resolve::resolve(validated, &snapshot);
    assert!(resolved.errors.len() >= errors, "resolve lost row errors");
    let plan = plan::plan(&resolved, &snapshot, &Mode::default());
    let full = Mode {
        full_sync: true,
        ..Mode::default()
    };
    let synced = plan::plan(&resolved, &snapshot, &full);
    assert!(synced.summary.deactivated <= 3);
    report(&table, &resolved.errors, &plan, case);
    Ok(Done {
        rows: resolved.rows,
        errors: resolved.errors.len(),
        changes: plan.changes.len(),
    })
}

/// Everything a real import prints about the run: the JSON document, the NDJSON events, the
/// summary table and the error report CSV.
fn report(table: &parse::Table, errors: &[RowError], plan: &Plan, case: &Case) {
    let outcome = Outcome {
        import_id: None,
        plan_id: Some(plan.id(1)),
        dry_run: true,
        status: "DRY_RUN",
        full_sync: false,
        file: FileInfo {
            name: case.name.to_string(),
            ..FileInfo::default()
        },
        summary: plan.summary.clone(),
        plan: Some(plan),
        errors: errors.to_vec(),
        warnings: table.warnings.clone(),
    };
    let document = report::json::document(&outcome);
    assert!(document["summary"].is_object());
    report::ndjson::write(&outcome, &mut std::io::sink()).expect("ndjson");
    report::table::write(&outcome, &mut std::io::sink()).expect("table");
    let mut csv = Vec::new();
    report::errors_csv::write(table, errors, &mut csv).expect("errors csv");
    assert!(
        std::str::from_utf8(&csv).is_ok(),
        "the error report is not UTF-8"
    );
}
