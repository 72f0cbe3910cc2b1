//! The plan as people review it (SPEC §15), for `--output table`: one line per member with a
//! marker (`+` create, `~` update, `^` reactivate, `-` deactivate), then each changed field and
//! each team change on its own indented line; grouped by action, every deactivation listed;
//! closed by `Plan: ...` or `No changes.`
//!
//! ```text
//! + ann@example.com (PROVISIONED)
//!     first_name: Ann
//!     + team Red (member)
//! ~ bob@example.com
//!     job_title: Engineer -> Senior Engineer
//!     ~ team Red: member -> admin
//! - dan@example.com (ACTIVE -> INACTIVE)
//!     - team Blue (owner)
//!
//! Plan: 1 to create, 1 to update, 0 to reactivate, 1 to deactivate.
//! ```

pub(crate) mod fit;
#[cfg(test)]
mod tests;

use crate::model::Field;
use crate::plan::{Action, Change, Key, Plan, StatusChange};
use crate::term::{ColorChoice, Term};
use std::io::{self, Write};

/// How the plan is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanView {
    /// `--show all`: every change. Otherwise at most `max_members` creates, as many updates and
    /// as many reactivations; deactivations are always all listed.
    pub show_all: bool,
    /// The columns a line may take; a longer line has its values cut with `…`, never wrapped.
    pub width: usize,
    /// ANSI colours on the markers: green `+`, yellow `~`, cyan `^`, red `-`.
    pub color: bool,
    /// The most members of each kind but deactivations listed when `show_all` is off.
    pub max_members: usize,
}

impl PlanView {
    /// Members of each kind listed by default.
    pub const MAX_MEMBERS: usize = 50;
    /// Narrower widths are taken as this: a line keeps its marker, its name and a few letters.
    pub const MIN_WIDTH: usize = 20;

    /// The view for stdout: the terminal's width ([`Term::width`]), colour as `--color` and
    /// `NO_COLOR` say for stdout ([`Term::stdout_color`]).
    pub fn for_stdout(color: ColorChoice, show_all: bool) -> PlanView {
        PlanView {
            show_all,
            width: Term::width(),
            color: Term::stdout_color(color),
            max_members: PlanView::MAX_MEMBERS,
        }
    }
}

impl Default for PlanView {
    fn default() -> Self {
        PlanView {
            show_all: false,
            width: 80,
            color: false,
            max_members: PlanView::MAX_MEMBERS,
        }
    }
}

/// The plan as text, each line ended by `\n`.
pub fn render(plan: &Plan, view: &PlanView) -> String {
    let mut text = String::new();
    let mut push = |line: &str| {
        text.push_str(line);
        text.push('\n');
        Ok(())
    };
    // Pushing to a String cannot fail.
    let _ = lines(plan, view, &mut push);
    text
}

/// Writes the plan line by line, so that `--show all` of a large plan is never held whole.
pub fn write(plan: &Plan, view: &PlanView, out: &mut dyn Write) -> io::Result<()> {
    lines(plan, view, &mut |line| writeln!(out, "{line}"))
}

const GROUPS: [Action; 4] = [
    Action::Create,
    Action::Update,
    Action::Reactivate,
    Action::Deactivate,
];

fn lines(plan: &Plan, view: &PlanView, emit: Emit) -> io::Result<()> {
    let mut p = Printer {
        width: view.width.max(PlanView::MIN_WIDTH),
        color: view.color,
        emit,
        written: false,
    };
    for action in GROUPS {
        let limit = match action {
            Action::Deactivate => usize::MAX,
            _ if view.show_all => usize::MAX,
            _ => view.max_members,
        };
        let mut group = plan.changes.iter().filter(|c| c.action == action);
        if group.clone().next().is_some() {
            p.gap()?;
        }
        for change in group.by_ref().take(limit) {
            member(&mut p, change)?;
        }
        let hidden = group.count();
        if hidden > 0 {
            let verb = verb(action);
            p.line(
                &format!("... and {hidden} more to {verb} (use --show all)"),
                None,
            )?;
        }
    }
    pending(&mut p, plan)?;
    teams(&mut p, plan)?;
    p.gap()?;
    p.line(&closing_line(plan), None)?;
    if !plan.pending.is_empty() {
        let n = plan.pending.len();
        let members = if n == 1 { "member" } else { "members" };
        p.line(
            &format!("{n} {members} missing, not yet deactivated (deactivate-after-missing)."),
            None,
        )?;
    }
    Ok(())
}

