//! Several `roster serve` replicas are one service (issue 23): the admin page's sessions live in
//! the store, so a session made on one replica works on another (two servers on one PostgreSQL
//! store), a restart signs no one out, and signing out on one replica ends the session on all.
//! Also: no URL roster prints shows a PostgreSQL password, whatever characters it holds.

use crate::harness::Roster;
use crate::postgres_support::{PgStore, command};
use crate::server_harness::{Server, create_key};

fn no_redirects() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in with `key` on `server`; the `Cookie` header value of the new session.
fn sign_in(server: &Server, key: &str) -> String {
    let reply = no_redirects()
        .post(server.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("key={key}"))
        .send()
        .unwrap();
    assert_eq!(reply.status().as_u16(), 303, "{:?}", reply.text());
    let cookie = reply.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// `GET path` with the session cookie: the status and the body.
fn with_session(server: &Server, path: &str, cookie: &str) -> (u16, String) {
    let reply = no_redirects()
        .get(server.url(path))
        .header("cookie", cookie)
        .send()
        .unwrap();
    (reply.status().as_u16(), reply.text().unwrap())
}

/// The CSRF token the page carries.
fn csrf(page: &str) -> String {
    const META: &str = "name=\"roster-csrf\" content=\"";
    let at = page.find(META).expect("the csrf meta") + META.len();
    page[at..at + 64].to_string()
}

fn sign_out(server: &Server, cookie: &str, csrf: &str) {
    let reply = no_redirects()
        .post(server.url("/logout"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}"))
        .send()
        .unwrap();
    assert_eq!(reply.status().as_u16(), 303);
}

#[test]
fn a_session_survives_a_restart_and_signing_out_ends_it_everywhere() {
    let r = Roster::new();
    let key = create_key(&r, "ana", "sync");
    let first = Server::start(&r, &[]);
    let cookie = sign_in(&first, &key);
    assert_eq!(with_session(&first, "/v1/imports", &cookie).0, 200);
    assert_eq!(first.stop("TERM"), Some(0));
    let (a, b) = (Server::start(&r, &[]), Server::start(&r, &[]));
    let (status, page) = with_session(&a, "/", &cookie);
    assert_eq!(status, 200);
    assert!(page.contains("ana"), "{page}");
    sign_out(&a, &cookie, &csrf(&page));
    let (status, body) = with_session(&b, "/v1/imports", &cookie);
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("The session has ended"), "{body}");
}

#[test]
fn a_session_made_on_one_replica_is_known_to_the_other_on_postgresql() {
    let Some(pg) = PgStore::new("a_session_made_on_one_replica_is_known_to_the_other") else {
        return;
    };
    let r = Roster::new();
    let made = command(&r, &pg.url)
        .args(["keys", "create", "ana"])
        .output()
        .unwrap();
    let key = String::from_utf8(made.stdout).unwrap().trim().to_string();
    let replicas = [
        Server::start_on(&r, &pg.url, &[]),
        Server::start_on(&r, &pg.url, &[]),
    ];
    let cookie = sign_in(&replicas[0], &key);
    let (status, body) = with_session(&replicas[1], "/v1/imports", &cookie);
    assert_eq!(status, 200, "{body}");
    let (status, page) = with_session(&replicas[1], "/", &cookie);
    assert_eq!(status, 200);
    sign_out(&replicas[1], &cookie, &csrf(&page));
    assert_eq!(with_session(&replicas[0], "/v1/imports", &cookie).0, 401);
    // A revoked key ends its sessions on every replica.
    let again = sign_in(&replicas[0], &key);
    let revoked = command(&r, &pg.url)
        .args(["keys", "revoke", "ana"])
        .output()
        .unwrap();
    assert!(revoked.status.success());
    assert_eq!(with_session(&replicas[1], "/v1/imports", &again).0, 401);
}

#[test]
fn no_message_shows_a_postgresql_password_whatever_it_holds() {
    let r = Roster::new();
    for password in ["pa/ss", "pa?ss", "pa#ss", "p@ss", "pa:ss", "pa%ss", "pa ss"] {
        let url = format!("postgresql://ann:{password}@127.0.0.1:1/roster");
        let out = r.args(&["members", "list"]).db(&url).status(1).run();
        let said = format!("{}{}", out.stdout, out.stderr);
        assert!(
            said.contains("postgresql://ann:***@127.0.0.1:1/roster"),
            "{password}: {said}"
        );
        assert!(!said.contains(password), "{password}: {said}");
    }
}
