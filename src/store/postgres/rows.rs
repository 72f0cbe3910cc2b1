//! The per-row path of `apply`, for small plans: prepared statements, in plan order (as the
//! SQLite store writes).

use super::bulk;
use super::connect::pg;
use super::write::{INSERT_COLUMNS, updated};
use crate::error::StoreError;
use crate::store::shared::created;
use crate::store::sql::Writes;
use crate::store::ticker::Ticker;
use postgres::Client;
use postgres::types::ToSql;

pub fn write(tx: &mut Client, w: &Writes, ticker: &mut Ticker) -> Result<(), StoreError> {
    let (plan, snapshot, ids, team_ids, at) = (w.plan, w.snapshot, w.ids, w.team_ids, w.at);
    let insert = tx
        .prepare(&format!(
            "INSERT INTO members ({INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14, $15, $16, $17, $18, false, $19, $19)"
        ))
        .map_err(pg)?;
    let update = tx.prepare(&bulk::row_update_sql()).map_err(pg)?;
    let remove = tx
        .prepare("DELETE FROM memberships WHERE team_id = $1 AND member_id = $2")
        .map_err(pg)?;
    let add = tx
        .prepare("INSERT INTO memberships (team_id, member_id, team_role) VALUES ($1, $2, $3)")
        .map_err(pg)?;
    let change_role = tx
        .prepare("UPDATE memberships SET team_role = $3 WHERE team_id = $1 AND member_id = $2")
        .map_err(pg)?;
    let team = |name: &str| team_ids.get(name).copied().unwrap_or_default();
    for (change, &id) in plan.changes.iter().zip(ids) {
        match change.member {
            None => {
                let c = created(change, id);
                let mut args = fields(&c.id, &c.values);
                args.extend([&c.forms as Arg, &c.status, &c.email_key, &at]);
                tx.execute(&insert, &args).map_err(pg)?;
            }
            Some(i) => {
                if let Some(u) = updated(change, &snapshot.members[i]) {
                    let (forms_changed, forms) = (u.forms.is_some(), u.forms.clone().flatten());
                    let (status, prior) = u.status.map_or((None, None), |(s, p)| (Some(s), p));
                    let mut args = fields(&u.id, &u.values);
                    args.extend([
                        &u.email_key as Arg,
                        &forms_changed,
                        &forms,
                        &status,
                        &prior,
                        &at,
                    ]);
                    tx.execute(&update, &args).map_err(pg)?;
                }
            }
        }
        for (t, _) in change.teams_removed() {
            tx.execute(&remove, &[&team(t), &id]).map_err(pg)?;
        }
        for (t, role) in change.teams_added() {
            tx.execute(&add, &[&team(t), &id, &role.as_str()])
                .map_err(pg)?;
        }
        for (t, _, role) in change.teams_changed() {
            tx.execute(&change_role, &[&team(t), &id, &role.as_str()])
                .map_err(pg)?;
        }
        ticker.advance(1);
    }
    Ok(())
}

type Arg<'a> = &'a (dyn ToSql + Sync);

/// The id and the member's fields, as the first parameters of a member statement.
fn fields<'a>(id: &'a i64, values: &'a [Option<&'a str>]) -> Vec<Arg<'a>> {
    let mut args: Vec<Arg> = vec![id];
    args.extend(values.iter().map(|v| v as Arg));
    args
}
