//! Reads: the snapshot an import plans against, the definitions, the export stream and single
//! members.

use super::SqliteStore;
use crate::columns::Catalog;
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Member, Role, Status, Values, email_key};
use crate::store::{MemberRecord, MemberVisitor, Settings, Snapshot, Team};
use rusqlite::{Connection, OptionalExtension};

pub(super) const MEMBER_COLUMNS: &str = "id, email, external_id, phone, first_name, last_name, name, job_title, \
     date_of_birth, description, labels, notify_email, notify_sms, notify_voice, organization_role, \
     forms, status, prior_status, protected";

impl SqliteStore {
    pub(super) fn read_snapshot(&self) -> Result<Snapshot, StoreError> {
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
        let (catalog, settings) = self.read_definitions()?;
        let missing = super::marks::load(&tx)?;
        tx.commit()?;
        let mut snapshot =
            Snapshot::from_pairs(members, teams, memberships, catalog, settings, generation);
        snapshot.missing = missing;
        Ok(snapshot)
    }

    pub(super) fn read_definitions(&self) -> Result<(Catalog, Settings), StoreError> {
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
        Ok((catalog, self.read_settings()?))
    }

    pub(super) fn read_settings(&self) -> Result<Settings, StoreError> {
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
                "max-shrink" => s.max_shrink = Some(v),
                "deactivate-after-missing" => s.deactivate_after_missing = v.parse().ok(),
                _ => {}
            }
        }
        Ok(s)
    }

    pub(super) fn strings(&self, sql: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(super) fn visit_members(
        &self,
        statuses: &[Status],
        visit: &mut MemberVisitor,
    ) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let teams = self.strings("SELECT name FROM teams ORDER BY name")?;
        let memberships = memberships_by_member_id(&tx)?;
        let list = status_list(statuses);
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

    pub(super) fn find_member_by(&self, id: &str) -> Result<Option<MemberRecord>, StoreError> {
        let id = id.trim();
        let key = email_key(id);
        for (column, value) in [
            ("email_key", key.as_str()),
            ("external_id", id),
            ("phone", id),
        ] {
            let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE {column} = ?1");
            let member = self
                .conn
                .query_row(&sql, [value], member_from_row)
                .optional()?;
            if let Some(member) = member {
                let teams = self.teams_of(member.id)?;
                return Ok(Some(MemberRecord { member, teams }));
            }
        }
        Ok(None)
    }

    fn teams_of(&self, member_id: i64) -> Result<Vec<(String, Role)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT t.name, ms.team_role FROM memberships ms JOIN teams t ON t.id = ms.team_id \
             WHERE ms.member_id = ?1 ORDER BY t.name",
        )?;
        let rows = stmt.query_map([member_id], |r| {
            let role = Role::parse(r.get_ref(1)?.as_str().unwrap_or("")).unwrap_or(Role::Member);
            Ok((r.get::<_, String>(0)?, role))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(super) fn count_by_status(&self, statuses: &[Status]) -> Result<u64, StoreError> {
        let sql = format!(
            "SELECT count(*) FROM members WHERE status IN ({})",
            status_list(statuses)
        );
        let n: i64 = self.conn.query_row(&sql, [], |r| r.get(0))?;
        Ok(n as u64)
    }
}

/// `'ACTIVE', 'INVITED'`: statuses are the model's own names, never user text.
fn status_list(statuses: &[Status]) -> String {
    statuses
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
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

/// Every membership as (member id, team index by name, role), sorted by member id then team.
fn memberships_by_member_id(tx: &Connection) -> Result<Vec<(i64, u32, Role)>, StoreError> {
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
