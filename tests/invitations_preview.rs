//! Issue 28: `roster invitations preview` renders the message a member would get and changes
//! nothing; the built-in HTML, opened in headless Chromium at 600 and 375 px, shows real text,
//! the logo, a button whose text contrasts with the brand colour, and never scrolls sideways.

use crate::harness::{Roster, fixture};
use crate::page_support::{Browser, Server, eval, screenshot_dir, sign_in, until};
use fantoccini::{Client, Locator};

fn branded() -> Roster {
    let r = Roster::new();
    for (key, value) in [
        ("org-name", "Acme Rowing Club".to_string()),
        ("brand-color", "#0b6e4f".into()),
        ("brand-logo", format!("@{}", fixture("brand/logo.png"))),
        ("invite-subject", "Join {org_name}, {first_name}".into()),
    ] {
        r.args(&["config", "set", key, &value]).run();
    }
    r.import_json(
        "a.csv",
        "email,first_name,last_name\nann@example.org,Ann,\"<b>Lee</b>\"\n",
    )
    .run();
    r
}

#[test]
fn preview_renders_every_output_and_changes_nothing() {
    let r = branded();
    r.args(&["invitations", "preview"])
        .stdout_line("From: Roster <roster@example.invalid>")
        .stdout_line("To: ada@example.org")
        .stdout_line("Subject: Join Acme Rowing Club, Ada")
        .stdout_line("Hello Ada Lovelace,")
        .stdout_line(
            "https://roster.example.invalid/invitations/0000000000000000000000000000000000000000000000000000000000000000",
        )
        .unchanged()
        .run();
    let html = r
        .args(&[
            "invitations",
            "preview",
            "--member",
            "ann@example.org",
            "--output",
            "html",
        ])
        .unchanged()
        .run()
        .stdout;
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Hello Ann &lt;b&gt;Lee&lt;/b&gt;,"));
    assert!(html.contains("<img class=\"logo\" src=\"data:image/png;base64,"));
    let eml = r
        .args(&[
            "invitations",
            "preview",
            "--member",
            "ann@example.org",
            "--output",
            "eml",
        ])
        .unchanged()
        .run()
        .stdout;
    assert!(eml.contains("MIME-Version: 1.0\r\n"));
    assert!(eml.contains("To: ann@example.org\r\n"));
    assert!(eml.contains("Content-Type: multipart/alternative;"));
    assert!(eml.contains("Content-ID: <brand-logo@roster.invalid>\r\n"));
    assert!(eml.contains("Content-Type: image/png\r\n"));
    r.args(&["invitations", "preview", "--member", "nobody@example.org"])
        .status(1)
        .stderr_line("error: no member with email, external_id or phone 'nobody@example.org'")
        .unchanged()
        .run();
    // A preview never creates a store (SPEC §2).
    if !Roster::on_postgres() {
        let typo = r.path("typo.db");
        r.args(&["invitations", "preview"])
            .db(&typo)
            .status(1)
            .stderr_line(format!(
                "error: No roster store at {}. Run roster import to create one, or pass --db.",
                typo.display()
            ))
            .run();
        assert!(!r.path("typo.db").exists());
    }
}

/// Sizes the viewport to `width`, checks the message, and saves a screenshot as `name`.
async fn check_at(c: &Client, width: u32, name: &str) -> std::path::PathBuf {
    let height = 900;
    c.set_window_size(width, height)
        .await
        .expect("a window size");
    let inner = eval(c, "[window.innerWidth, window.innerHeight]").await;
    let (iw, ih) = (inner[0].as_u64().unwrap(), inner[1].as_u64().unwrap());
    let (w, h) = (u64::from(width) * 2 - iw, u64::from(height) * 2 - ih);
    c.set_window_size(w as u32, h as u32)
        .await
        .expect("a window size");
    let seen = eval(
        c,
        "(() => {
            const a = [...document.querySelectorAll('a')].find(a => a.textContent.includes('Accept'));
            const style = getComputedStyle(a), cell = getComputedStyle(a.parentElement);
            const img = document.querySelector('img');
            const box = a.getBoundingClientRect();
            return [window.innerWidth, document.documentElement.scrollWidth,
                    document.body.innerText, style.color, cell.backgroundColor,
                    img.complete && img.naturalWidth > 0, box.width > 100 && box.height >= 40,
                    document.documentElement.lang, document.title];
        })()",
    )
    .await;
    assert_eq!(seen[0], width, "{name}: the viewport");
    assert!(
        seen[1].as_u64() <= seen[0].as_u64(),
        "{name} scrolls sideways: {seen}"
    );
    let text = seen[2].as_str().unwrap();
    assert!(text.contains("Accept the invitation"), "{text}");
    assert!(text.contains("If the button does not work"), "{text}");
    assert!(text.contains("/invitations/0000"), "the plain link: {text}");
    assert_eq!(seen[3], "rgb(255, 255, 255)", "white text on #0b6e4f");
    assert_eq!(seen[4], "rgb(11, 110, 79)");
    assert_eq!(seen[5], true, "{name}: the logo shows");
    assert_eq!(seen[6], true, "{name}: the button is a button's size");
    assert_eq!(
        (seen[7].as_str(), seen[8].as_str()),
        (Some("en"), Some("Join Acme Rowing Club, Ada"))
    );
    let png = c.screenshot().await.expect("a screenshot");
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("a written screenshot");
    path
}

