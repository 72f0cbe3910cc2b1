//! `roster invite`: `PROVISIONED` members with an email become `INVITED`, within the seat limit.
//! stdout says how many (`invited 2 members`); stderr, for people, whom, or why nobody.

use crate::cli::{GlobalArgs, InviteArgs};
use crate::error::{Code, Error, Result, Rule, msg};
use crate::model::{Field, Member, Status};
use crate::store::StateChange;
use crate::term::Term;

/// The invited members named on stderr; more are counted.
const MAX_NAMED: usize = 20;

pub fn run(args: &InviteArgs, global: &GlobalArgs, term: &Term) -> Result<u8> {
    let mut store = super::open_store(global)?;
    let operator = super::operator(args.operator.as_deref());
    if let Some(id) = &args.resend {
        return resend(store.as_mut(), id, &operator);
    }
    let limit = args.limit.unwrap_or(u64::MAX) as usize;
    let invitable = |m: &Member| m.status == Status::Provisioned && m.get(Field::Email).is_some();
    let mut chosen: Vec<Member> = Vec::new();
    // Why each named member was not invited.
    let mut passed_over: Vec<String> = Vec::new();
    if args.ids.is_empty() {
        store.each_member(&[Status::Provisioned], &mut |m, _| {
            if invitable(m) && chosen.len() < limit {
                chosen.push(m.clone());
            }
            Ok(())
        })?;
    } else {
        for id in &args.ids {
            let m = super::find_member(store.as_ref(), id)?.member;
            match (invitable(&m), chosen.len() < limit) {
                (true, true) => chosen.push(m),
                (true, false) => passed_over.push(format!("{} (over --limit)", m.label())),
                (false, _) if m.status != Status::Provisioned => {
                    passed_over.push(format!("{} is {}", m.label(), m.status));
                }
                (false, _) => passed_over.push(format!("{} has no email", m.label())),
            }
        }
    }
    if let Some(seats) = store.settings()?.seat_limit {
        let in_use = store.count_members(&[Status::Active, Status::Invited])?;
        let used = in_use + chosen.len() as u64;
        if !chosen.is_empty() && used > seats {
            return Err(Error::Refused(vec![Rule::InviteSeats {
                limit: seats,
                used,
                free: seats.saturating_sub(in_use),
            }]));
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
        store.set_member_states(&changes, &operator)?;
    }
    super::say(&msg::invited(changes.len()))?;
    tell_whom(term, &chosen, &passed_over, args.ids.is_empty());
    Ok(0)
}

/// On stderr: the invited members (the first [`MAX_NAMED`]), the named members passed over,
/// or why nobody was invited.
fn tell_whom(term: &Term, chosen: &[Member], passed_over: &[String], everyone: bool) {
    for m in chosen.iter().take(MAX_NAMED) {
        term.detail(&m.label());
    }
    if chosen.len() > MAX_NAMED {
        term.detail(&format!("... and {} more", chosen.len() - MAX_NAMED));
    }
    for why in passed_over {
        term.note(&msg::not_invited(why));
    }
    if chosen.is_empty() && everyone {
        term.note(msg::NOBODY_TO_INVITE);
    }
}

/// `roster invite --resend ID`: a new invitation for an INVITED member.
fn resend(store: &mut dyn crate::store::Store, id: &str, operator: &str) -> Result<u8> {
    let m = super::find_member(store, id)?.member;
    if m.status != Status::Invited {
        // A refusal for the member's state (exit 1), as `invitations accept` is; not a usage error.
        return Err(Error::Refusal(
            Code::ResendNotInvited,
            msg::cannot_resend(&m.label(), m.status),
        ));
    }
    let invitation = store.resend(m.id, operator)?;
    super::tell(&format!("{}: invitation {invitation} queued", m.label()))?;
    Ok(0)
}
