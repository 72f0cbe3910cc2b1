//! The SQLite store: the only SQL in the crate.
//!
//! Durability: WAL journal (readers keep reading while an import applies) with
//! `synchronous = FULL` (a committed import survives a power cut, not only a crash).

mod keys;

use super::audit::{self, BatchWriter};
use super::{
    AuditEvent, ImportLock, ImportMeta, ImportRecord, MemberVisitor, Settings, Snapshot,
    StateChange, Store, Team, schema,
};
use crate::columns::Catalog;
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Field, Member, Role, Status, Values, email_key, member_label};
use crate::plan::{Change, Key, Plan};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

const MEMBER_COLUMNS: &str = "id, email, external_id, phone, first_name, last_name, name, job_title, \
     date_of_birth, description, labels, notify_email, notify_sms, notify_voice, organization_role, \
     forms, status, prior_status, protected";

impl SqliteStore {
    /// Opens (creating and migrating) the store at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let open_err = |e: &dyn std::fmt::Display| StoreError::Open {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        // NO_MUTEX: a connection is used by one thread at a time (rusqlite's default, which
        // explicit flags must repeat); full-mutex mode cost ~9% of a no-op sync in locking.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| open_err(&e))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| open_err(&e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| open_err(&e))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| open_err(&e))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| open_err(&e))?;
        // 64 MiB of page cache (SQLite's default is 2 MiB): a large import otherwise spills
        // pages to the WAL in the middle of its transaction.
        conn.pragma_update(None, "cache_size", CACHE_KIB)
            .map_err(|e| open_err(&e))?;
        schema::migrate(&mut conn, &path.display().to_string()).map_err(|e| match e {
            StoreError::Sql(e) => open_err(&e),
            other => other,
        })?;
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Imports left `RUNNING` by a killed process become `FAILED` (interrupted).
    /// Only called while holding the import lock, so none of them is really running.
    fn mark_interrupted(&self) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE imports SET status = 'FAILED', message = 'interrupted', finished_at = ?1 \
             WHERE status = 'RUNNING'",
            [now()],
        )?;
        Ok(())
    }

    /// Marks interrupted imports for readers of the history. Only touches the import lock when
    /// there is something to mark: a reader holding it even briefly makes an import that starts
    /// at that instant fail with exit 5.
    fn mark_interrupted_if_free(&self) -> Result<(), StoreError> {
        let running: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM imports WHERE status = 'RUNNING')",
            [],
            |r| r.get(0),
        )?;
        if running && let Ok(_lock) = ImportLock::try_acquire(&self.path) {
            self.mark_interrupted()?;
        }
        Ok(())
    }

    fn settings(&self) -> Result<Settings, StoreError> {
        let mut stmt = self.conn.prepare("SELECT key, value FROM settings")?;
        let mut s = Settings::default();
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (k, v) = row?;
            match k.as_str() {
                "seat-limit" => s.seat_limit = v.parse().ok(),
                "max-rows" => s.max_rows = v.parse().ok(),
                "max-bytes" => s.max_bytes = v.parse().ok(),
                "max-deactivations" => s.max_deactivations = Some(v),
                _ => {}
            }
        }
        Ok(s)
    }

    fn strings(&self, sql: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn generation(conn: &Connection) -> Result<i64, StoreError> {
        Ok(
            conn.query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| {
                r.get(0)
            })?,
        )
    }

    fn bump_generation(conn: &Connection) -> Result<(), StoreError> {
        conn.execute(
            "UPDATE meta SET value = value + 1 WHERE key = 'generation'",
            [],
        )?;
        Ok(())
    }

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
            started_at: r.get(9)?,
            finished_at: r.get(10)?,
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

