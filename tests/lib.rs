//! The integration tests: one binary, one module per feature, each driving the real `roster`.

mod harness;
// Team files: memberships, additive and replace-style full sync, teams created and deleted.
mod teams;
// Organization roles, the safety rules, protected members, --expect-plan, config, invite, export.
mod roles_and_rules;
// Every member field: phone, date_of_birth, description, notify_*, labels, form columns, --skip-invalid, --clear-blanks.
mod fields;
// Input formats: CSV, JSON and NDJSON give the same plan; stdin; malformed JSON; the round trip.
mod input_formats;
// Properties of team files and the safety rules: refusals change nothing, round trips are empty.
mod properties_teams;
