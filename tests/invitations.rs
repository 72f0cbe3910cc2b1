//! SPEC §13: the invitation outbox, delivered to a real SMTP server on loopback
//! (`invitations_smtp`), and accepted once.

use crate::harness::{Roster, members_csv};
use crate::invitations_smtp::{Answer, Smtp};
use serde::Deserialize;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Listed {
    id: i64,
    member: crate::harness::Ids,
    email: Option<String>,
    state: String,
    attempts: u32,
    last_error: Option<String>,
    created_at: String,
    sent_at: Option<String>,
}

/// A store whose invitations go to `smtp`, with `n` members imported with `--invite`.
fn invited(smtp: &Smtp, n: usize) -> Roster {
    let r = Roster::new();
    for (key, value) in [
        ("smtp-url", smtp.url()),
        ("smtp-from", "Roster <roster@example.org>".to_string()),
        ("invite-subject", "Join us, {first_name}".to_string()),
        (
            "invite-template",
            "Hello {name} <{email}>,\\nclick {link}\\n".to_string(),
        ),
        (
            "invite-link",
            "https://roster.example.org/accept/{token}".to_string(),
        ),
    ] {
        r.args(&["config", "set", key, &value]).run();
    }
    r.import_json("a.csv", members_csv(1..=n))
        .args(&["--invite"])
        .run();
    r
}

fn list(r: &Roster) -> Vec<Listed> {
    r.args(&["invitations", "list", "--output", "json"])
        .run()
        .decode()
}

/// The token in a received message's link.
fn token_of(body: &str) -> String {
    let start = body.find("/accept/").expect("a link") + "/accept/".len();
    crate::harness::token_at(&body[start..]).to_string()
}

#[test]
fn an_invitation_arrives_with_recipient_subject_body_and_link() {
    let smtp = Smtp::start(vec![]);
    let r = invited(&smtp, 1);
    let queued = list(&r);
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (queued[0].state.as_str(), queued[0].attempts),
        ("PENDING", 0)
    );
    assert_eq!(queued[0].email.as_deref(), Some("m1@example.com"));
    r.args(&["invitations", "send"])
        .stderr_line("[1/1] sent m1@example.com")
        .run();
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt, "m1@example.com");
    assert_eq!(got[0].header("Subject"), "Join us, First1");
    let body = got[0].body();
    let token = token_of(&body);
    assert_eq!(
        body.trim_end(),
        format!(
            "Hello First1 <m1@example.com>,\r\nclick https://roster.example.org/accept/{token}"
        )
    );
    // The store keeps only the token's hash.
    assert!(!r.dump().contains(&token));
    assert!(
        got[0]
            .header("Message-ID")
            .starts_with("<roster-invitation-1.")
    );
    let sent = list(&r);
    assert_eq!((sent[0].state.as_str(), sent[0].attempts), ("SENT", 1));
    assert!(sent[0].sent_at.is_some());
    // Nothing is left to send.
    r.args(&["invitations", "send"]).run();
    assert_eq!(smtp.received().len(), 1);
}

#[test]
fn a_4xx_is_retried_and_sent_once() {
    let smtp = Smtp::start(vec![Answer::Reply("451 4.3.0 try again later")]);
    let r = invited(&smtp, 1);
    r.args(&["invitations", "send"]).run();
    let after = list(&r);
    assert_eq!((after[0].state.as_str(), after[0].attempts), ("PENDING", 1));
    assert!(after[0].last_error.as_deref().unwrap().contains("451"));
    // The backoff holds it back; --now does not wait.
    r.args(&["invitations", "send"]).run();
    assert_eq!(smtp.received().len(), 0);
    r.args(&["invitations", "send", "--now"]).run();
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(list(&r)[0].state, "SENT");
}

#[test]
fn a_5xx_fails_with_the_reply_and_exit_1() {
    let smtp = Smtp::start(vec![Answer::Reply("550 5.1.1 no such mailbox")]);
    let r = invited(&smtp, 2);
    let run = r
        .args(&["invitations", "send", "--output", "json"])
        .status(1)
        .run();
    let doc = run.json();
    assert_eq!(
        (doc["sent"].as_u64(), doc["failed"].as_u64()),
        (Some(1), Some(1))
    );
    let failed = &list(&r)[0];
    assert_eq!(failed.state, "FAILED");
    assert!(
        failed
            .last_error
            .as_deref()
            .unwrap()
            .contains("no such mailbox")
    );
    // A later run with nothing failing exits 0.
    r.args(&["invitations", "send", "--now"]).run();
}

#[test]
fn a_connection_dropped_mid_data_stays_pending() {
    let smtp = Smtp::start(vec![Answer::DropMidData]);
    let r = invited(&smtp, 1);
    r.args(&["invitations", "send"]).run();
    let after = list(&r);
    assert_eq!((after[0].state.as_str(), after[0].attempts), ("PENDING", 1));
    assert!(smtp.received().is_empty());
}

