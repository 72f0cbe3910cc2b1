//! `roster members ...` and `roster invite`: administer single members outside an import.

use crate::cli::{GlobalArgs, InviteArgs, ListFormat, MembersCommand};
use crate::error::{Error, Result, Rule};
use crate::model::{Field, Member, Status};
use crate::report::table::{keep_whole, listing, sized};
use crate::store::{AdminStore, MemberRecord, StateChange};
use crate::term::Term;

pub fn run(command: MembersCommand, global: &GlobalArgs, term: &Term) -> Result<u8> {
    let mut store = super::open_store(global)?;
    let find = |id: &str| super::find_member(store.as_ref(), id);
    let (found, action) = match &command {
        MembersCommand::List { status, output } => return list(store.as_ref(), status, *output),
        MembersCommand::Show { id, output } => return show(&find(id)?, *output),
        MembersCommand::Ban { id } => (find(id)?, "ban"),
        MembersCommand::Unban { id } => (find(id)?, "unban"),
        MembersCommand::Protect { id } => (find(id)?, "protect"),
        MembersCommand::Unprotect { id } => (find(id)?, "unprotect"),
        MembersCommand::Activate { id } => (find(id)?, "activate"),
    };
    let m = &found.member;
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

fn list(store: &dyn AdminStore, statuses: &[Status], output: ListFormat) -> Result<u8> {
    let statuses = if statuses.is_empty() {
        &Status::ALL[..]
    } else {
        statuses
    };
    if output == ListFormat::Json {
        let mut items = Vec::new();
        store.each_member(statuses, &mut |m, teams| {
            items.push(super::export::member_json(m, teams));
            Ok(())
        })?;
        super::say_json(&items)?;
        return Ok(0);
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    store.each_member(statuses, &mut |m, _| {
        rows.push(vec![
            m.get(Field::Email).unwrap_or("").to_string(),
            m.get(Field::ExternalId).unwrap_or("").to_string(),
            m.get(Field::Phone).unwrap_or("").to_string(),
            m.display_name(),
            m.role().to_string(),
            m.status.to_string(),
            if m.protected { "yes" } else { "" }.to_string(),
        ]);
        Ok(())
    })?;
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

fn show(found: &MemberRecord, output: ListFormat) -> Result<u8> {
    let value = member_json(found);
    if output == ListFormat::Json {
        super::say_json(&value)?;
        return Ok(0);
    }
    let m = &found.member;
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
    let teams: Vec<String> = found
        .teams
        .iter()
        .map(|(team, r)| format!("{team} ({r})"))
        .collect();
    table.add_row(["teams".to_string(), teams.join(", ")]);
    keep_whole(&mut table, &[0], width);
    super::say(&table.to_string())?;
    Ok(0)
}

/// `roster invite`: PROVISIONED members with an email become INVITED, within the seat limit.
pub fn invite(args: &InviteArgs, global: &GlobalArgs, term: &Term) -> Result<u8> {
    let mut store = super::open_store(global)?;
    if let Some(id) = &args.resend {
        return resend(store.as_mut(), id);
    }
    let limit = args.limit.unwrap_or(u64::MAX) as usize;
    let invitable = |m: &Member| m.status == Status::Provisioned && m.get(Field::Email).is_some();
    let mut chosen: Vec<Member> = Vec::new();
    if args.ids.is_empty() {
        store.each_member(&[Status::Provisioned], &mut |m, _| {
            if invitable(m) && chosen.len() < limit {
                chosen.push(m.clone());
            }
            Ok(())
        })?;
    } else {
        let found = args
            .ids
            .iter()
            .map(|id| super::find_member(store.as_ref(), id))
            .collect::<Result<Vec<_>>>()?;
        chosen.extend(
            found
                .into_iter()
                .map(|f| f.member)
                .filter(|m| invitable(m))
                .take(limit),
        );
    }
    if let Some(seats) = store.settings()?.seat_limit {
        let used = store.count_members(&[Status::Active, Status::Invited])? + chosen.len() as u64;
        if !chosen.is_empty() && used > seats {
            return Err(Error::Refused(vec![Rule::Seats { limit: seats, used }]));
        }
    }
    let changes: Vec<StateChange> = chosen
        .iter()
        .map(|m| StateChange {
            member_id: m.id,
            status: Status::Invited,
            prior: None,
            protected: m.protected,
            action: "invite",
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

fn member_json(found: &MemberRecord) -> serde_json::Value {
    let teams: Vec<(&str, crate::model::Role)> =
        found.teams.iter().map(|(t, r)| (t.as_str(), *r)).collect();
    super::export::member_json(&found.member, &teams)
}

/// `roster invite --resend ID`: a new invitation for an INVITED member.
fn resend(store: &mut dyn crate::store::Store, id: &str) -> Result<u8> {
    let m = super::find_member(store, id)?.member;
    if m.status != Status::Invited {
        return Err(Error::Usage(format!(
            "{} is {}; only an INVITED member can be invited again",
            m.label(),
            m.status
        )));
    }
    let invitation = store.resend(m.id, &super::login_user())?;
    super::say(&format!("{}: invitation {invitation} queued", m.label()))?;
    Ok(0)
}
