//! The admin page in headless Chromium: signing in (a good and a bad key, the session cookie
//! out of the script's reach, nothing in the browser's storage), a read key, no request off
//! the server, CSRF, the favicon, the HTML plan opened from disk, and screenshots at a
//! desktop's (1366x768: the three cards above the fold) and a phone's width (390x844) with no
//! horizontal scrolling.

use crate::html_plan::json_counts;
use crate::page_import::{PREVIEW_COUNTS, day_one, new_key, preview};
use crate::page_support::{Browser, Server, eval, screenshot_dir, sign_in, until, viewport};
use fantoccini::{Client, Locator};
use serde_json::json;

const NOT_ACCEPTED: &str = "That key was not accepted. Check it and try again.";

#[test]
fn a_good_key_signs_in_and_a_bad_one_does_not() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let key = new_key(&r, "admin", "sync");
    let server = Server::start(&r);
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, "rst_notakey").await;
        let error = until(c, "document.getElementById('login-error')?.textContent").await;
        assert_eq!(error, NOT_ACCEPTED);
        sign_in(c, &server, &key).await;
        let name = until(c, "document.getElementById('key-name')?.textContent").await;
        assert_eq!(name, "admin");
        // The cookie is HttpOnly, and the key is kept nowhere in the browser.
        let kept = eval(
            c,
            "[document.cookie, localStorage.length, sessionStorage.length]",
        )
        .await;
        assert_eq!(kept, json!(["", 0, 0]));
        let counts = until(c, "document.getElementById('members-total').dataset.count").await;
        assert_eq!(counts, "64");
        let by_status = eval(
            c,
            "[...document.querySelectorAll('#status-counts [data-status]')].reduce((n, e) => n + Number(e.dataset.count), 0)",
        )
        .await;
        assert_eq!(by_status, 64);
        let cookie = c
            .get_named_cookie("roster_session")
            .await
            .expect("a session cookie");
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(format!("{:?}", cookie.same_site()), "Some(Strict)");
        c.find(Locator::Id("sign-out"))
            .await
            .expect("sign out")
            .click()
            .await
            .expect("a click");
        until(c, "document.getElementById('sign-in')").await;
    });
}

#[test]
fn a_read_key_sees_everything_but_cannot_import() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let key = new_key(&r, "auditor", "read");
    let server = Server::start(&r);
    let before = r.dump();
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        let note = until(c, "!document.getElementById('read-only').hidden").await;
        assert_eq!(note, true);
        preview(c, &r.path("day2.csv"), &["full-sync"]).await;
        let disabled = eval(c, "document.getElementById('confirm-button').disabled").await;
        assert_eq!(disabled, true);
        // The server refuses too, even with the page's CSRF token.
        let status = post_sync(c, true).await;
        assert_eq!(status, 403);
    });
    assert_eq!(r.dump(), before);
}

/// The status of a sync the page's script posts itself, with or without the CSRF token.
async fn post_sync(c: &Client, with_token: bool) -> serde_json::Value {
    let token = if with_token {
        "{'X-CSRF-Token': document.querySelector('meta[name=roster-csrf]').content, 'Content-Type': 'text/csv'}"
    } else {
        "{'Content-Type': 'text/csv'}"
    };
    let script = format!(
        "fetch('/v1/sync?full_sync=true', {{method: 'POST', headers: {token}, body: 'email\\nx@example.com\\n'}})\
         .then(r => arguments[0](r.status));"
    );
    c.execute_async(&script, vec![]).await.expect("a fetch")
}

#[test]
fn the_page_asks_nothing_of_any_other_server_and_posts_need_the_token() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let key = new_key(&r, "admin", "sync");
    let server = Server::start(&r);
    let before = r.dump();
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        preview(c, &r.path("day2.csv"), &[]).await;
        let off = eval(
            c,
            "performance.getEntriesByType('resource').map(e => e.name)\
                           .filter(n => !n.startsWith(location.origin + '/'))",
        )
        .await;
        assert_eq!(off, json!([]));
        let loaded = eval(c, "performance.getEntriesByType('resource').length").await;
        assert!(loaded.as_u64().expect("a count") >= 5, "{loaded}");
        let csp = c
            .execute_async(
                "fetch('/').then(r => arguments[0](r.headers.get('content-security-policy')));",
                vec![],
            )
            .await
            .expect("a fetch");
        assert!(
            csp.as_str()
                .expect("a CSP")
                .starts_with("default-src 'self'; script-src 'self'"),
            "{csp}"
        );
        assert_eq!(post_sync(c, false).await, 403);
        // The icon browsers ask for is there (an SVG), and the page names it.
        let icon = c
            .execute_async(
                "fetch('/favicon.ico').then(r => arguments[0]([r.status, r.headers.get('content-type')]));",
                vec![],
            )
            .await
            .expect("a fetch");
        assert_eq!(icon, json!([200, "image/svg+xml"]));
        let named = eval(c, "document.querySelector('link[rel=icon]').getAttribute('href')").await;
        assert_eq!(named, "/favicon.svg");
    });
    assert_eq!(r.dump(), before);
}