/// chromedriver's `goog/cdp/execute`: emulates `prefers-color-scheme: dark`.
#[derive(Debug)]
struct DarkScheme;

impl fantoccini::wd::WebDriverCompatibleCommand for DarkScheme {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({"cmd": "Emulation.setEmulatedMedia", "params":
            {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// WCAG 2 contrast of two `rgb(r, g, b)` colours as getComputedStyle gives them.
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |c: &str| {
        let v: Vec<f64> = c
            .trim_start_matches("rgb(")
            .trim_end_matches(')')
            .split(',')
            .map(|n| n.trim().parse::<f64>().unwrap() / 255.0)
            .map(|c| {
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            })
            .collect();
        0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn the_built_in_message_reads_well_at_600_and_375_px() {
    let Some(b) = Browser::start() else { return };
    let r = branded();
    let html = r
        .args(&["invitations", "preview", "--output", "html"])
        .run()
        .stdout;
    let file = r.write("invitation.html", html);
    let c = &b.client;
    let shots = b.run(async {
        c.goto(&format!("file://{file}"))
            .await
            .expect("the message");
        let mut shots = Vec::new();
        for width in [600, 375] {
            shots.push(check_at(c, width, &format!("invitation-{width}")).await);
        }
        // Dark mode: every text still reads on its background.
        c.issue_cmd(DarkScheme).await.expect("dark mode");
        let dark = eval(
            c,
            "(() => {
            const card = getComputedStyle(document.querySelector('.card')).backgroundColor;
            return [card, ...[...document.querySelectorAll('.text, .muted, .plain-link')]
                .map(e => getComputedStyle(e).color)];
        })()",
        )
        .await;
        let dark: Vec<&str> = dark
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_ne!(dark[0], "rgb(255, 255, 255)", "the card turns dark");
        for color in &dark[1..] {
            let ratio = contrast(color, dark[0]);
            assert!(ratio >= 4.5, "{color} on {}: {ratio:.2}", dark[0]);
        }
        shots.push(check_at(c, 375, "invitation-375-dark").await);
        shots
    });
    // ROSTER_UPDATE_SCREENSHOTS=1 refreshes the two that docs/invitations.md shows.
    if std::env::var("ROSTER_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/screenshots");
        for shot in shots {
            std::fs::copy(&shot, dir.join(shot.file_name().unwrap())).expect("a copy");
        }
    }
}

#[test]
fn the_admin_page_shows_the_preview_in_a_sandboxed_frame() {
    let Some(b) = Browser::start() else { return };
    let r = branded();
    let key = crate::server_harness::create_key(&r, "viewer", "read");
    let server = Server::start(&r);
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        until(c, "document.getElementById('invitation-preview') !== null").await;
        let sandbox = eval(
            c,
            "document.getElementById('invitation-preview').getAttribute('sandbox')",
        )
        .await;
        assert_eq!(sandbox, "", "sandboxed, with no permission");
        let summary = c.find(Locator::Css("#invitation summary")).await.unwrap();
        summary.click().await.expect("open the preview");
        c.enter_frame(0).await.expect("the preview's frame");
        let text = until(
            c,
            "document.body && document.body.innerText.includes('Accept the invitation') \
             && document.body.innerText",
        )
        .await;
        assert!(
            text.as_str().unwrap().contains("Hello Ada Lovelace,"),
            "{text}"
        );
        assert!(
            text.as_str().unwrap().contains("Acme Rowing Club"),
            "{text}"
        );
        let logo = until(c, "document.querySelector('img.logo').naturalWidth > 0").await;
        assert_eq!(logo, true);
        c.enter_parent_frame().await.expect("back to the page");
    });
}
