//! The page's Revert action on a past import (SPEC §16), in headless Chromium: its dialog shows
//! the revert's plan (the CLI's dry run, the same plan id), Revert applies exactly it and the
//! store is back as before the import; a read key sees no Revert.

use crate::page_import::{day_one, new_key};
use crate::page_support::{Browser, Server, eval, sign_in, until};
use fantoccini::{Client, Locator};

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css}"))
        .click()
        .await
        .expect("a click");
}

#[test]
fn revert_on_the_page_shows_the_plan_and_restores_the_store() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    // Members the import created stay, INACTIVE (never deleted): the live roster is compared.
    let live = || r.args(&["export", "--format", "json"]).run().stdout;
    let before = live();
    r.args(&["import", "day2.csv", "--full-sync", "--yes"])
        .run();
    assert!(live() != before);
    let key = new_key(&r, "admin", "sync");
    let dry = ["imports", "revert", "2", "--dry-run", "--output", "json"];
    let json = r.args(&dry).run().json();
    let server = Server::start(&r);
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        until(c, "document.querySelector('[data-revert=\"2\"]')").await;
        click(c, "[data-revert=\"2\"]").await;
        until(c, "document.getElementById('revert-dialog').open").await;
        let shown = eval(
            c,
            "[document.getElementById('revert-plan').textContent, \
             Object.fromEntries([...document.querySelectorAll('#revert-counts [data-stat]')]\
             .map(e => [e.dataset.stat, Number(e.textContent.split(': ')[1])]))]",
        )
        .await;
        assert_eq!(shown[0], json["plan_id"]);
        for k in ["reactivated", "updated", "deactivated"] {
            assert_eq!(shown[1][k], json["summary"][k], "{k}");
        }
        click(c, "#revert-apply").await;
        let state = "['completed','failed'].includes(document.getElementById('banner').dataset.state) \
                     && document.getElementById('banner').dataset.state";
        assert_eq!(until(c, state).await, "completed");
    });
    assert!(
        live() == before,
        "the page's revert restores the live roster"
    );
    let created = r.member("elise.petit@example.com");
    assert_eq!(
        created.status, "INACTIVE",
        "a member the import created is kept, deactivated"
    );
    let created = r.member("elise.petit@example.com");
    assert_eq!(
        created.status, "INACTIVE",
        "a member the import created is kept, deactivated"
    );
    let history = r
        .args(&["imports", "show", "3", "--output", "json"])
        .run()
        .json();
    assert_eq!(history["mode"], "revert");
    assert_eq!(history["operator"], "admin");
}

#[test]
fn a_read_key_sees_no_revert() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let key = new_key(&r, "auditor", "read");
    let server = Server::start(&r);
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        until(c, "document.querySelector('#imports-list li[data-import]')").await;
        let buttons = eval(c, "document.querySelectorAll('[data-revert]').length").await;
        assert_eq!(buttons, 0);
    });
}
