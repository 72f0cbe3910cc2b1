//! The invitation outbox on SQLite (SPEC §13): queueing and cancelling inside a member's
//! transaction (called by `apply` and `admin`), and [`InvitationStore`].

use super::lock::FileLock;
use super::{SqliteStore, now};
use crate::error::StoreError;
use crate::model::{Status, member_label};
use crate::plan::Plan;
use crate::store::ImportGuard;
use crate::store::audit::BatchWriter;
use crate::store::invitations::{
    Acceptance, Invitation, InvitationKeys, InvitationState, InvitationStore, queue_row,
};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

const SELECT: &str = "SELECT i.id, i.member_id, m.email, m.external_id, m.phone, m.first_name, \
     m.last_name, m.name, i.state, i.attempts, i.last_error, i.next_attempt_at, i.created_at, \
     i.sent_at, i.accepted_at FROM invitations i JOIN members m ON m.id = i.member_id";

fn invitation(r: &Row) -> rusqlite::Result<Invitation> {
    let (id, member_id): (i64, i64) = (r.get(0)?, r.get(1)?);
    let ids: [Option<String>; 3] = [r.get(2)?, r.get(3)?, r.get(4)?];
    let state: String = r.get(8)?;
    Ok(Invitation {
        id,
        member_id,
        member: member_label(ids.each_ref().map(Option::as_deref), member_id).into_owned(),
        email: ids[0].clone(),
        first_name: r.get(5)?,
        last_name: r.get(6)?,
        name: r.get(7)?,
        state: InvitationState::parse(&state).unwrap_or(InvitationState::Failed),
        attempts: r.get(9)?,
        last_error: r.get(10)?,
        next_attempt_at: r.get(11)?,
        created_at: r.get(12)?,
        sent_at: r.get(13)?,
        accepted_at: r.get(14)?,
    })
}

/// The store's keys, created in the caller's transaction on first use.
pub(super) fn keys(conn: &Connection) -> Result<InvitationKeys, StoreError> {
    let read = |conn: &Connection| {
        conn.query_row(
            "SELECT store_id, secret FROM invitation_keys WHERE id = 1",
            [],
            |r| {
                Ok(InvitationKeys {
                    store_id: r.get(0)?,
                    secret: r.get(1)?,
                })
            },
        )
        .optional()
    };
    if let Some(keys) = read(conn)? {
        return Ok(keys);
    }
    let new = InvitationKeys::generate()?;
    conn.execute(
        "INSERT OR IGNORE INTO invitation_keys (id, store_id, secret) VALUES (1, ?1, ?2)",
        params![new.store_id, new.secret],
    )?;
    Ok(read(conn)?.unwrap_or(new))
}

/// Queues one `PENDING` invitation for each member (in the caller's transaction).
pub(super) fn queue(conn: &Connection, members: &[i64], at: &str) -> Result<i64, StoreError> {
    if members.is_empty() {
        return Ok(0);
    }
    let keys = keys(conn)?;
    let mut next: i64 = conn.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM invitations",
        [],
        |r| r.get(0),
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO invitations (id, member_id, token_hash, state, created_at) \
         VALUES (?1, ?2, ?3, 'PENDING', ?4)",
    )?;
    for &member in members {
        let row = queue_row(&keys, next, member, at);
        insert.execute(params![
            row.id,
            row.member_id,
            row.token_hash,
            row.created_at
        ])?;
        next += 1;
    }
    Ok(next - 1)
}

/// Cancels the member's `PENDING` invitations (in the caller's transaction).
pub(super) fn cancel(conn: &Connection, member: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE invitations SET state = 'CANCELLED' WHERE member_id = ?1 AND state = 'PENDING'",
    )?
    .execute([member])?;
    Ok(())
}

/// An import's invitations: queued for the members it makes `INVITED`, cancelled for those it
/// deactivates.
pub(super) fn apply_plan(
    conn: &Connection,
    plan: &Plan,
    member_ids: &[i64],
    at: &str,
) -> Result<(), StoreError> {
    let (invited, stopped) = crate::store::invitations::plan_members(plan, member_ids);
    for member in stopped {
        cancel(conn, member)?;
    }
    queue(conn, &invited, at)?;
    Ok(())
}

