//! The admin page's import in headless Chromium: the preview's counts and plan id are the
//! CLI's `diff`, Confirm applies exactly that plan and the store equals the CLI's import of
//! the same files; row errors and their errors CSV; a safety refusal and a changed plan
//! apply nothing.

use crate::harness::{Roster, fixture};
use crate::html_plan::json_counts;
use crate::page_support::{Browser, Server, eval, sign_in, until};
use fantoccini::{Client, Locator};
use serde_json::Value;

/// The preview's counts, once it is shown.
pub const PREVIEW_COUNTS: &str = "document.querySelector('#preview [data-count]') && \
    Object.fromEntries([...document.querySelectorAll('#preview [data-count]')]\
    .map(e => [e.dataset.count, Number(e.textContent)]))";

/// A store with `staff.csv` imported, `staff_day2.csv` beside it as `day2.csv`.
pub fn day_one() -> Roster {
    let r = Roster::new();
    let read = |name: &str| std::fs::read_to_string(fixture(name)).expect("fixture");
    r.write("staff.csv", read("valid/staff.csv"));
    r.write("day2.csv", read("valid/staff_day2.csv"));
    r.write("row_errors.csv", read("invalid/row_errors.csv"));
    r.args(&["import", "staff.csv"]).run();
    r
}

/// A new API key of `scope`, as `roster keys create` prints it.
pub fn new_key(r: &Roster, name: &str, scope: &str) -> String {
    let out = r.args(&["keys", "create", name, "--scope", scope]).run();
    out.stdout
        .split_whitespace()
        .find(|w| w.starts_with("rst_"))
        .expect("a key")
        .to_string()
}

/// Chooses `file` and the options (checkbox ids) and asks for the preview.
pub async fn preview(c: &Client, file: &std::path::Path, options: &[&str]) -> Value {
    until(c, "document.getElementById('upload-form')").await;
    let input = c.find(Locator::Id("file")).await.expect("the file input");
    input
        .send_keys(&file.display().to_string())
        .await
        .expect("a file");
    for id in options {
        c.find(Locator::Id(id))
            .await
            .expect("an option")
            .click()
            .await
            .expect("a click");
    }
    click(c, "preview-button").await;
    until(c, PREVIEW_COUNTS).await
}

pub async fn click(c: &Client, id: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("#{id}"))
        .click()
        .await
        .expect("a click");
}

/// Confirms the previewed plan and waits for the banner's end state.
async fn confirm(c: &Client) -> String {
    click(c, "confirm-button").await;
    until(c, "document.getElementById('confirm-dialog').open").await;
    click(c, "confirm-apply").await;
    let state = "['completed','failed'].includes(document.getElementById('banner').dataset.state) \
                 && document.getElementById('banner').dataset.state";
    until(c, state).await.as_str().expect("a state").to_string()
}

fn counts(v: &Value) -> std::collections::BTreeMap<String, u64> {
    serde_json::from_value(v.clone()).expect("counts")
}

#[test]
fn the_preview_is_the_diff_and_confirm_applies_exactly_it() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let key = new_key(&r, "admin", "sync");
    let server = Server::start(&r);
    let diff = ["diff", "day2.csv", "--full-sync", "--output", "json"];
    let json = r.args(&diff).run().json();
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        let shown = preview(c, &r.path("day2.csv"), &["full-sync"]).await;
        assert_eq!(counts(&shown), json_counts(&json));
        let plan_id = eval(
            c,
            "document.querySelector('#preview .roster-plan').dataset.planId",
        )
        .await;
        assert_eq!(plan_id, json["plan_id"]);
        click(c, "confirm-button").await;
        let dialog = eval(
            c,
            "[document.getElementById('confirm-file').textContent, \
                              document.getElementById('confirm-apply').textContent]",
        )
        .await;
        assert_eq!(dialog, serde_json::json!(["day2.csv", "Replace"]));
        c.find(Locator::Id("confirm-cancel"))
            .await
            .expect("cancel")
            .click()
            .await
            .expect("a click");
        assert_eq!(confirm(c).await, "completed");
        let stats = eval(
            c,
            "Object.fromEntries([...document.querySelectorAll('#banner [data-stat]')]\
                             .map(e => [e.dataset.stat, Number(e.textContent.split(': ')[1])]))",
        )
        .await;
        for (k, v) in counts(&stats) {
            assert_eq!(json["summary"][&k], v, "{k}");
        }
        until(
            c,
            "document.querySelector('#imports-table .badge.COMPLETED')",
        )
        .await;
    });
    let cli = day_one();
    cli.args(&["import", "day2.csv", "--full-sync"]).run();
    let export = |r: &Roster| r.args(&["export", "--format", "json"]).run().stdout;
    assert_eq!(export(&r), export(&cli));
    let imports = r
        .args(&["imports", "list", "--output", "json"])
        .run()
        .json();
    assert_eq!(imports[0]["operator"], "admin");
}

#[test]
fn row_errors_are_listed_and_their_errors_csv_downloads() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let key = new_key(&r, "admin", "sync");
    let server = Server::start(&r);
    let c = &b.client;
    let csv = b.run(async {
        sign_in(c, &server, &key).await;
        let shown = preview(c, &r.path("row_errors.csv"), &["skip-invalid"]).await;
        assert_eq!(shown["errors"], 7);
        assert_eq!(confirm(c).await, "completed");
        let link = until(c, "document.getElementById('banner-errors')").await;
        assert!(link.is_object());
        let fetch = "fetch(document.getElementById('banner-errors').href).then(r => r.text())";
        c.execute_async(&format!("{fetch}.then(arguments[0]);"), vec![])
            .await
            .expect("the errors CSV")
    });
    let expected = r.args(&["imports", "errors", "2"]).run().stdout;
    assert_eq!(csv, expected);
    assert!(expected.contains("error_message"), "{expected}");
}

#[test]
fn a_safety_refusal_shows_its_message_and_applies_nothing() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    r.args(&["config", "set", "max-deactivations", "1"]).run();
    let key = new_key(&r, "admin", "sync");
    let server = Server::start(&r);
    let before = r.dump();
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        preview(c, &r.path("day2.csv"), &["full-sync"]).await;
        let refusal = eval(
            c,
            "document.querySelector('#preview li.refusal').textContent",
        )
        .await;
        assert_eq!(
            refusal,
            "This import would deactivate 3 of 64 members (5%), above the limit of 1. Review it \
             with roster diff, then re-run with --max-deactivations 3 to allow it."
        );
        let disabled = eval(c, "document.getElementById('confirm-button').disabled").await;
        assert_eq!(disabled, true);
    });
    assert_eq!(r.dump(), before, "nothing applied");
}

#[test]
fn a_plan_changed_since_the_preview_is_refused() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let key = new_key(&r, "admin", "sync");
    let server = Server::start(&r);
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        preview(c, &r.path("day2.csv"), &[]).await;
        // Another operator changes the store between the review and the confirmation.
        r.args(&["members", "ban", "li.lei02@example.com"]).run();
        let before = r.dump();
        assert_eq!(confirm(c).await, "failed");
        let text = eval(c, "document.getElementById('banner').textContent").await;
        let text = text.as_str().expect("text");
        assert!(
            text.contains("The plan has changed since it was reviewed."),
            "{text}"
        );
        assert_eq!(r.dump(), before, "nothing applied");
    });
}
