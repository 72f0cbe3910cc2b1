//! Stage 9, report: everything the user sees about an import, in the chosen format.
//! stdout is data (table, JSON, NDJSON); stderr is for people (warnings, errors, hints).

pub mod errors_csv;
pub mod json;
pub mod ndjson;
pub mod plan_text;
pub mod progress;
pub mod table;

use crate::error::RowError;
use crate::plan::{Plan, Summary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
    Ndjson,
}

#[derive(Debug, Clone, Default)]
pub struct FileInfo {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
    pub encoding: String,
}

/// The result of one import or diff, as reported.
#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    pub import_id: Option<i64>,
    pub plan_id: Option<String>,
    pub dry_run: bool,
    /// `COMPLETED`, `FAILED` or `DRY_RUN`.
    pub status: &'static str,
    pub full_sync: bool,
    pub file: FileInfo,
    pub summary: Summary,
    pub plan: Option<&'a Plan<'a>>,
    pub errors: Vec<RowError>,
    pub warnings: Vec<String>,
}

impl Outcome<'_> {
    pub fn mode(&self) -> &'static str {
        if self.full_sync {
            "full_sync"
        } else {
            "additive"
        }
    }
}
