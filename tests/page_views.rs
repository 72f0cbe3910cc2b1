//! Every view of the admin page in headless Chromium: axe-core finds no violation in light
//! or dark mode; no badge, id or email breaks mid-word from 390 to 1920 px; the search finds
//! one member among many, a page at a time; a failed read shows the server's message and a
//! Retry, never an empty organization; the page's reads spend their own request budget, not
//! the key's.

use crate::page_import::{click, day_one, new_key, preview};
use crate::page_support::{
    Browser, Server, axe_source, axe_violations, eval, screenshot_dir, sign_in, until, viewport,
};
use fantoccini::{Client, Locator};
use serde_json::json;

/// Runs axe-core on the view and fails with its violations.
async fn no_violation(c: &Client, axe: &str, view: &str) {
    let found = axe_violations(c, axe).await;
    assert!(found.is_empty(), "{view}: {found:#?}");
}

/// Every view, in light mode and in dark mode.
#[test]
fn axe_finds_no_violation_on_any_view_in_light_or_dark_mode() {
    let Some(axe) = axe_source() else { return };
    for dark in [false, true] {
        let started = if dark {
            Browser::dark()
        } else {
            Browser::start()
        };
        let Some(b) = started else { return };
        let r = day_one();
        r.args(&["config", "set", "max-deactivations", "1"]).run();
        let key = new_key(&r, "admin", "sync");
        let server = Server::start(&r);
        let c = &b.client;
        let mode = if dark { "dark" } else { "light" };
        b.run(async {
            c.goto(&format!("{}/", server.url)).await.expect("the page");
            let scheme = eval(c, "matchMedia('(prefers-color-scheme: dark)').matches").await;
            assert_eq!(scheme, dark, "{mode} mode");
            no_violation(c, &axe, &format!("{mode}: sign-in")).await;
            sign_in(c, &server, &key).await;
            until(c, "document.querySelector('#imports-list li')").await;
            no_violation(c, &axe, &format!("{mode}: the page")).await;
            search(c, "example").await;
            no_violation(c, &axe, &format!("{mode}: search results")).await;
            preview(c, &r.path("day2.csv"), &["full-sync"]).await;
            no_violation(c, &axe, &format!("{mode}: a refused preview")).await;
            click(c, "cancel-preview").await;
            preview(c, &r.path("row_errors.csv"), &[]).await;
            no_violation(c, &axe, &format!("{mode}: row errors")).await;
            click(c, "cancel-preview").await;
            // Unticks full sync: an additive import passes.
            preview(c, &r.path("day2.csv"), &["full-sync"]).await;
            no_violation(c, &axe, &format!("{mode}: a preview")).await;
            click(c, "confirm-button").await;
            until(c, "document.getElementById('confirm-dialog').open").await;
            no_violation(c, &axe, &format!("{mode}: the dialog")).await;
            click(c, "confirm-apply").await;
            until(
                c,
                "document.getElementById('banner').dataset.state === 'completed'",
            )
            .await;
            no_violation(c, &axe, &format!("{mode}: the banner")).await;
            if dark {
                viewport(c, 1366, 768).await;
                let png = c.screenshot().await.expect("a screenshot");
                let shot = screenshot_dir().join("page-dark.png");
                std::fs::write(&shot, png).expect("a written screenshot");
                if std::env::var("ROSTER_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
                    let docs =
                        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
                    std::fs::copy(&shot, docs.join("page-dark.png")).expect("a copy");
                }
            }
            viewport(c, 390, 844).await;
            no_violation(c, &axe, &format!("{mode}: a phone")).await;
        });
    }
}

async fn search(c: &Client, q: &str) {
    until(c, "document.getElementById('q')").await;
    let field = c.find(Locator::Id("q")).await.expect("the search field");
    field.clear().await.expect("cleared");
    field.send_keys(q).await.expect("typing");
    click(c, "search-button").await;
    let answered = format!(
        "!document.getElementById('search-summary').hidden && \
         document.getElementById('search-summary').textContent.includes({})",
        serde_json::Value::from(q)
    );
    until(c, &answered).await;
}

#[test]
fn search_finds_one_member_and_pages_through_many() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let key = new_key(&r, "admin", "sync");
    let server = Server::start(&r);
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        search(c, "LI.LEI02@example").await;
        let found = eval(
            c,
            "[...document.querySelectorAll('#search-results li')].map(li => li.dataset.member)",
        )
        .await;
        assert_eq!(found, json!(["li.lei02@example.com"]));
        // Every member's email has "example": 64, twenty at a time through the Link header.
        search(c, "example").await;
        let shown = eval(c, "document.querySelectorAll('#search-results li').length").await;
        assert_eq!(shown, 20);
        // Clicked as fast as the page allows, More loads each page once.
        for _ in 0..3 {
            c.execute(
                "const more = document.getElementById('search-more'); more.click(); more.click();",
                vec![],
            )
            .await
            .expect("two clicks");
            until(c, "!document.getElementById('search-more').disabled").await;
        }
        let all = until(
            c,
            "document.getElementById('search-more').hidden && document.querySelectorAll('#search-results li').length",
        )
        .await;
        assert_eq!(all, 64);
        let unique = eval(
            c,
            "new Set([...document.querySelectorAll('#search-results li')].map(li => li.dataset.member)).size",
        )
        .await;
        assert_eq!(unique, 64);
        search(c, "nobody-by-this-name").await;
        let none = eval(c, "document.getElementById('search-summary').textContent").await;
        assert_eq!(none, "No member matches “nobody-by-this-name”.");
    });
}

