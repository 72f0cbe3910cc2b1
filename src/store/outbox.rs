//! The invitation outbox as the sender and the acceptance page use it (SPEC §13): read,
//! deliver, accept, resend. Every write is one transaction.

use super::Store;
use super::audit::BatchWriter;
use super::history::{insert_audit_batches, now};
use super::invitations::{
    Acceptance, Invitation, InvitationKeys, InvitationState, cancel, keys, queue, refusal,
    stored_keys,
};
use super::sql::{self, Backend, Begin, Row, Value, args};
use super::token::{self, Token};
use crate::error::StoreError;
use crate::model::member_label;

const SELECT: &str = "SELECT i.id, i.member_id, m.email, m.external_id, m.phone, m.first_name, \
     m.last_name, m.name, i.state, i.attempts, i.last_error, i.next_attempt_at, i.created_at, \
     i.sent_at, i.accepted_at FROM invitations i JOIN members m ON m.id = i.member_id";

/// The invitation a token is genuine for: the one its id names, if signed with the store's
/// keys; or, for a token of an invitation queued before schema version 10, the one that kept
/// its hash.
fn invitation_of(db: &dyn Backend, token: &Token) -> Result<Option<Invitation>, StoreError> {
    let (sql, arg) = match token {
        Token::Addressed { id, signature } => {
            // A store that never queued an invitation has no keys, and no token is genuine.
            let genuine = stored_keys(db)?
                .is_some_and(|k| token::is_genuine(*id, signature, &k.secret, &k.store_id));
            if !genuine {
                return Ok(None);
            }
            (format!("{SELECT} WHERE i.id = $1"), Value::from(*id))
        }
        Token::Legacy(hash) => (
            format!("{SELECT} WHERE i.token_hash = $1"),
            Value::Blob(hash.to_vec()),
        ),
    };
    sql::first(db, &sql, &[arg])?.map(invitation).transpose()
}

fn invitation(mut r: Row) -> Result<Invitation, StoreError> {
    let (id, member_id): (i64, i64) = (r.get(0)?, r.get(1)?);
    let ids: [Option<String>; 3] = [r.get(2)?, r.get(3)?, r.get(4)?];
    let state: String = r.get(8)?;
    Ok(Invitation {
        id,
        member_id,
        member: member_label(ids.each_ref().map(Option::as_deref), member_id).into_owned(),
        first_name: r.get(5)?,
        last_name: r.get(6)?,
        name: r.get(7)?,
        state: InvitationState::parse(&state).unwrap_or(InvitationState::Failed),
        attempts: r.get::<i64>(9)?.clamp(0, u32::MAX.into()) as u32,
        last_error: r.get(10)?,
        next_attempt_at: r.get(11)?,
        created_at: r.get(12)?,
        sent_at: r.get(13)?,
        accepted_at: r.get(14)?,
        email: ids.into_iter().next().flatten(),
    })
}

fn invitations_of(
    db: &dyn Backend,
    sql: &str,
    args: &[Value],
) -> Result<Vec<Invitation>, StoreError> {
    sql::all(db, sql, args)?
        .into_iter()
        .map(invitation)
        .collect()
}

impl Store {
    /// Every invitation (or those in `state`), by id.
    pub fn invitations(
        &self,
        state: Option<InvitationState>,
    ) -> Result<Vec<Invitation>, StoreError> {
        let sql = format!("{SELECT} WHERE CAST($1 AS TEXT) IS NULL OR i.state = $1 ORDER BY i.id");
        invitations_of(&*self.db, &sql, args![state.map(|s| s.as_str())])
    }

