//! Issue 28: branded invitations as real MIME messages, received by a real SMTP server
//! (aiosmtpd) and parsed back by Python's `email` package (`mail_server`): the structure,
//! charsets and encodings, the inline logo, the escaping of hostile names, the size with the
//! largest logo; the settings that refuse what they should.

use crate::harness::{Roster, fixture, sha256};
use crate::mail_server::{Aiosmtpd, defects, find, headers};
use serde_json::Value;

/// A store whose invitations go to `url`, branded, with the members of `csv` invited.
fn branded(url: &str, csv: &str) -> Roster {
    let r = Roster::new();
    for (key, value) in [
        ("smtp-url", url.to_string()),
        ("smtp-from", "Acme Rowing <roster@acme.example>".into()),
        ("invite-subject", "{first_name}, join {org_name}".into()),
        (
            "invite-link",
            "https://roster.acme.example/invitations/{token}".into(),
        ),
        ("org-name", "Acme Rowing & Sculling".into()),
        ("brand-color", "#0B6E4F".into()),
        ("brand-logo", format!("@{}", fixture("brand/logo.png"))),
    ] {
        r.args(&["config", "set", key, &value]).run();
    }
    r.import_json("a.csv", csv).args(&["--invite"]).run();
    r
}

fn content_types(part: &Value) -> Value {
    match part["parts"].as_array() {
        Some(parts) => serde_json::json!({
            part["content_type"].as_str().unwrap(): parts.iter().map(content_types).collect::<Vec<_>>()
        }),
        None => part["content_type"].clone(),
    }
}

#[test]
fn a_branded_invitation_is_text_then_html_with_its_logo_inline() {
    let Some(smtp) = Aiosmtpd::start() else {
        return;
    };
    let r = branded(
        &smtp.url(),
        "email,first_name,last_name\nann@example.org,Ann,Lee\n",
    );
    r.args(&["invitations", "send"]).run();
    let message = &smtp.messages(1)[0];
    assert_eq!(
        message["envelope"]["rcpt_tos"],
        serde_json::json!(["ann@example.org"])
    );
    let root = &message["root"];
    assert_eq!(
        content_types(root),
        serde_json::json!({"multipart/alternative": ["text/plain",
            {"multipart/related": ["text/html", "image/png"]}]})
    );
    assert!(defects(root).is_empty(), "{:?}", defects(root));
    assert_eq!(headers(message, "MIME-Version"), ["1.0"]);
    assert_eq!(
        headers(message, "Subject"),
        ["Ann, join Acme Rowing & Sculling"]
    );
    assert!(headers(message, "Message-ID")[0].starts_with("<roster-invitation-1."));
    assert!(headers(message, "List-Unsubscribe").is_empty());
    let text = find(root, "text/plain").unwrap();
    let html = find(root, "text/html").unwrap();
    for part in [text, html] {
        assert_eq!(part["charset"], "utf-8");
        let encoding = part["transfer_encoding"].as_str().unwrap();
        assert!(
            ["7bit", "quoted-printable", "base64"].contains(&encoding),
            "{encoding}"
        );
    }
    let link = text["text"].as_str().unwrap();
    let start = link
        .find("https://roster.acme.example/invitations/")
        .expect("the link");
    let token = crate::harness::token_at(&link[start + 40..]);
    let link = &link[start..start + 40 + token.len()];
    assert!(token.len() > 64, "{link}");
    let html_text = html["text"].as_str().unwrap();
    assert!(
        html_text.contains(&format!("href=\"{link}\"")),
        "the button and the link"
    );
    assert!(html_text.contains("<html lang=\"en\""));
    assert!(html_text.contains("<title>Ann, join Acme Rowing &amp; Sculling</title>"));
    assert!(html_text.contains("role=\"presentation\""));
    assert!(html_text.contains("background-color:#0b6e4f"));
    // The button's text is white on this dark green.
    assert!(html_text.contains("color:#ffffff;text-decoration:none"));
    // The logo: an inline part the HTML names by cid:, never a network address.
    let logo = find(root, "image/png").unwrap();
    assert_eq!(logo["disposition"], "inline");
    assert_eq!(logo["content_id"], "<brand-logo@roster.invalid>");
    assert_eq!(logo["transfer_encoding"], "base64");
    let png = std::fs::read(fixture("brand/logo.png")).unwrap();
    assert_eq!(logo["sha256"], sha256(&png));
    assert!(html_text.contains("src=\"cid:brand-logo@roster.invalid\""));
    assert!(!html_text.contains("http://") && !html_text.contains("src=\"https"));
}

