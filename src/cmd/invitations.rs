//! `roster invitations send|list|accept` (SPEC §13): wiring over `crate::invitations`.

use crate::cli::{GlobalArgs, InvitationsCommand, ListFormat};
use crate::error::Result;
use crate::invitations::{Delivery, SendEvent, SendOptions};
use crate::report::table::listing;
use crate::store::Store;
use crate::store::invitations::InvitationState;
use crate::term::Term;
use serde_json::json;

pub fn run(command: InvitationsCommand, global: &GlobalArgs, term: &Term) -> Result<u8> {
    // `list` only reads: it never creates a store (SPEC §2).
    let mut store = match command {
        InvitationsCommand::List { .. } => super::open_existing(global)?,
        _ => super::open_store(global)?,
    };
    match command {
        InvitationsCommand::Send { limit, now, output } => {
            let options = SendOptions {
                limit,
                now,
                password: std::env::var("ROSTER_SMTP_PASSWORD").ok(),
            };
            send(&mut store, &options, output, term)
        }
        InvitationsCommand::List { state, output } => list(&store, state, output),
        InvitationsCommand::Accept { token } => {
            let outcome = crate::invitations::accept(&mut store, &token, &super::login_user())?;
            if let crate::invitations::AcceptOutcome::Accepted { member } = outcome {
                super::say(&format!("{member}: INVITED -> ACTIVE"))?;
            }
            Ok(0)
        }
    }
}

fn send(store: &mut Store, options: &SendOptions, output: ListFormat, term: &Term) -> Result<u8> {
    let (mut done, mut total, mut results) = (0usize, 0usize, Vec::new());
    let summary = crate::invitations::send_pending(store, options, &mut |event| match event {
        SendEvent::Start { total: n } => total = n,
        SendEvent::Done {
            invitation,
            delivery,
        } => {
            done += 1;
            let (outcome, error) = match delivery {
                Delivery::Sent => ("sent", None),
                Delivery::Retry { error, .. } => ("retry", Some(error.as_str())),
                Delivery::Failed { error } => ("failed", Some(error.as_str())),
            };
            if output == ListFormat::Table {
                let why = error.map(|e| format!(": {e}")).unwrap_or_default();
                term.note(&format!(
                    "[{done}/{total}] {outcome} {}{why}",
                    invitation.member
                ));
            }
            results.push(json!({"id": invitation.id, "member": invitation.member,
                "email": invitation.email, "outcome": outcome, "error": error}));
        }
    })?;
    if output == ListFormat::Json {
        super::say_json(&json!({"sent": summary.sent, "failed": summary.failed,
            "pending": summary.pending, "invitations": results}))?;
    } else {
        let rows = vec![vec![
            summary.sent.to_string(),
            summary.failed.to_string(),
            summary.pending.to_string(),
        ]];
        let table = listing(&["sent", "failed", "pending"], &rows, &[], Term::width());
        super::say(&table.to_string())?;
    }
    Ok(if summary.failed > 0 { 1 } else { 0 })
}

fn list(store: &Store, state: Option<InvitationState>, output: ListFormat) -> Result<u8> {
    let invitations = store.invitations(state)?;
    if output == ListFormat::Json {
        let items: Vec<_> = invitations
            .iter()
            .map(|i| {
                json!({"id": i.id, "member": i.member, "email": i.email, "state": i.state,
                    "attempts": i.attempts, "last_error": i.last_error,
                    "created_at": i.created_at, "sent_at": i.sent_at})
            })
            .collect();
        super::say_json(&items)?;
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = invitations
        .iter()
        .map(|i| {
            vec![
                i.id.to_string(),
                i.member.clone(),
                i.state.to_string(),
                i.attempts.to_string(),
                i.last_error.clone().unwrap_or_default(),
                i.created_at.clone(),
                i.sent_at.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let header = [
        "id",
        "member",
        "state",
        "attempts",
        "last_error",
        "created",
        "sent",
    ];
    let whole = ["id", "state", "attempts", "created", "sent"];
    super::say(&listing(&header, &rows, &whole, Term::width()).to_string())?;
    Ok(0)
}
