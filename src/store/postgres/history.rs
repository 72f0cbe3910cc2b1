//! The import history and the audit log: rows and bytes exactly as the SQLite store keeps them
//! (times and JSON as text, originals zstd-compressed, audit events in batches).

use super::now;
use super::{PgImportLock, PostgresStore, lock, pg};
use crate::error::StoreError;
use crate::store::audit;
use crate::store::shared::Original;
use crate::store::{AuditEvent, ImportMeta, ImportRecord, Timestamp};
use postgres::fallible_iterator::FallibleIterator;

const IMPORT_COLUMNS: &str = "id, status, operator, file_name, sha256, bytes, encoding, mode, \
     options, started_at, finished_at, summary, message";

/// A stored time, which must be RFC 3339.
fn time(text: &str) -> Result<Timestamp, StoreError> {
    Timestamp::parse(text).ok_or_else(|| super::other(format!("invalid stored time '{text}'")))
}

fn import_row(r: &postgres::Row) -> Result<ImportRecord, StoreError> {
    let json = |s: Option<&str>| s.and_then(|s| serde_json::from_str(s).ok());
    Ok(ImportRecord {
        id: r.get(0),
        status: r.get(1),
        operator: r.get(2),
        file_name: r.get(3),
        sha256: r.get(4),
        bytes: r.get::<_, i64>(5) as u64,
        encoding: r.get(6),
        mode: r.get(7),
        options: json(r.get(8)).unwrap_or(serde_json::Value::Null),
        started_at: time(r.get(9))?,
        finished_at: r.get::<_, Option<&str>>(10).map(time).transpose()?,
        summary: json(r.get(11)),
        message: r.get(12),
    })
}

impl PostgresStore {
    /// Takes the import lock, on a connection of its own.
    pub(super) fn take_lock(&self) -> Result<PgImportLock, StoreError> {
        PgImportLock::try_acquire(&self.target)
    }

    /// Imports left `RUNNING` by a killed process become `FAILED` (interrupted): all of them
    /// (under the import lock), or only `ids`.
    pub(super) fn mark_interrupted_ids(&self, ids: Option<&[i64]>) -> Result<(), StoreError> {
        self.conn()?
            .execute(
                "UPDATE imports SET status = 'FAILED', message = 'interrupted', finished_at = $1 \
                 WHERE status = 'RUNNING' AND ($2::bigint[] IS NULL OR id = ANY($2))",
                &[&now(), &ids],
            )
            .map_err(pg)?;
        Ok(())
    }

    /// For readers of the history: imports `RUNNING` while nobody holds the import lock were
    /// interrupted. The lock is looked at, never taken, so no import is refused meanwhile.
    fn mark_interrupted_if_free(&self) -> Result<(), StoreError> {
        let running: Vec<i64> = {
            let mut client = self.conn()?;
            let ids = client
                .query("SELECT id FROM imports WHERE status = 'RUNNING'", &[])
                .map_err(pg)?
                .iter()
                .map(|r| r.get(0))
                .collect::<Vec<i64>>();
            if ids.is_empty() || lock::is_held(&mut client, &self.session)? {
                return Ok(());
            }
            ids
        };
        // Each was RUNNING before the lock was seen free: its importer no longer runs (an
        // importer holds the lock from before its history row until after its last write).
        self.mark_interrupted_ids(Some(&running))
    }

