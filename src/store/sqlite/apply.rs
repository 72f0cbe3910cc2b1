//! An import's writes: its history row with the original, the plan in one transaction with its
//! audit batches, and its failure.

use super::{BULK_CACHE_KIB, CACHE_KIB, SqliteStore, now};
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Field, Member, Status, email_key};
use crate::plan::{Change, Key, Plan};
use crate::store::shared::{Original, encode_audit, member_ids};
use crate::store::{ImportMeta, Snapshot, audit};
use rusqlite::{Transaction, params};
use std::collections::{BTreeMap, HashMap};

impl SqliteStore {
    pub(super) fn insert_import(
        &mut self,
        meta: &ImportMeta,
        original: &Original,
    ) -> Result<i64, StoreError> {
        // The original goes in through incremental blob I/O: binding it would make SQLite
        // copy it once more.
        let (codec, original) = (original.codec, original.bytes.as_slice());
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

    pub(super) fn apply_plan(
        &mut self,
        import_id: i64,
        plan: &Plan,
        snapshot: &Snapshot,
        summary: &serde_json::Value,
        operator: &str,
        progress: &mut dyn FnMut(u64),
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
        let (batches, written) = crate::parallel::join(
            || encode_audit(plan, &member_ids),
            || {
                let ids = (member_ids.as_slice(), &team_ids);
                write_members(&tx, plan, snapshot, ids, &at, bulk, progress)
            },
        );
        written?;
        let batches = batches?;
        insert_audit_batches(&tx, Some(import_id), &at, operator, &batches)?;
        super::invitations::apply_plan(&tx, plan, &member_ids, &at)?;
        super::marks::write(&tx, plan, snapshot, import_id)?;
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
}

const DROP_IDENTIFIER_INDEXES: &str = "DROP INDEX members_email_key; \
     DROP INDEX members_external_id; DROP INDEX members_phone;";
const CREATE_IDENTIFIER_INDEXES: &str = "CREATE UNIQUE INDEX members_email_key ON members (email_key); \
     CREATE UNIQUE INDEX members_external_id ON members (external_id); \
     CREATE UNIQUE INDEX members_phone ON members (phone);";

/// The page cache while a bulk import builds its identifier indexes. SQLite's sorter keeps
/// runs up to the cache's size: one 60 MB run per index at 1M members is a linked-list merge
/// sort that misses the CPU cache at every level. Runs of 1 MiB, sorted on two worker threads
/// and merged, took the three index builds from ~3.0 s to ~1.4 s (100k: unchanged).
const INDEX_BUILD_CACHE_KIB: i64 = -1024;
const SORTER_THREADS: i64 = 2;

fn forms_json(forms: &BTreeMap<String, String>) -> Option<String> {
    (!forms.is_empty()).then(|| serde_json::to_string(forms).unwrap_or_default())
}

/// Writes each change; `progress(done)` about every 5% of them.
fn write_members(
    tx: &Transaction,
    plan: &Plan,
    snapshot: &Snapshot,
    (member_ids, team_ids): (&[i64], &HashMap<String, i64>),
    at: &str,
    bulk: bool,
    progress: &mut dyn FnMut(u64),
) -> Result<(), StoreError> {
    // 5% of the changes; a plan of fewer than 20 reports only the stage's ends.
    let step = plan.changes.len() / 20;
    if bulk {
        // Building the unique indexes once after a bulk insert is much faster than
        // maintaining them row by row; a duplicate still fails the transaction.
        tx.execute_batch(DROP_IDENTIFIER_INDEXES)?;
    }
    for (done, (change, &member_id)) in plan.changes.iter().zip(member_ids).enumerate() {
        match change.member {
            None => insert_member(tx, change, member_id, at)?,
            Some(i) => update_member(tx, change, &snapshot.members[i], at)?,
        }
        apply_teams(tx, change, member_id, team_ids)?;
        if step > 0 && (done + 1) % step == 0 && done + 1 < plan.changes.len() {
            progress(done as u64 + 1);
        }
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

/// Stores audit batches, numbering their events after the last stored event.
pub(super) fn insert_audit_batches(
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
