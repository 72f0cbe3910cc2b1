//! `roster invitations send|list|accept|preview` (SPEC §13): wiring over `crate::invitations`.

use crate::cli::{GlobalArgs, InvitationsCommand, ListFormat, PreviewOutput};
use crate::error::Result;
use crate::invitations::preview::{self, PreviewFormat};
use crate::invitations::{Delivery, SendEvent, SendOptions};
use crate::model::{Field, Member};
use crate::report::json::{member_ids, versioned};
use crate::report::records;
use crate::report::table::listing;
use crate::store::Store;
use crate::store::invitations::{Invitation, InvitationState};
use crate::term::Term;
use serde_json::json;

pub fn run(command: InvitationsCommand, global: &GlobalArgs, term: &Term) -> Result<u8> {
    // `list` and `preview` only read, and `send` has nobody to send to in a new store: none
    // of them creates one (SPEC §2; a mistyped --db is refused, not a new empty store).
    let mut store = match command {
        InvitationsCommand::Accept { .. } => super::open_store(global)?,
        _ => super::open_existing(global)?,
    };
    match command {
        InvitationsCommand::Send {
            limit,
            now,
            timeout,
            deadline,
            output,
        } => {
            let options = SendOptions {
                limit,
                now,
                password: std::env::var("ROSTER_SMTP_PASSWORD").ok(),
                timeout: std::time::Duration::from_secs(timeout),
                deadline: std::time::Duration::from_secs(deadline),
            };
            send(store.as_mut(), &options, output, term)
        }
        InvitationsCommand::Preview { member, output } => {
            let invitation = match member {
                Some(id) => for_member(&super::find_member(store.as_ref(), &id)?.member),
                None => preview::sample(),
            };
            let format = match output {
                PreviewOutput::Text => PreviewFormat::Text,
                PreviewOutput::Html => PreviewFormat::Html,
                PreviewOutput::Eml => PreviewFormat::Eml,
            };
            let settings = preview::settings(store.as_ref())?;
            let bytes = preview::render(&settings, &invitation, format)?;
            super::write_output(None, &bytes)?;
            Ok(0)
        }
        InvitationsCommand::List { state, output } => list(store.as_ref(), state, output),
        InvitationsCommand::Accept { token } => {
            let outcome = crate::invitations::accept(store.as_mut(), &token, &super::login_user())?;
            if let crate::invitations::AcceptOutcome::Accepted { member } = outcome {
                super::tell(&format!("{member}: INVITED -> ACTIVE"))?;
            }
            Ok(0)
        }
    }
}

/// An invitation to `member`, as the sender would make it (for a preview).
fn for_member(member: &Member) -> Invitation {
    let get = |f: Field| member.get(f).map(str::to_string);
    Invitation {
        member_id: member.id,
        member: member.label(),
        email: get(Field::Email),
        first_name: get(Field::FirstName),
        last_name: get(Field::LastName),
        name: get(Field::Name),
        ..preview::sample()
    }
}

fn send(
    store: &mut dyn Store,
    options: &SendOptions,
    output: ListFormat,
    term: &Term,
) -> Result<u8> {
    let (mut done, mut total, mut results) = (0usize, 0usize, Vec::new());
    let mut labels = Vec::new();
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
            labels.push(invitation.member.clone());
            results.push(json!({"id": invitation.id, "member": null,
                "email": invitation.email, "outcome": outcome, "error": error}));
        }
        SendEvent::Stopped { left, reason } => {
            term.warning(&format!(
                "{reason}: {left} more {} stay PENDING for the next run",
                if left == 1 {
                    "invitation"
                } else {
                    "invitations"
                }
            ));
        }
    })?;
    if output == ListFormat::Json {
        // The members' identifiers, looked up once the sending is over.
        for (result, label) in results.iter_mut().zip(&labels) {
            result["member"] = member_of(store, label);
        }
        super::say_json(&versioned(
            json!({"sent": summary.sent, "failed": summary.failed,
            "pending": summary.pending, "invitations": results}),
        ))?;
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

/// `{email, external_id, phone}` of the member the store names `label`.
fn member_of(store: &dyn Store, label: &str) -> serde_json::Value {
    records::member_by_label(label, &mut |l| member_ids(store, l))
}

fn list(store: &dyn Store, state: Option<InvitationState>, output: ListFormat) -> Result<u8> {
    let invitations = store.invitations(state)?;
    if output == ListFormat::Json {
        let items: Vec<_> = invitations
            .iter()
            .map(|i| records::invitation(i, member_of(store, &i.member)))
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
