//! The invitation outbox on PostgreSQL (SPEC §13), as the SQLite store's: queueing and
//! cancelling inside a member's transaction (which holds the generation row, so ids are
//! `max + 1` safely), and [`InvitationStore`].

use super::admin::{bump_generation, lock_generation};
use super::{PostgresStore, now, pg};
use crate::error::StoreError;
use crate::model::{Status, member_label};
use crate::plan::Plan;
use crate::store::ImportGuard;
use crate::store::audit::BatchWriter;
use crate::store::invitations::{
    Acceptance, Invitation, InvitationKeys, InvitationState, InvitationStore, queue_row,
};
use postgres::{GenericClient, Row, Transaction};

const SELECT: &str = "SELECT i.id, i.member_id, m.email, m.external_id, m.phone, m.first_name, \
     m.last_name, m.name, i.state, i.attempts, i.last_error, i.next_attempt_at, i.created_at, \
     i.sent_at, i.accepted_at FROM invitations i JOIN members m ON m.id = i.member_id";

fn invitation(r: &Row) -> Invitation {
    let (id, member_id): (i64, i64) = (r.get(0), r.get(1));
    let ids: [Option<&str>; 3] = [r.get(2), r.get(3), r.get(4)];
    let state: String = r.get(8);
    let attempts: i32 = r.get(9);
    Invitation {
        id,
        member_id,
        member: member_label(ids, member_id).into_owned(),
        email: ids[0].map(str::to_string),
        first_name: r.get(5),
        last_name: r.get(6),
        name: r.get(7),
        state: InvitationState::parse(&state).unwrap_or(InvitationState::Failed),
        attempts: attempts.max(0) as u32,
        last_error: r.get(10),
        next_attempt_at: r.get(11),
        created_at: r.get(12),
        sent_at: r.get(13),
        accepted_at: r.get(14),
    }
}

/// The store's keys, created on first use.
pub fn keys(client: &mut impl GenericClient) -> Result<InvitationKeys, StoreError> {
    let read = |client: &mut dyn FnMut() -> Result<Option<Row>, postgres::Error>| {
        client().map(|row| {
            row.map(|r| InvitationKeys {
                store_id: r.get(0),
                secret: r.get(1),
            })
        })
    };
    let sql = "SELECT store_id, secret FROM invitation_keys WHERE id = 1";
    if let Some(keys) = read(&mut || client.query_opt(sql, &[])).map_err(pg)? {
        return Ok(keys);
    }
    let new = InvitationKeys::generate()?;
    client
        .execute(
            "INSERT INTO invitation_keys (id, store_id, secret) VALUES (1, $1, $2) \
             ON CONFLICT DO NOTHING",
            &[&new.store_id, &new.secret],
        )
        .map_err(pg)?;
    Ok(read(&mut || client.query_opt(sql, &[]))
        .map_err(pg)?
        .unwrap_or(new))
}

/// Queues one `PENDING` invitation per member, in one statement; returns the last id.
pub fn queue(tx: &mut Transaction, members: &[i64], at: &str) -> Result<i64, StoreError> {
    if members.is_empty() {
        return Ok(0);
    }
    let keys = keys(tx)?;
    let first: i64 = tx
        .query_one("SELECT coalesce(max(id), 0) + 1 FROM invitations", &[])
        .map_err(pg)?
        .get(0);
    let rows: Vec<_> = (first..)
        .zip(members)
        .map(|(id, &m)| queue_row(&keys, id, m, at))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let hashes: Vec<&str> = rows.iter().map(|r| r.token_hash.as_str()).collect();
    tx.execute(
        "INSERT INTO invitations (id, member_id, token_hash, state, created_at) \
         SELECT * , 'PENDING', $4 FROM unnest($1::bigint[], $2::bigint[], $3::text[])",
        &[&ids, &members, &hashes, &at],
    )
    .map_err(pg)?;
    Ok(first + members.len() as i64 - 1)
}

/// Cancels the `PENDING` invitations of these members.
pub fn cancel(tx: &mut Transaction, members: &[i64]) -> Result<(), StoreError> {
    if !members.is_empty() {
        tx.execute(
            "UPDATE invitations SET state = 'CANCELLED' \
             WHERE member_id = ANY($1) AND state = 'PENDING'",
            &[&members],
        )
        .map_err(pg)?;
    }
    Ok(())
}

/// An import's invitations (see the SQLite store's `apply_plan`).
pub fn apply_plan(
    tx: &mut Transaction,
    plan: &Plan,
    member_ids: &[i64],
    at: &str,
) -> Result<(), StoreError> {
    let (invited, stopped) = crate::store::invitations::plan_members(plan, member_ids);
    cancel(tx, &stopped)?;
    queue(tx, &invited, at)?;
    Ok(())
}

/// A status change outside an import: queue on becoming `INVITED`, cancel on leaving it.
pub fn on_status(
    tx: &mut Transaction,
    member: i64,
    old: &str,
    new: Status,
    at: &str,
) -> Result<(), StoreError> {
    match new {
        Status::Invited if old != Status::Invited.as_str() => {
            queue(tx, &[member], at)?;
        }
        Status::Invited | Status::Provisioned => {}
        _ => cancel(tx, &[member])?,
    }
    Ok(())
}

