//! The plan's changes as HTML: one section per action (create, update, reactivate,
//! deactivate), one list item per member with its marker, each field `old -> new` and each
//! team change; then the teams created and deleted. The same view as `plan_text`'s.

use super::escape;
use crate::plan::{Action, Change, Key, Plan};
use crate::report::plan_text::{label, marker, status_text, verb};
use std::io::{self, Write};

/// Members of each kind but deactivations listed; every deactivation is always listed.
pub const MAX_MEMBERS: usize = 1000;

const GROUPS: [Action; 4] = [
    Action::Create,
    Action::Update,
    Action::Reactivate,
    Action::Deactivate,
];

pub fn write(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    for action in GROUPS {
        let count = plan.changes.iter().filter(|c| c.action == action).count();
        if count == 0 {
            continue;
        }
        let verb = verb(action);
        writeln!(
            out,
            "<section class=\"group {verb}\" data-action=\"{verb}\" data-members=\"{count}\" aria-label=\"To {verb}\">\n\
             <h3><span class=\"marker\" aria-hidden=\"true\">{}</span> To {verb} ({count})</h3>\n<ul class=\"members\">",
            marker(action)
        )?;
        let limit = match action {
            Action::Deactivate => usize::MAX,
            _ => MAX_MEMBERS,
        };
        let group = plan.changes.iter().filter(|c| c.action == action);
        for change in group.take(limit) {
            member(change, out)?;
        }
        writeln!(out, "</ul>")?;
        if count > limit {
            writeln!(
                out,
                "<p class=\"more\">… and {} more to {verb} (roster diff --output json lists every change).</p>",
                count - limit
            )?;
        }
        writeln!(out, "</section>")?;
    }
    teams(plan, out)
}

fn member(c: &Change, out: &mut dyn Write) -> io::Result<()> {
    let (name, name_field) = label(c);
    let status = c.status.map(status_text).unwrap_or_default();
    let row = c
        .row
        .map(|r| format!(" <span class=\"row\">row {r}</span>"))
        .unwrap_or_default();
    writeln!(
        out,
        "<li class=\"change\"><div class=\"who\"><span class=\"marker\" aria-hidden=\"true\">{}</span> \
         <span class=\"name\">{}</span><span class=\"status\">{}</span>{row}</div>",
        marker(c.action),
        escape(&name),
        escape(&status),
    )?;
    let mut lines = Vec::new();
    c.each_field(|key, old, new| {
        // A created member's name is its heading already.
        if c.action == Action::Create && name_field.is_some_and(|f| *key == Key::Field(f)) {
            return;
        }
        lines.push(field(&key.column(), old, new, c.action == Action::Create));
    });
    for (team, role) in &c.teams.added {
        lines.push(team_line("add", '+', team, &format!("({role})")));
    }
    for (team, old, new) in &c.teams.changed {
        lines.push(team_line("change", '~', team, &format!(": {old} → {new}")));
    }
    for (team, role) in &c.teams.removed {
        lines.push(team_line("remove", '-', team, &format!("({role})")));
    }
    if !lines.is_empty() {
        writeln!(out, "<ul class=\"details\">{}</ul>", lines.concat())?;
    }
    writeln!(out, "</li>")
}

/// `column: new` (a created member) or `column: old → new`.
fn field(column: &str, old: Option<&str>, new: Option<&str>, created: bool) -> String {
    let value = |v: Option<&str>, class: &str| match v {
        Some(v) => format!("<span class=\"{class}\">{}</span>", escape(v)),
        None => format!("<span class=\"{class} blank\">(blank)</span>"),
    };
    let change = if created {
        value(new, "new")
    } else {
        format!(
            "{} <span class=\"arrow\" aria-label=\"becomes\">→</span> {}",
            value(old, "old"),
            value(new, "new")
        )
    };
    format!(
        "<li class=\"field\"><span class=\"column\">{}</span>: {change}</li>",
        escape(column)
    )
}

fn team_line(class: &str, marker: char, team: &str, rest: &str) -> String {
    format!(
        "<li class=\"team {class}\"><span class=\"marker\" aria-hidden=\"true\">{marker}</span> team \
         <span class=\"team-name\">{}</span> {}</li>",
        escape(team),
        escape(rest)
    )
}

/// The teams the plan creates and deletes.
fn teams(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    if plan.teams_created.is_empty() && plan.teams_deleted.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<section class=\"group teams\" aria-label=\"Teams\">\n<h3>Teams</h3>\n<ul class=\"details\">"
    )?;
    for name in &plan.teams_created {
        writeln!(out, "{}", team_line("add", '+', name, "(new)"))?;
    }
    for name in &plan.teams_deleted {
        let line = team_line("remove", '-', name, "(deleted: no members left)");
        writeln!(out, "{line}")?;
    }
    writeln!(out, "</ul>\n</section>")
}
