//! The bulk path of `apply`, for large plans: binary COPY of created members and added
//! memberships straight into their tables, and of updated rows, removed and changed
//! memberships into temporary tables that set-based statements (`UPDATE ... FROM`,
//! `DELETE ... USING`) then apply. Updates go before creates, so that an identifier an update
//! frees is free for a created member.

use super::connect::pg;
use super::write::{INSERT_COLUMNS, updated};
use crate::error::StoreError;
use crate::model::Field;
use crate::plan::Plan;
use crate::store::Snapshot;
use crate::store::shared::created;
use crate::store::sql::Writes;
use crate::store::ticker::Ticker;
use postgres::Client;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use std::collections::HashMap;

/// `col = <source>.col` for every member field.
fn field_sets(source: &str) -> String {
    Field::ALL
        .iter()
        .map(|f| format!("{0} = {source}.{0}", f.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The per-row update: `$1` the id, `$2..$15` the fields, `$16` email_key, `$17` whether the
/// forms change, `$18` the forms, `$19` the new status (NULL: unchanged), `$20` the prior
/// status, `$21` the time.
pub fn row_update_sql() -> String {
    let sets = Field::ALL
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{} = ${}", f.name(), i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "UPDATE members SET {sets}, email_key = $16, \
         forms = CASE WHEN $17 THEN $18 ELSE forms END, status = coalesce($19, status), \
         prior_status = CASE WHEN $19 IS NULL THEN prior_status ELSE $20 END, updated_at = $21 \
         WHERE id = $1"
    )
}

/// Writes the plan; the ticker counts each member row as its COPY sends it, then the changes
/// of memberships only once those are written.
pub fn write(tx: &mut Client, w: &Writes, ticker: &mut Ticker) -> Result<(), StoreError> {
    let (plan, snapshot, ids, team_ids, at) = (w.plan, w.snapshot, w.ids, w.team_ids, w.at);
    let rows = write_updates(tx, plan, snapshot, at, ticker)?;
    write_creates(tx, plan, ids, at, ticker)?;
    write_memberships(tx, plan, ids, team_ids, snapshot.membership_count())?;
    let created = plan.creates();
    ticker.advance((plan.changes.len() - rows - created) as u64);
    Ok(())
}

fn copy_in<'t>(
    tx: &'t mut Client,
    sql: &str,
    types: &[Type],
) -> Result<BinaryCopyInWriter<'t>, StoreError> {
    let sink = tx.copy_in(sql).map_err(pg)?;
    Ok(BinaryCopyInWriter::new(sink, types))
}

fn text_types(n: usize) -> impl Iterator<Item = Type> {
    std::iter::repeat_n(Type::TEXT, n)
}

fn write_updates(
    tx: &mut Client,
    plan: &Plan,
    snapshot: &Snapshot,
    at: &str,
    ticker: &mut Ticker,
) -> Result<usize, StoreError> {
    let rows: Vec<_> = plan
        .changes
        .iter()
        .filter_map(|c| c.member.and_then(|i| updated(c, &snapshot.members[i])))
        .collect();
    if rows.is_empty() {
        return Ok(0);
    }
    let columns: Vec<String> = Field::ALL
        .iter()
        .map(|f| format!("{} text", f.name()))
        .collect();
    tx.batch_execute(&format!(
        "CREATE TEMP TABLE roster_updates (id bigint, {}, email_key text, forms_changed boolean, \
         forms text, status text, prior_status text) ON COMMIT DROP",
        columns.join(", ")
    ))
    .map_err(pg)?;
    let mut types = vec![Type::INT8];
    types.extend(text_types(Field::ALL.len() + 1));
    types.push(Type::BOOL);
    types.extend(text_types(3));
    let mut w = copy_in(tx, "COPY roster_updates FROM STDIN (FORMAT binary)", &types)?;
    for u in &rows {
        let (status, prior) = u.status.map_or((None, None), |(s, p)| (Some(s), p));
        let forms_changed = u.forms.is_some();
        let forms = u.forms.clone().flatten();
        let mut values: Vec<&(dyn ToSql + Sync)> = vec![&u.id];
        values.extend(u.values.iter().map(|v| v as &(dyn ToSql + Sync)));
        values.extend([
            &u.email_key as &(dyn ToSql + Sync),
            &forms_changed,
            &forms,
            &status,
            &prior,
        ]);
        w.write(&values).map_err(pg)?;
        ticker.advance(1);
    }
    w.finish().map_err(pg)?;
    let sql = format!(
        "UPDATE members m SET {}, email_key = u.email_key, \
         forms = CASE WHEN u.forms_changed THEN u.forms ELSE m.forms END, \
         status = coalesce(u.status, m.status), \
         prior_status = CASE WHEN u.status IS NULL THEN m.prior_status ELSE u.prior_status END, \
         updated_at = $1 FROM roster_updates u WHERE m.id = u.id",
        field_sets("u")
    );
    let members = snapshot.members.len();
    join_temp(tx, "roster_updates", rows.len(), members, &sql, &[&at])?;
    Ok(rows.len())
}

