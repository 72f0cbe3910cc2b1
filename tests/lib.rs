//! The integration tests: one binary, one module per feature, each driving the real `roster`.

mod harness;
// Team files: memberships, additive and replace-style full sync, teams created and deleted.
mod teams;
