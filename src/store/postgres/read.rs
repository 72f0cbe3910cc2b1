//! Reads that see one committed state: the snapshot an import plans against and the stream of
//! members `roster export` writes. Rows are streamed from the server (never a result set of a
//! million members held beside the members built from it).

use super::{PostgresStore, pg};
use crate::columns::Catalog;
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Member, Role, Status, Values, email_key};
use crate::store::{MemberRecord, MemberVisitor, Settings, Snapshot, Team};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{IsolationLevel, Transaction};

pub const MEMBER_COLUMNS: &str = "id, email, external_id, phone, first_name, last_name, name, \
     job_title, date_of_birth, description, labels, notify_email, notify_sms, notify_voice, \
     organization_role, forms, status, prior_status, protected";

/// No parameters, for `query_raw`.
pub fn no_params() -> std::iter::Empty<&'static (dyn ToSql + Sync)> {
    std::iter::empty()
}

/// A consistent read: one REPEATABLE READ, READ ONLY transaction (never blocks an import).
pub fn read_tx(client: &mut postgres::Client) -> Result<Transaction<'_>, StoreError> {
    client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(pg)
}

pub fn member_from_row(r: &postgres::Row) -> Result<Member, postgres::Error> {
    let mut texts: [Option<&str>; FIELD_COUNT] = [None; FIELD_COUNT];
    for (i, v) in texts.iter_mut().enumerate() {
        *v = r.try_get(i + 1)?;
    }
    let text = |i: usize| r.try_get::<_, Option<&str>>(i);
    Ok(Member {
        id: r.try_get(0)?,
        values: Values::from_fn(|f| texts[f.index()]),
        forms: text(FIELD_COUNT + 1)?
            .and_then(|f| serde_json::from_str(f).ok())
            .unwrap_or_default(),
        status: text(FIELD_COUNT + 2)?
            .and_then(|s| s.parse().ok())
            .unwrap_or(Status::Provisioned),
        prior_status: text(FIELD_COUNT + 3)?.and_then(|p| p.parse().ok()),
        protected: r.try_get(FIELD_COUNT + 4)?,
    })
}

pub fn generation(tx: &mut Transaction) -> Result<i64, StoreError> {
    Ok(tx
        .query_one("SELECT value FROM meta WHERE key = 'generation'", &[])
        .map_err(pg)?
        .get(0))
}

