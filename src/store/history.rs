//! The import history and the audit log: an import's row (with its original bytes), its
//! failure, interrupted imports, and the reads of `roster history` and `roster log`.

use super::shared::Original;
use super::sql::{self, Backend, Begin, Row, Value, args};
use super::{AuditEvent, AuditQuery, ImportMeta, ImportRecord, Store, Timestamp, audit};
use crate::error::StoreError;

const IMPORT_COLUMNS: &str = "id, status, operator, file_name, sha256, bytes, encoding, mode, \
     options, started_at, finished_at, summary, message";

/// The time as stored: RFC 3339 text.
pub fn now() -> String {
    Timestamp::now().to_string()
}

/// A stored time; text that is not one is a damaged store.
fn time(text: String) -> Result<Timestamp, StoreError> {
    Timestamp::parse(&text).ok_or_else(|| sql::message(format!("not a time: {text:?}")))
}

fn import_row(mut r: Row) -> Result<ImportRecord, StoreError> {
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(ImportRecord {
        id: r.get(0)?,
        status: r.get(1)?,
        operator: r.get(2)?,
        file_name: r.get(3)?,
        sha256: r.get(4)?,
        bytes: r.get::<i64>(5)? as u64,
        encoding: r.get(6)?,
        mode: r.get(7)?,
        options: json(r.get(8)?).unwrap_or(serde_json::Value::Null),
        started_at: time(r.get(9)?)?,
        finished_at: r.get::<Option<String>>(10)?.map(time).transpose()?,
        summary: json(r.get(11)?),
        message: r.get(12)?,
    })
}

/// Stores audit batches, numbering their events after the last stored event (inside the
/// caller's transaction, which holds the write order).
pub fn insert_audit_batches(
    db: &dyn Backend,
    import_id: Option<i64>,
    at: &str,
    operator: &str,
    batches: Vec<audit::Batch>,
) -> Result<(), StoreError> {
    let mut next: i64 = sql::one(
        db,
        "SELECT coalesce((SELECT id + events FROM audit_batches ORDER BY id DESC LIMIT 1), 1)",
        &[],
    )?;
    for b in batches {
        let members = audit::encode_members(&b.members);
        db.execute(
            "INSERT INTO audit_batches (id, import_id, at, operator, events, members, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                next.into(),
                import_id.into(),
                at.into(),
                operator.into(),
                (b.events as i64).into(),
                members.into(),
                Value::Blob(b.data),
            ],
        )?;
        next += b.events as i64;
    }
    Ok(())
}

/// The codec of an original kept as a reference: the same bytes as the first earlier import
/// with the same `sha256` and size whose original is kept whole.
const SAME: &str = "same";

/// An original kept whole (compressed or not), not as a reference.
const KEPT_WHOLE: &str = "(o.codec IS NULL OR o.codec <> 'same')";

/// Whether an earlier import keeps an original of `bytes` bytes whole, with this SHA-256 when
/// one is given (`None`: of that size only).
fn kept_original(db: &dyn Backend, sha256: Option<&str>, bytes: usize) -> Result<bool, StoreError> {
    if bytes == 0 {
        return Ok(false);
    }
    let sql = format!(
        "SELECT i.id FROM imports i JOIN import_originals o ON o.import_id = i.id \
         WHERE (CAST($1 AS TEXT) IS NULL OR i.sha256 = $1) AND i.bytes = $2 AND {KEPT_WHOLE} \
         LIMIT 1"
    );
    Ok(sql::first(db, &sql, args![sha256, bytes as i64])?.is_some())
}