#[test]
fn no_badge_id_or_email_breaks_mid_word_from_390_to_1920_px() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let key = new_key(&r, "alice-admin", "sync");
    let server = Server::start(&r);
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        preview(c, &r.path("day2.csv"), &[]).await;
        click(c, "confirm-button").await;
        click(c, "confirm-apply").await;
        until(c, "document.getElementById('banner').dataset.state === 'completed'").await;
        search(c, "example").await;
        preview(c, &r.path("day2.csv"), &["full-sync"]).await;
        for width in [390, 768, 1366, 1920] {
            viewport(c, width, 900).await;
            // An element on one line has one box; a word broken across lines has two.
            let broken = eval(
                c,
                "[...document.querySelectorAll('.badge, .email, .ident, .roster-plan .name, .counts li')]\
                 .filter(e => e.offsetParent !== null && e.getClientRects().length > 1)\
                 .map(e => e.textContent)",
            )
            .await;
            assert_eq!(broken, json!([]), "broken at {width} px");
            let sideways = eval(
                c,
                "document.documentElement.scrollWidth > window.innerWidth",
            )
            .await;
            assert_eq!(sideways, false, "scrolls sideways at {width} px");
        }
    });
}

#[test]
fn a_failed_read_shows_the_servers_message_and_retry_and_the_page_has_its_own_budget() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let key = new_key(&r, "admin", "sync");
    let server = Server::start_on(std::path::Path::new(r.store()), &["--rate-limit", "2/min"]);
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        // The page's two reads spent its own budget: the key's is whole.
        until(c, "document.querySelector('#imports-list li')").await;
        let statuses = c
            .execute_async(
                &format!(
                    "const get = () => fetch('/v1/imports', {{headers: {{Authorization: 'Bearer {key}'}}}}).then(r => r.status);\
                     get().then(a => get().then(b => arguments[0]([a, b])));"
                ),
                vec![],
            )
            .await
            .expect("fetches");
        assert_eq!(statuses, json!([200, 200]), "the key's own budget");
        // The page's budget is spent: the next read says why, with a Retry, and the counts
        // stay as they were.
        c.find(Locator::Id("q"))
            .await
            .expect("the field")
            .send_keys("example")
            .await
            .expect("typing");
        click(c, "search-button").await;
        let message = until(
            c,
            "!document.getElementById('search-error').hidden && document.querySelector('#search-error p').textContent",
        )
        .await;
        assert!(
            message.as_str().expect("text").contains("2/min"),
            "{message}"
        );
        let retry = eval(c, "document.querySelector('#search-error .retry').textContent").await;
        assert_eq!(retry, "Retry");
        // A reload with the budget spent: the counts' failure is explained, never zeros.
        c.refresh().await.expect("a reload");
        let shown = until(
            c,
            "!document.getElementById('members-error').hidden && [document.querySelector('#members-error p').textContent, \
              document.getElementById('status-counts').hidden, document.getElementById('members-total').textContent]",
        )
        .await;
        assert!(shown[0].as_str().expect("text").contains("2/min"), "{shown}");
        assert_eq!(shown[1], true);
        assert_eq!(shown[2], "");
    });
}

#[test]
fn past_imports_page_through_the_link_and_a_failed_one_says_why() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    for _ in 0..10 {
        r.args(&["import", "staff.csv"]).run();
    }
    r.args(&["import", "row_errors.csv"]).status(1).run();
    let key = new_key(&r, "admin", "sync");
    let server = Server::start(&r);
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        until(c, "document.querySelector('#imports-list li')").await;
        // Newest first: the refused file, its cause and its row errors, no counts as if applied.
        let failed = eval(
            c,
            "(li => [li.dataset.status, li.querySelector('.badge').textContent, !!li.querySelector('.stats'), \
              li.querySelector('.cause').textContent, li.querySelector('[data-errors]').textContent])\
             (document.querySelector('#imports-list li'))",
        )
        .await;
        assert_eq!(failed[0], "FAILED");
        assert_eq!(failed[1], "Failed");
        assert_eq!(failed[2], false, "no counts for a failed import");
        let cause = failed[3].as_str().expect("a cause");
        assert!(cause.contains("errors"), "{cause}");
        assert!(failed[4].as_str().expect("a link").starts_with("Errors CSV ("), "{failed}");
        assert_eq!(
            eval(c, "document.querySelectorAll('#imports-list li').length").await,
            10
        );
        click(c, "imports-more").await;
        let all = until(
            c,
            "document.getElementById('imports-more').hidden && document.querySelectorAll('#imports-list li').length",
        )
        .await;
        assert_eq!(all, 12, "every attempt");
        // Focus moves to the first of the older imports.
        let focused = eval(c, "document.activeElement.dataset.import").await;
        assert_eq!(focused, "2");
    });
}
