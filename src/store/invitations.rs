//! The invitation outbox's values (SPEC §13), and its queue: an invitation is queued by the
//! transaction that makes its member `INVITED` (`apply`, `set_member_states` call [`queue`])
//! and cancelled by the one that takes it out of `INVITED`. Reading, delivering and accepting
//! are `outbox`'s.

use super::sql::{self, Backend, args};
use super::token;
use crate::error::StoreError;
use crate::model::Status;
use crate::plan::Plan;
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

/// Ids per statement when cancelling many members' invitations.
const CHUNK: usize = 1000;

/// The store's keys, if it has made them.
pub fn stored_keys(db: &dyn Backend) -> Result<Option<InvitationKeys>, StoreError> {
    let sql = "SELECT store_id, secret FROM invitation_keys WHERE id = 1";
    let Some(mut r) = sql::first(db, sql, &[])? else {
        return Ok(None);
    };
    Ok(Some(InvitationKeys {
        store_id: r.get(0)?,
        secret: r.get(1)?,
    }))
}

/// The store's keys, created (in the caller's transaction, if any) on first use.
pub fn keys(db: &dyn Backend) -> Result<InvitationKeys, StoreError> {
    if let Some(keys) = stored_keys(db)? {
        return Ok(keys);
    }
    let new = InvitationKeys::generate()?;
    db.execute(
        "INSERT INTO invitation_keys (id, store_id, secret) VALUES (1, $1, $2) \
         ON CONFLICT DO NOTHING",
        args![new.store_id.as_str(), new.secret.as_slice()],
    )?;
    Ok(stored_keys(db)?.unwrap_or(new))
}

/// Queues one `PENDING` invitation per member (in the caller's transaction, which holds the
/// write order, so ids are `max + 1` safely); the last id. Its token names its id, so nothing
/// of it is stored (`token_hash` stays NULL): the keys are made here, on first use, so that
/// every queued invitation has them.
pub fn queue(db: &dyn Backend, members: &[i64], at: &str) -> Result<i64, StoreError> {
    if members.is_empty() {
        return Ok(0);
    }
    keys(db)?;
    let first: i64 = sql::one(db, "SELECT coalesce(max(id), 0) + 1 FROM invitations", &[])?;
    let columns = ["id", "member_id", "state", "created_at"].map(String::from);
    let mut rows = (first..)
        .zip(members)
        .map(|(id, &member)| vec![id.into(), member.into(), "PENDING".into(), at.into()]);
    db.insert_rows("invitations", &columns, &mut rows)?;
    Ok(first + members.len() as i64 - 1)
}

/// Cancels the `PENDING` invitations of these members (in the caller's transaction).
pub fn cancel(db: &dyn Backend, members: &[i64]) -> Result<(), StoreError> {
    for chunk in members.chunks(CHUNK) {
        // Member ids are numbers, never user text.
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        db.execute(
            &format!(
                "UPDATE invitations SET state = 'CANCELLED' WHERE state = 'PENDING' \
                 AND member_id IN ({})",
                list.join(", ")
            ),
            &[],
        )?;
    }
    Ok(())
}

/// An import's invitations: queued for the members it makes `INVITED`, cancelled for those it
/// deactivates.
pub fn apply_plan(
    db: &dyn Backend,
    plan: &Plan,
    member_ids: &[i64],
    at: &str,
) -> Result<(), StoreError> {
    let (invited, stopped) = plan_members(plan, member_ids);
    cancel(db, &stopped)?;
    queue(db, &invited, at)?;
    Ok(())
}

/// A status change outside an import: queue on becoming `INVITED`, cancel on leaving it.
pub fn on_status(
    db: &dyn Backend,
    member: i64,
    old: &str,
    new: Status,
    at: &str,
) -> Result<(), StoreError> {
    match new {
        Status::Invited if old != Status::Invited.as_str() => {
            queue(db, &[member], at)?;
        }
        Status::Invited | Status::Provisioned => {}
        _ => cancel(db, &[member])?,
    }
    Ok(())
}
