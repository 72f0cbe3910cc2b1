//! Administrative writes (member states, settings, definitions) and `roster backup`.

use super::{SqliteStore, now};
use crate::error::StoreError;
use crate::model::{Status, member_label};
use crate::store::shared::Definition;
use crate::store::{AdminStore, MemberRecord, MemberVisitor, Settings, StateChange, audit};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::Path;

impl AdminStore for SqliteStore {
    fn find_member(&self, id: &str) -> Result<Option<MemberRecord>, StoreError> {
        self.find_member_by(id)
    }

    fn count_members(&self, statuses: &[Status]) -> Result<u64, StoreError> {
        self.count_by_status(statuses)
    }

    fn missing_marks(&self) -> Result<crate::snapshot::Marks, StoreError> {
        super::marks::load(&self.conn)
    }

    fn set_member_states(
        &mut self,
        changes: &[StateChange],
        operator: &str,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let at = now();
        let mut audit = audit::BatchWriter::default();
        for c in changes {
            type Ids = [Option<String>; 3];
            let (old_status, old_protected, ids): (String, bool, Ids) = tx.query_row(
                "SELECT status, protected, email, external_id, phone FROM members WHERE id = ?1",
                [c.member_id],
                |r| Ok((r.get(0)?, r.get(1)?, [r.get(2)?, r.get(3)?, r.get(4)?])),
            )?;
            let label = member_label(ids.each_ref().map(Option::as_deref), c.member_id);
            tx.prepare_cached(
                "UPDATE members SET status = ?2, prior_status = ?3, protected = ?4, updated_at = ?5 WHERE id = ?1",
            )?
            .execute(params![c.member_id, c.status.as_str(), c.prior.map(|p| p.as_str()), c.protected, at])?;
            super::invitations::on_status(&tx, c.member_id, &old_status, c.status, &at)?;
            let changes = crate::store::shared::state_change_audit(&old_status, old_protected, c);
            audit.push(c.member_id, &label, c.action, changes)?;
        }
        super::apply::insert_audit_batches(&tx, None, &at, operator, &audit.finish()?)?;
        Self::bump_generation(&tx)?;
        tx.commit()?;
        Ok(())
    }

    fn each_member(
        &self,
        statuses: &[Status],
        visit: &mut MemberVisitor,
    ) -> Result<(), StoreError> {
        self.visit_members(statuses, visit)
    }

    fn settings(&self) -> Result<Settings, StoreError> {
        self.read_settings()
    }

    fn set_setting(
        &mut self,
        key: &str,
        value: Option<&str>,
        operator: &str,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let old: Option<String> = tx
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?;
        match value {
            Some(v) => tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, v],
            )?,
            None => tx.execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
        if old.as_deref() != value {
            let change = Definition::setting(key, old.as_deref(), value);
            super::apply::insert_audit_batches(&tx, None, &now(), operator, &change.audit()?)?;
        }
        Self::bump_generation(&tx)?;
        tx.commit()?;
        Ok(())
    }

    fn add_label(&mut self, slug: &str, operator: &str) -> Result<bool, StoreError> {
        let sql = "INSERT OR IGNORE INTO labels (slug) VALUES (?1)";
        self.definition(sql, Definition::label(true, slug), operator)
    }
    fn remove_label(&mut self, slug: &str, operator: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM labels WHERE slug = ?1";
        self.definition(sql, Definition::label(false, slug), operator)
    }
    fn add_form_field(&mut self, key: &str, operator: &str) -> Result<bool, StoreError> {
        let sql = "INSERT OR IGNORE INTO form_fields (key) VALUES (?1)";
        self.definition(sql, Definition::form_field(true, key), operator)
    }
    fn remove_form_field(&mut self, key: &str, operator: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM form_fields WHERE key = ?1";
        self.definition(sql, Definition::form_field(false, key), operator)
    }
}

impl SqliteStore {
    /// SQLite's online backup, all pages in one step: one read transaction, so the copy is
    /// one committed state (WAL lets writers go on meanwhile). The copy is a single file in
    /// rollback-journal mode; roster turns it back to WAL when it opens it as a store.
    pub fn backup(&self, dest: &Path) -> Result<(), StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        let mut copy = Connection::open_with_flags(dest, flags)?;
        rusqlite::backup::Backup::new(&self.conn, &mut copy)?.run_to_completion(
            i32::MAX,
            std::time::Duration::from_millis(50),
            None,
        )?;
        copy.pragma_update(None, "journal_mode", "DELETE")?;
        copy.close().map_err(|(_, e)| e)?;
        Ok(())
    }

    /// One definition write (`sql` with the label or form field as `?1`), its audit event
    /// when it changed something, and the generation bump, in one transaction.
    fn definition(
        &mut self,
        sql: &str,
        change: Definition,
        operator: &str,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let name = change.new.or(change.old).unwrap_or_default();
        let changed = tx.execute(sql, [name])? > 0;
        if changed {
            super::apply::insert_audit_batches(&tx, None, &now(), operator, &change.audit()?)?;
        }
        Self::bump_generation(&tx)?;
        tx.commit()?;
        Ok(changed)
    }
}