fn member_from_row(r: &rusqlite::Row) -> rusqlite::Result<Member> {
    let mut texts: [Option<rusqlite::types::ValueRef>; FIELD_COUNT] = Default::default();
    for (i, v) in texts.iter_mut().enumerate() {
        *v = Some(r.get_ref(i + 1)?);
    }
    let values =
        Values::from_fn(|f| texts[f.index()].and_then(|v| v.as_str_or_null().ok().flatten()));
    // Borrowed, not copied into Strings: a snapshot reads a million rows.
    let text = |i: usize| -> rusqlite::Result<Option<&str>> {
        Ok(r.get_ref(i)?.as_str_or_null().ok().flatten())
    };
    Ok(Member {
        id: r.get(0)?,
        values,
        forms: text(FIELD_COUNT + 1)?
            .and_then(|f| serde_json::from_str(f).ok())
            .unwrap_or_default(),
        status: text(FIELD_COUNT + 2)?
            .and_then(|s| s.parse().ok())
            .unwrap_or(Status::Provisioned),
        prior_status: text(FIELD_COUNT + 3)?.and_then(|p| p.parse().ok()),
        protected: r.get(FIELD_COUNT + 4)?,
    })
}

impl Store for SqliteStore {
    fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let generation = Self::generation(&tx)?;
        let mut stmt = tx.prepare(&format!("SELECT {MEMBER_COLUMNS} FROM members ORDER BY id"))?;
        // Sized up front: growing a vector of a million members would briefly hold it twice.
        let count: i64 = tx.query_row("SELECT count(*) FROM members", [], |r| r.get(0))?;
        let mut members: Vec<Member> = Vec::with_capacity(count as usize);
        for member in stmt.query_map([], member_from_row)? {
            members.push(member?);
        }
        drop(stmt);
        let mut stmt = tx.prepare("SELECT id, name FROM teams ORDER BY name")?;
        let teams: Vec<Team> = stmt
            .query_map([], |r| {
                Ok(Team {
                    id: r.get(0)?,
                    name: r.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        drop(stmt);
        // Members and memberships both ascend by member id: walk them together (the team
        // indices are by name, as `teams` is).
        let mut memberships = Vec::with_capacity(members.len());
        let mut i = 0;
        for (member_id, team, role) in memberships_by_member_id(&tx)? {
            while members.get(i).is_some_and(|m| m.id < member_id) {
                i += 1;
            }
            if members.get(i).is_some_and(|m| m.id == member_id) {
                memberships.push((i, team as usize, role));
            }
        }
        let (catalog, settings) = self.definitions()?;
        tx.commit()?;
        Ok(Snapshot::from_pairs(
            members,
            teams,
            memberships,
            catalog,
            settings,
            generation,
        ))
    }

    fn definitions(&self) -> Result<(Catalog, Settings), StoreError> {
        let catalog = Catalog {
            labels: self
                .strings("SELECT slug FROM labels")?
                .into_iter()
                .collect(),
            form_fields: self
                .strings("SELECT key FROM form_fields")?
                .into_iter()
                .collect(),
        };
        Ok((catalog, self.settings()?))
    }

    fn lock_imports(&self) -> Result<ImportLock, StoreError> {
        let lock = ImportLock::try_acquire(&self.path)?;
        self.mark_interrupted()?;
        Ok(lock)
    }

    fn begin_import(&mut self, meta: &ImportMeta, original: &[u8]) -> Result<i64, StoreError> {
        // The original is kept zstd-compressed (a roster CSV shrinks about fourfold, and it is
        // written twice: WAL, then checkpoint). It goes in through incremental blob I/O:
        // binding it would make SQLite copy it once more.
        let (original, codec) = if original.is_empty() {
            (std::borrow::Cow::Borrowed(original), None)
        } else {
            let compressed = zstd::bulk::compress(original, ORIGINAL_LEVEL)?;
            (std::borrow::Cow::Owned(compressed), Some("zstd"))
        };
        let original = original.as_ref();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO imports (status, operator, file_name, sha256, bytes, encoding, mode, options, \
             started_at) VALUES ('RUNNING', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                meta.operator,
                meta.file_name,
                meta.sha256,
                meta.bytes as i64,
                meta.encoding,
                meta.mode,
                meta.options,
                now(),
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO import_originals (import_id, codec, bytes) VALUES (?1, ?2, zeroblob(?3))",
            params![id, codec, original.len() as i64],
        )?;
        if !original.is_empty() {
            let mut blob = tx.blob_open(
                rusqlite::DatabaseName::Main,
                "import_originals",
                "bytes",
                id,
                false,
            )?;
            blob.write_all_at(original, 0)?;
        }
        tx.commit()?;
        Ok(id)
    }

    fn apply(
        &mut self,
        import_id: i64,
        plan: &Plan,
        snapshot: &Snapshot,
        summary: &serde_json::Value,
        operator: &str,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if Self::generation(&tx)? != snapshot.generation {
            return Err(StoreError::Changed);
        }
        let at = now();
        let mut team_ids: HashMap<String, i64> = snapshot
            .teams
            .iter()
            .map(|t| (t.name.clone(), t.id))
            .collect();
        for name in &plan.teams_created {
            tx.execute("INSERT INTO teams (name) VALUES (?1)", [name])?;
            team_ids.insert(name.clone(), tx.last_insert_rowid());
        }
        let creates = plan.changes.iter().filter(|c| c.member.is_none()).count();
        let bulk = creates > 1000 && creates > snapshot.members.len();
        if bulk {
            // Twice the page cache while a bulk import builds its tables and indexes: fewer
            // pages spilled mid-transaction (a 1M first import: ~0.4 s less, ~70 MB more).
            tx.pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
        }
        let first_new_id: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM members", [], |r| {
                r.get(0)
            })?;
        let member_ids = member_ids(plan, snapshot, first_new_id);
        // The audit batches are encoded and compressed on a second core while the members
        // are written.
        let batches = std::thread::scope(|scope| {
            let encoder = scope.spawn(|| encode_audit(plan, &member_ids));
            write_members(&tx, plan, snapshot, &member_ids, &team_ids, &at, bulk)?;
            encoder
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the audit encoder panicked").into()))
        })?;
        insert_audit_batches(&tx, Some(import_id), &at, operator, &batches)?;
        for name in &plan.teams_deleted {
            if let Some(id) = team_ids.get(name) {
                tx.execute("DELETE FROM memberships WHERE team_id = ?1", [id])?;
                tx.execute("DELETE FROM teams WHERE id = ?1", [id])?;
            }
        }
        Self::bump_generation(&tx)?;
        tx.execute(
            "UPDATE imports SET status = 'COMPLETED', finished_at = ?2, summary = ?3 WHERE id = ?1",
            params![import_id, now(), summary.to_string()],
        )?;
        tx.commit()?;
        if bulk {
            self.conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        }
        Ok(())
    }

    fn fail_import(
        &mut self,
        import_id: i64,
        message: &str,
        summary: Option<&serde_json::Value>,
        errors_csv: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE imports SET status = 'FAILED', finished_at = ?2, message = ?3, summary = ?4, \
             errors_csv = ?5 WHERE id = ?1",
            params![
                import_id,
                now(),
                message,
                summary.map(|s| s.to_string()),
                errors_csv
            ],
        )?;
        Ok(())
    }

