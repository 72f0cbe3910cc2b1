//! The plan as a reviewable HTML page (`roster diff FILE --output html`), and the same view as
//! a fragment for the admin page of `roster serve`: the summary counts, the safety rules'
//! verdict, every deactivation, the changes grouped by action (fields `old -> new`, team
//! changes) and the `plan_id` a reviewer approves (`--expect-plan`).
//!
//! One self-contained file: the styles are inline (`plan.css`), no script, no request to
//! anywhere. Every value from the file or the store is escaped ([`escape`]). The counts sit in
//! `data-count` attributes and the plan id in `data-plan-id`, so that a test or a script reads
//! them without parsing the text.

mod changes;

use super::Outcome;
use crate::import::Refusal;
use crate::report::plan_text;
use std::fmt::Write as _;
use std::io::{self, Write};

/// The styles of the plan, inlined in the document and served with the admin page.
pub const PLAN_CSS: &str = include_str!("plan.css");
const TEMPLATE: &str = include_str!("template.html");

/// Row errors listed in the page; the error report CSV has them all.
pub const MAX_ERRORS: usize = 500;

/// The whole page: the template with the styles and the fragment.
pub fn document(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let (head, tail) = TEMPLATE.split_once("{{plan}}").unwrap_or((TEMPLATE, ""));
    let title = format!("roster plan: {}", outcome.file.name);
    let head = head
        .replace("{{title}}", &escape(&title))
        .replace("{{style}}", PLAN_CSS);
    out.write_all(head.as_bytes())?;
    fragment(outcome, out)?;
    out.write_all(tail.as_bytes())
}

/// The plan as an `<article>`, for a page that brings its own styles ([`PLAN_CSS`]).
pub fn fragment(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let plan_id = outcome.plan_id.as_deref().unwrap_or("");
    writeln!(
        out,
        r#"<article class="roster-plan" data-plan-id="{}" data-status="{}" data-mode="{}" data-file="{}">"#,
        escape(plan_id),
        outcome.status.as_str(),
        outcome.mode(),
        escape(&outcome.file.name),
    )?;
    out.write_all(header(outcome).as_bytes())?;
    out.write_all(verdict(outcome).as_bytes())?;
    out.write_all(summary(outcome).as_bytes())?;
    if let Some(plan) = outcome.plan() {
        changes::write(plan, out)?;
    }
    out.write_all(errors(outcome).as_bytes())?;
    out.write_all(warnings(outcome).as_bytes())?;
    writeln!(out, "</article>")
}

/// The fragment as a string (for a response body).
pub fn fragment_string(outcome: &Outcome) -> String {
    let mut bytes = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = fragment(outcome, &mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `&`, `<`, `>`, `"` and `'` as entities: safe in text and in quoted attributes.
pub fn escape(value: &str) -> String {
    let mut s = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            c => s.push(c),
        }
    }
    s
}

fn header(outcome: &Outcome) -> String {
    let f = &outcome.file;
    let mode = outcome.mode().replace('_', " ");
    let what = match outcome.status.as_str() {
        "DRY_RUN" => "Plan",
        "COMPLETED" => "Applied plan",
        _ => "Refused plan",
    };
    let mut h = format!(
        "<header class=\"plan-head\">\n<h2>{what} for <span class=\"file\">{}</span></h2>\n\
         <p class=\"meta\">{mode} · {} bytes · {} · sha256 <code>{}</code></p>\n",
        escape(&f.name),
        f.bytes,
        escape(&f.encoding),
        escape(&f.sha256),
    );
    if let Some(id) = &outcome.plan_id {
        let _ = writeln!(
            h,
            "<p class=\"plan-id\">Plan id <code>{0}</code><br>\
             <small>Apply exactly this plan with <code>--expect-plan {0}</code></small></p>",
            escape(id)
        );
    }
    h.push_str("</header>\n");
    h
}

