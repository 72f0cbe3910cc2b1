//! The integration tests: one binary, one module per feature, each driving the real `roster`.

mod harness;

// Import history: completed, refused and dry runs; original bytes; interrupted imports.
mod history;