    fn set_import_errors(&mut self, import_id: i64, errors_csv: &[u8]) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE imports SET errors_csv = ?2 WHERE id = ?1",
            params![import_id, errors_csv],
        )?;
        Ok(())
    }

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
        Ok(match stored {
            Some((Some(bytes), Some(codec))) if codec == "zstd" => {
                Some(zstd::stream::decode_all(bytes.as_slice())?)
            }
            Some((bytes, _)) => Some(bytes.unwrap_or_default()),
            None => None,
        })
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
            if let Some(m) = member
                && !audit::names_member(r.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?, m)
            {
                continue;
            }
            let data = r.get_ref(5)?;
            let data = data.as_bytes().map_err(rusqlite::Error::from)?;
            let lines = audit::decode(data)?;
            for (i, line) in lines.into_iter().enumerate() {
                if member.is_some() && line.member_id != member {
                    continue;
                }
                events.push(AuditEvent {
                    id: first + i as i64,
                    import_id,
                    at: at.clone(),
                    operator: operator.clone(),
                    member: line.member,
                    action: line.action,
                    changes: line.changes,
                });
            }
        }
        Ok(events)
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
        let mut audit = BatchWriter::default();
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
            let mut fields = serde_json::Map::new();
            if old_status != c.status.as_str() {
                fields.insert(
                    "status".into(),
                    serde_json::json!({"old": old_status, "new": c.status.as_str()}),
                );
            }
            if old_protected != c.protected {
                fields.insert(
                    "protected".into(),
                    serde_json::json!({"old": old_protected, "new": c.protected}),
                );
            }
            audit.push(
                c.member_id,
                &label,
                c.action,
                serde_json::json!({"fields": fields}),
            )?;
        }
        insert_audit_batches(&tx, None, &at, operator, &audit.finish()?)?;
        Self::bump_generation(&tx)?;
        tx.commit()?;
        Ok(())
    }

    fn each_member(
        &self,
        statuses: &[Status],
        visit: &mut MemberVisitor,
    ) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let teams = self.strings("SELECT name FROM teams ORDER BY name")?;
        let memberships = memberships_by_member_id(&tx)?;
        let list = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = tx.prepare(&format!(
            "SELECT {MEMBER_COLUMNS} FROM members WHERE status IN ({list}) \
             ORDER BY id"
        ))?;
        let mut rows = stmt.query([])?;
        let mut named: Vec<(&str, Role)> = Vec::new();
        // Members and memberships both ascend by member id: walk them together.
        let mut k = 0;
        while let Some(row) = rows.next()? {
            let member = member_from_row(row)?;
            while memberships.get(k).is_some_and(|m| m.0 < member.id) {
                k += 1;
            }
            named.clear();
            while let Some(&(_, t, role)) = memberships.get(k).filter(|m| m.0 == member.id) {
                named.push((teams[t as usize].as_str(), role));
                k += 1;
            }
            visit(&member, &named)?;
        }
        Ok(())
    }

    fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            Some(v) => self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, v],
            )?,
            None => self
                .conn
                .execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
        Self::bump_generation(&self.conn)?;
        Ok(())
    }

    fn add_label(&mut self, slug: &str) -> Result<bool, StoreError> {
        self.definition("INSERT OR IGNORE INTO labels (slug) VALUES (?1)", slug)
    }
    fn remove_label(&mut self, slug: &str) -> Result<bool, StoreError> {
        self.definition("DELETE FROM labels WHERE slug = ?1", slug)
    }
    fn add_form_field(&mut self, key: &str) -> Result<bool, StoreError> {
        self.definition("INSERT OR IGNORE INTO form_fields (key) VALUES (?1)", key)
    }
    fn remove_form_field(&mut self, key: &str) -> Result<bool, StoreError> {
        self.definition("DELETE FROM form_fields WHERE key = ?1", key)
    }

    /// SQLite's online backup, all pages in one step: one read transaction, so the copy is
    /// one committed state (WAL lets writers go on meanwhile). The copy is a single file in
    /// rollback-journal mode; roster turns it back to WAL when it opens it as a store.
    fn backup(&self, dest: &Path) -> Result<(), StoreError> {
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
}