#[test]
fn the_html_plan_from_disk_shows_the_diffs_counts() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let diff = ["diff", "day2.csv", "--full-sync", "--output"];
    let html = r.args(&diff).arg("html").run().stdout;
    let json = r.args(&diff).arg("json").run().json();
    let path = r.write("plan.html", html);
    let c = &b.client;
    b.run(async {
        c.goto(&format!("file://{path}")).await.expect("the plan");
        let shown = until(c, &PREVIEW_COUNTS.replace("#preview ", "")).await;
        let shown: std::collections::BTreeMap<String, u64> =
            serde_json::from_value(shown).expect("counts");
        assert_eq!(shown, json_counts(&json));
        let plan_id = eval(c, "document.querySelector('.roster-plan').dataset.planId").await;
        assert_eq!(plan_id, json["plan_id"]);
        let loaded = eval(c, "performance.getEntriesByType('resource').length").await;
        assert_eq!(loaded, 0, "nothing loaded");
        // One <h1>; the contents come first, then the deactivations, the dangerous part.
        let order = eval(
            c,
            "[document.querySelectorAll('h1').length, \
              [...document.querySelectorAll('nav.toc, section.group')].slice(0, 2).map(e => e.id || e.className)]",
        )
        .await;
        assert_eq!(order[0], 1);
        assert_eq!(
            order[1],
            json!(["toc", "plan-deactivate"])
        );
    });
}

/// Sizes the viewport to `width` x `height`, checks that nothing scrolls sideways and saves a
/// screenshot as `name`.
async fn shoot(c: &Client, width: u32, height: u32, name: &str) -> std::path::PathBuf {
    viewport(c, width, height).await;
    let size = eval(
        c,
        "[window.innerWidth, document.documentElement.scrollWidth]",
    )
    .await;
    assert!(
        size[1].as_u64() <= size[0].as_u64(),
        "{name} scrolls sideways: {size}"
    );
    let png = c.screenshot().await.expect("a screenshot");
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("a written screenshot");
    path
}

#[test]
fn screenshots_at_a_desktops_and_a_phones_width_scroll_only_down() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let key = new_key(&r, "admin", "sync");
    let server = Server::start(&r);
    let html = r
        .args(&["diff", "day2.csv", "--full-sync", "--output", "html"])
        .run()
        .stdout;
    let plan = r.write("plan.html", html);
    let c = &b.client;
    let shots = b.run(async {
        sign_in(c, &server, &key).await;
        until(c, "document.querySelector('#imports-list li')").await;
        let mut shots = Vec::new();
        shots.push(shoot(c, 1366, 768, "page-desktop").await);
        // Above the fold at 1366x768: the members card with its search, the upload form up to
        // its Preview button, and the past imports.
        let below = eval(
            c,
            "['members-h', 'q', 'full-sync', 'max-deactivations', 'preview-button', 'imports-h', 'download-csv']\
             .filter(id => document.getElementById(id).getBoundingClientRect().bottom > innerHeight)",
        )
        .await;
        assert_eq!(below, json!([]), "below the fold at 1366x768");
        shots.push(shoot(c, 390, 844, "page-phone").await);
        preview(c, &r.path("day2.csv"), &["full-sync"]).await;
        for (w, h, size) in [(1366, 768, "desktop"), (390, 844, "phone")] {
            shots.push(shoot(c, w, h, &format!("preview-{size}")).await);
        }
        c.goto(&format!("file://{plan}")).await.expect("the plan");
        for (w, h, size) in [(1366, 768, "desktop"), (390, 844, "phone")] {
            shots.push(shoot(c, w, h, &format!("plan-{size}")).await);
        }
        shots
    });
    // ROSTER_UPDATE_SCREENSHOTS=1 refreshes the ones docs/page.md shows.
    if std::env::var("ROSTER_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&dir).expect("docs/screenshots");
        for shot in &shots {
            let name = shot.file_name().expect("a name");
            std::fs::copy(shot, dir.join(name)).expect("a copy");
        }
    }
}
