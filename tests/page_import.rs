//! The admin page's import in headless Chromium: the preview's counts and plan id are the
//! CLI's `diff`, the dialog names the file and the counts, Confirm applies exactly that plan
//! and the store equals the CLI's import of the same files, the banner's one line of counts;
//! row errors and their errors CSV, at once for a refused preview; a safety refusal worded
//! for the page, lifted by the page's own option; "No changes" offers nothing to confirm; a
//! changed plan applies nothing.

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

/// The text a fetch of `url` (a JavaScript expression) answers.
async fn fetch_text(c: &Client, url: &str) -> String {
    let script = format!("fetch({url}).then(r => r.text()).then(arguments[0]);");
    let text = c.execute_async(&script, vec![]).await.expect("a fetch");
    text.as_str().expect("text").to_string()
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
        assert_eq!(eval(c, "document.activeElement.id").await, "preview-h");
        click(c, "confirm-button").await;
        let dialog = eval(
            c,
            "['confirm-file', 'confirm-apply', 'confirm-create', 'confirm-update', 'confirm-deactivate', 'confirm-plan']\
             .map(id => document.getElementById(id).textContent)\
             .concat([document.getElementById('confirm-deactivate-line').className])",
        )
        .await;
        let s = &json["summary"];
        let n = |k: &str| s[k].as_u64().expect("a count").to_string();
        assert_eq!(
            dialog,
            serde_json::json!([
                "day2.csv",
                "Replace",
                n("created"),
                n("updated"),
                n("deactivated"),
                json["plan_id"],
                "danger"
            ])
        );
        click(c, "confirm-cancel").await;
        // Cancel goes back to the button that opened the dialog.
        let focused = until(
            c,
            "!document.getElementById('confirm-dialog').open && document.activeElement.id",
        )
        .await;
        assert_eq!(focused, "confirm-button");
        let before = eval(c, "performance.getEntriesByType('resource').length").await;
        assert_eq!(confirm(c).await, "completed");
        // One line of counts in words, teams created and protected rows skipped among them.
        let stats = eval(
            c,
            "Object.fromEntries([...document.querySelectorAll('#banner [data-stat]')]\
             .map(e => [e.dataset.stat, Number(e.dataset.n)]))",
        )
        .await;
        let stats = counts(&stats);
        for k in ["teams_created", "protected_skipped", "created", "deactivated"] {
            assert!(stats.contains_key(k), "{k} in {stats:?}");
        }
        for (k, v) in &stats {
            assert_eq!(json["summary"][k], *v, "{k}");
        }
        let line = eval(c, "document.getElementById('banner-text').textContent").await;
        let line = line.as_str().expect("text");
        assert!(
            line.contains("teams created") && line.contains("protected rows skipped"),
            "{line}"
        );
        assert!(!line.contains('_'), "no JSON keys: {line}");
        // Not sticky, focused, announced once: only the outcome is a live region.
        let banner = eval(
            c,
            "[getComputedStyle(document.getElementById('banner')).position, document.activeElement.id, \
              document.getElementById('banner').getAttribute('aria-live'), \
              document.querySelectorAll('[aria-live=polite]').length, \
              document.getElementById('outcome').textContent === document.getElementById('banner-text').textContent]",
        )
        .await;
        assert_eq!(
            banner,
            serde_json::json!(["static", "banner", null, 1, true])
        );
        until(c, "document.querySelector('#imports-list .badge.COMPLETED')").await;
        // The counts were on the page before: wait for their refresh itself, which may answer
        // after the past imports' (a connection opened for it).
        until(
            c,
            &format!(
                "performance.getEntriesByType('resource').slice({before}).some(e => new URL(e.name).pathname === '/v1/members/counts')"
            ),
        )
        .await;
        // The completion refreshed the counts and the past imports, never the member list.
        let fetched = eval(
            c,
            &format!(
                "performance.getEntriesByType('resource').slice({before}).map(e => new URL(e.name).pathname)"
            ),
        )
        .await;
        let fetched: Vec<String> = serde_json::from_value(fetched).expect("paths");
        assert!(
            fetched.contains(&"/v1/members/counts".to_string()),
            "{fetched:?}"
        );
        assert!(!fetched.contains(&"/v1/members".to_string()), "{fetched:?}");
        // Dismissed, the banner goes, and focus lands on the first card's heading.
        click(c, "banner-dismiss").await;
        let after = eval(
            c,
            "[document.getElementById('banner').hidden, document.activeElement.id]",
        )
        .await;
        assert_eq!(after, serde_json::json!([true, "members-h"]));
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
    let (refused_csv, csv) = b.run(async {
        sign_in(c, &server, &key).await;
        // Refused: the errors CSV is offered at once, with the page's own advice.
        let shown = preview(c, &r.path("row_errors.csv"), &[]).await;
        assert_eq!(shown["errors"], 7);
        let offered = eval(
            c,
            "[document.getElementById('preview-errors').hidden, document.getElementById('confirm-button').disabled, \
              document.querySelector('#preview li.refusal').textContent]",
        )
        .await;
        assert_eq!(offered[0], false);
        assert_eq!(offered[1], true);
        let advice = offered[2].as_str().expect("text");
        assert!(
            advice.contains("Download the errors CSV") && advice.contains("Skip invalid rows"),
            "{advice}"
        );
        let refused_csv = fetch_text(c, "document.getElementById('preview-errors').href").await;
        // Discard returns to the file field.
        click(c, "cancel-preview").await;
        assert_eq!(eval(c, "document.activeElement.id").await, "file");
        let shown = preview(c, &r.path("row_errors.csv"), &["skip-invalid"]).await;
        assert_eq!(shown["errors"], 7);
        assert_eq!(confirm(c).await, "completed");
        until(c, "document.getElementById('banner-errors')").await;
        let csv = fetch_text(c, "document.getElementById('banner-errors').href").await;
        let listed = until(
            c,
            "document.querySelector('#imports-list [data-errors]')?.textContent",
        )
        .await;
        assert_eq!(listed, "Errors CSV (7 row errors)");
        (refused_csv, csv)
    });
    let expected = r.args(&["imports", "errors", "2"]).run().stdout;
    assert_eq!(csv, expected);
    assert_eq!(
        refused_csv, expected,
        "the dry run's report is the import's"
    );
    assert!(expected.contains("error_message"), "{expected}");
}

