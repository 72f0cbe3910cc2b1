//! The SQLite hot reads: the snapshot an import plans against and the export stream, rows
//! borrowed straight from SQLite (a snapshot reads a million of them).

use super::Sqlite;
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Member, Role, Status};
use crate::store::admin::{MEMBER_COLUMNS, build_member, definitions, status_list};
use crate::store::sql::{self, Begin};
use crate::store::{MemberVisitor, Snapshot, Team};
use rusqlite::Connection;

pub fn snapshot(db: &Sqlite) -> Result<Snapshot, StoreError> {
    sql::transaction(db, Begin::Read, |_| {
        let conn = &db.conn;
        let generation: i64 =
            conn.query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| {
                r.get(0)
            })?;
        // Sized up front: growing a vector of a million members would briefly hold it twice.
        let count: i64 = conn.query_row("SELECT count(*) FROM members", [], |r| r.get(0))?;
        let mut members: Vec<Member> = Vec::with_capacity(count as usize);
        let mut stmt =
            conn.prepare(&format!("SELECT {MEMBER_COLUMNS} FROM members ORDER BY id"))?;
        for member in stmt.query_map([], member_from_row)? {
            members.push(member?);
        }
        let mut stmt = conn.prepare("SELECT id, name FROM teams ORDER BY name")?;
        let teams: Vec<Team> = stmt
            .query_map([], |r| {
                Ok(Team {
                    id: r.get(0)?,
                    name: r.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        // Members and memberships both ascend by member id: walk them together (the team
        // indices are by name, as `teams` is).
        let mut memberships = Vec::with_capacity(members.len());
        let mut i = 0;
        for (member_id, team, role) in memberships_by_member_id(conn)? {
            while members.get(i).is_some_and(|m| m.id < member_id) {
                i += 1;
            }
            if members.get(i).is_some_and(|m| m.id == member_id) {
                memberships.push((i, team as usize, role));
            }
        }
        let (catalog, settings) = definitions(db)?;
        Ok(Snapshot::from_pairs(
            members,
            teams,
            memberships,
            catalog,
            settings,
            generation,
        ))
    })
}

pub fn each_member(
    db: &Sqlite,
    statuses: &[Status],
    visit: &mut MemberVisitor,
) -> Result<(), StoreError> {
    sql::transaction(db, Begin::Read, |_| {
        let conn = &db.conn;
        let mut stmt = conn.prepare("SELECT name FROM teams ORDER BY name")?;
        let teams: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let memberships = memberships_by_member_id(conn)?;
        let list = status_list(statuses);
        let mut stmt = conn.prepare(&format!(
            "SELECT {MEMBER_COLUMNS} FROM members WHERE status IN ({list}) ORDER BY id"
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
    })
}

fn member_from_row(r: &rusqlite::Row) -> rusqlite::Result<Member> {
    // Borrowed, not copied into Strings: a snapshot reads a million rows.
    let mut texts: [Option<&str>; FIELD_COUNT + 3] = [None; FIELD_COUNT + 3];
    for (i, t) in texts.iter_mut().enumerate() {
        *t = r.get_ref(i + 1)?.as_str_or_null().ok().flatten();
    }
    Ok(build_member(
        r.get(0)?,
        &|i| texts[i],
        r.get(FIELD_COUNT + 4)?,
    ))
}

/// Every membership as (member id, team index by name, role), sorted by member id then team.
fn memberships_by_member_id(conn: &Connection) -> Result<Vec<(i64, u32, Role)>, StoreError> {
    let mut stmt = conn.prepare(
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