/// The members this full sync misses but does not deactivate yet, apart from the
/// deactivations: `- alice@example.com  missing 1 of 3` (every one, as deactivations are).
fn pending(p: &mut Printer, plan: &Plan) -> io::Result<()> {
    if plan.pending.is_empty() {
        return Ok(());
    }
    p.gap()?;
    for m in &plan.pending {
        let label = m
            .ids
            .iter()
            .find_map(|v| v.as_deref())
            .map_or_else(|| "(no identifier)".into(), |v| fit::clean(v).into_owned());
        let suffix = format!("  missing {} of {}", m.count, m.of);
        p.fitted('-', &label, &suffix, None)?;
    }
    Ok(())
}

/// `Plan: 1 to create, 2 to update, 0 to reactivate, 3 to deactivate.` or `No changes.`
pub fn closing_line(plan: &Plan) -> String {
    if !plan.has_changes() {
        return "No changes.".to_string();
    }
    let s = &plan.summary;
    format!(
        "Plan: {} to create, {} to update, {} to reactivate, {} to deactivate.",
        s.created, s.updated, s.reactivated, s.deactivated
    )
}

/// The teams the plan creates and deletes, after the members.
fn teams(p: &mut Printer, plan: &Plan) -> io::Result<()> {
    if plan.teams_created.is_empty() && plan.teams_deleted.is_empty() {
        return Ok(());
    }
    p.gap()?;
    for name in &plan.teams_created {
        p.team_line(0, '+', &format!("team {}", fit::clean(name)), " (new)")?;
    }
    for name in &plan.teams_deleted {
        let suffix = " (deleted: no members left)";
        p.team_line(0, '-', &format!("team {}", fit::clean(name)), suffix)?;
    }
    Ok(())
}

/// One member: the marker line, its fields, its teams.
fn member(p: &mut Printer, c: &Change) -> io::Result<()> {
    let (label, label_field) = label(c);
    let suffix = c.status.map(status_text).unwrap_or_default();
    p.fitted(marker(c.action), &label, &suffix, Some(color(c.action)))?;
    let mut fields = Vec::new();
    c.each_field(|key, old, new| {
        // A created member's name is on its marker line already.
        if c.action == Action::Create && label_field.is_some_and(|f| *key == Key::Field(f)) {
            return;
        }
        fields.push((
            key.column(),
            old.map(str::to_string),
            new.map(str::to_string),
        ));
    });
    for (column, old, new) in fields {
        p.field(
            &column,
            old.as_deref(),
            new.as_deref(),
            c.action == Action::Create,
        )?;
    }
    for (team, role) in c.teams_added() {
        p.team_line(
            4,
            '+',
            &format!("team {}", fit::clean(team)),
            &format!(" ({role})"),
        )?;
    }
    for (team, old, new) in c.teams_changed() {
        let suffix = format!(": {old} -> {new}");
        p.team_line(4, '~', &format!("team {}", fit::clean(team)), &suffix)?;
    }
    for (team, role) in c.teams_removed() {
        p.team_line(
            4,
            '-',
            &format!("team {}", fit::clean(team)),
            &format!(" ({role})"),
        )?;
    }
    Ok(())
}

