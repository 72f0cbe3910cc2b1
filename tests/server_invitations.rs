//! SPEC §13 with `roster serve`: the invitation link's pages (a GET only asks, a POST accepts,
//! once) and `--send-invitations`, against the scripted SMTP server of `invitations_smtp`.

use crate::harness::{Roster, members_csv};
use crate::invitations_smtp::Smtp;
use crate::server_harness::{Reply, Server, client};
use std::time::{Duration, Instant};

/// A store whose invitations go to `smtp`, with `n` members imported with `--invite`.
fn invited(smtp: &Smtp, n: usize) -> Roster {
    let r = Roster::new();
    for (key, value) in [
        ("smtp-url", smtp.url()),
        ("smtp-from", "Roster <roster@example.org>".to_string()),
        ("invite-template", "click {link}\\n".to_string()),
        (
            "invite-link",
            "https://roster.example.org/invitations/{token}".to_string(),
        ),
    ] {
        r.args(&["config", "set", key, &value]).run();
    }
    r.import_json("a.csv", members_csv(1..=n))
        .args(&["--invite"])
        .run();
    r
}

/// The tokens of the messages `smtp` received, in order.
fn tokens(smtp: &Smtp) -> Vec<String> {
    smtp.received()
        .iter()
        .map(|m| {
            let body = m.body();
            let start = body.find("/invitations/").expect("a link") + "/invitations/".len();
            crate::harness::token_at(&body[start..]).to_string()
        })
        .collect()
}

fn page(server: &Server, method: &str, token: &str) -> Reply {
    let url = server.url(&format!("/invitations/{token}"));
    let request = match method {
        "GET" => client().get(url),
        _ => client().post(url),
    };
    let reply = Reply::from(request.send());
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"));
    reply
}

#[test]
fn a_get_only_asks_a_post_accepts_once_and_a_second_post_is_refused() {
    let smtp = Smtp::start(vec![]);
    let r = invited(&smtp, 1);
    r.args(&["invitations", "send"]).run();
    let token = tokens(&smtp).remove(0);
    let server = Server::start(&r, &[]);

    // A prefetching scanner's GETs (no key needed) accept nothing.
    for _ in 0..3 {
        let asked = page(&server, "GET", &token);
        assert_eq!(asked.status, 200);
        assert!(
            asked.text().contains("<form method=\"post\">"),
            "{}",
            asked.text()
        );
    }
    let accepted = page(&server, "POST", &token);
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    assert!(accepted.text().contains("membership is now active"));

    let again = page(&server, "POST", &token);
    assert_eq!(again.status, 410);
    assert!(
        again
            .text()
            .contains("This invitation has already been accepted.")
    );
    let unknown = page(&server, "POST", &"0".repeat(64));
    assert_eq!(unknown.status, 404);
    assert!(
        unknown
            .text()
            .contains("This invitation link is not valid.")
    );

    // The store agrees: accepted once, by the link.
    r.args(&["invitations", "accept", &token])
        .status(1)
        .stderr_line("error: This invitation has already been accepted.")
        .run();
    let log = r.args(&["log"]).run();
    assert!(
        log.stdout.contains("invitation link (127.0.0.1)"),
        "{}",
        log.stdout
    );
}

#[test]
fn the_pages_are_limited_per_address() {
    let r = Roster::new();
    let server = Server::start(&r, &[]);
    let statuses: Vec<u16> = (0..21)
        .map(|_| page(&server, "GET", &"0".repeat(64)).status)
        .collect();
    assert!(statuses[..20].iter().all(|s| *s == 200), "{statuses:?}");
    let refused = page(&server, "POST", &"0".repeat(64));
    assert_eq!(refused.status, 429);
    assert!(refused.header("retry-after").is_some());
}

#[test]
fn send_invitations_delivers_the_outbox_in_the_background() {
    let smtp = Smtp::start(vec![]);
    let r = invited(&smtp, 2);
    assert!(smtp.received().is_empty());
    let server = Server::start(&r, &["--send-invitations", "--send-every", "1"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while smtp.received().len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let received = smtp.received();
    assert_eq!(received.len(), 2, "{}", server.stderr());
    assert!(received.iter().any(|m| m.rcpt.contains("m1@example.com")));
    // Sent once: later rounds find nothing due.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(smtp.received().len(), 2);
    assert_eq!(server.stop("TERM"), Some(0));
    let token = tokens(&smtp).remove(0);
    r.args(&["invitations", "accept", &token]).run();
}

#[test]
fn the_invitation_preview_is_html_that_can_run_nothing_and_needs_a_key() {
    let r = Roster::new();
    for (key, value) in [
        ("org-name", "Acme <Rowing>".to_string()),
        ("brand-color", "#ffd400".to_string()),
        (
            "brand-logo",
            format!("@{}", crate::harness::fixture("brand/logo.svg")),
        ),
    ] {
        r.args(&["config", "set", key, &value]).run();
    }
    let key = crate::server_harness::create_key(&r, "viewer", "read");
    let server = Server::start(&r, &[]);
    let shown = server.get("/v1/invitations/preview", &key);
    assert_eq!(shown.status, 200, "{}", shown.text());
    assert_eq!(
        shown.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let csp = shown.header("content-security-policy").unwrap();
    assert!(
        csp.starts_with("sandbox; default-src 'none'; img-src data:;"),
        "{csp}"
    );
    assert_eq!(shown.header("cache-control").as_deref(), Some("no-store"));
    let html = shown.text();
    assert!(html.contains("You have been invited to join Acme &lt;Rowing&gt;."));
    assert!(html.contains("src=\"data:image/svg+xml;base64,"));
    // Dark text on the light yellow button.
    assert!(html.contains("color:#000000;text-decoration:none"));
    // The same HTML as the CLI's preview.
    let cli = r
        .args(&["invitations", "preview", "--output", "html"])
        .run()
        .stdout;
    assert_eq!(html, cli);
    let refused = Reply::from(client().get(server.url("/v1/invitations/preview")).send());
    assert_eq!(refused.status, 401);
}
