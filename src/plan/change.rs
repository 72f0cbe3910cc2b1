//! The plan's types: what one member's change is (fields old -> new, status, teams), and the
//! summary counts of SPEC §7.

use crate::model::{Field, Role, Status};
use crate::validate::Record;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Reactivate,
    Deactivate,
}

/// What one field of a member becomes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Field(Field),
    /// `type.field`
    Form(String),
}

impl Key {
    pub fn column(&self) -> String {
        match self {
            Key::Field(f) => f.name().to_string(),
            Key::Form(k) => format!("form.{k}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub key: Key,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub old: Option<Status>,
    pub new: Status,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamChanges {
    pub added: Vec<(String, Role)>,
    pub removed: Vec<(String, Role)>,
    /// (team, old role, new role)
    pub changed: Vec<(String, Role, Role)>,
}

impl TeamChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// A member the plan creates: the file's record itself, borrowed (a list of field changes, or a
/// copy of the values, would cost several times as much memory on a large first import).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewMember<'a> {
    pub record: &'a Record,
    /// The row's organization_role, else `--default-role`.
    pub role: Role,
}

impl<'a> NewMember<'a> {
    pub fn get(&self, field: Field) -> Option<&'a str> {
        match field {
            Field::OrganizationRole => Some(self.role.as_str()),
            _ => self.record.get(field),
        }
    }

    /// The member's values, in field order.
    pub fn values(&self) -> impl Iterator<Item = (Field, &'a str)> + use<'a> {
        let new = *self;
        Field::ALL
            .into_iter()
            .filter_map(move |f| new.get(f).map(|v| (f, v)))
    }

    /// The member's form values, by `type.field`.
    pub fn forms(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        self.record
            .forms
            .iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (k.as_str(), v)))
    }
}

/// One member's change.
///
/// Small on purpose (56 bytes): a large first import holds a million creates, and a create
/// borrows its record, so what only an existing member's change has is boxed in [`Edit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<'a> {
    pub action: Action,
    pub status: Option<StatusChange>,
    pub row: Option<u32>,
    /// Index into the snapshot's members; `None` for a member the plan creates.
    pub member: Option<usize>,
    /// The created member (action `create`).
    pub created: Option<NewMember<'a>>,
    /// An existing member's identifiers after the change, field changes and team changes.
    edit: Option<Box<Edit>>,
}

/// What changes of an existing member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edit {
    /// email, external_id, phone after the change.
    pub ids: [Option<String>; 3],
    pub fields: Vec<FieldChange>,
    pub teams: TeamChanges,
}

impl<'a> Change<'a> {
    /// A member the plan creates, with the status it gets; its teams are its record's.
    pub fn create(row: Option<u32>, created: NewMember<'a>, status: Status) -> Change<'a> {
        Change {
            action: Action::Create,
            status: Some(StatusChange {
                old: None,
                new: status,
            }),
            row,
            member: None,
            created: Some(created),
            edit: None,
        }
    }

    /// A change of the snapshot's member `member`.
    pub fn existing(
        action: Action,
        row: Option<u32>,
        member: usize,
        status: Option<StatusChange>,
        edit: Edit,
    ) -> Change<'a> {
        Change {
            action,
            status,
            row,
            member: Some(member),
            created: None,
            edit: Some(Box::new(edit)),
        }
    }
}

impl Change<'_> {
    /// email, external_id, phone after the change.
    pub fn ids(&self) -> [Option<&str>; 3] {
        match (&self.created, &self.edit) {
            (Some(n), _) => [Field::Email, Field::ExternalId, Field::Phone].map(|f| n.get(f)),
            (None, Some(e)) => [0, 1, 2].map(|i| e.ids[i].as_deref()),
            (None, None) => [None; 3],
        }
    }

    /// Field changes of an existing member (a created one's are its values: see
    /// [`Change::each_field`]).
    pub fn fields(&self) -> &[FieldChange] {
        self.edit.as_ref().map_or(&[], |e| &e.fields)
    }

    /// Teams the member joins, with its role there.
    pub fn teams_added(&self) -> impl Iterator<Item = (&str, Role)> {
        let created = self.created.iter().flat_map(|n| &n.record.teams);
        let edited = self.edit.iter().flat_map(|e| &e.teams.added);
        created
            .map(|t| (&*t.team, t.role))
            .chain(edited.map(|(t, r)| (t.as_str(), *r)))
    }

    /// Teams the member leaves, with the role it had.
    pub fn teams_removed(&self) -> impl Iterator<Item = (&str, Role)> {
        let edited = self.edit.iter().flat_map(|e| &e.teams.removed);
        edited.map(|(t, r)| (t.as_str(), *r))
    }

    /// Teams where the member's role changes: (team, old role, new role).
    pub fn teams_changed(&self) -> impl Iterator<Item = (&str, Role, Role)> {
        let edited = self.edit.iter().flat_map(|e| &e.teams.changed);
        edited.map(|(t, old, new)| (t.as_str(), *old, *new))
    }

    /// Each field's old and new value: a created member's values, or the changed fields.
    pub fn each_field(&self, mut visit: impl FnMut(&Key, Option<&str>, Option<&str>)) {
        match &self.created {
            Some(n) => {
                for (f, v) in n.values() {
                    visit(&Key::Field(f), None, Some(v));
                }
                for (k, v) in n.forms() {
                    visit(&Key::Form(k.to_string()), None, Some(v));
                }
            }
            None => {
                for f in self.fields() {
                    visit(&f.key, f.old.as_deref(), f.new.as_deref());
                }
            }
        }
    }

    /// The organization role the change sets, if any.
    pub fn new_role(&self) -> Option<Role> {
        match &self.created {
            Some(n) => Some(n.role),
            None => self.fields().iter().find_map(|f| match (&f.key, &f.new) {
                (Key::Field(Field::OrganizationRole), Some(r)) => Role::parse(r),
                _ => None,
            }),
        }
    }
}

/// The counts of SPEC §10, in the contract's key order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub reactivated: u64,
    pub deactivated: u64,
    /// Members missed by this full sync and marked, but not yet deactivated (SPEC §16).
    pub pending_deactivation: u64,
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

/// A member a full sync misses but does not deactivate yet: `deactivate-after-missing` asks
/// for more full syncs in a row to miss it (SPEC §16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Index into the snapshot's members.
    pub member: usize,
    /// Its email, external_id, phone.
    pub ids: [Option<String>; 3],
    /// Full syncs in a row that missed it, this one included.
    pub count: u64,
    /// The count that deactivates it.
    pub of: u64,
    /// The first import that missed it; `None`: this one.
    pub first_import: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan<'a> {
    pub changes: Vec<Change<'a>>,
    pub teams_created: Vec<String>,
    pub teams_deleted: Vec<String>,
    pub summary: Summary,
    /// Members marked missing by this full sync (their mark set or counted up).
    pub pending: Vec<Pending>,
    /// Members (by id) whose missing mark this import clears: named by the file, deactivated,
    /// or no longer to be deactivated at all.
    pub marks_cleared: Vec<i64>,
}

impl Plan<'_> {
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty() || !self.teams_created.is_empty() || !self.teams_deleted.is_empty()
    }

    /// How many members the plan creates.
    pub fn creates(&self) -> usize {
        self.changes.iter().filter(|c| c.member.is_none()).count()
    }
}
