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
pub fn memberships(conn: &Connection) -> Result<Vec<(i64, u32, Role)>, StoreError> {
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
