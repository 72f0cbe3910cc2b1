//! `--output table`: the plan (as people review it, `plan_text`) and the summary as a table on
//! stdout, both fitted to the terminal's width (and never wrapped in a pipe); errors and
//! warnings, for people, on stderr.

use super::Outcome;
use super::plan_text::{self, PlanView};
use crate::import::RunStatus;
use crate::plan::Summary;
use crate::term::{ColorChoice, UNLIMITED, visible};
use comfy_table::{Cell, ColumnConstraint, ContentArrangement, Table, Width, presets};
use std::io::Write;
use unicode_width::UnicodeWidthStr;

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
    write_summary(outcome, view, out)
}

/// The outcome without its plan (already shown, with the question before applying it): the
/// result line, the summary table and the plan id.
pub fn write_summary(
    outcome: &Outcome,
    view: &PlanView,
    out: &mut dyn Write,
) -> std::io::Result<()> {
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
        visible(&outcome.file.name)
    )?;
    writeln!(out, "{}", summary_table(&outcome.summary, view.width))?;
    if let Some(id) = &outcome.plan_id {
        writeln!(out, "plan id: {id}")?;
    }
    Ok(())
}

/// A table of the project's style for `width` columns ([`crate::term::Term::width`]). At a terminal, cells
/// wrap (at spaces) rather than widen it, once [`keep_whole`] has sized the columns; for a pipe
/// or a file ([`UNLIMITED`]) nothing wraps: one record a line, for `grep` and `awk`.
pub fn sized(width: usize) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::ASCII_MARKDOWN);
    if width == UNLIMITED {
        // Never measured: comfy-table would otherwise ask the terminal when stdout is one.
        table.set_content_arrangement(ContentArrangement::Disabled);
        table.force_no_tty();
    } else {
        table.set_content_arrangement(ContentArrangement::Dynamic);
        table.set_width(u16::try_from(width).unwrap_or(u16::MAX));
    }
    table
}

/// Adds a row of values, each made [`visible`]: a value from a file or the store cannot break
/// its line or act on the terminal.
pub fn row<I, S>(table: &mut Table, cells: I)
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    table.add_row(
        cells
            .into_iter()
            .map(|c| Cell::new(visible(c.as_ref())))
            .collect::<Vec<_>>(),
    );
}

/// Sizes the columns to their content within `width`, once the rows are in: when the table is
/// wider than that, `columns` (short values: ids, statuses, modes, operators), in that order
/// of priority, keep their natural width, every other column at least its longest word (so
/// wrapping breaks only at spaces), and the width to spare goes to the columns that need the
/// most, the long one first. A table whose words do not fit ([`words_fit`]) is left as it is:
/// the callers show it one block a record instead ([`listing`], [`fields`]).
pub fn keep_whole(table: &mut Table, columns: &[usize], width: usize) {
    if width == UNLIMITED {
        return;
    }
    let count = table.column_count();
    let natural: Vec<usize> = (0..count).map(|c| measure(table, c, line_width)).collect();
    let border = 3 * count + 1;
    let budget = width.saturating_sub(border);
    if natural.iter().sum::<usize>() <= budget {
        return;
    }
    let words: Vec<usize> = (0..count)
        .map(|c| measure(table, c, word_width).min(natural[c]))
        .collect();
    if words.iter().sum::<usize>() > budget {
        return;
    }
    let widths = column_widths(&natural, &words, columns, budget);
    for (c, w) in widths.into_iter().enumerate() {
        if let Some(column) = table.column_mut(c) {
            let w = u16::try_from(w + 2).unwrap_or(u16::MAX);
            column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(w)));
        }
    }
}

/// Whether every column of `table` can have at least its longest word within `width` (never
/// cut inside a word, not even a 64-letter sha256: issue 22).
pub fn words_fit(table: &mut Table, width: usize) -> bool {
    let count = table.column_count();
    let words: usize = (0..count).map(|c| measure(table, c, word_width)).sum();
    width == UNLIMITED || words + 3 * count < width
}

/// The content width of each column (see [`keep_whole`]): `natural` is each column's widest
/// line, `words` its longest word (which together fit `budget`), `whole` the columns kept
/// unwrapped when they can be.
fn column_widths(natural: &[usize], words: &[usize], whole: &[usize], budget: usize) -> Vec<usize> {
    let count = natural.len();
    let mut kept = vec![false; count];
    for &c in whole.iter().filter(|&&c| c < count) {
        kept[c] = true;
        let least: usize = (0..count)
            .map(|i| if kept[i] { natural[i] } else { words[i] })
            .sum();
        kept[c] = least <= budget;
    }
    let mut w: Vec<usize> = (0..count)
        .map(|c| if kept[c] { natural[c] } else { words[c] })
        .collect();
    // The spare width, to the column that needs the most (the long one) first.
    let mut spare = budget.saturating_sub(w.iter().sum());
    while spare > 0 {
        let neediest = (0..count)
            .filter(|&c| natural[c] > w[c])
            .max_by_key(|&c| natural[c] - w[c]);
        let Some(c) = neediest else { break };
        let given = (natural[c] - w[c]).min(spare);
        w[c] += given;
        spare -= given;
    }
    w
}

/// The largest `measure` over the header and the cells of column `c`.
fn measure(table: &Table, c: usize, measure: fn(&str) -> usize) -> usize {
    table
        .column_cells_with_header_iter(c)
        .flatten()
        .map(|cell| measure(&cell.content()))
        .max()
        .unwrap_or(0)
}