    pub(super) fn insert_import(
        &mut self,
        meta: &ImportMeta,
        original: &Original,
    ) -> Result<i64, StoreError> {
        let mut client = self.conn()?;
        let mut tx = client.transaction().map_err(pg)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO imports (id, status, operator, file_name, sha256, bytes, encoding, \
                 mode, options, started_at) SELECT coalesce(max(id), 0) + 1, 'RUNNING', $1, $2, \
                 $3, $4, $5, $6, $7, $8 FROM imports RETURNING id",
                &[
                    &meta.operator,
                    &meta.file_name,
                    &meta.sha256,
                    &(meta.bytes as i64),
                    &meta.encoding,
                    &meta.mode,
                    &meta.options,
                    &now(),
                ],
            )
            .map_err(pg)?
            .get(0);
        tx.execute(
            "INSERT INTO import_originals (import_id, codec, bytes) VALUES ($1, $2, $3)",
            &[&id, &original.codec, &original.bytes],
        )
        .map_err(pg)?;
        tx.commit().map_err(pg)?;
        Ok(id)
    }

    pub(super) fn record_failure(
        &mut self,
        import_id: i64,
        message: &str,
        summary: Option<&serde_json::Value>,
        errors_csv: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        self.conn()?
            .execute(
                "UPDATE imports SET status = 'FAILED', finished_at = $2, message = $3, \
                 summary = $4, errors_csv = $5 WHERE id = $1",
                &[
                    &import_id,
                    &now(),
                    &message,
                    &summary.map(|s| s.to_string()),
                    &errors_csv,
                ],
            )
            .map_err(pg)?;
        Ok(())
    }

    pub(super) fn store_import_errors(
        &mut self,
        import_id: i64,
        errors_csv: &[u8],
    ) -> Result<(), StoreError> {
        self.conn()?
            .execute(
                "UPDATE imports SET errors_csv = $2 WHERE id = $1",
                &[&import_id, &errors_csv],
            )
            .map_err(pg)?;
        Ok(())
    }

    pub(super) fn list_imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        self.mark_interrupted_if_free()?;
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports ORDER BY id DESC");
        let rows = self.conn()?.query(&sql, &[]).map_err(pg)?;
        rows.iter().map(import_row).collect()
    }

    pub(super) fn get_import(&self, id: i64) -> Result<Option<ImportRecord>, StoreError> {
        self.mark_interrupted_if_free()?;
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE id = $1");
        let row = self.conn()?.query_opt(&sql, &[&id]).map_err(pg)?;
        row.as_ref().map(import_row).transpose()
    }

    pub(super) fn original_of(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self
            .conn()?
            .query_opt(
                "SELECT o.bytes, o.codec FROM imports i \
                 LEFT JOIN import_originals o ON o.import_id = i.id WHERE i.id = $1",
                &[&id],
            )
            .map_err(pg)?;
        let Some(row) = row else { return Ok(None) };
        let (bytes, codec): (Option<Vec<u8>>, Option<&str>) = (row.get(0), row.get(1));
        Ok(Some(Original::decompress(
            codec,
            bytes.unwrap_or_default(),
        )?))
    }

    pub(super) fn errors_csv_of(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self
            .conn()?
            .query_opt("SELECT errors_csv FROM imports WHERE id = $1", &[&id])
            .map_err(pg)?;
        Ok(row.and_then(|r| r.get::<_, Option<Vec<u8>>>(0)))
    }

    pub(super) fn read_audit(
        &self,
        member: Option<i64>,
        import: Option<i64>,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let mut client = self.conn()?;
        let mut rows = client
            .query_raw(
                "SELECT id, import_id, at, operator, members, data FROM audit_batches \
                 WHERE ($1::bigint IS NULL OR import_id = $1) ORDER BY id",
                [&import],
            )
            .map_err(pg)?;
        let mut events = Vec::new();
        while let Some(r) = rows.next().map_err(pg)? {
            let first: i64 = r.get(0);
            if let Some(m) = member
                && !audit::names_member(r.get(4), m)
            {
                continue;
            }
            let (import_id, at, operator): (Option<i64>, Timestamp, String) =
                (r.get(1), time(r.get(2))?, r.get(3));
            let head = audit::BatchHead {
                first,
                import_id,
                at,
                operator: &operator,
            };
            audit::read_batch(head, r.get(5), member, &mut events)?;
        }
        Ok(events)
    }
}
