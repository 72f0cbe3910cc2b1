//! The PostgreSQL hot reads: the member stream and the membership list of the snapshot and
//! the export, streamed from the server (never a result set of a million members held beside
//! the members built from it); a large store's members on a connection of their own.

use super::connect::pg;
use super::stream::Stream;
use super::url::Target;
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Member, Role, Status};
use crate::store::admin::{MEMBER_COLUMNS, member_of_bytes, status_list};
use crate::store::read::stored_role;
use crate::store::sql::{EachMember, TeamRanks};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{FromSql, ToSql, Type};
use postgres::{Client, Row};

/// No parameters, for `query_raw`.
pub(super) fn no_params() -> std::iter::Empty<&'static (dyn ToSql + Sync)> {
    std::iter::empty()
}

/// From this many members (the largest id) the members and memberships are streamed on a
/// connection of their own ([`Stream`]), when the server lets it open; below it that
/// connection's few milliseconds cost more than they save.
const STREAM_FROM: i64 = 50_000;

/// Where the rows of a read come from.
pub struct Reader<'a> {
    pub client: &'a mut Client,
    pub target: &'a Target,
    pub schema: &'a str,
}

impl Reader<'_> {
    /// Visits each row of `sql`.
    fn each_row(
        &mut self,
        sql: &str,
        visit: &mut dyn FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let largest: i64 = self
            .client
            .query_one("SELECT coalesce(max(id), 0) FROM members", &[])
            .map_err(pg)?
            .get(0);
        if largest >= STREAM_FROM {
            // Both callers read in a REPEATABLE READ transaction, whose snapshot this is.
            let snapshot: String = self
                .client
                .query_one("SELECT pg_export_snapshot()", &[])
                .map_err(pg)?
                .get(0);
            if let Ok(stream) = Stream::open(self.target, self.schema, &snapshot) {
                return stream.rows(sql, visit);
            }
        }
        let mut rows = self.client.query_raw(sql, no_params()).map_err(pg)?;
        while let Some(r) = rows.next().map_err(pg)? {
            visit(&r)?;
        }
        Ok(())
    }

    pub fn members(
        &mut self,
        statuses: Option<&[Status]>,
        each: &mut EachMember,
    ) -> Result<(), StoreError> {
        let filter = match statuses {
            Some(s) => format!("WHERE status IN ({})", status_list(s)),
            None => String::new(),
        };
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members {filter} ORDER BY id");
        self.each_row(&sql, &mut |r| each(member_of(r)?))
    }

    /// Every membership of a ranked team as (member id, team rank, role), in table order.
    pub fn memberships(&mut self, ranks: &TeamRanks) -> Result<Vec<(i64, u32, Role)>, StoreError> {
        let mut list = Vec::new();
        let sql = "SELECT member_id, team_id, team_role FROM memberships";
        self.each_row(sql, &mut |r| {
            // A membership of a team that is not there is left out, as a join would leave it.
            if let Some(&team) = ranks.get(&r.try_get::<_, i64>(1).map_err(pg)?) {
                let member = r.try_get::<_, i64>(0).map_err(pg)?;
                list.push((member, team, stored_role(r.try_get(2).map_err(pg)?)));
            }
            Ok(())
        })?;
        Ok(list)
    }
}

/// A member from a row of [`MEMBER_COLUMNS`], its texts borrowed as bytes and checked as UTF-8
/// once for the whole row, as SQLite's are (a 1M diff's reading thread: 0.16 s less CPU). A
/// UTF8 database, the only kind the store opens, sends no other text.
fn member_of(r: &Row) -> Result<Member, StoreError> {
    let mut bytes: [Option<&[u8]>; FIELD_COUNT + 3] = [None; FIELD_COUNT + 3];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = r
            .try_get::<_, Option<TextBytes>>(i + 1)
            .map_err(pg)?
            .map(|t| t.0);
    }
    let (id, protected) = (
        r.try_get(0).map_err(pg)?,
        r.try_get(FIELD_COUNT + 4).map_err(pg)?,
    );
    Ok(member_of_bytes(id, &bytes, protected))
}

/// A text column's bytes as the server sent them, not yet checked as UTF-8.
struct TextBytes<'a>(&'a [u8]);

impl<'a> FromSql<'a> for TextBytes<'a> {
    fn from_sql(
        _: &Type,
        raw: &'a [u8],
    ) -> Result<TextBytes<'a>, Box<dyn std::error::Error + Sync + Send>> {
        Ok(TextBytes(raw))
    }

    fn accepts(ty: &Type) -> bool {
        <&str as FromSql>::accepts(ty)
    }
}
