//! roster keeps a member roster (an SQLite or PostgreSQL store) in step with a roster file.
//!
//! One import: input → decode → parse → validate → resolve → plan → policy → apply → report.
//!
//! Codemap
//! - `import`: the import as a library call, `import::run(store, input, &options, events)`, the
//!   one place the stages are strung together; every face (the CLI's `import` and `diff`, the
//!   tests, the fuzz targets) calls it and renders the owned `Outcome` it returns. Progress and
//!   phase timings are `import::Events` the caller observes. `parallel` is the one helper for
//!   scoped work on other threads (one policy for a panicking thread).
//! - `cli`, `cmd`: flags, and one module per subcommand (wiring only).
//! - `input`: bytes from a path, stdin or memory, byte limit, sha256, binary files refused.
//! - `decode`: BOMs, UTF-16, `--encoding` (encoding_rs) to text; UTF-8 is borrowed, not copied.
//! - `parse`: text to a `Table` (CSV, JSON, NDJSON): every cell in one buffer (`parse::Rows`),
//!   spreadsheet row numbers; `parse::header` matches headers. Every file-level error stops here.
//! - `columns`: every column, alias, limit and rule; `validate` applies it to each row, groups a
//!   member's rows and collects every row error.
//! - `model`: fields, statuses, roles; a member's values in one compact buffer (`model::Values`).
//! - `snapshot`: the store's state as an import sees it, a pure value (with identifier indexes
//!   built on first use).
//! - `resolve`: match records to stored members (external_id, email, phone); identity conflicts.
//!   A file in the store's order is followed member by member (`resolve::lookup`); only the
//!   records off that trail are looked up.
//! - `plan`: the `Plan`, a pure value: what changes, member by member, and the summary counts;
//!   `plan::wire` is a change's JSON form (report, audit log and plan id share it).
//! - `policy`: the safety rules over the whole plan (exit 4).
//! - `revert`: the inverse of an import, planned from its audit events (SPEC §16); pure.
//! - `store`: everything on disk, behind three interfaces split by job (`ImportStore`,
//!   `HistoryStore`, `AdminStore`); `store::sqlite` holds the SQLite SQL; what every backend
//!   shares (member ids, audit batches, stored originals, times) sits above it.
//! - `report`, `csv_out`, `error_report`, `term`: everything the user sees (tables, JSON, NDJSON
//!   and progress, the error report CSV); every CSV goes through `csv_out`.
//! - `invitations`: the invitation outbox's drain by SMTP (lettre), tokens, messages and
//!   acceptance, above the store's `InvitationStore` (SPEC §13).
//! - `error`: every contract message and exit code.
//! - `server`, `keys`: `roster serve`, the REST sync API over the same pipeline (axum on tokio),
//!   and its API keys (`rst_`, checksummed, stored as SHA-256).
//!
//! Layers (tests/tidy.rs checks them)
//! - The rules (`columns`, `validate`, `model`) and the planning (`resolve`, `plan`, `policy`,
//!   `snapshot`) never import `store`, `report`, `import` or `cmd`.
//! - `store` never imports `report`, `import` or `cmd`; `import` never imports `report` or `cmd`.
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
