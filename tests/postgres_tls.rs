//! TLS to PostgreSQL (store::postgres::tls): libpq's `sslmode` and `sslrootcert` on a server
//! that takes TCP connections only over TLS (`.ci/pg` makes its certificate, signed by a CA of
//! its own: ROSTER_TEST_PG_TLS, ROSTER_TEST_PG_CA), and a server without TLS met with
//! `sslmode=require` (a stand-in on loopback that declines TLS as PostgreSQL does).

use crate::harness::Roster;
use crate::postgres_cli::on;
use crate::postgres_support::{PgStore, server, with_param};
use std::io::{Read, Write};

/// The TLS server's URL and its CA file, or `None` (after a notice) when not set up.
fn tls_server(test: &str) -> Option<(String, String)> {
    server(test)?;
    match (
        std::env::var("ROSTER_TEST_PG_TLS"),
        std::env::var("ROSTER_TEST_PG_CA"),
    ) {
        (Ok(url), Ok(ca)) if !url.is_empty() => Some((url, ca)),
        _ if std::env::var("ROSTER_REQUIRE_PG").is_ok_and(|v| v == "1") => {
            panic!("ROSTER_REQUIRE_PG=1 but ROSTER_TEST_PG_TLS is not set: use .ci/pg")
        }
        _ => {
            eprintln!("skipped {test}: set ROSTER_TEST_PG_TLS and ROSTER_TEST_PG_CA (.ci/pg)");
            None
        }
    }
}

/// `url` with the store's schema and the given TLS parameters.
fn url(base: &str, pg: &PgStore, params: &[(&str, &str)]) -> String {
    let mut url = with_param(base, "schema", &pg.schema);
    for (k, v) in params {
        url = with_param(&url, k, v);
    }
    url
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn sslmode_require_connects_and_imports() {
    let Some((tls, _)) = tls_server("sslmode_require_connects_and_imports") else {
        return;
    };
    // The schema is dropped over the Unix socket; the commands go over TLS.
    let pg = PgStore::new("sslmode_require_connects_and_imports").unwrap();
    let r = Roster::new();
    let file = crate::harness::fixture("valid/teams.csv");
    let require = url(&tls, &pg, &[("sslmode", "require")]);
    let out = on(&r, &require, &["import", &file]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = on(&r, &require, &["export", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        out.stdout,
        on(&r, &pg.url, &["export", "--format", "json"]).stdout
    );
    // The server refuses TCP without TLS: sslmode=disable cannot reach it.
    let plain = url(&tls, &pg, &[("sslmode", "disable")]);
    let out = on(&r, &plain, &["export"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no encryption"), "{}", stderr(&out));
}

#[test]
fn verify_full_checks_the_host_name_and_verify_ca_the_chain() {
    let Some((tls, ca)) = tls_server("verify_full_checks_the_host_name") else {
        return;
    };
    let pg = PgStore::new("verify_full_checks_the_host_name").unwrap();
    let r = Roster::new();
    let file = crate::harness::fixture("valid/teams.csv");
    let full = url(
        &tls,
        &pg,
        &[("sslmode", "verify-full"), ("sslrootcert", &ca)],
    );
    let out = on(&r, &full, &["import", &file]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The certificate names localhost, not 127.0.0.1: verify-full refuses, verify-ca does not.
    let by_address = tls.replace("@localhost:", "@127.0.0.1:");
    let full = url(
        &by_address,
        &pg,
        &[("sslmode", "verify-full"), ("sslrootcert", &ca)],
    );
    let out = on(&r, &full, &["export"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("certificate"), "{}", stderr(&out));
    let chain = url(
        &by_address,
        &pg,
        &[("sslmode", "verify-ca"), ("sslrootcert", &ca)],
    );
    assert!(on(&r, &chain, &["export"]).status.success());
    // Without sslrootcert the built-in roots are used, and the test CA is not among them.
    let builtin = url(&tls, &pg, &[("sslmode", "verify-full")]);
    let out = on(&r, &builtin, &["export"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("certificate"), "{}", stderr(&out));
}

/// A server on loopback that answers a TLS request with `N`, as PostgreSQL without TLS does.
fn server_without_tls() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 8];
            if stream.read_exact(&mut request).is_ok() {
                let _ = stream.write_all(b"N");
                let mut rest = Vec::new();
                let _ = stream.read_to_end(&mut rest);
            }
        }
    });
    port
}

#[test]
fn sslmode_require_on_a_server_without_tls_says_so_without_the_password() {
    let port = server_without_tls();
    let r = Roster::new();
    let db = format!("postgresql://roster:s3cretpw@127.0.0.1:{port}/roster?sslmode=require");
    let out = on(&r, &db, &["export"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("server does not support TLS"), "{err}");
    assert!(err.contains("postgresql://roster:***@127.0.0.1"), "{err}");
    assert!(!err.contains("s3cretpw"), "{err}");
}

/// A large store's reads stream on a connection of their own (src/store/postgres/stream.rs),
/// over TLS too: while an export visits its members, two connections of the store are on TLS
/// (its own and the stream's), not one (the fallback to its own).
#[test]
fn a_large_store_streams_its_reads_over_tls() {
    let Some((tls, ca)) = tls_server("a_large_store_streams_its_reads_over_tls") else {
        return;
    };
    let pg = PgStore::new("a_large_store_streams_its_reads_over_tls").unwrap();
    let location = |url: String| roster::store::Location::Postgres(url);
    let mut socket = roster::store::open(&location(pg.url.clone())).unwrap();
    let large = 50_100;
    crate::support::apply_file(&mut socket, &crate::support::roster_csv(large, 0));
    drop(socket);
    let name = format!("roster_{}", pg.schema);
    let full = url(
        &tls,
        &pg,
        &[
            ("sslmode", "verify-full"),
            ("sslrootcert", &ca),
            ("application_name", &name),
        ],
    );
    let store = roster::store::open(&location(full)).unwrap();
    let mut watcher = pg.client();
    let (mut on_tls, mut members) = (None, 0);
    store
        .each_member(&roster::model::Status::ALL, &mut |_, _| {
            if on_tls.is_none() {
                let row = watcher
                    .query_one(
                        "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
                         WHERE s.ssl AND a.application_name = $1",
                        &[&name],
                    )
                    .unwrap();
                on_tls = Some(row.get::<_, i64>(0));
            }
            members += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(members, large);
    assert_eq!(on_tls, Some(2), "the store's connection and the stream's");
}
