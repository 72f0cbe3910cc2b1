//! The integration tests: one binary, one module per feature, each driving the real `roster`.

mod harness;

// Import history: completed, refused and dry runs; original bytes; interrupted imports.
mod history;
// Audit log: an event per create, field update, status and membership change; roster log filters.
mod audit_log;
// Error report CSV: columns, only errored rows, formula neutralisation, imports errors ID.
mod errors_csv;
// Encodings, delimiters, CRLF and quoted line breaks, binary files, Google and Entra exports.
mod encodings;
// NDJSON events and progress, --quiet, --color and NO_COLOR, completions.
mod output;
