//! roster keeps a member roster (an SQLite store) in step with a roster file.
//!
//! One import: input → decode → parse → validate → resolve → plan → policy → apply → report.
//!
//! Codemap
//! - `cli`, `cmd`: flags, and one module per subcommand (wiring only). `cmd::import` is the one
//!   place the stages are strung together; `diff` is the same run stopped before `apply`. The
//!   store snapshot loads on a second thread while the file is read and validated, and the
//!   history row (with the compressed original) is written on a third.
//! - `input`: bytes from a path or stdin, byte limit, sha256, binary files refused.
//! - `decode`: BOMs, UTF-16, `--encoding` (encoding_rs) to text; UTF-8 is borrowed, not copied.
//! - `parse`: text to a `Table` (CSV, JSON, NDJSON): every cell in one buffer (`parse::Rows`),
//!   spreadsheet row numbers; `parse::header` matches headers. Every file-level error stops here.
//! - `columns`: every column, alias, limit and rule; `validate` applies it to each row, groups a
//!   member's rows and collects every row error.
//! - `model`: fields, statuses, roles; a member's values in one compact buffer (`model::Values`).
//! - `resolve`: match records to stored members (external_id, email, phone); identity conflicts.
//!   A file in the store's order is followed member by member; only the records off that trail
//!   are looked up, so a nightly sync rarely builds the snapshot's identifier indexes.
//! - `plan`: the `Plan`, a pure value: what changes, member by member, and the summary counts.
//! - `policy`: the safety rules over the whole plan (exit 4).
//! - `store`: everything on disk, behind the narrow `Store` trait (`store::sqlite` holds all SQL);
//!   `Store::apply` writes a plan in one transaction with its audit events, which
//!   `store::audit` encodes as compressed batches (no SQL there).
//! - `report`, `csv_out`, `term`: everything the user sees (tables, JSON, NDJSON and progress,
//!   the error report); every CSV goes through `csv_out`.
//! - `error`: every contract message and exit code.
//! - `server`, `keys`: `roster serve`, the REST sync API over the same pipeline (axum on tokio),
//!   and its API keys (`rst_`, checksummed, stored as SHA-256).
//!
//! Invariants
//! - Only `store` touches the database; everything before `apply` is pure and never fails on bad rows.
//! - `validate` and `resolve` return records *and* errors; they never stop at the first.
//! - stdout is data (tables, JSON, CSV); stderr is for people.
//! - tests/docs.rs checks that this codemap names every module.

pub mod cli;
pub mod cmd;
pub mod columns;
pub mod csv_out;
pub mod decode;
pub mod error;
pub mod input;
pub mod keys;
pub mod model;
pub mod parse;
pub mod plan;
pub mod policy;
pub mod report;
pub mod resolve;
pub mod server;
pub mod store;
pub mod term;
pub mod validate;

pub use cli::Cli;
pub use error::{Error, Result};

/// Runs the command line; returns the exit code of a success.
pub fn run(cli: Cli, term: &term::Term) -> Result<u8> {
    cmd::run(cli, term)
}
