//! The SQLite hot reads: the member stream and the membership list of the snapshot and the
//! export, rows borrowed straight from SQLite (a snapshot reads a million of them).

use super::scan::Scan;
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Role, Status};
use crate::store::admin::{MEMBER_COLUMNS, member_of_bytes, status_list};
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
        let mut scan = Scan::prepare(conn, &sql)?;
        while scan.step()? {
            // Borrowed, not copied into Strings.
            let bytes: [Option<&[u8]>; FIELD_COUNT + 3] = std::array::from_fn(|i| scan.text(i + 1));
            each(member_of_bytes(
                scan.int(0),
                &bytes,
                scan.int(FIELD_COUNT + 4) != 0,
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
        let mut scan = Scan::prepare(
            conn,
            "SELECT member_id, team_id, team_role FROM memberships",
        )?;
        let mut list = Vec::new();
        while scan.step()? {
            // A membership of a team that is not there is left out, as a join would leave it.
            let Some(&team) = ranks.get(&scan.int(1)) else {
                continue;
            };
            let role = scan.text(2).and_then(|t| std::str::from_utf8(t).ok());
            list.push((scan.int(0), team, stored_role(role.unwrap_or(""))));
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
    use crate::model::Field;

    fn cache_size(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "cache_size", |r| r.get(0))
            .unwrap()
    }

    /// A text column that is not UTF-8 (written by another program) is no value, and the
    /// member's other fields are read as they are.
    #[test]
    fn a_text_that_is_not_utf8_is_read_as_no_value() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let store = crate::store::open(&crate::store::Location::Sqlite(path.clone())).unwrap();
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "INSERT INTO members (id, email, email_key, first_name, last_name, job_title, status, \
             created_at, updated_at) VALUES \
             (1, 'ann@x.co', 'ann@x.co', CAST(X'c3' AS TEXT), CAST(X'a9' AS TEXT), 'Cook', \
              'ACTIVE', '2026-01-01', '2026-01-01'), \
             (2, 'bob@x.co', 'bob@x.co', 'Bøb', NULL, CAST(X'80' AS TEXT), \
              'ACTIVE', '2026-01-01', '2026-01-01');",
        )
        .unwrap();
        let snapshot = store.snapshot().unwrap();
        let [ann, bob] = &snapshot.members[..] else {
            panic!("two members: {:?}", snapshot.members);
        };
        assert_eq!(ann.get(Field::Email), Some("ann@x.co"));
        // Together the two halves of "é" are UTF-8; apart, neither is.
        assert_eq!(ann.get(Field::FirstName), None);
        assert_eq!(ann.get(Field::LastName), None);
        assert_eq!(ann.get(Field::JobTitle), Some("Cook"));
        assert_eq!(bob.get(Field::FirstName), Some("Bøb"));
        assert_eq!(bob.get(Field::JobTitle), None);
        assert_eq!(bob.status, Status::Active);
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
