//! The import history and the audit log.

use super::SqliteStore;
use crate::error::StoreError;
use crate::store::shared::Original;
use crate::store::{AuditEvent, HistoryStore, ImportRecord, Timestamp, audit};
use rusqlite::{OptionalExtension, params};

const IMPORT_COLUMNS: &str = "id, status, operator, file_name, sha256, bytes, encoding, mode, options, \
     started_at, finished_at, summary, message";

impl HistoryStore for SqliteStore {
    fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        self.mark_interrupted_if_free()?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {IMPORT_COLUMNS} FROM imports ORDER BY id DESC"
        ))?;
        let rows = stmt.query_map([], Self::import_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn import(&self, id: i64) -> Result<Option<ImportRecord>, StoreError> {
        self.mark_interrupted_if_free()?;
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE id = ?1");
        Ok(self
            .conn
            .query_row(&sql, [id], Self::import_row)
            .optional()?)
    }

    fn import_original(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let stored: Option<(Option<Vec<u8>>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT o.bytes, o.codec FROM imports i \
                 LEFT JOIN import_originals o ON o.import_id = i.id WHERE i.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        stored
            .map(|(bytes, codec)| Original::decompress(codec.as_deref(), bytes.unwrap_or_default()))
            .transpose()
    }

    fn import_errors_csv(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        self.blob("SELECT errors_csv FROM imports WHERE id = ?1", id)
    }

    fn audit(
        &self,
        member: Option<i64>,
        import: Option<i64>,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let sql = "SELECT id, import_id, at, operator, members, data FROM audit_batches \
                   WHERE (?1 IS NULL OR import_id = ?1) ORDER BY id";
        let mut stmt = self.conn.prepare(sql)?;
        let mut rows = stmt.query(params![import])?;
        let mut events = Vec::new();
        while let Some(r) = rows.next()? {
            let first: i64 = r.get(0)?;
            let (import_id, at, operator): (Option<i64>, String, String) =
                (r.get(1)?, r.get(2)?, r.get(3)?);
            let at = time(at)?;
            if let Some(m) = member
                && !audit::names_member(r.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?, m)
            {
                continue;
            }
            let data = r.get_ref(5)?;
            let data = data.as_bytes().map_err(rusqlite::Error::from)?;
            let head = audit::BatchHead {
                first,
                import_id,
                at,
                operator: &operator,
            };
            audit::read_batch(head, data, member, &mut events)?;
        }
        Ok(events)
    }
}

impl SqliteStore {
    fn import_row(r: &rusqlite::Row) -> rusqlite::Result<ImportRecord> {
        let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        Ok(ImportRecord {
            id: r.get(0)?,
            status: r.get(1)?,
            operator: r.get(2)?,
            file_name: r.get(3)?,
            sha256: r.get(4)?,
            bytes: r.get::<_, i64>(5)? as u64,
            encoding: r.get(6)?,
            mode: r.get(7)?,
            options: json(r.get(8)?).unwrap_or(serde_json::Value::Null),
            started_at: time(r.get(9)?)?,
            finished_at: r.get::<_, Option<String>>(10)?.map(time).transpose()?,
            summary: json(r.get(11)?),
            message: r.get(12)?,
        })
    }

    fn blob(&self, sql: &str, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(sql, [id], |r| r.get::<_, Option<Vec<u8>>>(0))
            .optional()?
            .flatten())
    }
}

/// A stored time; text that is not one is a damaged store.
fn time(text: String) -> rusqlite::Result<Timestamp> {
    Timestamp::parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("not a time: {text:?}").into(),
        )
    })
}
