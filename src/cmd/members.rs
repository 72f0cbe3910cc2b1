//! `roster members ...` and `roster invite`: administer single members outside an import.

use crate::cli::{GlobalArgs, ListFormat, MembersCommand};
use crate::error::{Code, Error, Result, msg};
use crate::model::{Field, Status};
use crate::report::json;
use crate::report::table::{fields, listing};
use crate::store::{MemberRecord, StateChange, Store};
use crate::term::Term;

pub fn run(
    command: MembersCommand,
    operator: Option<&str>,
    global: &GlobalArgs,
    term: &Term,
) -> Result<u8> {
    let reads = matches!(
        command,
        MembersCommand::List { .. } | MembersCommand::Show { .. }
    );
    let mut store = match reads {
        true => super::open_existing(global)?,
        false => super::open_store(global)?,
    };
    let find = |id: &str| super::find_member(&store, id);
    let (found, action) = match &command {
        MembersCommand::List { status, output } => return list(&store, status, *output),
        MembersCommand::Show { id, output } => {
            let found = find(id)?;
            let mark = store.missing_marks()?.get(&found.member.id).copied();
            return show(&found, mark, *output);
        }
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
                eprintln!("{} is already BANNED", crate::term::visible(&m.label()));
            }
            return Ok(0);
        }
        "ban" => change(Status::Banned, Some(m.status), m.protected),
        "unban" if m.status != Status::Banned => {
            return Err(Error::Refusal(
                Code::NotBanned,
                msg::not_banned(&m.label(), m.status),
            ));
        }
        "unban" => change(
            m.prior_status.unwrap_or(Status::Provisioned),
            None,
            m.protected,
        ),
        "protect" | "unprotect" if m.protected == (action == "protect") => {
            return super::tell(&msg::already_protected(&m.label(), m.protected)).map(|()| 0);
        }
        "protect" => change(m.status, m.prior_status, true),
        "unprotect" => change(m.status, m.prior_status, false),
        _ if m.status != Status::Invited => {
            return Err(Error::Refusal(
                Code::ActivateNotInvited,
                msg::cannot_activate(&m.label(), m.status),
            ));
        }
        _ => change(Status::Active, None, m.protected),
    };
    store.set_member_states(std::slice::from_ref(&change), &super::operator(operator))?;
    // protect and unprotect change no status: say what they did change.
    let line = match action {
        "protect" => format!("{}: protected ({})", m.label(), m.status),
        "unprotect" => format!("{}: no longer protected ({})", m.label(), m.status),
        _ => {
            let note = if change.protected { " (protected)" } else { "" };
            format!("{}: {} -> {}{note}", m.label(), m.status, change.status)
        }
    };
    super::tell(&line)?;
    Ok(0)
}

fn list(store: &Store, statuses: &[Status], output: ListFormat) -> Result<u8> {
    let statuses = if statuses.is_empty() {
        &Status::ALL[..]
    } else {
        statuses
    };
    if output == ListFormat::Json {
        let mut items = Vec::new();
        store.each_member(statuses, &mut |m, teams| {
            items.push(crate::report::export::member_json(m, teams));
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

fn show(
    found: &MemberRecord,
    mark: Option<crate::snapshot::Mark>,
    output: ListFormat,
) -> Result<u8> {
    let value = json::versioned(crate::report::export::with_mark(
        member_json(found),
        mark.as_ref(),
    ));
    if output == ListFormat::Json {
        super::say_json(&value)?;
        return Ok(0);
    }
    let m = &found.member;
    let mut rows = vec![("display name".to_string(), m.display_name())];
    for f in Field::ALL {
        rows.push((f.name().to_string(), m.get(f).unwrap_or("").to_string()));
    }
    for (k, v) in &m.forms {
        rows.push((format!("form.{k}"), v.clone()));
    }
    rows.push(("status".to_string(), m.status.to_string()));
    rows.push(("protected".to_string(), m.protected.to_string()));
    if let Some(mark) = mark {
        let syncs = if mark.count == 1 { "sync" } else { "syncs" };
        rows.push((
            "missing".to_string(),
            format!(
                "from {} full {syncs} in a row, since import {}; not yet deactivated",
                mark.count, mark.first_import
            ),
        ));
    }
    let teams: Vec<String> = found
        .teams
        .iter()
        .map(|(team, r)| format!("{team} ({r})"))
        .collect();
    rows.push(("teams".to_string(), teams.join(", ")));
    let table = fields(["field", "value"], false, &rows, Term::width());
    super::say(&table.to_string())?;
    Ok(0)
}

/// `roster invite`: PROVISIONED members with an email become INVITED, within the seat limit.
fn member_json(found: &MemberRecord) -> serde_json::Value {
    let teams: Vec<(&str, crate::model::Role)> =
        found.teams.iter().map(|(t, r)| (t.as_str(), *r)).collect();
    crate::report::export::member_json(&found.member, &teams)
}