#[test]
fn accept_once_then_refused_and_after_cancel_refused() {
    let smtp = Smtp::start(vec![]);
    let r = invited(&smtp, 2);
    r.args(&["invitations", "send"]).run();
    let tokens: Vec<String> = smtp
        .received()
        .iter()
        .map(|m| token_of(&m.body()))
        .collect();
    r.args(&["invitations", "accept", &tokens[0]])
        .stdout("m1@example.com: INVITED -> ACTIVE\n")
        .run();
    assert_eq!(r.status("m1@example.com"), "ACTIVE");
    let log = r.args(&["log", "--member", "m1@example.com"]).run();
    assert!(log.stdout.contains("accept"), "{}", log.stdout);
    r.args(&["invitations", "accept", &tokens[0]])
        .status(1)
        .stderr_line("error: This invitation has already been accepted.")
        .unchanged()
        .run();
    r.args(&["invitations", "accept", &"0".repeat(64)])
        .status(1)
        .stderr_line("error: This invitation link is not valid.")
        .run();
    // A resend cancels the pending one; a ban cancels the new one.
    r.args(&["invite", "--resend", "m2@example.com"]).run();
    r.args(&["members", "ban", "m2@example.com"]).run();
    let states: Vec<String> = list(&r).into_iter().map(|i| i.state).collect();
    assert_eq!(states, ["SENT", "SENT", "CANCELLED"]);
    // The token of the cancelled invitation, derived as the sender would have.
    let secret = r.sql_text(if Roster::on_postgres() {
        "SELECT encode(secret, 'hex') FROM invitation_keys"
    } else {
        "SELECT hex(secret) FROM invitation_keys"
    });
    let secret: Vec<u8> = (0..secret.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&secret[i..i + 2], 16).unwrap())
        .collect();
    let store_id = r.sql_text("SELECT store_id FROM invitation_keys");
    let cancelled = roster::invitations::token::derive(&secret, &store_id, 3);
    r.args(&["invitations", "accept", &cancelled])
        .status(1)
        .stderr_line("error: This invitation was cancelled.")
        .run();
    // The sent invitation of a banned member is refused too.
    r.args(&["invitations", "accept", &tokens[1]])
        .status(1)
        .stderr_line(
            "error: m2@example.com is BANNED; only an INVITED member can accept an invitation",
        )
        .unchanged()
        .run();
}

#[test]
fn a_killed_sender_loses_nothing_and_duplicates_only_with_the_same_message_id() {
    let smtp = Smtp::start(vec![]);
    smtp.set_delay(std::time::Duration::from_millis(30));
    let r = invited(&smtp, 12);
    // Kills at spread instants: before, during and between messages.
    for wait in [0u64, 20, 45, 70, 110, 160] {
        let mut child = r.args(&["invitations", "send", "--now"]).spawn();
        std::thread::sleep(std::time::Duration::from_millis(wait));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
    }
    r.args(&["invitations", "send", "--now"]).run();
    let listed = list(&r);
    assert_eq!(listed.len(), 12, "no invitation lost");
    assert!(listed.iter().all(|i| i.state == "SENT"), "{listed:?}");
    let got = smtp.received();
    for n in 1..=12 {
        let to = format!("m{n}@example.com");
        let ids: std::collections::BTreeSet<String> = got
            .iter()
            .filter(|m| m.rcpt == to)
            .map(|m| m.header("Message-ID"))
            .collect();
        assert_eq!(
            ids.len(),
            1,
            "{to}: one Message-ID however often it was sent"
        );
    }
}

#[test]
fn eight_concurrent_senders_send_each_invitation_once() {
    let smtp = Smtp::start(vec![]);
    let r = invited(&smtp, 20);
    let children: Vec<_> = (0..8)
        .map(|_| r.args(&["invitations", "send"]).spawn())
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("sender");
        let code = out.status.code();
        assert!(matches!(code, Some(0 | 5)), "{code:?}");
        if code == Some(5) {
            assert_eq!(
                String::from_utf8_lossy(&out.stderr),
                "error: Another sender is delivering invitations. Please wait for it to finish before sending again.\n"
            );
        }
    }
    r.args(&["invitations", "send"]).run();
    let mut rcpts: Vec<String> = smtp.received().into_iter().map(|m| m.rcpt).collect();
    rcpts.sort();
    let mut expected: Vec<String> = (1..=20).map(|n| format!("m{n}@example.com")).collect();
    expected.sort();
    assert_eq!(rcpts, expected);
}

#[test]
fn invited_members_use_seats_and_invite_queues_within_the_limit() {
    let smtp = Smtp::start(vec![]);
    let r = invited(&smtp, 2);
    r.import_json("b.csv", members_csv(3..=4)).run();
    r.args(&["config", "set", "seat-limit", "3"]).run();
    // Two INVITED use two seats: one more fits, two do not.
    r.args(&["invite", "m3@example.com", "m4@example.com"])
        .status(4)
        .unchanged()
        .run();
    r.args(&["invite", "m3@example.com"]).run();
    assert_eq!(r.status("m3@example.com"), "INVITED");
    let queued = list(&r);
    assert_eq!(queued.len(), 3);
    assert_eq!(queued[2].member.email.as_deref(), Some("m3@example.com"));
    // A full sync that leaves m1 out deactivates it and cancels its pending invitation.
    r.import_json("c.csv", members_csv(2..=4))
        .args(&["--full-sync", "--max-deactivations", "1"])
        .run();
    let states: Vec<String> = list(&r).into_iter().map(|i| i.state).collect();
    assert_eq!(states, ["CANCELLED", "PENDING", "PENDING"]);
}
