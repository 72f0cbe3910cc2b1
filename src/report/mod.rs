//! Stage 9, report: everything the user sees about an import, in the chosen format.
//! stdout is data (table, JSON, NDJSON, the HTML plan); stderr is for people (warnings, errors,
//! hints).

pub mod html;
pub mod json;
pub mod ndjson;
pub mod plan_text;
pub mod prerender;
pub mod progress;
pub mod records;
pub mod table;

pub use crate::import::{FileInfo, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
    Ndjson,
    /// The plan as one self-contained HTML page, for a review (of a plan not yet applied).
    Html,
}
