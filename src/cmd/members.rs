//! `roster members ...` and `roster invite`: administer single members outside an import.

use crate::cli::{GlobalArgs, InviteArgs, ListFormat, MembersCommand};
use crate::error::{Error, Result, Rule};
use crate::model::{Field, Status};
use crate::report::table::{keep_whole, listing, sized};
use crate::store::{Snapshot, StateChange, Store};
use crate::term::Term;

pub fn run(command: MembersCommand, global: &GlobalArgs, term: &Term) -> Result<u8> {
    let mut store = super::open_store(global)?;
    let snapshot = store.snapshot()?;
    let find = |id: &str| {
        snapshot.find(id).ok_or_else(|| {
            Error::NotFound(format!("no member with email, external_id or phone '{id}'"))
        })
    };
    let (i, action) = match &command {
        MembersCommand::List { status, output } => return list(&snapshot, status, *output),
        MembersCommand::Show { id, output } => return show(&snapshot, find(id)?, *output),
        MembersCommand::Ban { id } => (find(id)?, "ban"),
        MembersCommand::Unban { id } => (find(id)?, "unban"),
        MembersCommand::Protect { id } => (find(id)?, "protect"),
        MembersCommand::Unprotect { id } => (find(id)?, "unprotect"),
        MembersCommand::Activate { id } => (find(id)?, "activate"),
    };
    let m = &snapshot.members[i];
    let change = |status, prior, protected| StateChange {
        member_id: m.id,
        status,
        prior,
        protected,
        action,
    };
    let change = match action {
        "ban" if m.status == Status::Banned => {
            if !term.quiet {
                eprintln!("{} is already BANNED", m.label());
            }
            return Ok(0);
        }
        "ban" => change(Status::Banned, Some(m.status), m.protected),
        "unban" if m.status != Status::Banned => {
            return Err(Error::Usage(format!(
                "{} is {}, not BANNED",
                m.label(),
                m.status
            )));
        }
        "unban" => change(
            m.prior_status.unwrap_or(Status::Provisioned),
            None,
            m.protected,
        ),
        "protect" => change(m.status, m.prior_status, true),
        "unprotect" => change(m.status, m.prior_status, false),
        _ if m.status != Status::Invited => {
            return Err(Error::Usage(format!(
                "{} is {}; only an INVITED member can be activated",
                m.label(),
                m.status
            )));
        }
        _ => change(Status::Active, None, m.protected),
    };
    store.set_member_states(std::slice::from_ref(&change), &super::login_user())?;
    let note = if change.protected { " (protected)" } else { "" };
    super::say(&format!(
        "{}: {} -> {}{note}",
        m.label(),
        m.status,
        change.status
    ))?;
    Ok(0)
}

fn list(snapshot: &Snapshot, statuses: &[Status], output: ListFormat) -> Result<u8> {
    let all: Vec<usize> = (0..snapshot.members.len())
        .filter(|&i| statuses.is_empty() || statuses.contains(&snapshot.members[i].status))
        .collect();
    if output == ListFormat::Json {
        let items: Vec<_> = all.iter().map(|&i| member_json(snapshot, i)).collect();
        super::say_json(&items)?;
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = all
        .into_iter()
        .map(|i| {
            let m = &snapshot.members[i];
            vec![
                m.get(Field::Email).unwrap_or("").to_string(),
                m.get(Field::ExternalId).unwrap_or("").to_string(),
                m.get(Field::Phone).unwrap_or("").to_string(),
                m.display_name(),
                m.role().to_string(),
                m.status.to_string(),
                if m.protected { "yes" } else { "" }.to_string(),
            ]
        })
        .collect();
    let header = [
        "email",
        "external_id",
        "phone",
        "name",
        "role",
        "status",
        "protected",
    ];
    // The identifiers and the name wrap first.
    let whole = ["status", "role", "protected"];
    let table = listing(&header, &rows, &whole, Term::width());
    super::say(&table.to_string())?;
    Ok(0)
}

fn show(snapshot: &Snapshot, i: usize, output: ListFormat) -> Result<u8> {
    let value = member_json(snapshot, i);
    if output == ListFormat::Json {
        super::say_json(&value)?;
        return Ok(0);
    }
    let m = &snapshot.members[i];
    let width = Term::width();
    let mut table = sized(width);
    table.set_header(["field", "value"]);
    table.add_row(["display name".to_string(), m.display_name()]);
    for f in Field::ALL {
        table.add_row([f.name().to_string(), m.get(f).unwrap_or("").to_string()]);
    }
    for (k, v) in &m.forms {
        table.add_row([format!("form.{k}"), v.clone()]);
    }
    table.add_row(["status".to_string(), m.status.to_string()]);
    table.add_row(["protected".to_string(), m.protected.to_string()]);
    let teams: Vec<String> = snapshot
        .memberships(i)
        .iter()
        .map(|(ti, r)| format!("{} ({r})", snapshot.teams[*ti].name))
        .collect();
    table.add_row(["teams".to_string(), teams.join(", ")]);
    keep_whole(&mut table, &[0], width);
    super::say(&table.to_string())?;
    Ok(0)
}

/// `roster invite`: PROVISIONED members with an email become INVITED, within the seat limit.
pub fn invite(args: &InviteArgs, global: &GlobalArgs, term: &Term) -> Result<u8> {
    let mut store = super::open_store(global)?;
    let snapshot = store.snapshot()?;
    let candidates: Vec<usize> = if args.ids.is_empty() {
        (0..snapshot.members.len()).collect()
    } else {
        args.ids
            .iter()
            .map(|id| {
                snapshot.find(id).ok_or_else(|| {
                    Error::NotFound(format!("no member with email, external_id or phone '{id}'"))
                })
            })
            .collect::<Result<_>>()?
    };
    let limit = args.limit.unwrap_or(u64::MAX) as usize;
    let chosen: Vec<usize> = candidates
        .into_iter()
        .filter(|&i| {
            let m = &snapshot.members[i];
            m.status == Status::Provisioned && m.get(Field::Email).is_some()
        })
        .take(limit)
        .collect();
    if let Some(seats) = snapshot.settings.seat_limit {
        let used = snapshot
            .members
            .iter()
            .filter(|m| m.status.uses_seat())
            .count()
            + chosen.len();
        if !chosen.is_empty() && used as u64 > seats {
            return Err(Error::Refused(vec![Rule::Seats {
                limit: seats,
                used: used as u64,
            }]));
        }
    }
    let changes: Vec<StateChange> = chosen
        .iter()
        .map(|&i| {
            let m = &snapshot.members[i];
            StateChange {
                member_id: m.id,
                status: Status::Invited,
                prior: None,
                protected: m.protected,
                action: "invite",
            }
        })
        .collect();
    if !changes.is_empty() {
        store.set_member_states(&changes, &super::login_user())?;
    }
    super::say(&format!(
        "invited {} {}",
        changes.len(),
        if changes.len() == 1 {
            "member"
        } else {
            "members"
        }
    ))?;
    let _ = term;
    Ok(0)
}

fn member_json(snapshot: &Snapshot, i: usize) -> serde_json::Value {
    super::export::member_json(&snapshot.members[i], &snapshot.team_names_of(i))
}