/// Runs `sql`, which joins the temp table `temp` (`rows` rows) to a table of about
/// `table_rows` rows by its key. A few rows among many: each looked up by key, where
/// PostgreSQL's planner would walk the whole key (a merge join, ~0.65 s at 1M members for 36k
/// updates, against half that), and the temp table needs no statistics (its ANALYZE took
/// 0.14-0.19 s). Past an eighth of the table the walk is the cheaper one and the planner
/// chooses, from the temp table's statistics.
fn join_temp(
    tx: &mut Client,
    temp: &str,
    rows: usize,
    table_rows: usize,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, StoreError> {
    let lookups = rows.saturating_mul(8) < table_rows;
    match lookups {
        true => tx.batch_execute(LOOKUP_JOINS),
        false => tx.batch_execute(&format!("ANALYZE {temp}")),
    }
    .map_err(pg)?;
    let changed = tx.execute(sql, params).map_err(pg)?;
    if lookups {
        tx.batch_execute(PLANNED_JOINS).map_err(pg)?;
    }
    Ok(changed)
}

const LOOKUP_JOINS: &str = "SET LOCAL enable_mergejoin = off; SET LOCAL enable_hashjoin = off";
/// Back to the server's own settings for the rest of the transaction (not forced on).
const PLANNED_JOINS: &str =
    "SET LOCAL enable_mergejoin TO DEFAULT; SET LOCAL enable_hashjoin TO DEFAULT";

fn write_creates(
    tx: &mut Client,
    plan: &Plan,
    ids: &[i64],
    at: &str,
    ticker: &mut Ticker,
) -> Result<(), StoreError> {
    if !plan.changes.iter().any(|c| c.member.is_none()) {
        return Ok(());
    }
    let mut types = vec![Type::INT8];
    types.extend(text_types(Field::ALL.len() + 3));
    types.push(Type::BOOL);
    types.extend(text_types(2));
    let sql = format!("COPY members ({INSERT_COLUMNS}) FROM STDIN (FORMAT binary)");
    let mut w = copy_in(tx, &sql, &types)?;
    let protected = false;
    for (change, &id) in plan.changes.iter().zip(ids) {
        if change.member.is_some() {
            continue;
        }
        let c = created(change, id);
        let mut values: Vec<&(dyn ToSql + Sync)> = vec![&c.id];
        values.extend(c.values.iter().map(|v| v as &(dyn ToSql + Sync)));
        values.extend([
            &c.forms as &(dyn ToSql + Sync),
            &c.status,
            &c.email_key,
            &protected,
            &at,
            &at,
        ]);
        w.write(&values).map_err(pg)?;
        ticker.advance(1);
    }
    w.finish().map_err(pg)?;
    Ok(())
}

fn write_memberships(
    tx: &mut Client,
    plan: &Plan,
    ids: &[i64],
    team_ids: &HashMap<String, i64>,
    memberships: usize,
) -> Result<(), StoreError> {
    let team = |name: &str| team_ids.get(name).copied().unwrap_or_default();
    let mut removed = Vec::new();
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for (change, &id) in plan.changes.iter().zip(ids) {
        removed.extend(
            change
                .teams_removed()
                .map(|(n, r)| (team(n), id, r.as_str())),
        );
        added.extend(change.teams_added().map(|(n, r)| (team(n), id, r.as_str())));
        changed.extend(
            change
                .teams_changed()
                .map(|(n, _, r)| (team(n), id, r.as_str())),
        );
    }
    if !removed.is_empty() {
        into_temp(tx, "roster_removed", &removed)?;
        let sql = "DELETE FROM memberships ms USING roster_removed r \
             WHERE ms.team_id = r.team_id AND ms.member_id = r.member_id";
        join_temp(tx, "roster_removed", removed.len(), memberships, sql, &[])?;
    }
    if !changed.is_empty() {
        into_temp(tx, "roster_changed", &changed)?;
        let sql = "UPDATE memberships ms SET team_role = c.team_role FROM roster_changed c \
             WHERE ms.team_id = c.team_id AND ms.member_id = c.member_id";
        join_temp(tx, "roster_changed", changed.len(), memberships, sql, &[])?;
    }
    if !added.is_empty() {
        copy_memberships(
            tx,
            "COPY memberships (team_id, member_id, team_role) FROM STDIN (FORMAT binary)",
            &added,
        )?;
    }
    Ok(())
}

fn into_temp(tx: &mut Client, name: &str, rows: &[(i64, i64, &str)]) -> Result<(), StoreError> {
    tx.batch_execute(&format!(
        "CREATE TEMP TABLE {name} (team_id bigint, member_id bigint, team_role text) \
         ON COMMIT DROP"
    ))
    .map_err(pg)?;
    copy_memberships(tx, &format!("COPY {name} FROM STDIN (FORMAT binary)"), rows)
}

fn copy_memberships(
    tx: &mut Client,
    sql: &str,
    rows: &[(i64, i64, &str)],
) -> Result<(), StoreError> {
    let mut w = copy_in(tx, sql, &[Type::INT8, Type::INT8, Type::TEXT])?;
    for (team, member, role) in rows {
        w.write(&[team, member, role]).map_err(pg)?;
    }
    w.finish().map_err(pg)?;
    Ok(())
}
