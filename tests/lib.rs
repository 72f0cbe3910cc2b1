//! The integration tests: one binary, one module per feature, each driving the real `roster`.

// The harness: a temporary store per test, `Test` (one builder for every run of the binary),
// and the JSON outputs as typed values.
mod harness;

// Import history: completed, refused and dry runs; original bytes; interrupted imports.
mod history;
// The apply's bulk path: identifier indexes built again after a first import, and holding.
mod bulk_apply;
// Audit log: an event per create, field update, status and membership change; roster log filters.
mod audit_log;
// Definitions and settings in the audit log: labels, forms, config, with --operator.
mod audit_definitions;
// Error report CSV: columns, only errored rows, formula neutralisation, imports errors ID.
mod errors_csv;
// Encodings, delimiters, CRLF and quoted line breaks, binary files, Google and Entra exports.
mod encodings;
// NDJSON events and progress, --quiet, --color and NO_COLOR, completions.
mod output;
// Every file-level error of SPEC §4: exact message, exit 1, store unchanged.
mod file_errors;
// Row-level messages of SPEC §5: row numbers, columns, values, all errors collected.
mod row_errors;
// Identity resolution of SPEC §6: external_id, email, phone, change of email, conflicts.
mod identity;
// Modes of SPEC §7 and the deactivation threshold of §8.
mod modes;
// Statuses of SPEC §3: invite, BANNED, protected, and the `roster members` commands.
mod statuses;
// The plan and every table at 80 and 120 columns (insta snapshots), refused runs in the history.
mod terminal;
// A pseudo-terminal of a chosen size and the screen a person sees on it (vt100).
mod screen;
// The terminal of issue 22: one spinner redrawn in place, Ctrl-C, the question, control
// characters made visible.
mod terminal_screen;
// `diff --output html`: the JSON document's counts and plan id, refusals, escaping, no network.
mod html_plan;
// Refusals under --output json: the refusal document with its code, per command family.
mod json_refusals;
// The JSON document, change objects, diff = dry run, --detailed-exitcode, tables (SPEC §10).
mod json_output;
// One test per exit code of SPEC §11.
mod exit_codes;
// `roster export`, `roster template` and the export/import round trip.
mod export;
// One import at a time (SPEC §2): the lock, exit 5, two real processes.
mod concurrency;
// proptest over random rosters: idempotence, round trip, refusals change nothing.
mod properties;
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
// The docs stay true: codemap, README sections, the CI test command, the CLI definition.
mod docs;
// Generators and store checks shared by the robustness tests.
mod support;
// `roster backup`: a consistent copy while others read and import.
mod backup;
// Imports started together (2 and 8), exit 5, readers while an import applies.
mod concurrency_races;
// The fuzz corpus run through the fuzz targets' code: no panic, typed errors.
mod fuzz_corpus;
// Hostile files: huge, deep, wide, badly encoded, deceptive; output paths.
mod hostile;
// Hostile stores: not SQLite, newer schema, read-only, full disk.
mod hostile_store;
// Regression tests named after their issue, each with a `See: issue N` line.
mod regression;
// Regression tests of issue 17's second round (the terminal, read-only stores, messages).
mod regression2;
// SIGKILL at many instants of a large import: all or nothing, history, next import.
mod kill;
// The layers of ARCHITECTURE.md and file sizes, checked on the source.
mod tidy;
// The library's import called directly, as every face calls it.
mod pipeline;
// A real `roster serve` for the server tests: start, stderr, HTTP client, signals.
mod server_harness;
// `roster serve` and `roster keys`: keys, authentication, scopes, statuses, limits, log, shutdown.
mod server;
// POST /v1/sync: parity with the CLI, statuses, NDJSON, Idempotency-Key, lock, disconnects, signals.
mod server_sync;
// `POST /v1/sync?report=summary` (issue 25): the document without its changes.
mod server_report;
// A real CLI holding the lock at its question, eight contenders, a slow body, progress.
mod server_transport;
// The GET endpoints of roster serve answer what the matching CLI commands print.
mod server_read;
// The PostgreSQL tests' server and per-test schemas (skipped without ROSTER_TEST_PG).
mod postgres_support;
// The PostgreSQL store through the library: same state as SQLite, the lock, the generation.
mod postgres_store;
// roster store copy both ways and backup on PostgreSQL: every read of a copy equals the source's.
mod postgres_copy;
// The binary on PostgreSQL: byte-identical outputs, two importers, a write before --expect-plan.
mod postgres_cli;
// SIGKILL of a PostgreSQL importer at spread instants: all or nothing, the next import applies.
mod postgres_kill;
// kill -9 of a PostgreSQL importer at named instants, found from pg_stat_activity.
mod postgres_kill_phases;
// roster import --wait on PostgreSQL; imports back to back never find the lock held.
mod postgres_wait;
// The first large import into an empty PostgreSQL store: indexes and keys rebuilt once.
mod postgres_rebuild;
// TLS to PostgreSQL: sslmode, sslrootcert, and a server without TLS.
mod postgres_tls;
// A large PostgreSQL store read on connections of its own, in one exported snapshot.
mod postgres_read;
// SPEC §13: invitations queued, sent to a scripted SMTP server on loopback, accepted once.
mod invitations;
mod invitations_smtp;
// Migration 0008 and the bulk queue: invitations found by their tokens, duplicates refused.
mod invitations_tokens;
// The browser tests' harness: roster serve, chromedriver and headless Chromium (WebDriver).
mod page_support;
// The admin page: sign-in, sessions and CSRF, scopes, no other origin, screenshots.
mod page;
// The admin page's import: preview = diff, confirm applies it, row errors, refusals, plan changes.
mod page_import;
// Every view of the admin page: axe-core in light and dark mode, no word broken, search, failed reads.
mod page_views;
// The directory reads (member counts, search) over HTTP with a key.
mod page_directory;
// The admin page at 100,000 members: bytes and time to usable, the HTML plan's size (on request).
mod page_scale;
mod server_invitations;
// Issue 23: failed authentications, --trusted-proxy, slow clients, the connection cap, SIGTERM's
// grace, trickled bodies, import slots, slowhttptest.
mod server_hostile;
// Issue 23: problem documents, Accept and Vary, charset/encoding/delimiter/map, compressed
// bodies and answers, duplicate parameters and headers, X-Request-Id, idempotency fingerprint.
mod server_postgres;
mod server_protocol;
// Issue 23: page sessions in the store (two replicas on PostgreSQL, a restart), masked URLs.
mod server_replicas;
// Issue 23: keys create --replaces (rotation without a gap) and --expires.
mod server_rotation;
// aiosmtpd, a real SMTP server, and Python's email parser for the invitation tests.
mod mail_server;
// Issue 28: branded MIME invitations parsed back; the logo, escaping, size, settings.
mod invitations_mime;
// Issue 23: an SMTP server that never answers, the run's deadline, one connection per run.
mod invitations_stall;
// Issue 28: roster invitations preview, and the built-in HTML in headless Chromium.
mod invitations_preview;
// Every JSON document and event against its schema in schemas/ (jsonschema).
mod schema_check;
// One vocabulary, the schemas, the stable error codes and their table in docs/output.md.
mod contract;
// The OpenAPI document's typed bodies and the schemas roster serve serves.
mod contract_server;
// SPEC §16: max-shrink refuses a shrunken full sync; deactivate-after-missing waits for repeated absence.
mod safety_guards;
// SQLite's generation check: a plan made before another handle's write is refused, whichever writer.
mod stale_snapshot;
// SPEC §16: roster imports revert: the inverse plan, conflicts, reverting twice, the safety rules.
mod revert;
// SPEC §16 over HTTP: POST /v1/imports/{id}/revert and max_shrink on POST /v1/sync.
mod server_revert;
// SPEC §16 on the admin page: the Revert action of a past import, in headless Chromium.
mod page_revert;
// SCIM 2.0 (issue 27): a client for the tests; Users; the rules, races and audit of SCIM
// writes; Groups; Microsoft's and Okta's documented requests replayed (fixtures/scim/).
mod scim;
mod scim_fixtures;
mod scim_groups;
mod scim_rules;
mod scim_support;