impl InvitationStore for PostgresStore {
    fn invitations(&self, state: Option<InvitationState>) -> Result<Vec<Invitation>, StoreError> {
        let sql = format!("{SELECT} WHERE $1::text IS NULL OR i.state = $1 ORDER BY i.id");
        let rows = self
            .conn()?
            .query(&sql, &[&state.map(|s| s.as_str())])
            .map_err(pg)?;
        Ok(rows.iter().map(invitation).collect())
    }

    fn due_invitations(&self, at: Option<&str>, limit: u64) -> Result<Vec<Invitation>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE i.state = 'PENDING' AND ($1::text IS NULL \
             OR i.next_attempt_at IS NULL OR i.next_attempt_at <= $1) ORDER BY i.id LIMIT $2"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.conn()?.query(&sql, &[&at, &limit]).map_err(pg)?;
        Ok(rows.iter().map(invitation).collect())
    }

    fn is_pending(&self, id: i64) -> Result<bool, StoreError> {
        let row = self
            .conn()?
            .query_opt("SELECT state FROM invitations WHERE id = $1", &[&id])
            .map_err(pg)?;
        Ok(row.is_some_and(|r| r.get::<_, &str>(0) == "PENDING"))
    }

    fn invitation_keys(&mut self) -> Result<InvitationKeys, StoreError> {
        keys(&mut *self.conn()?)
    }

    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = self
            .conn()?
            .query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
            .map_err(pg)?;
        Ok(row.map(|r| r.get(0)))
    }

    fn try_lock_sender(&self) -> Result<ImportGuard, StoreError> {
        Ok(ImportGuard::new(super::PgImportLock::try_acquire_sender(
            &self.target,
        )?))
    }

    fn mark_sent(&mut self, id: i64, message_id: &str) -> Result<(), StoreError> {
        self.mark(
            "UPDATE invitations SET state = 'SENT', sent_at = $2, message_id = $3, \
             attempts = attempts + 1 WHERE id = $1 AND state = 'PENDING'",
            &[&id, &now(), &message_id],
        )
    }

    fn mark_retry(&mut self, id: i64, error: &str, next: &str) -> Result<(), StoreError> {
        self.mark(
            "UPDATE invitations SET attempts = attempts + 1, last_error = $2, \
             next_attempt_at = $3 WHERE id = $1 AND state = 'PENDING'",
            &[&id, &error, &next],
        )
    }

    fn mark_failed(&mut self, id: i64, error: &str) -> Result<(), StoreError> {
        self.mark(
            "UPDATE invitations SET state = 'FAILED', attempts = attempts + 1, last_error = $2 \
             WHERE id = $1 AND state = 'PENDING'",
            &[&id, &error],
        )
    }

    fn accept_token(&mut self, token_hash: &str, operator: &str) -> Result<Acceptance, StoreError> {
        let mut client = self.conn()?;
        let mut tx = client.transaction().map_err(pg)?;
        lock_generation(&mut tx)?;
        let sql = format!("{SELECT} WHERE i.token_hash = $1");
        let Some(row) = tx.query_opt(&sql, &[&token_hash]).map_err(pg)? else {
            return Ok(Acceptance::Unknown);
        };
        let found = invitation(&row);
        let status: String = tx
            .query_one(
                "SELECT status FROM members WHERE id = $1",
                &[&found.member_id],
            )
            .map_err(pg)?
            .get(0);
        if let Some(refusal) = crate::store::invitations::refusal(&found, &status) {
            return Ok(refusal);
        }
        let at = now();
        tx.execute(
            "UPDATE members SET status = 'ACTIVE', prior_status = NULL, updated_at = $2 WHERE id = $1",
            &[&found.member_id, &at],
        )
        .map_err(pg)?;
        tx.execute(
            "UPDATE invitations SET accepted_at = $2, \
             state = CASE state WHEN 'PENDING' THEN 'SENT' ELSE state END WHERE id = $1",
            &[&found.id, &at],
        )
        .map_err(pg)?;
        cancel(&mut tx, &[found.member_id])?;
        let mut audit = BatchWriter::default();
        audit.push(
            found.member_id,
            &found.member,
            "accept",
            serde_json::json!({"fields": {"status": {"old": status, "new": "ACTIVE"}}}),
        )?;
        super::apply::insert_audit_batches(&mut tx, None, &at, operator, &audit.finish()?)?;
        bump_generation(&mut tx)?;
        tx.commit().map_err(pg)?;
        Ok(Acceptance::Accepted {
            member: found.member,
        })
    }

    fn resend(&mut self, member_id: i64, _operator: &str) -> Result<i64, StoreError> {
        let mut client = self.conn()?;
        let mut tx = client.transaction().map_err(pg)?;
        lock_generation(&mut tx)?;
        cancel(&mut tx, &[member_id])?;
        let id = queue(&mut tx, &[member_id], &now())?;
        tx.commit().map_err(pg)?;
        Ok(id)
    }
}

impl PostgresStore {
    fn mark(
        &mut self,
        sql: &str,
        args: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<(), StoreError> {
        self.conn()?.execute(sql, args).map_err(pg)?;
        Ok(())
    }
}