#[test]
fn a_safety_refusal_is_worded_for_the_page_and_its_option_lifts_it() {
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
            "This import would deactivate 3 of 64 members (5%), above the limit of 1. If that is \
             expected, set “Allow up to N deactivations” in the options to 3 and preview again \
             (a sync key may), or ask whoever sets your organization's policy."
        );
        let state = eval(
            c,
            "[document.getElementById('confirm-button').disabled, document.getElementById('preview-errors').hidden]",
        )
        .await;
        assert_eq!(state, serde_json::json!([true, true]));
        // The page's option, as the message says: this import may deactivate 3.
        c.find(Locator::Id("max-deactivations"))
            .await
            .expect("the option")
            .send_keys("3")
            .await
            .expect("typing");
        click(c, "preview-button").await;
        until(c, "document.querySelector('#preview [data-verdict=passed]')").await;
        let enabled = eval(c, "!document.getElementById('confirm-button').disabled").await;
        assert_eq!(enabled, true);
    });
    assert_eq!(r.dump(), before, "nothing applied");
}

#[test]
fn no_changes_offers_nothing_to_confirm_and_a_new_preview_replaces_the_banner() {
    let Some(b) = Browser::start() else { return };
    let r = day_one();
    let key = new_key(&r, "admin", "sync");
    let server = Server::start(&r);
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        preview(c, &r.path("day2.csv"), &[]).await;
        assert_eq!(confirm(c).await, "completed");
        // The same file again: no changes, nothing to confirm; the old banner is gone.
        c.find(Locator::Id("file"))
            .await
            .expect("the file input")
            .send_keys(&r.path("day2.csv").display().to_string())
            .await
            .expect("a file");
        click(c, "preview-button").await;
        until(
            c,
            "document.querySelector('#preview .roster-plan') && !document.getElementById('preview-section').hidden",
        )
        .await;
        let state = eval(
            c,
            "[document.getElementById('confirm-button').hidden, document.getElementById('preview-note').textContent, \
              document.getElementById('banner').hidden, document.querySelector('#preview .roster-plan').dataset.changes]",
        )
        .await;
        assert_eq!(state[0], true);
        assert!(
            state[1].as_str().expect("a note").starts_with("No changes"),
            "{state}"
        );
        assert_eq!(state[2], true, "the banner of the last import is gone");
        assert_eq!(state[3], "false");
    });
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
