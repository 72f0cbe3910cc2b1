//! The safety rules' verdict and the row errors, worded for the reader: the CLI's messages
//! name its flags (`--max-deactivations`), the page's name its own options, since a web admin
//! has no flag to pass.

use super::{Audience, escape, thousands};
use crate::error::Rule;
use crate::import::{Outcome, Refusal};
use std::fmt::Write as _;

/// Row errors shown unfolded; more are folded behind their count (all are listed).
const OPEN_ERRORS: usize = 20;

/// Passed, or each refusal's message (a broken rule, row errors, a file-level error).
pub fn verdict(outcome: &Outcome, audience: Audience) -> String {
    let h = audience.sub();
    let Some(refusal) = &outcome.refusal else {
        return format!(
            "<section class=\"verdict passed\" data-verdict=\"passed\" aria-labelledby=\"plan-verdict\">\n\
             <{h} id=\"plan-verdict\">Safety rules: passed</{h}>\n</section>\n"
        );
    };
    let heading = match refusal {
        Refusal::Rules(_) => "Refused by the safety rules: nothing would change",
        Refusal::Rows { .. } => "Refused: rows have errors; nothing would change",
        Refusal::File(_) => "Refused: the file cannot be read; nothing would change",
        Refusal::Cancelled => "Cancelled: nothing was changed",
        Refusal::Revert(_) => "Refused: the import cannot be reverted; nothing would change",
    };
    let mut s = format!(
        "<section class=\"verdict refused\" data-verdict=\"refused\" aria-labelledby=\"plan-verdict\">\n\
         <{h} id=\"plan-verdict\">{heading}</{h}>\n<ul>\n"
    );
    for m in messages(refusal, audience) {
        let _ = writeln!(s, "<li class=\"refusal\">{}</li>", escape(&m));
    }
    s.push_str("</ul>\n</section>\n");
    s
}

/// The refusal's messages: the contract's for the CLI; for the page, what an admin there can do.
fn messages(refusal: &Refusal, audience: Audience) -> Vec<String> {
    match (refusal, audience) {
        (Refusal::Rules(rules), Audience::Page) => rules.iter().map(page_rule).collect(),
        (Refusal::Rows { rows, errors, .. }, Audience::Page) => vec![format!(
            "{} {} {} {}. Download the errors CSV to fix them, or tick \u{201c}Skip invalid rows\u{201d} \
             in the options to apply the valid rows only.",
            thousands(*rows as u64),
            if *rows == 1 { "row has" } else { "rows have" },
            thousands(*errors as u64),
            if *errors == 1 { "error" } else { "errors" },
        )],
        _ => refusal.messages(),
    }
}

fn page_rule(rule: &Rule) -> String {
    match rule {
        Rule::Deactivations { k, n, p, limit } => format!(
            "This import would deactivate {} of {} members ({p}%), above the limit of {}. \
             If that is expected, set \u{201c}Allow up to N deactivations\u{201d} in the options to {k} \
             and preview again (a sync key may), or ask whoever sets your organization's policy.",
            thousands(*k),
            thousands(*n),
            limit,
        ),
        Rule::Seats { limit, used } => format!(
            "Your plan allows {} seats, but this import would use {}. Remove new-member rows \
             from the file, or ask whoever manages your plan to raise the seat limit.",
            thousands(*limit),
            thousands(*used),
        ),
        Rule::PlanChanged => {
            "The plan has changed since it was reviewed. Preview the file again.".to_string()
        }
        other => other.to_string(),
    }
}

/// Every row error (a rules refusal's messages are in the verdict); past [`OPEN_ERRORS`]
/// they are folded behind their count.
pub fn errors(outcome: &Outcome, audience: Audience) -> String {
    let rows: Vec<_> = outcome.errors.iter().filter(|e| e.row.is_some()).collect();
    if rows.is_empty() {
        return String::new();
    }
    let h = audience.sub();
    let open = if rows.len() <= OPEN_ERRORS {
        " open"
    } else {
        ""
    };
    let mut s = format!(
        "<section class=\"errors\" id=\"plan-errors\" data-errors=\"{}\" aria-labelledby=\"plan-errors-h\">\n\
         <details{open}><summary><{h} id=\"plan-errors-h\">Row errors ({})</{h}></summary>\n\
         <div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Row errors, scrolls sideways\"><table>\n<thead><tr><th scope=\"col\">row</th><th scope=\"col\">column</th>\
         <th scope=\"col\">value</th><th scope=\"col\">message</th></tr></thead>\n<tbody>\n",
        rows.len(),
        thousands(rows.len() as u64)
    );
    for e in rows {
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
    s.push_str("</tbody>\n</table></div>\n</details>\n</section>\n");
    s
}
