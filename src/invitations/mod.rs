//! Invitations (SPEC §13) above any SQL: the outbox's drain (`send_pending`), acceptance
//! (`accept`), tokens (`token`, the store's), messages (`template`) and SMTP delivery (`send`).
//! The CLI's `roster invitations ...` and the sync server call these, over the store's outbox.
//!
//! Delivery is at least once and never lost: an invitation is marked `SENT` only after the
//! server's 250 for DATA, in its own transaction. A kill between the two leaves it `PENDING`;
//! the next run sends the same message again (same token, same link, same `Message-ID`).

pub mod send;
pub mod template;
pub use crate::store::token;

use crate::error::InvitationError;
use crate::store::Store;
use crate::store::Timestamp;
use crate::store::invitations::{Acceptance, Invitation, InvitationKeys};
use send::{Endpoint, Mailer, Reply};
use template::MessageSettings;

/// How one run of the sender goes.
#[derive(Debug, Clone, Default)]
pub struct SendOptions {
    /// At most this many invitations.
    pub limit: Option<u64>,
    /// Ignore the backoff: try every `PENDING` invitation now.
    pub now: bool,
    /// The SMTP password (`ROSTER_SMTP_PASSWORD`).
    pub password: Option<String>,
}

/// What happened to one invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Still `PENDING`: the error and when it is tried again.
    Retry {
        error: String,
        next_attempt_at: String,
    },
    Failed {
        error: String,
    },
}

/// A sender's progress, as it happens.
pub enum SendEvent<'a> {
    /// The invitations this run will try.
    Start { total: usize },
    Done {
        invitation: &'a Invitation,
        delivery: &'a Delivery,
    },
}

/// The counts of one run; `pending` is what the outbox still holds after it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SendSummary {
    pub sent: u64,
    pub failed: u64,
    pub pending: u64,
}

/// Delivers the due `PENDING` invitations, one sender at a time per store.
pub fn send_pending(
    store: &mut Store,
    options: &SendOptions,
    events: &mut dyn FnMut(SendEvent),
) -> Result<SendSummary, InvitationError> {
    let settings = MessageSettings::read(store)?;
    let mailer = Mailer::new(
        &Endpoint::parse(&settings.smtp_url)?,
        options.password.clone(),
    )?;
    let _sender = store.try_lock_sender().map_err(|e| match e {
        crate::error::StoreError::Busy => InvitationError::SenderBusy,
        other => InvitationError::Store(other),
    })?;
    let keys = store.invitation_keys()?;
    let now = Timestamp::now();
    let due = (!options.now).then(|| now.to_string());
    let batch = store.due_invitations(due.as_deref(), options.limit.unwrap_or(u64::MAX))?;
    events(SendEvent::Start { total: batch.len() });
    let mut summary = SendSummary::default();
    for invitation in &batch {
        // Banned, deactivated or resent since the batch was read: cancelled, not sent.
        if !store.is_pending(invitation.id)? {
            continue;
        }
        let delivery = deliver(store, &mailer, &settings, &keys, invitation)?;
        match delivery {
            Delivery::Sent => summary.sent += 1,
            Delivery::Failed { .. } => summary.failed += 1,
            Delivery::Retry { .. } => {}
        }
        events(SendEvent::Done {
            invitation,
            delivery: &delivery,
        });
    }
    summary.pending = store
        .invitations(Some(crate::store::invitations::InvitationState::Pending))?
        .len() as u64;
    Ok(summary)
}

fn deliver(
    store: &mut Store,
    mailer: &Mailer,
    settings: &MessageSettings,
    keys: &InvitationKeys,
    invitation: &Invitation,
) -> Result<Delivery, InvitationError> {
    let message_id = message_id(keys, invitation.id, &settings.from);
    let reply = match message(settings, keys, invitation, &message_id) {
        Ok(message) => mailer.deliver(&message),
        Err(e) => Reply::Permanent(e),
    };
    Ok(match reply {
        Reply::Accepted => {
            store.mark_sent(invitation.id, &message_id)?;
            Delivery::Sent
        }
        Reply::Temporary(error) => {
            let wait = send::backoff(invitation.attempts + 1);
            let next = chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
            let next_attempt_at = Timestamp::from(next).to_string();
            store.mark_retry(invitation.id, &error, &next_attempt_at)?;
            Delivery::Retry {
                error,
                next_attempt_at,
            }
        }
        Reply::Permanent(error) => {
            store.mark_failed(invitation.id, &error)?;
            Delivery::Failed { error }
        }
    })
}

/// `<roster-invitation-ID.STORE@DOMAIN>`: the same for every send of one invitation.
pub fn message_id(keys: &InvitationKeys, id: i64, from: &str) -> String {
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').trim())
        .filter(|d| !d.is_empty())
        .unwrap_or("roster.invalid");
    format!("<roster-invitation-{id}.{}@{domain}>", keys.store_id)
}

/// The message to one member; an address lettre refuses is a permanent failure.
fn message(
    settings: &MessageSettings,
    keys: &InvitationKeys,
    invitation: &Invitation,
    message_id: &str,
) -> Result<lettre::Message, String> {
    let to = invitation.email.as_deref().unwrap_or_default();
    let token = token::derive(&keys.secret, &keys.store_id, invitation.id);
    let link = template::link(&settings.link, &token);
    let subject = template::render(&settings.subject, invitation, &link);
    let body = template::render(&settings.template, invitation, &link);
    let address = |a: &str| {
        a.parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("invalid address '{a}': {e}"))
    };
    lettre::Message::builder()
        .from(address(&settings.from)?)
        .to(address(to)?)
        .subject(subject.replace(['\r', '\n'], " "))
        .message_id(Some(message_id.to_string()))
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())
}

/// What `accept` did.
pub type AcceptOutcome = Acceptance;

/// Accepts the invitation whose token is `token`: its member becomes `ACTIVE`, the token dies.
/// An unknown, used or cancelled token is an error with the contract's refusal.
pub fn accept(
    store: &mut Store,
    token: &str,
    operator: &str,
) -> Result<AcceptOutcome, InvitationError> {
    let outcome = store.accept_token(&token::hash(token), operator)?;
    match &outcome {
        Acceptance::Accepted { .. } => Ok(outcome),
        Acceptance::Unknown => Err(InvitationError::UnknownToken),
        Acceptance::Used => Err(InvitationError::UsedToken),
        Acceptance::Cancelled => Err(InvitationError::CancelledToken),
        Acceptance::NotInvited { member, status } => Err(InvitationError::NotInvited {
            member: member.clone(),
            status: status.clone(),
        }),
    }
}