/// Passed, or each refusal's message (a broken rule, row errors, a file-level error).
fn verdict(outcome: &Outcome) -> String {
    match &outcome.refusal {
        None => "<section class=\"verdict passed\" data-verdict=\"passed\" aria-label=\"Safety rules\">\n\
                 <h3>Safety rules: passed</h3>\n</section>\n"
            .to_string(),
        Some(refusal) => {
            let heading = match refusal {
                Refusal::Rules(_) => "Refused by the safety rules: nothing would change",
                Refusal::Rows { .. } => "Refused: rows have errors; nothing would change",
                Refusal::File(_) => "Refused: the file cannot be read; nothing would change",
                Refusal::Cancelled => "Cancelled: nothing was changed",
                Refusal::Revert(_) => "Refused: the import cannot be reverted; nothing would change",
            };
            let mut s = format!(
                "<section class=\"verdict refused\" data-verdict=\"refused\" role=\"alert\" aria-label=\"Safety rules\">\n<h3>{heading}</h3>\n<ul>\n"
            );
            for m in refusal.messages() {
                let _ = writeln!(s, "<li class=\"refusal\">{}</li>", escape(&m));
            }
            s.push_str("</ul>\n</section>\n");
            s
        }
    }
}

/// The closing line and every count of SPEC §10, each in a `data-count` cell.
fn summary(outcome: &Outcome) -> String {
    let closing = match outcome.plan() {
        Some(plan) => plan_text::closing_line(plan),
        None => "No plan: the file was refused before it was read.".to_string(),
    };
    let mut s = format!(
        "<section class=\"summary\" aria-label=\"Summary\">\n<h3>Summary</h3>\n\
         <p class=\"closing\">{}</p>\n<table>\n<tbody>\n",
        escape(&closing)
    );
    let value = serde_json::to_value(&outcome.summary).unwrap_or_default();
    if let serde_json::Value::Object(map) = value {
        for (key, count) in map {
            let zero = if count == 0 { " class=\"zero\"" } else { "" };
            let _ = writeln!(
                s,
                "<tr{zero}><th scope=\"row\">{}</th><td data-count=\"{0}\">{count}</td></tr>",
                escape(&key)
            );
        }
    }
    s.push_str("</tbody>\n</table>\n</section>\n");
    s
}

/// Row errors, at most [`MAX_ERRORS`] of them (a rules refusal's messages are in the verdict).
fn errors(outcome: &Outcome) -> String {
    let rows: Vec<_> = outcome.errors.iter().filter(|e| e.row.is_some()).collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "<section class=\"errors\" data-errors=\"{}\" aria-label=\"Row errors\">\n<h3>Row errors ({})</h3>\n\
         <table>\n<thead><tr><th scope=\"col\">row</th><th scope=\"col\">column</th>\
         <th scope=\"col\">value</th><th scope=\"col\">message</th></tr></thead>\n<tbody>\n",
        rows.len(),
        rows.len()
    );
    for e in rows.iter().take(MAX_ERRORS) {
        let cell = |v: Option<&str>| escape(v.unwrap_or(""));
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.row.map(|r| r.to_string()).unwrap_or_default(),
            cell(e.column.as_deref()),
            cell(e.value.as_deref()),
            escape(&e.message)
        );
    }
    s.push_str("</tbody>\n</table>\n");
    if rows.len() > MAX_ERRORS {
        let _ = writeln!(
            s,
            "<p class=\"more\">… and {} more (the error report CSV lists every one).</p>",
            rows.len() - MAX_ERRORS
        );
    }
    s.push_str("</section>\n");
    s
}

fn warnings(outcome: &Outcome) -> String {
    if outcome.warnings.is_empty() {
        return String::new();
    }
    let mut s = "<section class=\"warnings\" aria-label=\"Warnings\">\n<h3>Warnings</h3>\n<ul>\n"
        .to_string();
    for w in &outcome.warnings {
        let _ = writeln!(s, "<li>{}</li>", escape(w));
    }
    s.push_str("</ul>\n</section>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn every_markup_character_is_escaped() {
        assert_eq!(
            escape(r#"<script>alert('x&y')</script>""#),
            "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;&quot;"
        );
        assert_eq!(escape("Zoë Müller"), "Zoë Müller");
    }
}
