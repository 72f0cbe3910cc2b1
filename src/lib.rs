//! roster keeps a member roster (an SQLite or PostgreSQL store) in step with a roster file.
//!
//! One import: input → decode → parse → validate → resolve → plan → policy → apply → report.
//! ARCHITECTURE.md is the map: each module's job, the layers and their rules (tests/tidy.rs
//! checks them), the journeys of a file and of a sync, and the invariants with their tests.
//!
//! Codemap (the faces first, the core last)
//! - `cli`, `cmd`: the command line's flags (every clap type), one module per subcommand.
//! - `server`: `roster serve`, the REST sync API and the admin page over the same pipeline;
//!   `keys`: its API keys.
//! - `import`: the import as one library call, `import::run`, the only place the stages meet.
//! - `report`, `term`, `error_report`: what people and programs read (table, JSON, NDJSON,
//!   HTML, the export, the error report CSV); `csv_out` writes every CSV, `parallel` runs
//!   scoped work on other threads.
//! - `invitations`: the outbox's drain by SMTP, tokens, messages, acceptance.
//! - `input`, `decode`, `parse`: bytes to a table of raw rows with spreadsheet row numbers.
//! - `columns`, `validate`, `model`: every column and rule; rows and errors, never `Err`.
//! - `snapshot`, `resolve`, `plan`, `policy`, `revert`: pure planning over the store's state
//!   (`revert`: the inverse of an import, planned from its audit events).
//! - `store`: everything on disk, behind one `Store` (`store::open(&Location)` picks the
//!   backend): every operation written once as SQL over `store::sql::Backend`, the small
//!   interface of what differs, which `store::sqlite` and `store::postgres` implement.
//! - `error`: every contract message and exit code; it imports nothing of the crate.
//!
//! tests/docs.rs checks that this codemap and ARCHITECTURE.md name every module.

pub mod cli;
pub mod cmd;
pub mod columns;
pub mod csv_out;
pub mod decode;
pub mod error;
pub mod error_report;
pub mod import;
pub mod input;
pub mod invitations;
pub mod keys;
pub mod model;
pub mod parallel;
pub mod parse;
pub mod plan;
pub mod policy;
pub mod report;
pub mod resolve;
pub mod revert;
pub mod server;
pub mod snapshot;
pub mod store;
pub mod term;
pub mod validate;

pub use cli::Cli;
pub use error::{Error, Result};

/// Runs the command line; returns the exit code of a success.
pub fn run(cli: Cli, term: &term::Term) -> Result<u8> {
    cmd::run(cli, term)
}