#[test]
fn hostile_names_stay_text_and_add_no_header() {
    let Some(smtp) = Aiosmtpd::start() else {
        return;
    };
    let csv = "email,first_name,last_name\n\
        eve@example.org,\"<script>alert(1)</script>\",\"O'Brien \"\"Bcc: x@evil.example\"\"\"\n\
        mal@example.org,\"Mal\r\nBcc: y@evil.example\",\"<img src=x onerror=alert(2)>\"\n";
    let r = branded(&smtp.url(), csv);
    r.args(&["invitations", "send"]).run();
    let messages = smtp.messages(2);
    for message in &messages {
        let rcpts = message["envelope"]["rcpt_tos"].as_array().unwrap();
        assert_eq!(rcpts.len(), 1, "one recipient: {rcpts:?}");
        assert!(headers(message, "Bcc").is_empty());
        assert_eq!(headers(message, "Subject").len(), 1);
        assert!(defects(&message["root"]).is_empty());
        let html = find(&message["root"], "text/html").unwrap()["text"]
            .as_str()
            .unwrap();
        assert!(
            !html.contains("<script") && !html.contains("<img src=x"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;") || html.contains("&lt;img src=x"));
    }
    let eve = &messages[0];
    let html = find(&eve["root"], "text/html").unwrap()["text"]
        .as_str()
        .unwrap();
    assert!(html.contains(
        "Hello &lt;script&gt;alert(1)&lt;/script&gt; O&#39;Brien &quot;Bcc: x@evil.example&quot;,"
    ));
    assert_eq!(
        headers(eve, "Subject"),
        ["<script>alert(1)</script>, join Acme Rowing & Sculling"]
    );
    // A line break in a name stays inside the subject's one line.
    let mal = &messages[1];
    assert!(headers(mal, "Subject")[0].starts_with("Mal"));
    assert!(!headers(mal, "Subject")[0].contains('\n'));
}

#[test]
fn the_largest_logo_keeps_a_message_under_256_kb() {
    let Some(smtp) = Aiosmtpd::start() else {
        return;
    };
    let r = Roster::new();
    // A PNG signature then bytes that do not compress: the worst case for base64.
    let mut logo = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut x: u32 = 1;
    while logo.len() < 180_000 {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        logo.push((x >> 24) as u8);
    }
    let path = r.write("big.png", &logo);
    r.args(&["config", "set", "brand-logo", &format!("@{path}")])
        .run();
    logo.push(0);
    let over = r.write("over.png", &logo);
    r.args(&["config", "set", "brand-logo", &format!("@{over}")])
        .status(1)
        .stderr_line(
            "error: invalid brand-logo: the logo is 180001 bytes; the most is 180000 (180 kB)",
        )
        .unchanged()
        .run();
    for (key, value) in [
        ("smtp-url", smtp.url()),
        ("smtp-from", "roster@acme.example".into()),
        ("invite-link", "https://acme.example/i/{token}".into()),
    ] {
        r.args(&["config", "set", key, &value]).run();
    }
    r.import_json("a.csv", "email\nann@example.org\n")
        .args(&["--invite"])
        .run();
    r.args(&["invitations", "send"]).run();
    let message = &smtp.messages(1)[0];
    let size = message["size"].as_u64().unwrap();
    assert!(size <= 256_000, "{size} bytes");
    assert_eq!(
        find(&message["root"], "image/png").unwrap()["size"],
        180_000
    );
}

#[test]
fn the_logo_and_colour_settings_refuse_what_is_not_one() {
    let r = Roster::new();
    r.args(&["config", "set", "brand-logo", &format!("@{}", fixture("brand/not-a-logo.gif"))])
        .status(1)
        .stderr_line("error: invalid brand-logo: expected a PNG, JPEG or SVG image (the file's first bytes are none of these)")
        .run();
    r.args(&["config", "set", "brand-logo", "logo.png"])
        .status(1)
        .run();
    r.args(&["config", "set", "brand-color", "green"])
        .status(1)
        .stderr_line("error: invalid brand-color: expected a colour as #rrggbb, such as #1a56db; got 'green'")
        .run();
    r.args(&[
        "config",
        "set",
        "brand-logo",
        &format!("@{}", fixture("brand/logo.svg")),
    ])
    .run();
    let svg = std::fs::read(fixture("brand/logo.svg")).unwrap();
    r.args(&["config", "get", "brand-logo"])
        .stdout(format!("image/svg+xml, {} bytes\n", svg.len()))
        .run();
}

#[test]
fn line_breaks_are_refused_in_every_one_line_mail_setting() {
    let r = Roster::new();
    for key in [
        "smtp-url",
        "smtp-from",
        "invite-subject",
        "invite-link",
        "org-name",
        "brand-color",
    ] {
        for value in ["Hi\r\nBcc: x@evil.example", "a\nb {token}", "a\rb"] {
            r.args(&["config", "set", key, value])
                .status(1)
                .stderr_line(format!(
                    "error: invalid {key}: a line break is not allowed here"
                ))
                .unchanged()
                .run();
        }
    }
}

#[test]
fn an_html_template_of_ones_own_gets_escaped_values_and_the_logo() {
    let Some(smtp) = Aiosmtpd::start() else {
        return;
    };
    let r = branded(
        &smtp.url(),
        "email,first_name\nzoe@example.org,\"Zoe <i>\"\n",
    );
    let template = r.write(
        "invite.html",
        "<html lang=\"fr\"><body style=\"color:{brand_color}\">{logo}\
         <p>Bonjour {first_name} ({email}) de {org_name}</p>\
         <a href=\"{link}\" style=\"color:{button_text_color}\">Accepter</a> {unknown}</body></html>",
    );
    r.args(&[
        "config",
        "set",
        "invite-html-template",
        &format!("@{template}"),
    ])
    .run();
    r.args(&["invitations", "send"]).run();
    let message = &smtp.messages(1)[0];
    let html = find(&message["root"], "text/html").unwrap()["text"]
        .as_str()
        .unwrap();
    assert!(html.starts_with("<html lang=\"fr\"><body style=\"color:#0b6e4f\"><img class=\"logo\" src=\"cid:brand-logo@roster.invalid\" alt=\"Acme Rowing &amp; Sculling\""), "{html}");
    assert!(
        html.contains(
            "<p>Bonjour Zoe &lt;i&gt; (zoe@example.org) de Acme Rowing &amp; Sculling</p>"
        )
    );
    assert!(html.contains("<a href=\"https://roster.acme.example/invitations/"));
    assert!(html.contains("style=\"color:#ffffff\">Accepter</a> {unknown}</body></html>"));
    assert!(find(&message["root"], "image/png").is_some());
}
