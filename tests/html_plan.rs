//! `roster diff FILE --output html`: one self-contained page whose counts, plan id and
//! refusals are the JSON document's; no network, no script; every value escaped.

use crate::harness::{Roster, fixture};
use std::collections::BTreeMap;

/// The counts of an HTML plan: each `data-count="key">n<` cell.
pub fn counts(html: &str) -> BTreeMap<String, u64> {
    html.split("data-count=\"")
        .skip(1)
        .map(|rest| {
            let (key, rest) = rest.split_once("\">").expect("a data-count cell");
            let (n, _) = rest.split_once('<').expect("a closed cell");
            (key.to_string(), n.parse().expect("a count"))
        })
        .collect()
}

/// The JSON document's summary as the same map.
pub fn json_counts(json: &serde_json::Value) -> BTreeMap<String, u64> {
    json["summary"]
        .as_object()
        .expect("a summary")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("a count")))
        .collect()
}

/// The first `attribute="value"` of an HTML text.
pub fn attribute<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("no {name} in the page"))
        + name.len()
        + 2;
    let len = html[start..].find('"').expect("a closed attribute");
    &html[start..start + len]
}

/// A store holding `staff.csv`, with `staff_day2.csv` beside it.
fn day_two() -> Roster {
    let r = Roster::new();
    let read = |name: &str| std::fs::read_to_string(fixture(name)).expect("fixture");
    r.write("staff.csv", read("valid/staff.csv"));
    r.write("day2.csv", read("valid/staff_day2.csv"));
    r.args(&["import", "staff.csv"]).run();
    r
}

#[track_caller]
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(!html.contains("http://"), "a network reference");
    assert!(!html.contains("https://"), "a network reference");
    assert!(!html.contains("<script"), "a script");
    assert!(!html.contains("<link"), "a linked resource");
}

#[test]
fn the_html_plan_has_the_json_documents_counts_and_plan_id() {
    let r = day_two();
    let diff = ["diff", "day2.csv", "--full-sync"];
    let html = r.args(&diff).arg("--output").arg("html").run().stdout;
    let json = r.args(&diff).args(&["--output", "json"]).run().json();
    assert_self_contained(&html);
    assert_eq!(counts(&html), json_counts(&json));
    assert_eq!(counts(&html).len(), 15, "every summary key");
    assert_eq!(attribute(&html, "data-plan-id"), json["plan_id"]);
    assert_eq!(attribute(&html, "data-verdict"), "passed");
    assert_eq!(attribute(&html, "data-mode"), "full_sync");
    assert!(
        html.contains("<h1 id=\"plan-title\">Plan for <span class=\"file\">day2.csv</span></h1>")
    );
    // Every deactivation is listed, by name.
    let deactivated: Vec<&str> = json["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["action"] == "deactivate")
        .map(|c| c["member"]["email"].as_str().expect("an email"))
        .collect();
    assert_eq!(deactivated.len(), 3);
    for email in deactivated {
        assert!(html.contains(&format!("<span class=\"name\">{email}</span>")));
    }
    // Each updated field reads `column: old → new`.
    let updates = json["changes"].as_array().expect("changes").iter();
    let mut fields = 0;
    for change in updates.filter(|c| c["action"] == "update") {
        for (column, v) in change["fields"].as_object().expect("fields") {
            let (old, new) = (v["old"].as_str(), v["new"].as_str());
            let line = format!(
                "<span class=\"column\">{column}</span>: <span class=\"old\">{}</span> \
                 <span class=\"arrow\" aria-label=\"becomes\">→</span> <span class=\"new\">{}</span>",
                old.expect("an old value"),
                new.expect("a new value")
            );
            assert!(html.contains(&line), "{line}");
            fields += 1;
        }
    }
    assert!(fields >= 4, "{fields} fields checked");
}

#[test]
fn a_refused_plan_names_each_broken_rule_and_exits_4() {
    let r = day_two();
    let args = [
        "diff",
        "day2.csv",
        "--full-sync",
        "--max-deactivations",
        "1",
        "--output",
    ];
    let html = r.args(&args).arg("html").status(4).unchanged().run().stdout;
    let json = r.args(&args).arg("json").status(4).run().json();
    assert_self_contained(&html);
    assert_eq!(attribute(&html, "data-verdict"), "refused");
    assert_eq!(counts(&html), json_counts(&json));
    let message = "This import would deactivate 3 of 64 members (5%), above the limit of 1. \
                   Review it with roster diff, then re-run with --max-deactivations 3 to allow it.";
    assert_eq!(json["errors"][0]["message"], message);
    assert!(html.contains(&format!("<li class=\"refusal\">{message}</li>")));
}

#[test]
fn values_from_the_file_are_escaped() {
    let r = Roster::new();
    r.write(
        "x.csv",
        "email,first_name,job_title\nann@example.com,<script>alert(1)</script>,\"R&D \"\"lead\"\"\"\n",
    );
    let html = r.args(&["diff", "x.csv", "--output", "html"]).run().stdout;
    assert_self_contained(&html);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("R&amp;D &quot;lead&quot;"), "{html}");
}