impl SqliteStore {
    fn definition(&mut self, sql: &str, value: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute(sql, [value])?;
        Self::bump_generation(&self.conn)?;
        Ok(n > 0)
    }
}

const DROP_IDENTIFIER_INDEXES: &str = "DROP INDEX members_email_key; \
     DROP INDEX members_external_id; DROP INDEX members_phone;";
const CREATE_IDENTIFIER_INDEXES: &str = "CREATE UNIQUE INDEX members_email_key ON members (email_key); \
     CREATE UNIQUE INDEX members_external_id ON members (external_id); \
     CREATE UNIQUE INDEX members_phone ON members (phone);";

/// Every membership as (member id, team index by name, role), sorted by member id then team.
fn memberships_by_member_id(tx: &Transaction) -> Result<Vec<(i64, u32, Role)>, StoreError> {
    let mut stmt = tx.prepare(
        "SELECT ms.member_id, t.rank, ms.team_role FROM memberships ms JOIN \
         (SELECT id, row_number() OVER (ORDER BY name) - 1 AS rank FROM teams) t \
         ON t.id = ms.team_id",
    )?;
    let mut list = stmt
        .query_map([], |r| {
            let role = Role::parse(r.get_ref(2)?.as_str().unwrap_or("")).unwrap_or(Role::Member);
            Ok((r.get::<_, i64>(0)?, r.get::<_, u32>(1)?, role))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    list.sort_unstable_by_key(|&(m, t, _)| (m, t));
    Ok(list)
}

/// SQLite's page cache per connection (negative: KiB), and during a bulk import.
const CACHE_KIB: i64 = -65536;
const BULK_CACHE_KIB: i64 = -131072;
/// The page cache while a bulk import builds its identifier indexes. SQLite's sorter keeps
/// runs up to the cache's size: one 60 MB run per index at 1M members is a linked-list merge
/// sort that misses the CPU cache at every level. Runs of 1 MiB, sorted on two worker threads
/// and merged, took the three index builds from ~3.0 s to ~1.4 s (100k: unchanged).
const INDEX_BUILD_CACHE_KIB: i64 = -1024;
const SORTER_THREADS: i64 = 2;

/// zstd level of stored originals: the fastest, as the import waits for it.
const ORIGINAL_LEVEL: i32 = 1;

const IMPORT_COLUMNS: &str = "id, status, operator, file_name, sha256, bytes, encoding, mode, options, \
     started_at, finished_at, summary, message";

fn forms_json(forms: &BTreeMap<String, String>) -> Option<String> {
    (!forms.is_empty()).then(|| serde_json::to_string(forms).unwrap_or_default())
}

/// Each change's member id: the stored member's, or the next free id for a create, in order.
fn member_ids(plan: &Plan, snapshot: &Snapshot, first_new_id: i64) -> Vec<i64> {
    let mut next = first_new_id;
    plan.changes
        .iter()
        .map(|c| match c.member {
            Some(i) => snapshot.members[i].id,
            None => {
                next += 1;
                next - 1
            }
        })
        .collect()
}

fn write_members(
    tx: &Transaction,
    plan: &Plan,
    snapshot: &Snapshot,
    member_ids: &[i64],
    team_ids: &HashMap<String, i64>,
    at: &str,
    bulk: bool,
) -> Result<(), StoreError> {
    if bulk {
        // Building the unique indexes once after a bulk insert is much faster than
        // maintaining them row by row; a duplicate still fails the transaction.
        tx.execute_batch(DROP_IDENTIFIER_INDEXES)?;
    }
    for (change, &member_id) in plan.changes.iter().zip(member_ids) {
        match change.member {
            None => insert_member(tx, change, member_id, at)?,
            Some(i) => update_member(tx, change, &snapshot.members[i], at)?,
        }
        apply_teams(tx, change, member_id, team_ids)?;
    }
    if bulk {
        tx.pragma_update(None, "cache_size", INDEX_BUILD_CACHE_KIB)?;
        tx.pragma_update(None, "threads", SORTER_THREADS)?;
        tx.execute_batch(CREATE_IDENTIFIER_INDEXES)?;
        tx.pragma_update(None, "threads", 0)?;
        tx.pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
    }
    Ok(())
}

fn encode_audit(plan: &Plan, member_ids: &[i64]) -> Result<Vec<audit::Batch>, StoreError> {
    let mut audit = BatchWriter::default();
    for (change, &member_id) in plan.changes.iter().zip(member_ids) {
        let label = member_label(change.ids(), member_id);
        audit.push(
            member_id,
            &label,
            crate::report::json::action_name(change.action),
            crate::report::json::ChangeJson(change),
        )?;
    }
    audit.finish()
}

/// Stores audit batches, numbering their events after the last stored event.
fn insert_audit_batches(
    tx: &Transaction,
    import_id: Option<i64>,
    at: &str,
    operator: &str,
    batches: &[audit::Batch],
) -> Result<(), StoreError> {
    let mut next: i64 = tx.query_row(
        "SELECT coalesce((SELECT id + events FROM audit_batches ORDER BY id DESC LIMIT 1), 1)",
        [],
        |r| r.get(0),
    )?;
    let mut batch = tx.prepare_cached(
        "INSERT INTO audit_batches (id, import_id, at, operator, events, members, data) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for b in batches {
        batch.execute(params![
            next,
            import_id,
            at,
            operator,
            b.events as i64,
            audit::encode_members(&b.members),
            b.data
        ])?;
        next += b.events as i64;
    }
    Ok(())
}

fn insert_member(tx: &Transaction, change: &Change, id: i64, at: &str) -> Result<(), StoreError> {
    let new = change.created;
    let values: [Option<&str>; FIELD_COUNT] = Field::ALL.map(|f| new.and_then(|n| n.get(f)));
    let forms: BTreeMap<String, String> = new
        .into_iter()
        .flat_map(|n| n.forms())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let status = change.status.map_or(Status::Provisioned, |s| s.new);
    let email_key = values[Field::Email.index()].map(email_key);
    let mut stmt = tx.prepare_cached(
        "INSERT INTO members (id, email, external_id, phone, first_name, last_name, name, job_title, \
         date_of_birth, description, labels, notify_email, notify_sms, notify_voice, organization_role, \
         forms, status, email_key, created_at, updated_at) \
         VALUES (?19, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18)",
    )?;
    stmt.execute(params![
        values[0],
        values[1],
        values[2],
        values[3],
        values[4],
        values[5],
        values[6],
        values[7],
        values[8],
        values[9],
        values[10],
        values[11],
        values[12],
        values[13],
        forms_json(&forms),
        status.as_str(),
        email_key,
        at,
        id
    ])?;
    Ok(())
}

fn update_member(
    tx: &Transaction,
    change: &Change,
    member: &Member,
    at: &str,
) -> Result<(), StoreError> {
    let mut sets: Vec<String> = Vec::new();
    let mut args: Vec<Option<String>> = Vec::new();
    let mut forms = member.forms.clone();
    let mut forms_changed = false;
    for f in &change.fields {
        match &f.key {
            Key::Field(field) => {
                sets.push(format!("{} = ?", field.name()));
                args.push(f.new.clone());
                if *field == Field::Email {
                    sets.push("email_key = ?".into());
                    args.push(f.new.as_deref().map(email_key));
                }
            }
            Key::Form(k) => {
                forms_changed = true;
                match &f.new {
                    Some(v) => forms.insert(k.clone(), v.clone()),
                    None => forms.remove(k),
                };
            }
        }
    }
    if forms_changed {
        sets.push("forms = ?".into());
        args.push(forms_json(&forms));
    }
    if let Some(s) = change.status {
        sets.push("status = ?".into());
        args.push(Some(s.new.as_str().to_string()));
        sets.push("prior_status = ?".into());
        args.push((s.new == Status::Inactive).then(|| member.status.as_str().to_string()));
    }
    if sets.is_empty() {
        return Ok(());
    }
    sets.push("updated_at = ?".into());
    args.push(Some(at.to_string()));
    args.push(Some(member.id.to_string()));
    let sql = format!("UPDATE members SET {} WHERE id = ?", sets.join(", "));
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(args.iter()))?;
    Ok(())
}

fn apply_teams(
    tx: &Transaction,
    change: &Change,
    member_id: i64,
    team_ids: &HashMap<String, i64>,
) -> Result<(), StoreError> {
    let id = |name: &String| team_ids.get(name).copied().unwrap_or_default();
    for (team, _) in &change.teams.removed {
        tx.prepare_cached("DELETE FROM memberships WHERE team_id = ?1 AND member_id = ?2")?
            .execute(params![id(team), member_id])?;
    }
    for (team, role) in &change.teams.added {
        tx.prepare_cached(
            "INSERT INTO memberships (team_id, member_id, team_role) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id(team), member_id, role.as_str()])?;
    }
    for (team, _, role) in &change.teams.changed {
        tx.prepare_cached(
            "UPDATE memberships SET team_role = ?3 WHERE team_id = ?1 AND member_id = ?2",
        )?
        .execute(params![id(team), member_id, role.as_str()])?;
    }
    Ok(())
}