fn line_width(text: &str) -> usize {
    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

fn word_width(text: &str) -> usize {
    text.split_whitespace()
        .map(UnicodeWidthStr::width)
        .max()
        .unwrap_or(0)
}

/// A list for people: a table, or (at a terminal too narrow for the table's words) one block a
/// record.
pub enum Listing {
    Table(Box<Table>),
    Blocks(String),
}

impl std::fmt::Display for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Listing::Table(table) => write!(f, "{table}"),
            Listing::Blocks(text) => f.write_str(text.trim_end()),
        }
    }
}

/// A list of `rows` under `header` for `width` columns, for people: the columns empty in every
/// row are left out, each value is made [`visible`], and the columns named in `whole` (in
/// order of priority) are kept unwrapped when they fit ([`keep_whole`]). When even the words
/// of the columns cannot share the width, each record is a block instead, as the plan is:
/// its first column and the `whole` ones on a line, then each other value on a line of its
/// own, wrapped at spaces.
pub fn listing(header: &[&str], rows: &[Vec<String>], whole: &[&str], width: usize) -> Listing {
    listing_of(header, rows, whole, width, true)
}

/// A [`listing`] that keeps every column, even one empty in every row (`keys list`: SPEC
/// §12's columns before any key was used).
pub fn listing_all(header: &[&str], rows: &[Vec<String>], whole: &[&str], width: usize) -> Listing {
    listing_of(header, rows, whole, width, false)
}

fn listing_of(
    header: &[&str],
    rows: &[Vec<String>],
    whole: &[&str],
    width: usize,
    drop_empty: bool,
) -> Listing {
    let shown: Vec<usize> = (0..header.len())
        .filter(|&c| {
            !drop_empty
                || rows.is_empty()
                || rows.iter().any(|r| r.get(c).is_some_and(|v| !v.is_empty()))
        })
        .collect();
    let mut table = sized(width);
    table.set_header(shown.iter().map(|&c| header[c]));
    for r in rows {
        row(
            &mut table,
            shown.iter().map(|&c| r.get(c).map_or("", String::as_str)),
        );
    }
    if !rows.is_empty() && !words_fit(&mut table, width) {
        return Listing::Blocks(blocks(header, rows, &shown, whole, width));
    }
    let whole: Vec<usize> = whole
        .iter()
        .filter_map(|name| shown.iter().position(|&c| header[c] == *name))
        .collect();
    keep_whole(&mut table, &whole, width);
    Listing::Table(Box::new(table))
}

/// One record's fields under `header` (`field`, `value`; or a title such as `import`, `12`),
/// one a row, for people: a table whose keys stay whole, or, when a value's word cannot have
/// its width beside the keys (a sha256 at 80 columns), one `key: value` line each, wrapped at
/// spaces, under the title if `titled`.
pub fn fields(header: [&str; 2], titled: bool, rows: &[(String, String)], width: usize) -> Listing {
    let mut table = sized(width);
    table.set_header(header);
    for (k, v) in rows {
        row(&mut table, [k, v]);
    }
    if words_fit_beside(&table, width) {
        keep_whole(&mut table, &[0], width);
        return Listing::Table(Box::new(table));
    }
    let mut out = String::new();
    let indent = match titled {
        true => {
            out.push_str(&wrap(&visible(&header.join(" ")), "", width));
            "    "
        }
        false => "",
    };
    for (k, v) in rows.iter().filter(|(_, v)| !v.is_empty()) {
        out.push_str(&wrap(&format!("{k}: {}", visible(v)), indent, width));
    }
    Listing::Blocks(out)
}

/// Whether the keys keep their natural width and every value's word fits beside them.
fn words_fit_beside(table: &Table, width: usize) -> bool {
    let keys = measure(table, 0, line_width);
    let words = measure(table, 1, word_width);
    width == UNLIMITED || keys + words + 7 <= width
}

/// One block a record (see [`listing`]), separated by blank lines.
fn blocks(
    header: &[&str],
    rows: &[Vec<String>],
    shown: &[usize],
    whole: &[&str],
    width: usize,
) -> String {
    let in_head = |c: usize| c == shown[0] || whole.contains(&header[c]);
    let mut out = String::new();
    for r in rows {
        let value = |c: usize| visible(r.get(c).map_or("", String::as_str)).into_owned();
        let head: Vec<String> = shown
            .iter()
            .filter(|&&c| in_head(c))
            .map(|&c| value(c))
            .filter(|v| !v.is_empty())
            .collect();
        out.push_str(&wrap(&head.join("  "), "", width));
        for &c in shown.iter().filter(|&&c| !in_head(c)) {
            let v = value(c);
            if !v.is_empty() {
                out.push_str(&wrap(&format!("{}: {v}", header[c]), "    ", width));
            }
        }
        out.push('\n');
    }
    out
}

/// `text` after `indent`, in lines of at most `width` columns broken at spaces only (a word
/// wider than the line has one to itself), each line ended by `\n`; continuation lines are
/// indented four columns further.
pub fn wrap(text: &str, indent: &str, width: usize) -> String {
    let more = format!("{indent}    ");
    let mut out = String::new();
    let mut line = indent.to_string();
    let mut empty = true;
    for word in text.split(' ') {
        let used = UnicodeWidthStr::width(line.as_str()) + usize::from(!empty);
        if !empty && used + UnicodeWidthStr::width(word) > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line.clone_from(&more);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
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

#[cfg(test)]
mod tests;