impl Store {
    /// Imports left `RUNNING` become `FAILED` (interrupted). Only called with the lock held,
    /// so none of them is really running.
    pub fn mark_interrupted(&self) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE imports SET status = 'FAILED', message = 'interrupted', finished_at = $1 \
             WHERE status = 'RUNNING'",
            args![now()],
        )?;
        Ok(())
    }

    /// For readers of the history: imports `RUNNING` while nobody holds the import lock were
    /// interrupted. Only looks at the lock when there is something to mark, and marks only
    /// what it saw before (an importer holds the lock from before its history row on).
    fn mark_interrupted_if_free(&self) -> Result<(), StoreError> {
        let running = sql::all(
            &*self.db,
            "SELECT id FROM imports WHERE status = 'RUNNING'",
            &[],
        )?;
        if running.is_empty() || !self.db.import_lock_free()? {
            return Ok(());
        }
        for mut r in running {
            self.db.execute(
                "UPDATE imports SET status = 'FAILED', message = 'interrupted', finished_at = $1 \
                 WHERE status = 'RUNNING' AND id = $2",
                args![now(), r.get::<i64>(0)?],
            )?;
        }
        Ok(())
    }

    /// An import's original bytes as history will keep them: compressed, or, for a file
    /// already kept whole by an earlier import (the nightly file that did not change), a
    /// reference to it, neither compressed nor stored again. Separate from [`Store::record_import`]
    /// so that the caller can let go of the bytes before the row is written.
    pub fn original_for(&self, sha256: &str, bytes: &[u8]) -> Result<Original, StoreError> {
        match kept_original(&*self.db, Some(sha256), bytes.len())? {
            true => Ok(Original::same()),
            false => Original::compress(bytes),
        }
    }

    /// Whether history keeps an original of exactly `bytes` bytes whole: a file of that size
    /// is most likely the same file again (the nightly file that did not change), which
    /// [`Store::original_for`] will not compress. A guess, for scheduling only.
    pub fn keeps_original_of_size(&self, bytes: usize) -> Result<bool, StoreError> {
        kept_original(&*self.db, None, bytes)
    }

    /// Records an import as started (`RUNNING`) with its original ([`Store::original_for`]);
    /// its id.
    pub fn record_import(
        &mut self,
        meta: &ImportMeta,
        original: Original,
    ) -> Result<i64, StoreError> {
        sql::transaction(&*self.db, Begin::Plain, |db| {
            let id: i64 = sql::one(
                db,
                "INSERT INTO imports (id, status, operator, file_name, sha256, bytes, encoding, \
                 mode, options, started_at) SELECT coalesce(max(id), 0) + 1, 'RUNNING', $1, $2, \
                 $3, $4, $5, $6, $7, $8 FROM imports RETURNING id",
                args![
                    meta.operator.as_str(),
                    meta.file_name.as_str(),
                    meta.sha256.as_str(),
                    meta.bytes as i64,
                    meta.encoding.as_str(),
                    meta.mode.as_str(),
                    meta.options.as_str(),
                    now()
                ],
            )?;
            db.execute(
                "INSERT INTO import_originals (import_id, codec, bytes) VALUES ($1, $2, $3)",
                &[
                    id.into(),
                    original.codec.into(),
                    Value::Blob(original.bytes),
                ],
            )?;
            Ok(id)
        })
    }

    /// Marks an import `FAILED` with its message and error report.
    pub fn fail_import(
        &mut self,
        import_id: i64,
        message: &str,
        summary: Option<&serde_json::Value>,
        errors_csv: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE imports SET status = 'FAILED', finished_at = $2, message = $3, summary = $4, \
             errors_csv = $5 WHERE id = $1",
            args![
                import_id,
                now(),
                message,
                summary.map(|s| s.to_string()),
                errors_csv
            ],
        )?;
        Ok(())
    }

    /// Keeps the error report of an import applied with `--skip-invalid`.
    pub fn set_import_errors(
        &mut self,
        import_id: i64,
        errors_csv: &[u8],
    ) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE imports SET errors_csv = $2 WHERE id = $1",
            args![import_id, errors_csv],
        )?;
        Ok(())
    }

    /// Every import, newest first.
    pub fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        self.mark_interrupted_if_free()?;
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports ORDER BY id DESC");
        sql::all(&*self.db, &sql, &[])?
            .into_iter()
            .map(import_row)
            .collect()
    }

    pub fn import(&self, id: i64) -> Result<Option<ImportRecord>, StoreError> {
        self.mark_interrupted_if_free()?;
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE id = $1");
        sql::first(&*self.db, &sql, args![id])?
            .map(import_row)
            .transpose()
    }

    pub fn import_original(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let sql = "SELECT o.bytes, o.codec FROM imports i \
                   LEFT JOIN import_originals o ON o.import_id = i.id WHERE i.id = $1";
        let Some(mut row) = sql::first(&*self.db, sql, args![id])? else {
            return Ok(None);
        };
        let (bytes, codec): (Option<Vec<u8>>, Option<String>) = (row.get(0)?, row.get(1)?);
        if codec.as_deref() == Some(SAME) {
            return self.earlier_original(id).map(Some);
        }
        Original::decompress(codec.as_deref(), bytes.unwrap_or_default()).map(Some)
    }

    /// The bytes of an original kept as [`SAME`]: those of the first import of the same file.
    fn earlier_original(&self, id: i64) -> Result<Vec<u8>, StoreError> {
        let sql = format!(
            "SELECT o.bytes, o.codec FROM imports i JOIN import_originals o ON o.import_id = i.id \
             JOIN imports this ON this.id = $1 WHERE i.sha256 = this.sha256 AND \
             i.bytes = this.bytes AND i.id < this.id AND {KEPT_WHOLE} ORDER BY i.id LIMIT 1"
        );
        let Some(mut row) = sql::first(&*self.db, &sql, args![id])? else {
            return Err(sql::message(format!(
                "the original of import {id} refers to an earlier import that is not there"
            )));
        };
        let (bytes, codec): (Vec<u8>, Option<String>) = (row.get(0)?, row.get(1)?);
        Original::decompress(codec.as_deref(), bytes)
    }

    pub fn import_errors_csv(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let sql = "SELECT errors_csv FROM imports WHERE id = $1";
        match sql::first(&*self.db, sql, args![id])? {
            Some(mut row) => row.get(0),
            None => Ok(None),
        }
    }

    /// The audit events `query` asks for, oldest first.
    pub fn audit(&self, query: AuditQuery) -> Result<Vec<AuditEvent>, StoreError> {
        let mut events = Vec::new();
        self.audit_newest_first(query, &mut |e| {
            events.push(e);
            Ok(())
        })?;
        events.reverse();
        Ok(events)
    }

    /// The audit events `query` asks for, newest first, handed to `each` one at a time. The
    /// batches are read newest first, 64 at a time, so `--limit 20` decodes only the newest and
    /// a whole log of a million events never holds more than one page. `each` runs between
    /// pages, so it may read the store itself.
    pub fn audit_newest_first(
        &self,
        query: AuditQuery,
        each: &mut dyn FnMut(AuditEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        const PAGE: usize = 64;
        let (mut found, mut before) = (0, i64::MAX);
        loop {
            let (mut rows, mut page) = (0, Vec::new());
            self.db.rows(
                "SELECT id, import_id, at, operator, members, data FROM audit_batches \
                 WHERE (CAST($1 AS BIGINT) IS NULL OR import_id = $1) AND id < $2 \
                 ORDER BY id DESC LIMIT 64",
                args![query.import, before],
                &mut |mut r| {
                    rows += 1;
                    before = r.get(0)?;
                    let at = time(r.get(2)?)?;
                    let members: String = r.get(4)?;
                    if query.since.is_none_or(|since| at >= since)
                        && query
                            .member
                            .is_none_or(|m| audit::names_member(&members, m))
                    {
                        let (import_id, operator) = (r.get(1)?, r.get::<String>(3)?);
                        page.push((before, import_id, at, operator, r.get::<Vec<u8>>(5)?));
                    }
                    Ok(())
                },
            )?;
            for (first, import_id, at, operator, data) in page {
                let head = audit::BatchHead {
                    first,
                    import_id,
                    at,
                    operator: &operator,
                };
                let mut events = Vec::new();
                audit::read_batch(head, &data, query.member, &mut events)?;
                for event in events.into_iter().rev() {
                    if query.newest.is_some_and(|n| found >= n) {
                        return Ok(());
                    }
                    found += 1;
                    each(event)?;
                }
            }
            if rows < PAGE || query.newest.is_some_and(|n| found >= n) {
                return Ok(());
            }
        }
    }
}