#[test]
fn row_errors_are_listed_and_import_without_dry_run_is_a_usage_error() {
    let r = Roster::new();
    let bad = std::fs::read_to_string(fixture("invalid/row_errors.csv")).expect("fixture");
    r.write("bad.csv", bad);
    let html = r
        .args(&["import", "bad.csv", "--dry-run", "--output", "html"])
        .status(1)
        .run()
        .stdout;
    let json = r
        .args(&["diff", "bad.csv", "--output", "json"])
        .status(1)
        .run()
        .json();
    let errors = json["errors"].as_array().expect("errors").len();
    assert_eq!(attribute(&html, "data-errors"), errors.to_string());
    assert_eq!(attribute(&html, "data-verdict"), "refused");
    r.args(&["import", "bad.csv", "--output", "html"])
        .status(2)
        .stderr_line("error: --output html shows a plan for review: use it with roster diff or import --dry-run")
        .unchanged()
        .run();
}

/// `n` members `m0@example.com`... from `from`, as a CSV.
fn members_csv(from: usize, n: usize) -> String {
    let mut csv = String::from("email,first_name\n");
    for i in from..from + n {
        csv.push_str(&format!("m{i}@example.com,M{i}\n"));
    }
    csv
}

#[test]
fn every_change_is_listed_after_the_contents_deactivations_first_long_groups_folded() {
    let r = Roster::new();
    r.write("all.csv", members_csv(0, 250));
    r.args(&["import", "all.csv"]).run();
    // 100 stay, 150 go, 1,200 come: more than the 1,000 a group once showed.
    r.write("next.csv", members_csv(150, 1300));
    let args = ["diff", "next.csv", "--full-sync", "--output", "html"];
    let html = r
        .args(&args)
        .args(&["--max-deactivations", "1000"])
        .run()
        .stdout;
    assert_self_contained(&html);
    assert_eq!(html.matches("<h1").count(), 1, "one <h1>");
    assert_eq!(html.matches("<li class=\"change\">").count(), 1350);
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle}"));
    assert!(at("data-plan-id") < at("<nav class=\"toc\""));
    assert!(at("<nav class=\"toc\"") < at("id=\"plan-deactivate\""));
    assert!(at("id=\"plan-deactivate\"") < at("id=\"plan-create\""));
    assert!(
        html.contains(
            "<a href=\"#plan-deactivate\">To deactivate</a> <span class=\"n\">150</span>"
        )
    );
    assert!(html.contains("To create (1,200)"));
    assert!(!html.contains("more to"), "nothing abridged");
    // A group of more than 100 is folded behind its count; a short one is open.
    let group = |verb: &str| {
        let start = at(&format!("id=\"plan-{verb}\""));
        let details = start + html[start..].find("<details").expect("details");
        html[details..details + 14].to_string()
    };
    assert_eq!(group("deactivate"), "<details><summ");
    r.write("few.csv", members_csv(0, 260));
    let few = r
        .args(&["diff", "few.csv", "--output", "html"])
        .run()
        .stdout;
    assert!(
        few.contains("<details open><summary><h2 id=\"plan-create-h\">"),
        "{few}"
    );
    // Refused, every deactivation is still listed, folded, under the CLI's own message.
    let refused = r
        .args(&args)
        .args(&["--max-deactivations", "1"])
        .status(4)
        .unchanged()
        .run()
        .stdout;
    assert_eq!(refused.matches("<li class=\"change\">").count(), 1350);
    assert!(refused.contains("re-run with --max-deactivations 150"));
}
