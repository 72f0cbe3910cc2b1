//! The PostgreSQL tests' server: `ROSTER_TEST_PG` (a URL, as `.ci/pg start` prints it) names
//! a server; each test gets a fresh schema of its own (`?schema=t_<random>`), dropped after.
//! Without `ROSTER_TEST_PG` the tests print a notice and pass, unless `ROSTER_REQUIRE_PG=1`
//! (as `.ci/run` sets), which makes them fail: CI never passes without the PostgreSQL run.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};

/// One test's store on the server: a schema of its own, dropped when the test ends.
pub struct PgStore {
    pub url: String,
    pub schema: String,
    server: String,
}

/// The test server's URL, or `None` (after a notice) when the tests are to be skipped.
pub fn server(test: &str) -> Option<String> {
    match std::env::var("ROSTER_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("ROSTER_REQUIRE_PG").is_ok_and(|v| v == "1") => {
            panic!("ROSTER_REQUIRE_PG=1 but ROSTER_TEST_PG is not set: start a server with .ci/pg")
        }
        _ => {
            eprintln!("skipped {test}: set ROSTER_TEST_PG (eval \"$(.ci/pg start)\") to run it");
            None
        }
    }
}

/// `url` with `key=value` added to its parameters.
pub fn with_param(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={value}")
}

fn unique_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "t_{}_{}_{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

impl PgStore {
    /// A fresh schema on the test server, or `None` when PostgreSQL tests are skipped.
    pub fn new(test: &str) -> Option<PgStore> {
        Self::on(&server(test)?)
    }

    /// A fresh schema on the server at `server`.
    pub fn on(server: &str) -> Option<PgStore> {
        let schema = unique_name();
        Some(PgStore {
            url: with_param(server, "schema", &schema),
            schema,
            server: server.to_string(),
        })
    }

    /// A connection to the server (not through roster), for checks and setup.
    pub fn client(&self) -> postgres::Client {
        client(&self.server)
    }
}

/// A plain connection to `url` (no roster parameters in it).
pub fn client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to the test server: {e}"))
}

impl Drop for PgStore {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
                self.schema
            ));
        }
    }
}

/// `url` naming database `name` instead of its own.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{name}{query}", &base[..path_start])
}

/// A database whose default collation is not C (ICU's en-US: `a` < `B` < `é` < `Z`), created
/// once on the test server; its URL.
pub fn non_c_database(server: &str) -> String {
    static CREATED: std::sync::Once = std::sync::Once::new();
    const NAME: &str = "roster_icu_en_us";
    CREATED.call_once(|| {
        let mut c = client(server);
        let exists = c
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&NAME])
            .unwrap()
            .is_some();
        if !exists {
            c.batch_execute(&format!(
                "CREATE DATABASE {NAME} TEMPLATE template0 ENCODING 'UTF8' \
                 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
            ))
            .unwrap_or_else(|e| panic!("cannot create an ICU en-US database: {e}"));
        }
    });
    with_database(server, NAME)
}

/// The binary on the store `db`, set up as the harness runs it: in the test's folder, without
/// `$ROSTER_DB`, without colour, with a fixed operator.
pub fn command(
    r: &crate::harness::Roster,
    db: impl AsRef<std::ffi::OsStr>,
) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_roster"));
    cmd.current_dir(r.dir())
        .env_remove("ROSTER_DB")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "250")
        .env("USER", "tester")
        .arg("--db")
        .arg(db);
    cmd
}

/// What a run printed, and its exit code.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    #[track_caller]
    pub fn code(&self, want: i32) -> &Ran {
        assert_eq!(
            self.code, want,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Runs the binary on the test's own store.
pub fn run(r: &crate::harness::Roster, args: &[&str]) -> Ran {
    let out = command(r, r.store())
        .args(args)
        .output()
        .expect("run roster");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the binary on the test's own store and asserts success.
#[track_caller]
pub fn ok(r: &crate::harness::Roster, args: &[&str]) -> Ran {
    let ran = run(r, args);
    ran.code(0);
    ran
}
