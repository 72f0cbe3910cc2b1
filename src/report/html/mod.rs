//! The plan as a reviewable HTML page (`roster diff FILE --output html`), and the same view as
//! a fragment for the admin page of `roster serve`: the heading with the plan id a reviewer
//! approves (`--expect-plan`), the safety rules' verdict, the summary counts, a table of
//! contents, then every change: deactivations first (the dangerous part), creations, updates
//! (fields `old -> new`, team changes), reactivations, teams, row errors. Nothing is left out:
//! a long group is folded behind its count (`<details>`), never cut.
//!
//! One self-contained file: the styles are inline (`plan.css`), no script, no request to
//! anywhere. Every value from the file or the store is escaped ([`escape`]). The counts sit in
//! `data-count` attributes and the plan id in `data-plan-id`, so that a test or a script reads
//! them without parsing the text.

mod changes;
mod verdict;

use super::Outcome;
use crate::report::plan_text;
use std::fmt::Write as _;
use std::io::{self, Write};

/// The styles of the plan, inlined in the document and served with the admin page.
pub const PLAN_CSS: &str = include_str!("plan.css");
const TEMPLATE: &str = include_str!("template.html");

/// Who reads the plan: the CLI's reviewer (`roster diff`) or the admin page, whose refusals
/// name the page's options instead of the CLI's flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Cli,
    Page,
}

impl Audience {
    /// The plan's main heading: the document's `<h1>`, an `<h3>` under the page's section's `<h2>`.
    fn heading(self) -> &'static str {
        match self {
            Audience::Cli => "h1",
            Audience::Page => "h3",
        }
    }

    fn sub(self) -> &'static str {
        match self {
            Audience::Cli => "h2",
            Audience::Page => "h4",
        }
    }
}

/// The whole page: the template with the styles and the fragment.
pub fn document(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let (head, tail) = TEMPLATE.split_once("{{plan}}").unwrap_or((TEMPLATE, ""));
    let title = format!("roster plan: {}", outcome.file.name);
    let head = head
        .replace("{{title}}", &escape(&title))
        .replace("{{style}}", PLAN_CSS);
    out.write_all(head.as_bytes())?;
    fragment(outcome, Audience::Cli, out)?;
    out.write_all(tail.as_bytes())
}

/// The plan as an `<article>`, for a page that brings its own styles ([`PLAN_CSS`]).
pub fn fragment(outcome: &Outcome, audience: Audience, out: &mut dyn Write) -> io::Result<()> {
    let plan_id = outcome.plan_id.as_deref().unwrap_or("");
    let s = &outcome.summary;
    writeln!(
        out,
        r#"<article class="roster-plan" data-plan-id="{}" data-status="{}" data-mode="{}" data-file="{}" data-changes="{}" data-create="{}" data-update="{}" data-reactivate="{}" data-deactivate="{}">"#,
        escape(plan_id),
        outcome.status.as_str(),
        outcome.mode(),
        escape(&outcome.file.name),
        outcome.has_changes(),
        s.created,
        s.updated,
        s.reactivated,
        s.deactivated,
    )?;
    out.write_all(header(outcome, audience).as_bytes())?;
    out.write_all(verdict::verdict(outcome, audience).as_bytes())?;
    out.write_all(summary(outcome, audience).as_bytes())?;
    let refused = outcome.refusal.is_some();
    if let Some(plan) = outcome.plan() {
        changes::write(plan, audience, refused, out)?;
    }
    out.write_all(verdict::errors(outcome, audience).as_bytes())?;
    out.write_all(warnings(outcome, audience).as_bytes())?;
    writeln!(out, "</article>")
}

/// The fragment as a string (for a response body).
pub fn fragment_string(outcome: &Outcome, audience: Audience) -> String {
    let mut bytes = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = fragment(outcome, audience, &mut bytes);
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

/// A long identifier (a plan id, a hash) with a line-break opportunity every 16 characters,
/// so that it wraps between groups, never inside one.
pub fn grouped(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    chars
        .chunks(16)
        .map(|c| escape(&c.iter().collect::<String>()))
        .collect::<Vec<_>>()
        .join("<wbr>")
}

/// A count with thousands separators (`19,915`).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut s = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            s.push(',');
        }
        s.push(c);
    }
    s
}

