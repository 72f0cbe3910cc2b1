//! The SQLite hot reads: the member stream and the membership list of the snapshot and the
//! export, rows borrowed straight from SQLite (a snapshot reads a million of them).

use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Role, Status};
use crate::store::admin::{MEMBER_COLUMNS, build_member, status_list};
use crate::store::sql::EachMember;
use rusqlite::Connection;

pub fn members(
    conn: &Connection,
    statuses: Option<&[Status]>,
    each: &mut EachMember,
) -> Result<(), StoreError> {
    let filter = statuses.map_or(String::new(), |s| {
        format!("WHERE status IN ({})", status_list(s))
    });
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM members {filter} ORDER BY id");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        // Borrowed, not copied into Strings.
        let mut texts: [Option<&str>; FIELD_COUNT + 3] = [None; FIELD_COUNT + 3];
        for (i, t) in texts.iter_mut().enumerate() {
            *t = r.get_ref(i + 1)?.as_str_or_null().ok().flatten();
        }
        each(build_member(
            r.get(0)?,
            &|i| texts[i],
            r.get(FIELD_COUNT + 4)?,
        ))?;
    }
    Ok(())
}

/// Every membership as (member id, team index by name, role), sorted by member id then team.
/// The teams are ranked by name here (byte order, as `store::read` sorts them), and the
/// memberships read in one plain scan: ranking them in SQL (a window joined to each row) cost
/// about three times as much per membership.
pub fn memberships(conn: &Connection) -> Result<Vec<(i64, u32, Role)>, StoreError> {
    let mut teams: Vec<(i64, String)> = conn
        .prepare("SELECT id, name FROM teams")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    teams.sort_unstable_by(|a, b| a.1.cmp(&b.1));
    let rank: ahash::AHashMap<i64, u32> = teams
        .iter()
        .enumerate()
        .map(|(k, (id, _))| (*id, k as u32))
        .collect();
    let mut stmt = conn.prepare("SELECT member_id, team_id, team_role FROM memberships")?;
    let mut rows = stmt.query([])?;
    let mut list = Vec::new();
    while let Some(r) = rows.next()? {
        // A membership of a team that is not there is left out, as the join left it out.
        let Some(&team) = rank.get(&r.get::<_, i64>(1)?) else {
            continue;
        };
        let role = role(r.get_ref(2)?.as_str().unwrap_or(""));
        list.push((r.get::<_, i64>(0)?, team, role));
    }
    list.sort_unstable_by_key(|&(m, t, _)| (m, t));
    Ok(list)
}

/// A stored team role: the canonical text at once, else as a file's cell is read.
fn role(text: &str) -> Role {
    match text {
        "member" => Role::Member,
        "owner" => Role::Owner,
        "admin" => Role::Admin,
        other => Role::parse(other).unwrap_or(Role::Member),
    }
}
