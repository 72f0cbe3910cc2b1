//! Writes outside an import: members' states (`roster members ...`, `roster invite`), settings,
//! labels and form fields. Each is one transaction that first locks the generation row, so it
//! orders with imports exactly as SQLite's write lock does, and bumps the generation.

use super::now;
use super::{PostgresStore, pg};
use crate::error::StoreError;
use crate::model::member_label;
use crate::store::StateChange;
use crate::store::audit::BatchWriter;
use crate::store::shared::Definition;
use postgres::Transaction;

/// Locks the generation row: the store's one write order, shared with `apply`.
pub fn lock_generation(tx: &mut Transaction) -> Result<i64, StoreError> {
    Ok(tx
        .query_one(
            "SELECT value FROM meta WHERE key = 'generation' FOR UPDATE",
            &[],
        )
        .map_err(pg)?
        .get(0))
}

pub fn bump_generation(tx: &mut Transaction) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE meta SET value = value + 1 WHERE key = 'generation'",
        &[],
    )
    .map_err(pg)?;
    Ok(())
}

impl PostgresStore {
    pub(super) fn write_member_states(
        &mut self,
        changes: &[StateChange],
        operator: &str,
    ) -> Result<(), StoreError> {
        let mut client = self.conn()?;
        let mut tx = client.transaction().map_err(pg)?;
        lock_generation(&mut tx)?;
        let at = now();
        let mut audit = BatchWriter::default();
        let read = tx
            .prepare(
                "SELECT status, protected, email, external_id, phone FROM members WHERE id = $1",
            )
            .map_err(pg)?;
        let write = tx
            .prepare(
                "UPDATE members SET status = $2, prior_status = $3, protected = $4, \
                 updated_at = $5 WHERE id = $1",
            )
            .map_err(pg)?;
        for c in changes {
            let row = tx.query_one(&read, &[&c.member_id]).map_err(pg)?;
            let (old_status, old_protected): (String, bool) = (row.get(0), row.get(1));
            let ids: [Option<&str>; 3] = [row.get(2), row.get(3), row.get(4)];
            let label = member_label(ids, c.member_id);
            let prior = c.prior.map(|p| p.as_str());
            tx.execute(
                &write,
                &[&c.member_id, &c.status.as_str(), &prior, &c.protected, &at],
            )
            .map_err(pg)?;
            super::invitations::on_status(&mut tx, c.member_id, &old_status, c.status, &at)?;
            let changes = crate::store::shared::state_change_audit(&old_status, old_protected, c);
            audit.push(c.member_id, &label, c.action, changes)?;
        }
        super::apply::insert_audit_batches(&mut tx, None, &at, operator, &audit.finish()?)?;
        bump_generation(&mut tx)?;
        tx.commit().map_err(pg)?;
        Ok(())
    }

    pub(super) fn write_setting(
        &mut self,
        key: &str,
        value: Option<&str>,
        operator: &str,
    ) -> Result<(), StoreError> {
        let mut client = self.conn()?;
        let mut tx = client.transaction().map_err(pg)?;
        lock_generation(&mut tx)?;
        let old: Option<String> = tx
            .query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
            .map_err(pg)?
            .map(|r| r.get(0));
        match value {
            Some(v) => tx.execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&key, &v],
            ),
            None => tx.execute("DELETE FROM settings WHERE key = $1", &[&key]),
        }
        .map_err(pg)?;
        if old.as_deref() != value {
            let change = Definition::setting(key, old.as_deref(), value);
            super::apply::insert_audit_batches(&mut tx, None, &now(), operator, &change.audit()?)?;
        }
        bump_generation(&mut tx)?;
        tx.commit().map_err(pg)?;
        Ok(())
    }

    pub(super) fn insert_label(&mut self, slug: &str, operator: &str) -> Result<bool, StoreError> {
        let sql = "INSERT INTO labels (slug) VALUES ($1) ON CONFLICT DO NOTHING";
        self.definition(sql, Definition::label(true, slug), operator)
    }
    pub(super) fn delete_label(&mut self, slug: &str, operator: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM labels WHERE slug = $1";
        self.definition(sql, Definition::label(false, slug), operator)
    }
    pub(super) fn insert_form_field(
        &mut self,
        key: &str,
        operator: &str,
    ) -> Result<bool, StoreError> {
        let sql = "INSERT INTO form_fields (key) VALUES ($1) ON CONFLICT DO NOTHING";
        self.definition(sql, Definition::form_field(true, key), operator)
    }
    pub(super) fn delete_form_field(
        &mut self,
        key: &str,
        operator: &str,
    ) -> Result<bool, StoreError> {
        let sql = "DELETE FROM form_fields WHERE key = $1";
        self.definition(sql, Definition::form_field(false, key), operator)
    }

    /// One definition write (`sql` with the label or form field as `$1`), its audit event when
    /// it changed something, and the generation bump (always, as on SQLite), together.
    fn definition(
        &mut self,
        sql: &str,
        change: Definition,
        operator: &str,
    ) -> Result<bool, StoreError> {
        let mut client = self.conn()?;
        let mut tx = client.transaction().map_err(pg)?;
        lock_generation(&mut tx)?;
        let name = change.new.or(change.old).unwrap_or_default();
        let changed = tx.execute(sql, &[&name]).map_err(pg)? > 0;
        if changed {
            super::apply::insert_audit_batches(&mut tx, None, &now(), operator, &change.audit()?)?;
        }
        bump_generation(&mut tx)?;
        tx.commit().map_err(pg)?;
        Ok(changed)
    }
}
