//! The integration tests: one binary, one module per feature, each driving the real `roster`.

mod harness;
/// Generators and store checks shared by the robustness tests.
mod support;

/// `roster backup`: a consistent copy while others read and import.
mod backup;
/// Imports started together, exit 5, readers while an import applies.
mod concurrency;
/// The fuzz corpus run through the fuzz targets' code: no panic, typed errors.
mod fuzz_corpus;
/// Hostile files: huge, deep, wide, badly encoded, deceptive; output paths.
mod hostile;
/// Hostile stores: not SQLite, newer schema, read-only, full disk.
mod hostile_store;
/// SIGKILL at many instants of a large import: all or nothing, history, next import.
mod kill;
