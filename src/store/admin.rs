//! Reads and writes outside an import: single members, member counts, members' states
//! (`roster members ...`, `roster invite`), settings, labels and form fields. Each write is one
//! transaction in the write order, with its audit event, and bumps the generation.

use super::history::{insert_audit_batches, now};
use super::shared::{Definition, state_change_audit};
use super::sql::{self, Backend, Begin, Row, args};
use super::{MemberRecord, Settings, StateChange, Store, audit};
use crate::columns::Catalog;
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Member, Role, Status, Values, email_key, member_label};

/// The member columns every member read selects, in this order.
pub const MEMBER_COLUMNS: &str = "id, email, external_id, phone, first_name, last_name, name, \
     job_title, date_of_birth, description, labels, notify_email, notify_sms, notify_voice, \
     organization_role, forms, status, prior_status, protected";

/// `'ACTIVE', 'INVITED'`: statuses are the model's own names, never user text.
/// No status at all is `NULL`, which matches nothing.
pub fn status_list(statuses: &[Status]) -> String {
    if statuses.is_empty() {
        return "NULL".into();
    }
    let quoted: Vec<String> = statuses
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    quoted.join(", ")
}

/// A member from its stored parts: the id, the texts of the columns after it (by position:
/// the fields, the forms' JSON, the status, the prior status), lent as bytes, and the
/// protection, as [`MEMBER_COLUMNS`] lists them. The fields' texts are checked as UTF-8 at
/// once, and one by one only if that fails; a text that is not UTF-8 is no value.
pub fn member_of_bytes(
    id: i64,
    bytes: &[Option<&[u8]>; FIELD_COUNT + 3],
    protected: bool,
) -> Member {
    let text = |i: usize| bytes[i].and_then(|b| std::str::from_utf8(b).ok());
    Member {
        id,
        values: Values::from_utf8_fn(|f| bytes[f.index()])
            .unwrap_or_else(|| Values::from_fn(|f| text(f.index()))),
        forms: text(FIELD_COUNT)
            .and_then(|f| serde_json::from_str::<std::collections::BTreeMap<_, _>>(f).ok())
            .map(crate::model::Forms::from)
            .unwrap_or_default(),
        status: text(FIELD_COUNT + 1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(Status::Provisioned),
        prior_status: text(FIELD_COUNT + 2).and_then(|p| p.parse().ok()),
        protected,
    }
}

fn member_from_row(mut r: Row) -> Result<Member, StoreError> {
    let id: i64 = r.get(0)?;
    let protected: bool = r.get(FIELD_COUNT + 4)?;
    let texts = (1..FIELD_COUNT + 4)
        .map(|i| r.get::<Option<String>>(i))
        .collect::<Result<Vec<_>, _>>()?;
    let bytes = std::array::from_fn(|i| texts[i].as_deref().map(str::as_bytes));
    Ok(member_of_bytes(id, &bytes, protected))
}

/// The label and form-field definitions and the settings.
pub fn definitions(db: &dyn Backend) -> Result<(Catalog, Settings), StoreError> {
    let strings = |sql: &str| -> Result<Vec<String>, StoreError> {
        sql::all(db, sql, &[])?
            .into_iter()
            .map(|mut r| r.get(0))
            .collect()
    };
    let catalog = Catalog {
        labels: strings("SELECT slug FROM labels")?.into_iter().collect(),
        form_fields: strings("SELECT key FROM form_fields")?
            .into_iter()
            .collect(),
    };
    let mut s = Settings::default();
    for mut row in sql::all(db, "SELECT key, value FROM settings", &[])? {
        let (k, v): (String, String) = (row.get(0)?, row.get(1)?);
        match k.as_str() {
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

pub fn bump_generation(db: &dyn Backend) -> Result<(), StoreError> {
    db.execute(
        "UPDATE meta SET value = value + 1 WHERE key = 'generation'",
        &[],
    )?;
    Ok(())
}

impl Store {
    /// The label and form-field definitions and the settings: what a file is read against.
    pub fn definitions(&self) -> Result<(Catalog, Settings), StoreError> {
        sql::transaction(&*self.db, Begin::Read, definitions)
    }

    pub fn settings(&self) -> Result<Settings, StoreError> {
        Ok(self.definitions()?.1)
    }

    /// A setting's stored text (the invite-* and smtp-* keys).
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        match sql::first(
            &*self.db,
            "SELECT value FROM settings WHERE key = $1",
            args![key],
        )? {
            Some(mut row) => row.get(0),
            None => Ok(None),
        }
    }

    /// The member whose email (ignoring case), external_id or phone is `id`, in that order.
    pub fn find_member(&self, id: &str) -> Result<Option<MemberRecord>, StoreError> {
        let id = id.trim();
        let key = email_key(id);
        for (column, value) in [
            ("email_key", key.as_str()),
            ("external_id", id),
            ("phone", id),
        ] {
            let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE {column} = $1");
            let Some(row) = sql::first(&*self.db, &sql, args![value])? else {
                continue;
            };
            let member = member_from_row(row)?;
            // Team names in byte order, as the snapshot sorts them.
            let teams = sql::all(
                &*self.db,
                "SELECT t.name, ms.team_role FROM memberships ms JOIN teams t \
                 ON t.id = ms.team_id WHERE ms.member_id = $1",
                args![member.id],
            )?;
            let mut teams = teams
                .into_iter()
                .map(|mut r| {
                    let role = Role::parse(&r.get::<String>(1)?).unwrap_or(Role::Member);
                    Ok((r.get::<String>(0)?, role))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            teams.sort();
            return Ok(Some(MemberRecord { member, teams }));
        }
        Ok(None)
    }

    /// How many members have one of `statuses`.
    pub fn count_members(&self, statuses: &[Status]) -> Result<u64, StoreError> {
        let sql = format!(
            "SELECT count(*) FROM members WHERE status IN ({})",
            status_list(statuses)
        );
        Ok(sql::one::<i64>(&*self.db, &sql, &[])? as u64)
    }

    /// Sets members' status/protection outside an import (`roster members ...`, `roster invite`),
    /// in one transaction, with an audit event each.
    pub fn set_member_states(
        &mut self,
        changes: &[StateChange],
        operator: &str,
    ) -> Result<(), StoreError> {
        sql::transaction(&*self.db, Begin::Ordered, |db| {
            let at = now();
            let mut audit = audit::BatchWriter::default();
            for c in changes {
                let mut row = sql::first(
                    db,
                    "SELECT status, protected, email, external_id, phone FROM members \
                     WHERE id = $1",
                    args![c.member_id],
                )?
                .ok_or_else(|| sql::message(format!("no member {}", c.member_id)))?;
                let (old_status, old_protected): (String, bool) = (row.get(0)?, row.get(1)?);
                let ids: [Option<String>; 3] = [row.get(2)?, row.get(3)?, row.get(4)?];
                let label = member_label(ids.each_ref().map(Option::as_deref), c.member_id);
                db.execute(
                    "UPDATE members SET status = $2, prior_status = $3, protected = $4, \
                     updated_at = $5 WHERE id = $1",
                    args![
                        c.member_id,
                        c.status.as_str(),
                        c.prior.map(|p| p.as_str()),
                        c.protected,
                        at.as_str()
                    ],
                )?;
                super::invitations::on_status(db, c.member_id, &old_status, c.status, &at)?;
                let changes = state_change_audit(&old_status, old_protected, c);
                audit.push(c.member_id, &label, c.action, changes)?;
            }
            insert_audit_batches(db, None, &at, operator, audit.finish()?)?;
            bump_generation(db)
        })
    }

    /// Sets (`None`: removes) a setting; a change is an audit event by `operator`.
    pub fn set_setting(
        &mut self,
        key: &str,
        value: Option<&str>,
        operator: &str,
    ) -> Result<(), StoreError> {
        sql::transaction(&*self.db, Begin::Ordered, |db| {
            let old: Option<String> =
                match sql::first(db, "SELECT value FROM settings WHERE key = $1", args![key])? {
                    Some(mut row) => row.get(0)?,
                    None => None,
                };
            match value {
                Some(v) => db.execute(
                    "INSERT INTO settings (key, value) VALUES ($1, $2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    args![key, v],
                )?,
                None => db.execute("DELETE FROM settings WHERE key = $1", args![key])?,
            };
            if old.as_deref() != value {
                let change = Definition::setting(key, old.as_deref(), value);
                insert_audit_batches(db, None, &now(), operator, change.audit()?)?;
            }
            bump_generation(db)
        })
    }

    /// The definitions: `false` when there was nothing to add or remove; a change is an
    /// audit event by `operator` ([`Definition`]).
    pub fn add_label(&mut self, slug: &str, operator: &str) -> Result<bool, StoreError> {
        let sql = "INSERT INTO labels (slug) VALUES ($1) ON CONFLICT DO NOTHING";
        self.definition(sql, Definition::label(true, slug), operator)
    }
    pub fn remove_label(&mut self, slug: &str, operator: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM labels WHERE slug = $1";
        self.definition(sql, Definition::label(false, slug), operator)
    }
    pub fn add_form_field(&mut self, key: &str, operator: &str) -> Result<bool, StoreError> {
        let sql = "INSERT INTO form_fields (key) VALUES ($1) ON CONFLICT DO NOTHING";
        self.definition(sql, Definition::form_field(true, key), operator)
    }
    pub fn remove_form_field(&mut self, key: &str, operator: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM form_fields WHERE key = $1";
        self.definition(sql, Definition::form_field(false, key), operator)
    }

    /// One definition write (`sql` with the label or form field as `$1`), its audit event when
    /// it changed something, and the generation bump (always), in one transaction.
    fn definition(
        &mut self,
        sql: &str,
        change: Definition,
        operator: &str,
    ) -> Result<bool, StoreError> {
        sql::transaction(&*self.db, Begin::Ordered, |db| {
            let name = change.new.or(change.old).unwrap_or_default();
            let changed = db.execute(sql, args![name])? > 0;
            if changed {
                insert_audit_batches(db, None, &now(), operator, change.audit()?)?;
            }
            bump_generation(db)?;
            Ok(changed)
        })
    }
}
