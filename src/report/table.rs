//! `--output table`: the changes and the summary as tables on stdout; errors and warnings,
//! for people, on stderr.

use super::Outcome;
use crate::import::RunStatus;
use crate::plan::{Change, Summary};
use comfy_table::{Table, presets};
use std::io::Write;

/// At most this many changes are listed in table mode; JSON and NDJSON list all.
pub const MAX_LISTED_CHANGES: usize = 50;

pub fn write(outcome: &Outcome, out: &mut dyn Write) -> std::io::Result<()> {
    if let Some(plan) = outcome.plan().filter(|p| !p.changes.is_empty()) {
        writeln!(out, "{}", changes_table(&plan.changes))?;
        if plan.changes.len() > MAX_LISTED_CHANGES {
            writeln!(
                out,
                "... and {} more changes (--output json lists them all)",
                plan.changes.len() - MAX_LISTED_CHANGES
            )?;
        }
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
    writeln!(out, "{}", summary_table(&outcome.summary))?;
    if let Some(id) = &outcome.plan_id {
        writeln!(out, "plan id: {id}")?;
    }
    Ok(())
}

pub fn summary_table(summary: &Summary) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::ASCII_MARKDOWN);
    table.set_header(["summary", "count"]);
    let value = serde_json::to_value(summary).unwrap_or_default();
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            table.add_row([k, v.to_string()]);
        }
    }
    table
}

fn changes_table(changes: &[Change]) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::ASCII_MARKDOWN);
    table.set_header(["action", "row", "member", "changes"]);
    for c in changes.iter().take(MAX_LISTED_CHANGES) {
        table.add_row([
            crate::plan::wire::action_name(c.action).to_string(),
            c.row.map(|r| r.to_string()).unwrap_or_default(),
            c.ids()
                .into_iter()
                .flatten()
                .next()
                .unwrap_or_default()
                .to_string(),
            describe(c),
        ]);
    }
    table
}

/// "first_name: 'Ann' -> 'Anna'; status: INACTIVE -> ACTIVE; team +Sales (owner)".
pub fn describe(c: &Change) -> String {
    let show = |v: Option<&str>| v.map_or("(blank)".to_string(), |v| format!("'{v}'"));
    let mut parts: Vec<String> = Vec::new();
    c.each_field(|key, old, new| {
        parts.push(match old {
            None => format!("{}: {}", key.column(), show(new)),
            Some(_) => format!("{}: {} -> {}", key.column(), show(old), show(new)),
        })
    });
    if let Some(s) = c.status {
        parts.push(match s.old {
            Some(old) => format!("status: {old} -> {}", s.new),
            None => format!("status: {}", s.new),
        });
    }
    parts.extend(
        c.teams
            .added
            .iter()
            .map(|(t, r)| format!("team +{t} ({r})")),
    );
    parts.extend(c.teams.removed.iter().map(|(t, _)| format!("team -{t}")));
    parts.extend(
        c.teams
            .changed
            .iter()
            .map(|(t, o, n)| format!("team {t}: {o} -> {n}")),
    );
    parts.join("; ")
}
