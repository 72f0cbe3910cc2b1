//! `--output table`: the plan (as people review it, `plan_text`) and the summary as a table on
//! stdout, both fitted to the terminal's width; errors and warnings, for people, on stderr.

use super::Outcome;
use super::plan_text::{self, PlanView};
use crate::import::RunStatus;
use crate::plan::Summary;
use crate::term::ColorChoice;
use comfy_table::{ColumnConstraint, ContentArrangement, Table, presets};
use std::io::Write;

/// The outcome with the default view of stdout: its width, colour only on a terminal, and
/// every deactivation but at most [`PlanView::MAX_MEMBERS`] members of each other kind.
pub fn write(outcome: &Outcome, out: &mut dyn Write) -> std::io::Result<()> {
    write_with(
        outcome,
        &PlanView::for_stdout(ColorChoice::Auto, false),
        out,
    )
}

/// The outcome as `view` says (`--show all`, width, colour).
pub fn write_with(outcome: &Outcome, view: &PlanView, out: &mut dyn Write) -> std::io::Result<()> {
    if let Some(plan) = outcome.plan() {
        plan_text::write(plan, view, out)?;
    }
    let what = match outcome.status {
        RunStatus::DryRun => "Dry run: nothing was changed".to_string(),
        RunStatus::Completed => match outcome.import_id {
            Some(id) => format!("Import {id} completed"),
            None => "Import completed".to_string(),
        },
        _ => "Import refused: nothing was changed".to_string(),
    };
    writeln!(
        out,
        "{what} ({} mode, {}).",
        outcome.mode().replace('_', " "),
        outcome.file.name
    )?;
    writeln!(out, "{}", summary_table(&outcome.summary, view.width))?;
    if let Some(id) = &outcome.plan_id {
        writeln!(out, "plan id: {id}")?;
    }
    Ok(())
}

/// A table of the project's style that takes at most `width` columns: cells wrap rather than
/// widen it.
pub fn sized(width: usize) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::ASCII_MARKDOWN);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_width(u16::try_from(width).unwrap_or(u16::MAX));
    table
}

/// The columns a column that wraps keeps at the least, when others are kept whole.
const MIN_WRAPPED: usize = 10;

/// Keeps whole each of `columns` (short values: ids, statuses, roles, times), in that order of
/// priority, that still leaves every other column [`MIN_WRAPPED`] columns (or its content's
/// width, when less) within `width`; the others wrap. Call it once the rows are in.
pub fn keep_whole(table: &mut Table, columns: &[usize], width: usize) {
    let widths: Vec<usize> = table
        .column_max_content_widths()
        .into_iter()
        .map(usize::from)
        .collect();
    let mut whole = vec![false; widths.len()];
    for &c in columns.iter().filter(|&&c| c < widths.len()) {
        whole[c] = true;
        let needed: usize = widths
            .iter()
            .zip(&whole)
            .map(|(&w, &kept)| if kept { w } else { w.min(MIN_WRAPPED) })
            .sum();
        if needed + 3 * widths.len() + 1 > width {
            whole[c] = false;
            continue;
        }
        if let Some(column) = table.column_mut(c) {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
}

/// A list of `rows` under `header` in at most `width` columns, for people: the columns empty
/// in every row are left out, and those named in `whole` (in order of priority) are kept
/// unwrapped when they fit ([`keep_whole`]).
pub fn listing(header: &[&str], rows: &[Vec<String>], whole: &[&str], width: usize) -> Table {
    let shown: Vec<usize> = (0..header.len())
        .filter(|&c| {
            rows.is_empty() || rows.iter().any(|r| r.get(c).is_some_and(|v| !v.is_empty()))
        })
        .collect();
    let mut table = sized(width);
    table.set_header(shown.iter().map(|&c| header[c]));
    for row in rows {
        table.add_row(shown.iter().map(|&c| row.get(c).map_or("", String::as_str)));
    }
    let whole: Vec<usize> = whole
        .iter()
        .filter_map(|name| shown.iter().position(|&c| header[c] == *name))
        .collect();
    keep_whole(&mut table, &whole, width);
    table
}

pub fn summary_table(summary: &Summary, width: usize) -> Table {
    let mut table = sized(width);
    table.set_header(["summary", "count"]);
    let value = serde_json::to_value(summary).unwrap_or_default();
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            // Only deactivate-after-missing makes pending deactivations: shown when there are.
            if k == "pending_deactivation" && v == 0 {
                continue;
            }
            table.add_row([k, v.to_string()]);
        }
    }
    table
}
