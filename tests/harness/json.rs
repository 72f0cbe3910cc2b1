//! The JSON that roster prints, as typed values: the `--output json` document, NDJSON events,
//! the import history, the audit log and exported members. Every struct refuses unknown keys
//! and requires every key the contract (SPEC §10) names, so decoding is itself a check of the
//! key set; tests of key order or exact wire form read `Output::json` instead.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The document of `import`/`diff --output json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub format_version: String,
    #[serde(deserialize_with = "nullable")]
    pub import_id: Option<i64>,
    /// `null` when the file was refused before a plan existed.
    #[serde(deserialize_with = "nullable")]
    pub plan_id: Option<String>,
    pub dry_run: bool,
    pub status: String,
    pub mode: String,
    pub file: File,
    pub summary: Summary,
    pub changes: Vec<Change>,
    pub errors: Vec<RowError>,
    pub warnings: Vec<String>,
}

/// The NDJSON `summary` event: the document's top level without the three streamed arrays.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    pub format_version: String,
    #[serde(deserialize_with = "nullable")]
    pub import_id: Option<i64>,
    /// `null` when the file was refused before a plan existed.
    #[serde(deserialize_with = "nullable")]
    pub plan_id: Option<String>,
    pub dry_run: bool,
    pub status: String,
    pub mode: String,
    pub file: File,
    pub summary: Summary,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
    pub encoding: String,
}

/// The counts of SPEC §10. Build an expectation as `Summary { rows: 2, ..Summary::default() }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub reactivated: u64,
    pub deactivated: u64,
    pub unchanged: u64,
    pub teams_created: u64,
    pub teams_deleted: u64,
    pub memberships_added: u64,
    pub memberships_removed: u64,
    pub memberships_changed: u64,
    pub banned_skipped: u64,
    pub protected_skipped: u64,
    pub errors: u64,
}

/// One change: `action` is `create`, `update`, `reactivate` or `deactivate`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub action: String,
    #[serde(deserialize_with = "nullable")]
    pub row: Option<u64>,
    pub member: Ids,
    /// By column name (and `status`); values as the wire has them (strings, booleans, arrays).
    pub fields: BTreeMap<String, OldNew>,
    pub teams: TeamChanges,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ids {
    #[serde(deserialize_with = "nullable")]
    pub email: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub external_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub phone: Option<String>,
}

