//! The PostgreSQL hot reads, each in one REPEATABLE READ, READ ONLY transaction (never blocks
//! an import): the snapshot an import plans against and the stream of members `roster export`
//! writes. Rows are streamed from the server (never a result set of a million members held
//! beside the members built from it).

use super::Postgres;
use super::connect::pg;
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Member, Role, Status};
use crate::store::admin::{MEMBER_COLUMNS, build_member, definitions, status_list};
use crate::store::sql::{self, Begin};
use crate::store::{MemberVisitor, Snapshot, Team};
use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;

/// No parameters, for `query_raw`.
fn no_params() -> std::iter::Empty<&'static (dyn ToSql + Sync)> {
    std::iter::empty()
}

fn member_from_row(r: &postgres::Row) -> Result<Member, StoreError> {
    let mut texts: [Option<&str>; FIELD_COUNT + 3] = [None; FIELD_COUNT + 3];
    for (i, t) in texts.iter_mut().enumerate() {
        *t = r.try_get(i + 1).map_err(pg)?;
    }
    let (id, protected) = (
        r.try_get(0).map_err(pg)?,
        r.try_get(FIELD_COUNT + 4).map_err(pg)?,
    );
    Ok(build_member(id, &|i| texts[i], protected))
}

/// Every membership as (member id, team index by name, role), by member id then team.
fn memberships_by_member_id(client: &mut Client) -> Result<Vec<(i64, u32, Role)>, StoreError> {
    let mut rows = client
        .query_raw(
            "SELECT ms.member_id, t.rank, ms.team_role FROM memberships ms JOIN \
             (SELECT id, (row_number() OVER (ORDER BY name COLLATE \"C\") - 1)::int AS rank \
              FROM teams) t ON t.id = ms.team_id ORDER BY ms.member_id, t.rank",
            no_params(),
        )
        .map_err(pg)?;
    let mut list = Vec::new();
    while let Some(r) = rows.next().map_err(pg)? {
        let role = Role::parse(r.get::<_, &str>(2)).unwrap_or(Role::Member);
        list.push((r.get::<_, i64>(0), r.get::<_, i32>(1) as u32, role));
    }
    Ok(list)
}

fn team_names(client: &mut Client) -> Result<Vec<Team>, StoreError> {
    let rows = client
        .query(
            "SELECT id, name FROM teams ORDER BY name COLLATE \"C\"",
            &[],
        )
        .map_err(pg)?;
    Ok(rows
        .iter()
        .map(|r| Team {
            id: r.get(0),
            name: r.get(1),
        })
        .collect())
}

pub fn snapshot(db: &Postgres) -> Result<Snapshot, StoreError> {
    sql::transaction(db, Begin::Read, |_| {
        let mut client = db.client()?;
        let generation: i64 = client
            .query_one("SELECT value FROM meta WHERE key = 'generation'", &[])
            .map_err(pg)?
            .get(0);
        let count: i64 = client
            .query_one("SELECT count(*) FROM members", &[])
            .map_err(pg)?
            .get(0);
        // Sized up front: growing a vector of a million members would briefly hold it twice.
        let mut members: Vec<Member> = Vec::with_capacity(count as usize);
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members ORDER BY id");
        let mut rows = client.query_raw(&sql, no_params()).map_err(pg)?;
        while let Some(r) = rows.next().map_err(pg)? {
            members.push(member_from_row(&r)?);
        }
        drop(rows);
        let teams = team_names(&mut client)?;
        let mut memberships = Vec::with_capacity(members.len());
        let mut i = 0;
        for (member_id, team, role) in memberships_by_member_id(&mut client)? {
            while members.get(i).is_some_and(|m| m.id < member_id) {
                i += 1;
            }
            if members.get(i).is_some_and(|m| m.id == member_id) {
                memberships.push((i, team as usize, role));
            }
        }
        drop(client);
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

/// The members with one of `statuses`, by id, each with its memberships by team name.
pub fn each_member(
    db: &Postgres,
    statuses: &[Status],
    visit: &mut MemberVisitor,
) -> Result<(), StoreError> {
    sql::transaction(db, Begin::Read, |_| {
        let mut client = db.client()?;
        let teams: Vec<String> = team_names(&mut client)?
            .into_iter()
            .map(|t| t.name)
            .collect();
        let memberships = memberships_by_member_id(&mut client)?;
        let list = status_list(statuses);
        let sql =
            format!("SELECT {MEMBER_COLUMNS} FROM members WHERE status IN ({list}) ORDER BY id");
        let mut rows = client.query_raw(&sql, no_params()).map_err(pg)?;
        let mut named: Vec<(&str, Role)> = Vec::new();
        let mut k = 0;
        while let Some(row) = rows.next().map_err(pg)? {
            let member = member_from_row(&row)?;
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
