//! The admin page at scale, in headless Chromium (issue 24): what the page transfers and how
//! soon it is usable on a store of 100,000 members, what an import's completion fetches, and
//! the size and opening time of the HTML plan of a next day. The measurement needs a big store,
//! so it runs on request only:
//!
//! ```text
//! ROSTER_SCALE_STORE=/tmp/page100k/base.db ROSTER_SCALE_NEXT=/tmp/page100k/r100k_d1.csv \
//!   cargo test --test integration page_scale -- --ignored --nocapture
//! ```
//!
//! `ROSTER_SERVE_BIN` measures another build's server (the numbers in docs/page.md compare
//! the page before and after issue 24). The store is copied first: nothing changes it.

use crate::page_support::{Browser, Server, eval, server_binary, sign_in, until};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// True once the page shows the member counts and the past imports (the old page or the new).
const USABLE: &str = "(document.querySelector('#status-counts [data-status=ALL]') \
    || document.querySelector('#members-total[data-count]')) \
    && document.querySelector('#imports-table tbody tr, #imports-list li')";

/// Bytes the page received: the document and every resource (headers and bodies).
const TRANSFERRED: &str = "[...performance.getEntriesByType('navigation'), \
    ...performance.getEntriesByType('resource')].reduce((n, e) => n + e.transferSize, 0)";

#[test]
#[ignore = "a measurement: needs ROSTER_SCALE_STORE (see the module's doc)"]
fn the_page_at_100000_members() {
    let Some(store) = std::env::var_os("ROSTER_SCALE_STORE") else {
        return;
    };
    let Some(b) = Browser::start() else { return };
    let dir = tempfile::tempdir().expect("a folder");
    let copy = dir.path().join("store.db");
    std::fs::copy(&store, &copy).expect("a copy of the store");
    let key = key(&copy);
    for (name, value) in [("max-bytes", "1000000000"), ("max-rows", "1000000000")] {
        let set = Command::new(server_binary())
            .args(["config", "set", name, value, "--db"])
            .arg(&copy)
            .status()
            .expect("roster config set");
        assert!(set.success(), "config set {name}");
    }
    let server = Server::start_on(&copy, &["--rate-limit", "6000/min"]);
    let c = &b.client;
    b.run(async {
        sign_in(c, &server, &key).await;
        let usable = until(c, &format!("({USABLE}) && performance.now()")).await;
        let bytes = eval(c, TRANSFERRED).await;
        let requests = eval(
            c,
            "performance.getEntriesByType('resource').map(e => [e.name.replace(location.origin, ''), e.transferSize, Math.round(e.duration)])",
        )
        .await;
        println!(
            "SCALE page load: usable after {:.0} ms, {} bytes transferred",
            usable.as_f64().unwrap_or_default(),
            bytes
        );
        println!("SCALE requests: {requests}");
        // The worst search: no member matches, so the whole store is walked.
        if eval(c, "!!document.getElementById('q')").await == true {
            let started = Instant::now();
            c.execute(
                "document.getElementById('q').value = 'no-such-member'; \
                 document.getElementById('search-button').click();",
                vec![],
            )
            .await
            .expect("a search");
            until(c, "!document.getElementById('search-summary').hidden").await;
            println!("SCALE search with no match: {} ms", started.elapsed().as_millis());
        }
    });
    if let Some(next) = std::env::var_os("ROSTER_SCALE_NEXT") {
        preview(&b, Path::new(&next));
        plan(&b, &copy, Path::new(&next));
    }
}

/// The page's preview of a full sync of `next`: the time until it is shown, the bytes of the
/// answer, and how tall the page then is (a long group is folded behind its count).
fn preview(b: &Browser, next: &Path) {
    let c = &b.client;
    b.run(async {
        if eval(c, "!!document.getElementById('max-deactivations')").await != true {
            return;
        }
        let started = Instant::now();
        c.find(fantoccini::Locator::Id("file"))
            .await
            .expect("the file input")
            .send_keys(&next.display().to_string())
            .await
            .expect("a file");
        c.execute(
            "document.getElementById('full-sync').checked = true; \
             document.getElementById('preview-button').click();",
            vec![],
        )
        .await
        .expect("a preview");
        until(c, "!document.getElementById('preview-section').hidden").await;
        let took = started.elapsed().as_millis();
        let shown = eval(
            c,
            "[performance.getEntriesByType('resource').filter(e => e.name.includes('/page/preview')).map(e => e.transferSize)[0], \
              document.documentElement.scrollHeight, document.querySelector('#preview [data-verdict]').dataset.verdict]",
        )
        .await;
        println!(
            "SCALE page preview: shown after {took} ms, {} bytes, page {} px tall, {}",
            shown[0], shown[1], shown[2]
        );
    });
}

/// `roster diff NEXT --full-sync --output html`: its size, the time to write it, and the time
/// Chromium takes to open it from disk.
fn plan(b: &Browser, store: &Path, next: &Path) {
    let started = Instant::now();
    let out = Command::new(server_binary())
        .args([
            "diff",
            "--full-sync",
            "--output",
            "html",
            "--max-rows",
            "1000000000",
        ])
        .args([
            "--max-bytes",
            "1000000000",
            "--max-deactivations",
            "1000000",
        ])
        .arg(next)
        .arg("--db")
        .arg(store)
        .output()
        .expect("roster diff");
    let took = started.elapsed();
    let path = store.with_file_name("plan.html");
    std::fs::write(&path, &out.stdout).expect("the plan");
    let c = &b.client;
    b.run(async {
        c.goto(&format!("file://{}", path.display()))
            .await
            .expect("the plan");
        let loaded = until(
            c,
            "performance.getEntriesByType('navigation')[0]?.loadEventEnd",
        )
        .await;
        let changes = eval(c, "document.querySelectorAll('ul.members > li').length").await;
        println!(
            "SCALE html plan: {} bytes written in {} ms, {changes} changes listed, loaded in {:.0} ms",
            out.stdout.len(),
            took.as_millis(),
            loaded.as_f64().unwrap_or_default()
        );
    });
}

/// A new sync key on the store, by the measured build.
fn key(store: &Path) -> String {
    let out = Command::new(server_binary())
        .args(["keys", "create", "measure", "--scope", "sync", "--db"])
        .arg(store)
        .output()
        .expect("roster keys create");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .find(|w| w.starts_with("rst_"))
        .expect("a key")
        .to_string()
}
