//! The SQLite hot reads: the member stream and the membership list of the snapshot and the
//! export, rows borrowed straight from SQLite (a snapshot reads a million of them).

use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Role, Status};
use crate::store::admin::{MEMBER_COLUMNS, build_member, status_list};
use crate::store::read::stored_role;
use crate::store::sql::{EachMember, TeamRanks};
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
    with_scan_cache(conn, || {
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
    })
}

/// Every membership of a ranked team as (member id, team rank, role), in table order.
pub fn memberships(
    conn: &Connection,
    ranks: &TeamRanks,
) -> Result<Vec<(i64, u32, Role)>, StoreError> {
    with_scan_cache(conn, || {
        let mut stmt = conn.prepare("SELECT member_id, team_id, team_role FROM memberships")?;
        let mut rows = stmt.query([])?;
        let mut list = Vec::new();
        while let Some(r) = rows.next()? {
            // A membership of a team that is not there is left out, as a join would leave it.
            let Some(&team) = ranks.get(&r.get::<_, i64>(1)?) else {
                continue;
            };
            let role = stored_role(r.get_ref(2)?.as_str().unwrap_or(""));
            list.push((r.get::<_, i64>(0)?, team, role));
        }
        Ok(list)
    })
}

/// SQLite's page cache during a whole-table scan (negative: KiB). A scan reads each page once,
/// so the connection's 64 MiB cache only held the pages it had passed: at 1M members that
/// was 64 MiB beside the file's table and records, at the import's peak.
const SCAN_CACHE_KIB: i64 = -2048;

/// Runs `scan` with the small cache, then gives the connection its own back.
fn with_scan_cache<T>(
    conn: &Connection,
    scan: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    super::with_cache(conn, SCAN_CACHE_KIB, scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_size(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "cache_size", |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_scan_runs_with_the_small_cache_and_gives_the_connection_its_own_back() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "cache_size", -65536).unwrap();
        let during = with_scan_cache(&conn, || Ok(cache_size(&conn))).unwrap();
        assert_eq!(during, SCAN_CACHE_KIB);
        assert_eq!(cache_size(&conn), -65536);
        let failed: Result<(), _> = with_scan_cache(&conn, || Err(StoreError::Busy));
        assert!(failed.is_err());
        assert_eq!(
            cache_size(&conn),
            -65536,
            "restored after a failed scan too"
        );
    }
}
