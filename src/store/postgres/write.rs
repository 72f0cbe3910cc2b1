//! An import's member writes on PostgreSQL, inside the apply's transaction: small plans row by
//! row (`rows`); large ones by binary COPY (`bulk`), the first large import into an empty store
//! with its indexes rebuilt once at the end (`rebuild`).

use super::{bulk, rebuild, rows};
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Field, Member, Status, email_key};
use crate::plan::{Change, Key};
use crate::store::shared::forms_json;
use crate::store::sql::Writes;
use crate::store::ticker::Ticker;
use postgres::Client;

/// From this many changes a plan is written by COPY and set-based statements.
const BULK_CHANGES: usize = 200;

/// `ROSTER_PG_PER_ROW=1` writes every plan row by row, never through COPY: for the benchmark
/// that compares the two paths (benches/README.md), not for use.
fn per_row_forced() -> bool {
    std::env::var_os("ROSTER_PG_PER_ROW").is_some_and(|v| v == "1")
}

/// The columns a created member is written with, in this order.
pub const INSERT_COLUMNS: &str = "id, email, external_id, phone, first_name, last_name, name, \
     job_title, date_of_birth, description, labels, notify_email, notify_sms, notify_voice, \
     organization_role, forms, status, email_key, protected, created_at, updated_at";

/// An existing member's row after its change: every field (the snapshot's values with the
/// changes applied; the snapshot is current, the generation says so), and forms and status
/// only when they change.
pub struct Updated<'a> {
    pub id: i64,
    pub values: [Option<&'a str>; FIELD_COUNT],
    pub email_key: Option<String>,
    /// `Some`: the forms change to this (`None` inside: no forms left).
    pub forms: Option<Option<String>>,
    /// `Some((status, prior status))`: the status changes.
    pub status: Option<(&'static str, Option<&'static str>)>,
}

/// The member's row after `change`, or `None` when only its memberships change.
pub fn updated<'a>(change: &'a Change, member: &'a Member) -> Option<Updated<'a>> {
    if change.fields().is_empty() && change.status.is_none() {
        return None;
    }
    let mut values = Field::ALL.map(|f| member.get(f));
    let mut forms = member.forms.to_map();
    let mut forms_changed = false;
    for f in change.fields() {
        match &f.key {
            Key::Field(field) => values[field.index()] = f.new.as_deref(),
            Key::Form(k) => {
                forms_changed = true;
                match &f.new {
                    Some(v) => forms.insert(k.clone(), v.clone()),
                    None => forms.remove(k),
                };
            }
        }
    }
    let status = change.status.map(|s| {
        let prior = (s.new == Status::Inactive).then(|| member.status.as_str());
        (s.new.as_str(), prior)
    });
    Some(Updated {
        id: member.id,
        values,
        email_key: values[Field::Email.index()].map(email_key),
        forms: forms_changed.then(|| forms_json(&forms)),
        status,
    })
}

/// Writes the members and memberships of the plan by the path that suits its size.
pub fn write_members(tx: &mut Client, w: &Writes, ticker: &mut Ticker) -> Result<(), StoreError> {
    let plan = w.plan;
    if plan.changes.len() < BULK_CHANGES || per_row_forced() {
        return rows::write(tx, w, ticker);
    }
    let creates = plan.creates();
    let aside = match w.snapshot.members.is_empty() && creates >= rebuild::MIN_CREATES {
        true => rebuild::set_aside(tx)?,
        false => None,
    };
    bulk::write(tx, w, ticker)?;
    match aside {
        Some(aside) => rebuild::rebuild(tx, aside),
        None => Ok(()),
    }
}