fn header(outcome: &Outcome, audience: Audience) -> String {
    let f = &outcome.file;
    let mode = outcome.mode().replace('_', " ");
    let what = match outcome.status.as_str() {
        "DRY_RUN" => "Plan",
        "COMPLETED" => "Applied plan",
        _ => "Refused plan",
    };
    let h = audience.heading();
    let mut s = format!(
        "<header class=\"plan-head\">\n<{h} id=\"plan-title\">{what} for <span class=\"file\">{}</span></{h}>\n\
         <p class=\"meta\">{mode} · {} bytes · {}</p>\n",
        escape(&f.name),
        thousands(f.bytes),
        escape(&f.encoding),
    );
    if let Some(id) = &outcome.plan_id {
        let how = match audience {
            Audience::Cli => format!(
                "Apply exactly this plan with <code>--expect-plan {}</code>. It lists every change.",
                grouped(id)
            ),
            Audience::Page => "Confirm applies exactly this plan. It lists every change.".into(),
        };
        let _ = writeln!(
            s,
            "<p class=\"plan-id\"><small>Plan id <code>{}</code> · {how}</small></p>",
            grouped(id)
        );
    }
    s.push_str("</header>\n");
    s
}

/// The closing line and every count of SPEC §10, each in a `data-count` cell.
fn summary(outcome: &Outcome, audience: Audience) -> String {
    let closing = match outcome.plan() {
        Some(plan) => plan_text::closing_line(plan),
        None => "No plan: the file was refused before it was read.".to_string(),
    };
    let h = audience.sub();
    let mut s = format!(
        "<section class=\"summary\" aria-labelledby=\"plan-summary\">\n<{h} id=\"plan-summary\">Summary</{h}>\n\
         <p class=\"closing\" id=\"plan-closing\">{}</p>\n<details class=\"counts\"><summary>Every count</summary>\n\
         <table>\n<tbody>\n",
        escape(&closing)
    );
    let value = serde_json::to_value(&outcome.summary).unwrap_or_default();
    if let serde_json::Value::Object(map) = value {
        for (key, count) in map {
            let zero = if count == 0 { " class=\"zero\"" } else { "" };
            let _ = writeln!(
                s,
                "<tr{zero}><th scope=\"row\">{}</th><td data-count=\"{}\">{count}</td></tr>",
                escape(&key.replace('_', " ")),
                escape(&key)
            );
        }
    }
    s.push_str("</tbody>\n</table>\n</details>\n</section>\n");
    s
}

fn warnings(outcome: &Outcome, audience: Audience) -> String {
    if outcome.warnings.is_empty() {
        return String::new();
    }
    let h = audience.sub();
    let mut s = format!(
        "<section class=\"warnings\" id=\"plan-warnings\" aria-labelledby=\"plan-warnings-h\">\n\
         <{h} id=\"plan-warnings-h\">Warnings</{h}>\n<ul>\n"
    );
    for w in &outcome.warnings {
        let _ = writeln!(s, "<li>{}</li>", escape(w));
    }
    s.push_str("</ul>\n</section>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::{escape, grouped, thousands};

    #[test]
    fn every_markup_character_is_escaped() {
        assert_eq!(
            escape(r#"<script>alert('x&y')</script>""#),
            "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;&quot;"
        );
        assert_eq!(escape("Zoë Müller"), "Zoë Müller");
    }

    #[test]
    fn ids_break_between_groups_and_counts_have_separators() {
        assert_eq!(
            grouped(&"a".repeat(20)),
            format!("{}<wbr>aaaa", "a".repeat(16))
        );
        assert_eq!(thousands(1915), "1,915");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(7), "7");
    }
}
