//! Invitations (SPEC §13) above any SQL: the outbox's drain (`send_pending`), acceptance
//! (`accept`), tokens (`token`, the store's), messages (`template`) and SMTP delivery (`send`).
//! The CLI's `roster invitations ...` and the sync server call these, over the store's outbox.
//!
//! Delivery is at least once and never lost: an invitation is marked `SENT` only after the
//! server's 250 for DATA, in its own transaction. A kill between the two leaves it `PENDING`;
//! the next run sends the same message again (same token, same link, same `Message-ID`).
//!
//! A run cannot stall: each wait on the server is bounded by `timeout`, the run by
//! `deadline`, and a server that does not answer is not tried again in the same run (the
//! invitations not tried stay `PENDING`, due, for the next run).

pub mod brand;
pub mod html;
pub mod message;
mod nodelay;
pub mod preview;
pub mod send;
pub mod settings;
pub mod template;
pub use crate::store::token;

use crate::error::InvitationError;
use crate::store::Store;
use crate::store::Timestamp;
use crate::store::invitations::{Acceptance, Invitation, InvitationKeys};
pub use message::message_id;
use send::{Endpoint, Mailer, Reply};
use std::time::{Duration, Instant};
use template::MessageSettings;

/// How long one run may go on starting new messages, unless `--deadline` says otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(600);

/// How one run of the sender goes.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// At most this many invitations.
    pub limit: Option<u64>,
    /// Ignore the backoff: try every `PENDING` invitation now.
    pub now: bool,
    /// The SMTP password (`ROSTER_SMTP_PASSWORD`).
    pub password: Option<String>,
    /// The longest wait on the server: connecting, each command, the data.
    pub timeout: Duration,
    /// No message is started after this long; the rest stay `PENDING`.
    pub deadline: Duration,
}

impl Default for SendOptions {
    fn default() -> SendOptions {
        SendOptions {
            limit: None,
            now: false,
            password: None,
            timeout: send::DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
        }
    }
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
    /// The run stops early, `left` invitations untried (still `PENDING`), for `reason`.
    Stopped { left: usize, reason: &'a str },
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
    let endpoint = Endpoint::parse(&settings.smtp_url)?;
    let mailer = Mailer::new(&endpoint, options.password.clone(), options.timeout)?;
    let _sender = store.try_lock_sender().map_err(|e| match e {
        crate::error::StoreError::Busy => InvitationError::SenderBusy,
        other => InvitationError::Store(other),
    })?;
    let started = Instant::now();
    let keys = store.invitation_keys()?;
    let now = Timestamp::now();
    let due = (!options.now).then(|| now.to_string());
    let batch = store.due_invitations(due.as_deref(), options.limit.unwrap_or(u64::MAX))?;
    events(SendEvent::Start { total: batch.len() });
    let mut summary = SendSummary::default();
    for (done, invitation) in batch.iter().enumerate() {
        if started.elapsed() >= options.deadline {
            let reason = format!(
                "the run's deadline of {} s has passed",
                options.deadline.as_secs()
            );
            let left = batch.len() - done;
            events(SendEvent::Stopped {
                left,
                reason: &reason,
            });
            break;
        }
        // Banned, deactivated or resent since the batch was read: cancelled, not sent.
        if !store.is_pending(invitation.id)? {
            continue;
        }
        let (delivery, unavailable) = deliver(store, &mailer, &settings, &keys, invitation)?;
        match delivery {
            Delivery::Sent => summary.sent += 1,
            Delivery::Failed { .. } => summary.failed += 1,
            Delivery::Retry { .. } => {}
        }
        events(SendEvent::Done {
            invitation,
            delivery: &delivery,
        });
        let left = batch.len() - done - 1;
        if unavailable && left > 0 {
            let reason = format!("{} did not answer", endpoint.display());
            events(SendEvent::Stopped {
                left,
                reason: &reason,
            });
            break;
        }
    }
    summary.pending = store
        .invitations(Some(crate::store::invitations::InvitationState::Pending))?
        .len() as u64;
    Ok(summary)
}

/// Sends one invitation and records what became of it; `true` beside it when the server
/// did not answer at all.
fn deliver(
    store: &mut Store,
    mailer: &Mailer,
    settings: &MessageSettings,
    keys: &InvitationKeys,
    invitation: &Invitation,
) -> Result<(Delivery, bool), InvitationError> {
    let message_id = message_id(keys, invitation.id, &settings.from);
    let token = token::derive(&keys.secret, &keys.store_id, invitation.id);
    let reply = match message::build(settings, invitation, &token, &message_id) {
        Ok(message) => mailer.deliver(&message),
        Err(e) => Reply::Permanent(e),
    };
    let unavailable = matches!(reply, Reply::Unavailable(_));
    let delivery = match reply {
        Reply::Accepted => {
            store.mark_sent(invitation.id, &message_id)?;
            Delivery::Sent
        }
        Reply::Temporary(error) | Reply::Unavailable(error) => {
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
    };
    Ok((delivery, unavailable))
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
    let Some(token) = token::Token::parse(token) else {
        return Err(InvitationError::UnknownToken);
    };
    let outcome = store.accept_token(&token, operator)?;
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