/// The member's name (email, else external_id, else phone) and the field it comes from.
pub(crate) fn label(c: &Change) -> (String, Option<Field>) {
    let fields = [Field::Email, Field::ExternalId, Field::Phone];
    match c
        .ids()
        .into_iter()
        .zip(fields)
        .find_map(|(v, f)| Some((v?, f)))
    {
        Some((value, field)) => (fit::clean(value).into_owned(), Some(field)),
        None => match c.row {
            Some(row) => (format!("(row {row})"), None),
            None => ("(no identifier)".to_string(), None),
        },
    }
}

pub(crate) fn status_text(s: StatusChange) -> String {
    match s.old {
        Some(old) => format!(" ({old} -> {})", s.new),
        None => format!(" ({})", s.new),
    }
}

pub(crate) fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Reactivate => "reactivate",
        Action::Deactivate => "deactivate",
    }
}

pub(crate) fn marker(action: Action) -> char {
    match action {
        Action::Create => '+',
        Action::Update => '~',
        Action::Reactivate => '^',
        Action::Deactivate => '-',
    }
}

/// The ANSI colour of a marker.
fn color(action: Action) -> &'static str {
    match action {
        Action::Create => "32",
        Action::Update => "33",
        Action::Reactivate => "36",
        Action::Deactivate => "31",
    }
}

fn marker_color(marker: char) -> &'static str {
    match marker {
        '+' => "32",
        '-' => "31",
        _ => "33",
    }
}

type Emit<'a> = &'a mut dyn FnMut(&str) -> io::Result<()>;

/// Lines fitted to the width, painted when colour is on.
struct Printer<'a> {
    width: usize,
    color: bool,
    emit: Emit<'a>,
    written: bool,
}

impl Printer<'_> {
    fn line(&mut self, text: &str, color: Option<&str>) -> io::Result<()> {
        let text = fit::truncate(text, self.width);
        self.written = true;
        match color.filter(|_| self.color) {
            Some(code) => {
                // The indent stays unpainted.
                let body = text.trim_start_matches(' ');
                let indent = &text[..text.len() - body.len()];
                (self.emit)(&format!("{indent}\x1b[{code}m{body}\x1b[0m"))
            }
            None => (self.emit)(&text),
        }
    }

    /// A blank line between blocks, never at the top.
    fn gap(&mut self) -> io::Result<()> {
        if self.written {
            (self.emit)("")?;
            self.written = false;
        }
        Ok(())
    }

    /// `<marker> <name><suffix>`, the name cut so that the suffix stays whole.
    fn fitted(
        &mut self,
        marker: char,
        name: &str,
        suffix: &str,
        color: Option<&str>,
    ) -> io::Result<()> {
        let room = self.width.saturating_sub(2 + fit::width(suffix));
        let name = fit::truncate(name, room.max(1));
        self.line(&format!("{marker} {name}{suffix}"), color)
    }

    fn team_line(
        &mut self,
        indent: usize,
        marker: char,
        name: &str,
        suffix: &str,
    ) -> io::Result<()> {
        let room = self.width.saturating_sub(indent + 2 + fit::width(suffix));
        let name = fit::truncate(name, room.max(1));
        let text = format!("{:indent$}{marker} {name}{suffix}", "");
        self.line(&text, Some(marker_color(marker)))
    }

    /// `    column: value` (a created member) or `    column: old -> new`.
    fn field(
        &mut self,
        column: &str,
        old: Option<&str>,
        new: Option<&str>,
        created: bool,
    ) -> io::Result<()> {
        let show = |v: Option<&str>| v.map_or("(blank)".into(), |v| fit::clean(v).into_owned());
        let (old, new) = (show(old), show(new));
        let head = format!("    {column}: ");
        let text = if created {
            let room = self.width.saturating_sub(fit::width(&head));
            format!("{head}{}", fit::truncate(&new, room.max(1)))
        } else {
            let room = self.width.saturating_sub(fit::width(&head) + 4);
            let (old, new) = fit::pair(&old, &new, room.max(2));
            format!("{head}{old} -> {new}")
        };
        self.line(&text, None)
    }
}
