//! What one import is asked to do: its input, and every option, each from one source. The CLI
//! builds these from its flags, the server from a request; the pipeline reads nothing else.

use crate::input::Source;
use crate::parse::{InputFormat, Mapping, ParseOptions};
use crate::plan::Mode;
use crate::policy::Limit;
use serde_json::json;

/// The byte limit when neither the run nor the store sets one (SPEC §4).
pub const DEFAULT_MAX_BYTES: u64 = 10_000_000;
pub use crate::parse::DEFAULT_MAX_ROWS;

/// The options of one import or diff (SPEC §9).
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Plan and check, apply nothing, record nothing (`diff`, `--dry-run`).
    pub dry_run: bool,
    /// How the file is applied: `--full-sync`, `--invite`, `--clear-blanks`, `--default-role`.
    pub mode: Mode,
    pub skip_invalid: bool,
    /// `--max-deactivations`; else the store's setting; else the default rule.
    pub max_deactivations: Option<Limit>,
    pub input_format: InputFormat,
    pub encoding: Option<String>,
    pub delimiter: Option<u8>,
    pub map: Vec<Mapping>,
    /// `--max-rows`; else the store's setting; else [`DEFAULT_MAX_ROWS`].
    pub max_rows: Option<u64>,
    /// `--max-bytes`; else the store's setting; else [`DEFAULT_MAX_BYTES`].
    pub max_bytes: Option<u64>,
    pub expect_plan: Option<String>,
    /// Who history and the audit log name.
    pub operator: String,
    /// The name history shows; else the source's own (its path, or `-`).
    pub file_name: Option<String>,
    /// Build the error report even when no row has an error (`--errors-csv` writes one).
    pub always_report_errors: bool,
    /// `--max-shrink P%`; else the store's setting; else off (SPEC §16).
    pub max_shrink: Option<u64>,
    /// `--deactivate-after-missing N`; else the store's setting; else 1 (SPEC §16).
    pub deactivate_after_missing: Option<u64>,
    /// Where the file came from, for the shrink guard: [`super::shrink::file_source`] or
    /// [`super::shrink::key_source`]; `None`: the file name.
    pub source: Option<String>,
    /// The last completed full sync from the same source, which the face looks up in history
    /// ([`super::shrink::previous_full_sync`]); `None`: there is none, nothing to compare.
    pub previous: Option<super::shrink::Previous>,
    /// While another import holds the lock, wait up to this long for it (`--wait`); `None`:
    /// refuse at once with `StoreError::Busy`.
    pub wait: Option<std::time::Duration>,
}

impl ImportOptions {
    /// Additive, applied, every limit the store's or the default: what a bare
    /// `roster import FILE` does.
    pub fn new(operator: impl Into<String>) -> ImportOptions {
        ImportOptions {
            dry_run: false,
            mode: Mode::default(),
            skip_invalid: false,
            max_deactivations: None,
            input_format: InputFormat::Auto,
            encoding: None,
            delimiter: None,
            map: Vec::new(),
            max_rows: None,
            max_bytes: None,
            expect_plan: None,
            operator: operator.into(),
            file_name: None,
            always_report_errors: false,
            max_shrink: None,
            deactivate_after_missing: None,
            source: None,
            previous: None,
            wait: None,
        }
    }

    pub(super) fn parse_options(&self, max_rows: u64, file_name: &str) -> ParseOptions {
        ParseOptions {
            format: self.input_format,
            delimiter: self.delimiter,
            mappings: self.map.clone(),
            max_rows,
            file_name: file_name.to_string(),
        }
    }

    /// The options as history records them (`roster imports show`).
    pub(super) fn history_json(&self) -> String {
        let m = &self.mode;
        let mut options = json!({
            "full_sync": m.full_sync,
            "invite": m.invite,
            "skip_invalid": self.skip_invalid,
            "clear_blanks": m.clear_blanks,
            "default_role": m.default_role.as_str(),
            "max_deactivations": self.max_deactivations.map(|l| l.to_string()),
            "input_format": self.input_format.name(),
            "encoding": self.encoding,
            "delimiter": self.delimiter.map(|d| (d as char).to_string()),
            "map": self.map.iter().map(|m| format!("{}={}", m.header, m.column.name())).collect::<Vec<_>>(),
            "max_rows": self.max_rows,
            "max_bytes": self.max_bytes,
            "expect_plan": self.expect_plan,
        });
        // SPEC §16's options, recorded when given (the shrink guard finds a source's last
        // full sync by `source`).
        if let Some(map) = options.as_object_mut() {
            if let Some(p) = self.max_shrink {
                map.insert("max_shrink".into(), json!(format!("{p}%")));
            }
            if let Some(n) = self.deactivate_after_missing {
                map.insert("deactivate_after_missing".into(), json!(n));
            }
            if let Some(source) = &self.source {
                map.insert("source".into(), json!(source));
            }
        }
        options.to_string()
    }
}

/// The roster an import reads: a file, standard input, or bytes already in memory (a request
/// body).
#[derive(Debug)]
pub struct ImportInput {
    pub(super) source: Source,
}

impl ImportInput {
    pub fn path(path: impl Into<std::path::PathBuf>) -> ImportInput {
        ImportInput {
            source: Source::Path(path.into()),
        }
    }

    pub fn stdin() -> ImportInput {
        ImportInput {
            source: Source::Stdin,
        }
    }

    /// `-` is standard input, anything else a path (the CLI's `FILE`).
    pub fn from_arg(arg: &str) -> ImportInput {
        ImportInput {
            source: Source::from_arg(arg),
        }
    }

    /// Bytes in memory, named `name` in history.
    pub fn bytes(name: impl Into<String>, bytes: Vec<u8>) -> ImportInput {
        ImportInput {
            source: Source::Bytes {
                name: name.into(),
                bytes,
            },
        }
    }

    pub fn name(&self) -> String {
        self.source.name()
    }
}
