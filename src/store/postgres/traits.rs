//! The store interfaces (`ImportStore`, `HistoryStore`, `AdminStore`, `Store`) on a
//! PostgreSQL store: wiring only, each method one call into the file that does the job.

use super::PostgresStore;
use crate::columns::Catalog;
use crate::error::StoreError;
use crate::model::Status;
use crate::plan::Plan;
use crate::store::shared::Original;
use crate::store::{
    AdminStore, AuditEvent, HistoryStore, ImportGuard, ImportMeta, ImportRecord, ImportStore, Kind,
    MemberRecord, MemberVisitor, Settings, Snapshot, StateChange, Store,
};

impl ImportStore for PostgresStore {
    fn snapshot(&self) -> Result<Snapshot, StoreError> {
        self.read_snapshot()
    }
    fn definitions(&self) -> Result<(Catalog, Settings), StoreError> {
        self.read_definitions()
    }
    fn reopen(&self) -> Result<Box<dyn ImportStore>, StoreError> {
        Ok(Box::new(self.second()?))
    }
    fn try_lock(&self) -> Result<ImportGuard, StoreError> {
        Ok(ImportGuard::new(self.take_lock()?))
    }
    fn mark_interrupted(&self) -> Result<(), StoreError> {
        self.mark_interrupted_ids(None)
    }
    fn begin_import(&mut self, meta: &ImportMeta, original: &Original) -> Result<i64, StoreError> {
        self.insert_import(meta, original)
    }
    fn apply(
        &mut self,
        import_id: i64,
        plan: &Plan,
        snapshot: &Snapshot,
        summary: &serde_json::Value,
        operator: &str,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), StoreError> {
        self.apply_plan(import_id, plan, snapshot, summary, operator, progress)
    }
    fn fail_import(
        &mut self,
        import_id: i64,
        message: &str,
        summary: Option<&serde_json::Value>,
        errors_csv: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        self.record_failure(import_id, message, summary, errors_csv)
    }
    fn set_import_errors(&mut self, import_id: i64, errors_csv: &[u8]) -> Result<(), StoreError> {
        self.store_import_errors(import_id, errors_csv)
    }
}

impl HistoryStore for PostgresStore {
    fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        self.list_imports()
    }
    fn import(&self, id: i64) -> Result<Option<ImportRecord>, StoreError> {
        self.get_import(id)
    }
    fn import_original(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        self.original_of(id)
    }
    fn import_errors_csv(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        self.errors_csv_of(id)
    }
    fn audit(
        &self,
        member: Option<i64>,
        import: Option<i64>,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        self.read_audit(member, import)
    }
}

impl AdminStore for PostgresStore {
    fn find_member(&self, id: &str) -> Result<Option<MemberRecord>, StoreError> {
        self.find_member_by(id)
    }
    fn count_members(&self, statuses: &[Status]) -> Result<u64, StoreError> {
        self.count_by_status(statuses)
    }
    fn missing_marks(&self) -> Result<crate::snapshot::Marks, StoreError> {
        super::marks::load(&mut *self.conn()?)
    }
    fn set_member_states(
        &mut self,
        changes: &[StateChange],
        operator: &str,
    ) -> Result<(), StoreError> {
        self.write_member_states(changes, operator)
    }
    fn each_member(
        &self,
        statuses: &[Status],
        visit: &mut MemberVisitor,
    ) -> Result<(), StoreError> {
        self.visit_members(statuses, visit)
    }
    fn settings(&self) -> Result<Settings, StoreError> {
        Ok(self.read_definitions()?.1)
    }
    fn set_setting(
        &mut self,
        key: &str,
        value: Option<&str>,
        operator: &str,
    ) -> Result<(), StoreError> {
        self.write_setting(key, value, operator)
    }
    fn add_label(&mut self, slug: &str, operator: &str) -> Result<bool, StoreError> {
        self.insert_label(slug, operator)
    }
    fn remove_label(&mut self, slug: &str, operator: &str) -> Result<bool, StoreError> {
        self.delete_label(slug, operator)
    }
    fn add_form_field(&mut self, key: &str, operator: &str) -> Result<bool, StoreError> {
        self.insert_form_field(key, operator)
    }
    fn remove_form_field(&mut self, key: &str, operator: &str) -> Result<bool, StoreError> {
        self.delete_form_field(key, operator)
    }
}

impl Store for PostgresStore {
    fn kind(&self) -> Kind<'_> {
        Kind::Postgres(self)
    }
}