/// Every membership as (member id, team index by name, role), by member id then team.
fn memberships_by_member_id(tx: &mut Transaction) -> Result<Vec<(i64, u32, Role)>, StoreError> {
    let mut rows = tx
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

fn strings(tx: &mut Transaction, sql: &str) -> Result<Vec<String>, StoreError> {
    let rows = tx.query(sql, &[]).map_err(pg)?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

fn definitions(tx: &mut Transaction) -> Result<(Catalog, Settings), StoreError> {
    let catalog = Catalog {
        labels: strings(tx, "SELECT slug FROM labels")?
            .into_iter()
            .collect(),
        form_fields: strings(tx, "SELECT key FROM form_fields")?
            .into_iter()
            .collect(),
    };
    let mut s = Settings::default();
    for row in tx
        .query("SELECT key, value FROM settings", &[])
        .map_err(pg)?
    {
        let (k, v): (&str, String) = (row.get(0), row.get(1));
        match k {
            "seat-limit" => s.seat_limit = v.parse().ok(),
            "max-rows" => s.max_rows = v.parse().ok(),
            "max-bytes" => s.max_bytes = v.parse().ok(),
            "max-deactivations" => s.max_deactivations = Some(v),
            "max-shrink" => s.max_shrink = Some(v),
            "deactivate-after-missing" => s.deactivate_after_missing = v.parse().ok(),
            _ => {}
        }
    }
    Ok((catalog, s))
}

impl PostgresStore {
    pub(super) fn read_snapshot(&self) -> Result<Snapshot, StoreError> {
        let mut client = self.conn()?;
        let mut tx = read_tx(&mut client)?;
        let generation = generation(&mut tx)?;
        let count: i64 = tx
            .query_one("SELECT count(*) FROM members", &[])
            .map_err(pg)?
            .get(0);
        // Sized up front: growing a vector of a million members would briefly hold it twice.
        let mut members: Vec<Member> = Vec::with_capacity(count as usize);
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members ORDER BY id");
        let mut rows = tx.query_raw(&sql, no_params()).map_err(pg)?;
        while let Some(r) = rows.next().map_err(pg)? {
            members.push(member_from_row(&r).map_err(pg)?);
        }
        drop(rows);
        let teams: Vec<Team> = tx
            .query(
                "SELECT id, name FROM teams ORDER BY name COLLATE \"C\"",
                &[],
            )
            .map_err(pg)?
            .iter()
            .map(|r| Team {
                id: r.get(0),
                name: r.get(1),
            })
            .collect();
        let mut memberships = Vec::with_capacity(members.len());
        let mut i = 0;
        for (member_id, team, role) in memberships_by_member_id(&mut tx)? {
            while members.get(i).is_some_and(|m| m.id < member_id) {
                i += 1;
            }
            if members.get(i).is_some_and(|m| m.id == member_id) {
                memberships.push((i, team as usize, role));
            }
        }
        let (catalog, settings) = definitions(&mut tx)?;
        let missing = super::marks::load(&mut tx)?;
        tx.commit().map_err(pg)?;
        let mut snapshot =
            Snapshot::from_pairs(members, teams, memberships, catalog, settings, generation);
        snapshot.missing = missing;
        Ok(snapshot)
    }

    pub(super) fn read_definitions(&self) -> Result<(Catalog, Settings), StoreError> {
        let mut client = self.conn()?;
        let mut tx = read_tx(&mut client)?;
        let defs = definitions(&mut tx)?;
        tx.commit().map_err(pg)?;
        Ok(defs)
    }

    /// The members with one of `statuses`, by id, each with its memberships by team name.
    pub(super) fn visit_members(
        &self,
        statuses: &[Status],
        visit: &mut MemberVisitor,
    ) -> Result<(), StoreError> {
        let mut client = self.conn()?;
        let mut tx = read_tx(&mut client)?;
        let teams = strings(
            &mut tx,
            "SELECT name FROM teams ORDER BY name COLLATE \"C\"",
        )?;
        let memberships = memberships_by_member_id(&mut tx)?;
        let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        let sql =
            format!("SELECT {MEMBER_COLUMNS} FROM members WHERE status = ANY($1) ORDER BY id");
        let mut rows = tx.query_raw(&sql, [&statuses]).map_err(pg)?;
        let mut named: Vec<(&str, Role)> = Vec::new();
        let mut k = 0;
        while let Some(row) = rows.next().map_err(pg)? {
            let member = member_from_row(&row).map_err(pg)?;
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
}

impl PostgresStore {
    /// The member whose email (ignoring case), external_id or phone is `id`, in that order.
    pub(super) fn find_member_by(&self, id: &str) -> Result<Option<MemberRecord>, StoreError> {
        let id = id.trim();
        let key = email_key(id);
        let mut client = self.conn()?;
        for (column, value) in [
            ("email_key", key.as_str()),
            ("external_id", id),
            ("phone", id),
        ] {
            let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE {column} = $1");
            let Some(row) = client.query_opt(&sql, &[&value]).map_err(pg)? else {
                continue;
            };
            let member = member_from_row(&row).map_err(pg)?;
            let teams = client
                .query(
                    "SELECT t.name, ms.team_role FROM memberships ms JOIN teams t \
                     ON t.id = ms.team_id WHERE ms.member_id = $1 ORDER BY t.name COLLATE \"C\"",
                    &[&member.id],
                )
                .map_err(pg)?
                .iter()
                .map(|r| {
                    let role = Role::parse(r.get::<_, &str>(1)).unwrap_or(Role::Member);
                    (r.get::<_, String>(0), role)
                })
                .collect();
            return Ok(Some(MemberRecord { member, teams }));
        }
        Ok(None)
    }

    pub(super) fn count_by_status(&self, statuses: &[Status]) -> Result<u64, StoreError> {
        let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        let n: i64 = self
            .conn()?
            .query_one(
                "SELECT count(*) FROM members WHERE status = ANY($1)",
                &[&statuses],
            )
            .map_err(pg)?
            .get(0);
        Ok(n as u64)
    }
}