    /// `PENDING` invitations due at `at` (all of them with `None`), by id, at most `limit`.
    pub fn due_invitations(
        &self,
        at: Option<&str>,
        limit: u64,
    ) -> Result<Vec<Invitation>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE i.state = 'PENDING' AND (CAST($1 AS TEXT) IS NULL \
             OR i.next_attempt_at IS NULL OR i.next_attempt_at <= $1) ORDER BY i.id LIMIT $2"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        invitations_of(&*self.db, &sql, args![at, limit])
    }

    /// Whether invitation `id` is still `PENDING`.
    pub fn is_pending(&self, id: i64) -> Result<bool, StoreError> {
        let row = sql::first(
            &*self.db,
            "SELECT state FROM invitations WHERE id = $1",
            args![id],
        )?;
        Ok(match row {
            Some(mut r) => r.get::<String>(0)? == "PENDING",
            None => false,
        })
    }

    /// The keys, created on first use.
    pub fn invitation_keys(&mut self) -> Result<InvitationKeys, StoreError> {
        keys(&*self.db)
    }

    /// The server accepted the message: `SENT`, if it is still `PENDING`.
    pub fn mark_sent(&mut self, id: i64, message_id: &str) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE invitations SET state = 'SENT', sent_at = $2, message_id = $3, \
             attempts = attempts + 1 WHERE id = $1 AND state = 'PENDING'",
            args![id, now(), message_id],
        )?;
        Ok(())
    }

    /// A temporary failure: one more attempt, its error, and when to try again.
    pub fn mark_retry(
        &mut self,
        id: i64,
        error: &str,
        next_attempt_at: &str,
    ) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE invitations SET attempts = attempts + 1, last_error = $2, \
             next_attempt_at = $3 WHERE id = $1 AND state = 'PENDING'",
            args![id, error, next_attempt_at],
        )?;
        Ok(())
    }

    /// A permanent refusal: `FAILED` with the server's reply.
    pub fn mark_failed(&mut self, id: i64, error: &str) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE invitations SET state = 'FAILED', attempts = attempts + 1, last_error = $2 \
             WHERE id = $1 AND state = 'PENDING'",
            args![id, error],
        )?;
        Ok(())
    }

    /// The invitation `token` is genuine for: its member becomes `ACTIVE` (audit action
    /// `accept`) and the token dies, in one transaction.
    pub fn accept_token(
        &mut self,
        token: &Token,
        operator: &str,
    ) -> Result<Acceptance, StoreError> {
        sql::transaction(&*self.db, Begin::Ordered, |db| {
            let Some(found) = invitation_of(db, token)? else {
                return Ok(Acceptance::Unknown);
            };
            let status: String = sql::one(
                db,
                "SELECT status FROM members WHERE id = $1",
                args![found.member_id],
            )?;
            if let Some(refusal) = refusal(&found, &status) {
                return Ok(refusal);
            }
            let at = now();
            db.execute(
                "UPDATE members SET status = 'ACTIVE', prior_status = NULL, updated_at = $2 \
                 WHERE id = $1",
                args![found.member_id, at.as_str()],
            )?;
            db.execute(
                "UPDATE invitations SET accepted_at = $2, \
                 state = CASE state WHEN 'PENDING' THEN 'SENT' ELSE state END WHERE id = $1",
                args![found.id, at.as_str()],
            )?;
            cancel(db, &[found.member_id])?;
            let mut audit = BatchWriter::default();
            audit.push(
                found.member_id,
                &found.member,
                "accept",
                serde_json::json!({"fields": {"status": {"old": status, "new": "ACTIVE"}}}),
            )?;
            insert_audit_batches(db, None, &at, operator, audit.finish()?)?;
            super::admin::bump_generation(db)?;
            Ok(Acceptance::Accepted {
                member: found.member,
            })
        })
    }

    /// A new invitation for an `INVITED` member (its `PENDING` ones are cancelled); its id.
    pub fn resend(&mut self, member_id: i64, _operator: &str) -> Result<i64, StoreError> {
        sql::transaction(&*self.db, Begin::Ordered, |db| {
            cancel(db, &[member_id])?;
            queue(db, &[member_id], &now())
        })
    }
}
