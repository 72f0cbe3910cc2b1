//! An import's member writes on SQLite, inside the apply's transaction: prepared statements in
//! plan order; a bulk import (more creates than stored members, over 1000) drops the identifier
//! indexes and builds them once at the end.

use super::{BULK_CACHE_KIB, FILL_CACHE_KIB, Sqlite, with_cache};
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Field, Member, Status, email_key};
use crate::plan::{Change, Key};
use crate::store::shared::{created, forms_json};
use crate::store::sql::{Writes, is_bulk};
use crate::store::ticker::Ticker;
use rusqlite::{Connection, ToSql, params};
use std::collections::HashMap;

const DROP_IDENTIFIER_INDEXES: &str = "DROP INDEX members_email_key; \
     DROP INDEX members_external_id; DROP INDEX members_phone;";
const CREATE_IDENTIFIER_INDEXES: &str = "CREATE UNIQUE INDEX members_email_key ON members (email_key); \
     CREATE UNIQUE INDEX members_external_id ON members (external_id); \
     CREATE UNIQUE INDEX members_phone ON members (phone);";

/// The page cache of an apply that is not a bulk: its changes are scattered over a large
/// store's pages, each read once, so the connection's 64 MiB only kept pages that were done
/// with. A 1M next-day full sync: 467 -> 400 MB resident in the apply, its time even.
const APPLY_CACHE_KIB: i64 = -4096;

/// The page cache while a bulk import builds its identifier indexes. SQLite's sorter keeps
/// runs up to the cache's size: one 60 MB run per index at 1M members is a linked-list merge
/// sort that misses the CPU cache at every level. Runs of 1 MiB, sorted on two worker threads
/// and merged, took the three index builds from ~3.0 s to ~1.4 s (100k: unchanged).
const INDEX_BUILD_CACHE_KIB: i64 = -1024;
const SORTER_THREADS: i64 = 2;
/// Below this many members the cache is not shrunk for the index build: shrinking it spills
/// the transaction's dirty pages to the WAL early, which costs more than the small sorts gain
/// (30k: the build 0.050 -> 0.033 s unshrunk; 100k: even; 200k: the shrink gains ~0.05 s).
const SHRINK_FROM_MEMBERS: usize = 100_000;

/// Writes each change; the ticker counts them.
pub fn write_members(db: &Sqlite, w: &Writes, ticker: &mut Ticker) -> Result<(), StoreError> {
    let tx = &db.conn;
    let creates = w.plan.creates();
    let bulk = is_bulk(creates, w.snapshot.members.len());
    if bulk {
        // Twice the page cache while a bulk import builds its tables and indexes: fewer
        // pages spilled to the WAL mid-transaction (a 1M import: ~0.4 s less, ~70 MB more).
        // A fill spills its pages in place, once: a small cache does as well.
        db.cache_until_end(match db.filling.get() {
            true => FILL_CACHE_KIB,
            false => BULK_CACHE_KIB,
        })?;
        // Building the unique indexes once after a bulk insert is much faster than
        // maintaining them row by row; a duplicate still fails the transaction.
        tx.execute_batch(DROP_IDENTIFIER_INDEXES)?;
    } else {
        db.cache_until_end(APPLY_CACHE_KIB)?;
    }
    let mut memberships = Memberships::prepare(tx)?;
    let mut insert = tx.prepare_cached(INSERT_MEMBER)?;
    for (change, &member_id) in w.plan.changes.iter().zip(w.ids) {
        match change.member {
            None => insert_member(&mut insert, change, member_id, w.at)?,
            Some(i) => update_member(tx, change, &w.snapshot.members[i], w.at)?,
        }
        memberships.apply(change, member_id, w.team_ids)?;
        ticker.advance(1);
    }
    drop((memberships, insert));
    if bulk {
        build_identifier_indexes(tx, w.snapshot.members.len() + creates)?;
    }
    Ok(())
}

/// Builds the identifier indexes dropped for a bulk import of a store of `members`.
fn build_identifier_indexes(tx: &Connection, members: usize) -> Result<(), StoreError> {
    let build = || {
        tx.pragma_update(None, "threads", SORTER_THREADS)?;
        tx.execute_batch(CREATE_IDENTIFIER_INDEXES)?;
        Ok(tx.pragma_update(None, "threads", 0)?)
    };
    match members >= SHRINK_FROM_MEMBERS {
        true => with_cache(tx, INDEX_BUILD_CACHE_KIB, build),
        false => build(),
    }
}

/// A created member's row: its id, the fields, forms, status, email key and the time twice.
const INSERT_MEMBER: &str = "INSERT INTO members (id, email, external_id, phone, first_name, \
     last_name, name, job_title, date_of_birth, description, labels, notify_email, notify_sms, \
     notify_voice, organization_role, forms, status, email_key, created_at, updated_at) VALUES \
     (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?19)";

/// Prepared once per apply and bound from an array: looking the statement up in the cache
/// and collecting its arguments into a vector per row cost ~4% of a first import's writes.
fn insert_member(
    insert: &mut rusqlite::CachedStatement,
    change: &Change,
    id: i64,
    at: &str,
) -> Result<(), StoreError> {
    let c = created(change, id);
    let mut args: [&dyn ToSql; FIELD_COUNT + 5] = [&rusqlite::types::Null; FIELD_COUNT + 5];
    args[0] = &c.id;
    for (arg, value) in args[1..].iter_mut().zip(&c.values) {
        *arg = value;
    }
    args[FIELD_COUNT + 1..].copy_from_slice(&[
        &c.forms as &dyn ToSql,
        &c.status,
        &c.email_key,
        &at,
    ]);
    insert.execute(&args[..])?;
    Ok(())
}

fn update_member(
    tx: &Connection,
    change: &Change,
    member: &Member,
    at: &str,
) -> Result<(), StoreError> {
    let mut sets: Vec<String> = Vec::new();
    let mut args: Vec<Option<String>> = Vec::new();
    let mut forms = member.forms.to_map();
    let mut forms_changed = false;
    for f in change.fields() {
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

/// The membership statements, prepared once for the whole plan (looking each up in the
/// statement cache per change cost ~2% of a first import's apply).
struct Memberships<'c> {
    delete: rusqlite::CachedStatement<'c>,
    insert: rusqlite::CachedStatement<'c>,
    update: rusqlite::CachedStatement<'c>,
}

impl<'c> Memberships<'c> {
    fn prepare(tx: &'c Connection) -> Result<Memberships<'c>, StoreError> {
        Ok(Memberships {
            delete: tx
                .prepare_cached("DELETE FROM memberships WHERE team_id = ?1 AND member_id = ?2")?,
            insert: tx.prepare_cached(
                "INSERT INTO memberships (team_id, member_id, team_role) VALUES (?1, ?2, ?3)",
            )?,
            update: tx.prepare_cached(
                "UPDATE memberships SET team_role = ?3 WHERE team_id = ?1 AND member_id = ?2",
            )?,
        })
    }

    fn apply(
        &mut self,
        change: &Change,
        member_id: i64,
        team_ids: &HashMap<String, i64>,
    ) -> Result<(), StoreError> {
        let id = |name: &str| team_ids.get(name).copied().unwrap_or_default();
        for (team, _) in change.teams_removed() {
            self.delete.execute(params![id(team), member_id])?;
        }
        for (team, role) in change.teams_added() {
            self.insert
                .execute(params![id(team), member_id, role.as_str()])?;
        }
        for (team, _, role) in change.teams_changed() {
            self.update
                .execute(params![id(team), member_id, role.as_str()])?;
        }
        Ok(())
    }
}