impl Ids {
    pub fn of(email: Option<&str>, external_id: Option<&str>, phone: Option<&str>) -> Ids {
        Ids {
            email: email.map(str::to_string),
            external_id: external_id.map(str::to_string),
            phone: phone.map(str::to_string),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OldNew {
    pub old: Value,
    pub new: Value,
}

impl OldNew {
    pub fn of(old: impl Into<Value>, new: impl Into<Value>) -> OldNew {
        OldNew {
            old: old.into(),
            new: new.into(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamChanges {
    pub added: Vec<TeamRole>,
    pub removed: Vec<TeamRole>,
    pub changed: Vec<TeamRoleChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamRole {
    pub team: String,
    pub team_role: String,
}

impl TeamRole {
    pub fn of(team: &str, team_role: &str) -> TeamRole {
        TeamRole {
            team: team.into(),
            team_role: team_role.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamRoleChange {
    pub team: String,
    pub old: String,
    pub new: String,
}

impl TeamRoleChange {
    pub fn of(team: &str, old: &str, new: &str) -> TeamRoleChange {
        TeamRoleChange {
            team: team.into(),
            old: old.into(),
            new: new.into(),
        }
    }
}

/// A row error (SPEC §10).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowError {
    #[serde(deserialize_with = "nullable")]
    pub row: Option<u64>,
    #[serde(deserialize_with = "nullable")]
    pub column: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub value: Option<String>,
    /// The stable code (SPEC §10).
    pub code: String,
    pub message: String,
}

impl RowError {
    /// A row error whose code is the one its message's kind has (an independent list of the
    /// contract's messages, to check `code` against).
    pub fn placed(row: u64, column: Option<&str>, value: Option<&str>, message: &str) -> RowError {
        RowError {
            row: Some(row),
            column: column.map(str::to_string),
            value: value.map(str::to_string),
            code: code_for(message).to_string(),
            message: message.into(),
        }
    }
}

/// The code of a contract message (SPEC §10), by the message's fixed words.
pub fn code_for(message: &str) -> &'static str {
    const KINDS: [(&str, &str); 27] = [
        ("Invalid email format", "invalid_email"),
        ("Invalid phone format", "invalid_phone"),
        ("Invalid date", "invalid_date"),
        ("Invalid boolean", "invalid_boolean"),
        ("Invalid team role", "invalid_team_role"),
        ("Invalid organization role", "invalid_organization_role"),
        ("No identifier provided", "no_identifier"),
        ("Unknown label: ", "unknown_label"),
        ("Duplicate member in file", "duplicate_member"),
        ("Conflicting ", "conflicting_value"),
        ("Not applied: ", "member_not_applied"),
        ("The file exceeds", "file_too_large"),
        ("The file is not a CSV", "not_csv"),
        ("The file is empty.", "file_empty"),
        ("The file has no header row.", "no_header_row"),
        ("The file has no data rows.", "no_data_rows"),
        (
            "Required column is missing: one of",
            "missing_identifier_column",
        ),
        ("Required column is missing: ", "missing_column"),
        ("Duplicate column found", "duplicate_column"),
        ("Unknown form field", "unknown_form_field"),
        ("Unknown encoding", "unknown_encoding"),
        ("The file is not valid JSON", "invalid_json"),
        ("Your plan allows", "seat_limit"),
        (
            "This import would leave the organization",
            "last_owner_organization",
        ),
        ("This import would leave team", "last_owner_team"),
        ("This import would deactivate", "deactivation_limit"),
        ("The plan has changed", "plan_changed"),
    ];
    if message.starts_with("Identity conflict") {
        return match message.contains("its stored external_id") {
            true => "external_id_conflict",
            false => "identity_conflict",
        };
    }
    if message.starts_with("Row ") {
        return match message.ends_with("cell is too long.") {
            true => "cell_too_long",
            false => "wrong_column_count",
        };
    }
    if message.starts_with("Line ") {
        return "invalid_encoding";
    }
    if message.starts_with("The file has more than") {
        return "too_many_rows";
    }
    KINDS
        .iter()
        .find(|(prefix, _)| message.starts_with(prefix))
        .map_or("", |(_, code)| code)
}

/// One line of `--output ndjson`, by its `event` key.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Event {
    Progress(Progress),
    Change(Change),
    Error(RowError),
    Warning(Warning),
    Summary(Head),
}

impl Event {
    /// The `event` key.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Progress(_) => "progress",
            Event::Change(_) => "change",
            Event::Error(_) => "error",
            Event::Warning(_) => "warning",
            Event::Summary(_) => "summary",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    pub stage: String,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    pub message: String,
}

/// One import of `roster imports list|show --output json` and `GET /v1/imports[/{id}]`: the
/// import document's names for the same things (`import_id`, `file`), each once.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRecord {
    /// Only in a document of one import (`imports show`), never in a list.
    #[serde(default)]
    pub format_version: Option<String>,
    pub import_id: i64,
    pub status: String,
    pub operator: String,
    pub file: File,
    pub mode: String,
    /// The import's options by name, as recorded.
    pub options: BTreeMap<String, Value>,
    pub started_at: String,
    #[serde(deserialize_with = "nullable")]
    pub finished_at: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub summary: Option<Summary>,
    #[serde(deserialize_with = "nullable")]
    pub message: Option<String>,
}

/// One event of `roster log --output json` (decoded from [`AuditEventJson`], with an import's
/// change rebuilt whole from the event's `action` and `member`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "AuditEventJson")]
pub struct AuditEvent {
    pub id: i64,
    pub import_id: Option<i64>,
    pub created_at: String,
    pub operator: String,
    /// `null` for a change to the definitions or settings (`add_label`, `set_config`, ...).
    pub member: Option<Ids>,
    pub action: String,
    pub changes: AuditChanges,
}

impl AuditEvent {
    /// The member as messages name it: email, else external_id, else phone.
    pub fn label(&self) -> Option<&str> {
        let ids = self.member.as_ref()?;
        ids.email
            .as_deref()
            .or(ids.external_id.as_deref())
            .or(ids.phone.as_deref())
    }
}

/// An audit event as printed: the change's `row`, `fields` and `teams` under `changes`, its
/// `action` and `member` once, at the top.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEventJson {
    id: i64,
    #[serde(deserialize_with = "nullable")]
    import_id: Option<i64>,
    created_at: String,
    operator: String,
    #[serde(deserialize_with = "nullable")]
    member: Option<Ids>,
    action: String,
    changes: EventChanges,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
enum EventChanges {
    Import(ImportChanges),
    Admin(AdminChanges),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportChanges {
    #[serde(deserialize_with = "nullable")]
    row: Option<u64>,
    fields: BTreeMap<String, OldNew>,
    teams: TeamChanges,
}

impl TryFrom<AuditEventJson> for AuditEvent {
    type Error = String;
    fn try_from(e: AuditEventJson) -> Result<AuditEvent, String> {
        let changes = match e.changes {
            EventChanges::Admin(a) => AuditChanges::Admin(a),
            EventChanges::Import(c) => AuditChanges::Import(Change {
                action: e.action.clone(),
                row: c.row,
                member: e
                    .member
                    .clone()
                    .ok_or("an import's event without a member")?,
                fields: c.fields,
                teams: c.teams,
            }),
        };
        Ok(AuditEvent {
            id: e.id,
            import_id: e.import_id,
            created_at: e.created_at,
            operator: e.operator,
            member: e.member,
            action: e.action,
            changes,
        })
    }
}

/// What an audit event records: an import's change object, or the fields an administrative
/// command changed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum AuditChanges {
    Import(Change),
    Admin(AdminChanges),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminChanges {
    pub fields: BTreeMap<String, OldNew>,
}

impl AuditChanges {
    /// The change of an import's event (panics on an administrative one).
    #[track_caller]
    pub fn import(&self) -> &Change {
        match self {
            AuditChanges::Import(c) => c,
            AuditChanges::Admin(a) => panic!("an administrative change: {a:?}"),
        }
    }

    pub fn fields(&self) -> &BTreeMap<String, OldNew> {
        match self {
            AuditChanges::Import(c) => &c.fields,
            AuditChanges::Admin(a) => &a.fields,
        }
    }
}

/// One member of `roster export --format json` and `roster members list|show --output json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// A document of one member (`members show`) carries it; lists and the export do not.
    #[serde(default)]
    pub format_version: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub email: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub external_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub phone: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub first_name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub last_name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub job_title: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub date_of_birth: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub description: Option<String>,
    pub labels: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub notify_email: Option<bool>,
    #[serde(deserialize_with = "nullable")]
    pub notify_sms: Option<bool>,
    #[serde(deserialize_with = "nullable")]
    pub notify_voice: Option<bool>,
    pub form: Form,
    #[serde(deserialize_with = "nullable")]
    pub organization_role: Option<String>,
    pub status: String,
    pub protected: bool,
    pub teams: Vec<TeamRole>,
}

/// A member's form values by form type, then field.
pub type Form = BTreeMap<String, BTreeMap<String, String>>;

/// A `Form` of (type, field, value) triples.
pub fn form(values: &[(&str, &str, &str)]) -> Form {
    let mut form = Form::new();
    for (ty, field, value) in values {
        form.entry(ty.to_string())
            .or_default()
            .insert(field.to_string(), value.to_string());
    }
    form
}

/// An `Option` field that must be present (as `null` or a value): serde would otherwise take a
/// missing key for `None`.
fn nullable<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)
}

#[cfg(test)]
mod tests;