/// A status change outside an import: queue on becoming `INVITED`, cancel on leaving it.
pub(super) fn on_status(
    conn: &Connection,
    member: i64,
    old: &str,
    new: Status,
    at: &str,
) -> Result<(), StoreError> {
    match new {
        Status::Invited if old != Status::Invited.as_str() => {
            queue(conn, &[member], at)?;
        }
        Status::Invited | Status::Provisioned => {}
        _ => cancel(conn, member)?,
    }
    Ok(())
}

impl InvitationStore for SqliteStore {
    fn invitations(&self, state: Option<InvitationState>) -> Result<Vec<Invitation>, StoreError> {
        let sql = format!("{SELECT} WHERE ?1 IS NULL OR i.state = ?1 ORDER BY i.id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([state.map(|s| s.as_str())], invitation)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn due_invitations(&self, at: Option<&str>, limit: u64) -> Result<Vec<Invitation>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE i.state = 'PENDING' AND (?1 IS NULL OR i.next_attempt_at IS NULL \
             OR i.next_attempt_at <= ?1) ORDER BY i.id LIMIT ?2"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![at, limit], invitation)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn is_pending(&self, id: i64) -> Result<bool, StoreError> {
        let state: Option<String> = self
            .conn
            .query_row("SELECT state FROM invitations WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(state.as_deref() == Some("PENDING"))
    }

    fn invitation_keys(&mut self) -> Result<InvitationKeys, StoreError> {
        keys(&self.conn)
    }

    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn try_lock_sender(&self) -> Result<ImportGuard, StoreError> {
        Ok(ImportGuard::new(FileLock::try_acquire_named(
            &self.path,
            ".send.lock",
        )?))
    }

    fn mark_sent(&mut self, id: i64, message_id: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE invitations SET state = 'SENT', sent_at = ?2, message_id = ?3, \
             attempts = attempts + 1 WHERE id = ?1 AND state = 'PENDING'",
            params![id, now(), message_id],
        )?;
        Ok(())
    }

    fn mark_retry(&mut self, id: i64, error: &str, next: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE invitations SET attempts = attempts + 1, last_error = ?2, \
             next_attempt_at = ?3 WHERE id = ?1 AND state = 'PENDING'",
            params![id, error, next],
        )?;
        Ok(())
    }

    fn mark_failed(&mut self, id: i64, error: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE invitations SET state = 'FAILED', attempts = attempts + 1, last_error = ?2 \
             WHERE id = ?1 AND state = 'PENDING'",
            params![id, error],
        )?;
        Ok(())
    }

    fn accept_token(&mut self, token_hash: &str, operator: &str) -> Result<Acceptance, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let sql = format!("{SELECT} WHERE i.token_hash = ?1");
        let Some(found) = tx.query_row(&sql, [token_hash], invitation).optional()? else {
            return Ok(Acceptance::Unknown);
        };
        let status: String = tx.query_row(
            "SELECT status FROM members WHERE id = ?1",
            [found.member_id],
            |r| r.get(0),
        )?;
        if let Some(refusal) = crate::store::invitations::refusal(&found, &status) {
            return Ok(refusal);
        }
        let at = now();
        tx.execute(
            "UPDATE members SET status = 'ACTIVE', prior_status = NULL, updated_at = ?2 WHERE id = ?1",
            params![found.member_id, at],
        )?;
        tx.execute(
            "UPDATE invitations SET accepted_at = ?2, \
             state = CASE state WHEN 'PENDING' THEN 'SENT' ELSE state END WHERE id = ?1",
            params![found.id, at],
        )?;
        cancel(&tx, found.member_id)?;
        let mut audit = BatchWriter::default();
        audit.push(
            found.member_id,
            &found.member,
            "accept",
            serde_json::json!({"fields": {"status": {"old": status, "new": "ACTIVE"}}}),
        )?;
        super::apply::insert_audit_batches(&tx, None, &at, operator, &audit.finish()?)?;
        Self::bump_generation(&tx)?;
        tx.commit()?;
        Ok(Acceptance::Accepted {
            member: found.member,
        })
    }

    fn resend(&mut self, member_id: i64, _operator: &str) -> Result<i64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        cancel(&tx, member_id)?;
        let id = queue(&tx, &[member_id], &now())?;
        tx.commit()?;
        Ok(id)
    }
}
