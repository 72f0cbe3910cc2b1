//! The invitation outbox as a store keeps it (SPEC §13): one narrow interface,
//! [`InvitationStore`], that both backends implement, and the values it passes. Queueing is not
//! here: an invitation is written by the transaction that makes its member `INVITED` (the
//! backends' `apply` and `set_member_states` call [`queue_row`]'s values).

use crate::error::StoreError;
use crate::invitations::token;
use serde::Serialize;

/// An invitation's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum InvitationState {
    Pending,
    Sent,
    Failed,
    Cancelled,
}

impl InvitationState {
    pub const ALL: [InvitationState; 4] = [
        InvitationState::Pending,
        InvitationState::Sent,
        InvitationState::Failed,
        InvitationState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Pending => "PENDING",
            InvitationState::Sent => "SENT",
            InvitationState::Failed => "FAILED",
            InvitationState::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(text: &str) -> Option<InvitationState> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl std::fmt::Display for InvitationState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One invitation with what a message to its member needs.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: i64,
    pub member_id: i64,
    /// The member as messages name it (email, else external_id, else phone).
    pub member: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name: Option<String>,
    pub state: InvitationState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub accepted_at: Option<String>,
}

/// The store's id (part of every Message-ID) and the secret each token is derived from.
#[derive(Clone)]
pub struct InvitationKeys {
    pub store_id: String,
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for InvitationKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InvitationKeys({}, secret hidden)", self.store_id)
    }
}

impl InvitationKeys {
    /// New keys: 32 random bytes of secret and an 8-byte store id, from the OS.
    pub fn generate() -> Result<InvitationKeys, StoreError> {
        let mut bytes = [0u8; 40];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?;
        Ok(InvitationKeys {
            store_id: token::hex(&bytes[32..]),
            secret: bytes[..32].to_vec(),
        })
    }

    /// The hash stored for invitation `id` (its token is derived, never stored).
    pub fn token_hash(&self, id: i64) -> String {
        token::hash(&token::derive(&self.secret, &self.store_id, id))
    }
}

/// What accepting a token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acceptance {
    /// The member, now `ACTIVE`.
    Accepted {
        member: String,
    },
    Unknown,
    Used,
    Cancelled,
    /// The member is no longer `INVITED` (banned, deactivated, activated by hand).
    NotInvited {
        member: String,
        status: String,
    },
}

/// The outbox: read, deliver, accept. Every write is one transaction.
pub trait InvitationStore {
    /// Every invitation (or those in `state`), by id.
    fn invitations(&self, state: Option<InvitationState>) -> Result<Vec<Invitation>, StoreError>;
    /// `PENDING` invitations due at `now` (all of them with `None`), by id, at most `limit`.
    fn due_invitations(&self, now: Option<&str>, limit: u64)
    -> Result<Vec<Invitation>, StoreError>;
    /// Whether invitation `id` is still `PENDING`.
    fn is_pending(&self, id: i64) -> Result<bool, StoreError>;
    /// The keys, created on first use.
    fn invitation_keys(&mut self) -> Result<InvitationKeys, StoreError>;
    /// A setting's stored text (the invite-* and smtp-* keys).
    fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// One sender at a time per store: held until dropped, else `StoreError::Busy`.
    fn try_lock_sender(&self) -> Result<super::ImportGuard, StoreError>;
    /// The server accepted the message: `SENT`, if it is still `PENDING`.
    fn mark_sent(&mut self, id: i64, message_id: &str) -> Result<(), StoreError>;
    /// A temporary failure: one more attempt, its error, and when to try again.
    fn mark_retry(&mut self, id: i64, error: &str, next_attempt_at: &str)
    -> Result<(), StoreError>;
    /// A permanent refusal: `FAILED` with the server's reply.
    fn mark_failed(&mut self, id: i64, error: &str) -> Result<(), StoreError>;
    /// The invitation whose token hashes to `token_hash`: its member becomes `ACTIVE` (audit
    /// action `accept`) and the token dies, in one transaction.
    fn accept_token(&mut self, token_hash: &str, operator: &str) -> Result<Acceptance, StoreError>;
    /// A new invitation for an `INVITED` member (its `PENDING` ones are cancelled); its id.
    fn resend(&mut self, member_id: i64, operator: &str) -> Result<i64, StoreError>;
}

/// The values of a queued invitation row: `(id, member_id, token_hash, created_at)`.
pub fn queue_row(keys: &InvitationKeys, id: i64, member_id: i64, at: &str) -> QueuedRow {
    QueuedRow {
        id,
        member_id,
        token_hash: keys.token_hash(id),
        created_at: at.to_string(),
    }
}

/// An invitation row about to be written in a member's transaction.
#[derive(Debug, Clone)]
pub struct QueuedRow {
    pub id: i64,
    pub member_id: i64,
    pub token_hash: String,
    pub created_at: String,
}

/// The members an import makes `INVITED` (an invitation is queued for each) and those it
/// takes out of `INVITED` (their `PENDING` invitations are cancelled), by member id.
pub fn plan_members(plan: &crate::plan::Plan, member_ids: &[i64]) -> (Vec<i64>, Vec<i64>) {
    use crate::model::Status;
    let (mut invited, mut stopped) = (Vec::new(), Vec::new());
    for (change, &id) in plan.changes.iter().zip(member_ids) {
        match change.status {
            Some(s) if s.new == Status::Invited && s.old != Some(Status::Invited) => {
                invited.push(id)
            }
            Some(s) if matches!(s.new, Status::Inactive | Status::Banned) => stopped.push(id),
            _ => {}
        }
    }
    (invited, stopped)
}

/// Why a found invitation cannot be accepted by a member whose status is `status`, if so.
pub fn refusal(found: &Invitation, status: &str) -> Option<Acceptance> {
    if found.accepted_at.is_some() {
        return Some(Acceptance::Used);
    }
    match found.state {
        InvitationState::Cancelled => return Some(Acceptance::Cancelled),
        InvitationState::Failed => return Some(Acceptance::Unknown),
        InvitationState::Pending | InvitationState::Sent => {}
    }
    (status != crate::model::Status::Invited.as_str()).then(|| Acceptance::NotInvited {
        member: found.member.clone(),
        status: status.to_string(),
    })
}
