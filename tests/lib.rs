//! The integration tests: one binary, one module per feature, each driving the real `roster`.

mod harness;
/// Generators and store checks shared by the robustness tests.
mod support;

/// Imports started together, exit 5, readers while an import applies.
mod concurrency;
/// SIGKILL at many instants of a large import: all or nothing, history, next import.
mod kill;
