//! The PostgreSQL hot reads: the member stream and the membership list of the snapshot and
//! the export, streamed from the server (never a result set of a million members held beside
//! the members built from it).

use super::connect::pg;
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Role, Status};
use crate::store::admin::{MEMBER_COLUMNS, build_member, status_list};
use crate::store::read::stored_role;
use crate::store::sql::{EachMember, TeamRanks};
use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;

/// No parameters, for `query_raw`.
fn no_params() -> std::iter::Empty<&'static (dyn ToSql + Sync)> {
    std::iter::empty()
}

pub fn members(
    client: &mut Client,
    statuses: Option<&[Status]>,
    each: &mut EachMember,
) -> Result<(), StoreError> {
    let filter = match statuses {
        Some(s) => format!("WHERE status IN ({})", status_list(s)),
        None => String::new(),
    };
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM members {filter} ORDER BY id");
    let mut rows = client.query_raw(&sql, no_params()).map_err(pg)?;
    while let Some(r) = rows.next().map_err(pg)? {
        let mut texts: [Option<&str>; FIELD_COUNT + 3] = [None; FIELD_COUNT + 3];
        for (i, t) in texts.iter_mut().enumerate() {
            *t = r.try_get(i + 1).map_err(pg)?;
        }
        let (id, protected) = (
            r.try_get(0).map_err(pg)?,
            r.try_get(FIELD_COUNT + 4).map_err(pg)?,
        );
        each(build_member(id, &|i| texts[i], protected))?;
    }
    Ok(())
}

/// Every membership of a ranked team as (member id, team rank, role), in table order.
pub fn memberships(
    client: &mut Client,
    ranks: &TeamRanks,
) -> Result<Vec<(i64, u32, Role)>, StoreError> {
    let mut rows = client
        .query_raw(
            "SELECT member_id, team_id, team_role FROM memberships",
            no_params(),
        )
        .map_err(pg)?;
    let mut list = Vec::new();
    while let Some(r) = rows.next().map_err(pg)? {
        // A membership of a team that is not there is left out, as a join would leave it.
        let Some(&team) = ranks.get(&r.get::<_, i64>(1)) else {
            continue;
        };
        list.push((r.get::<_, i64>(0), team, stored_role(r.get(2))));
    }
    Ok(list)
}
