//! The plan's changes as HTML: a table of contents, then one section per action (deactivate
//! first: the dangerous part; then create, update, reactivate), one list item per member with
//! its marker, each field `old -> new` and each team change; then the teams created and
//! deleted. Every change is listed; a long group is folded behind its count (`<details>`). The
//! same view as `plan_text`'s.

use super::{Audience, escape, thousands};
use crate::plan::{Action, Change, Key, Plan};
use crate::report::plan_text::{label, marker, status_text, verb};
use std::io::{self, Write};

/// A group with more members than this is folded (in a refused plan: [`OPEN_REFUSED`]).
const OPEN: usize = 100;
const OPEN_REFUSED: usize = 20;

const GROUPS: [Action; 4] = [
    Action::Deactivate,
    Action::Create,
    Action::Update,
    Action::Reactivate,
];

pub fn write(
    plan: &Plan,
    audience: Audience,
    refused: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let counts: Vec<(Action, usize)> = GROUPS
        .iter()
        .map(|&a| (a, plan.changes.iter().filter(|c| c.action == a).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    contents(plan, &counts, out)?;
    let h = audience.sub();
    for (action, count) in counts {
        let verb = verb(action);
        let fold = if refused { OPEN_REFUSED } else { OPEN };
        let open = if count <= fold { " open" } else { "" };
        writeln!(
            out,
            "<section class=\"group {verb}\" id=\"plan-{verb}\" data-action=\"{verb}\" data-members=\"{count}\" aria-labelledby=\"plan-{verb}-h\">\n\
             <details{open}><summary><{h} id=\"plan-{verb}-h\"><span class=\"marker\" aria-hidden=\"true\">{}</span> To {verb} ({})</{h}></summary>\n<ul class=\"members\">",
            marker(action),
            thousands(count as u64)
        )?;
        for change in plan.changes.iter().filter(|c| c.action == action) {
            member(change, out)?;
        }
        writeln!(out, "</ul>\n</details>\n</section>")?;
    }
    teams(plan, h, out)
}

/// Links to each group, deactivations first, with their counts.
fn contents(plan: &Plan, counts: &[(Action, usize)], out: &mut dyn Write) -> io::Result<()> {
    let teams = plan.teams_created.len() + plan.teams_deleted.len();
    if counts.is_empty() && teams == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "<nav class=\"toc\" aria-label=\"Contents of the plan\"><ul>"
    )?;
    for (action, count) in counts {
        let verb = verb(*action);
        writeln!(
            out,
            "<li class=\"{verb}\"><a href=\"#plan-{verb}\">To {verb}</a> <span class=\"n\">{}</span></li>",
            thousands(*count as u64)
        )?;
    }
    if teams > 0 {
        writeln!(
            out,
            "<li><a href=\"#plan-teams\">Teams</a> <span class=\"n\">{teams}</span></li>"
        )?;
    }
    writeln!(out, "</ul></nav>")
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
    for (team, role) in c.teams_added() {
        lines.push(team_line("add", '+', team, &format!("({role})")));
    }
    for (team, old, new) in c.teams_changed() {
        lines.push(team_line("change", '~', team, &format!(": {old} → {new}")));
    }
    for (team, role) in c.teams_removed() {
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
fn teams(plan: &Plan, h: &str, out: &mut dyn Write) -> io::Result<()> {
    if plan.teams_created.is_empty() && plan.teams_deleted.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<section class=\"group teams\" id=\"plan-teams\" aria-labelledby=\"plan-teams-h\">\n<{h} id=\"plan-teams-h\">Teams</{h}>\n<ul class=\"details\">"
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
