//! The member model: fields, statuses and roles, in the canonical text form the store keeps.

use std::fmt;
use std::str::FromStr;

mod forms;
mod values;
pub use forms::Forms;
pub use values::Values;

/// A member field that a file can set. The stored value of each is canonical text:
/// booleans are `true`/`false`, roles lowercase, labels sorted and comma-joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Email,
    ExternalId,
    Phone,
    FirstName,
    LastName,
    Name,
    JobTitle,
    DateOfBirth,
    Description,
    Labels,
    NotifyEmail,
    NotifySms,
    NotifyVoice,
    OrganizationRole,
}

pub const FIELD_COUNT: usize = 14;

impl Field {
    pub const ALL: [Field; FIELD_COUNT] = [
        Field::Email,
        Field::ExternalId,
        Field::Phone,
        Field::FirstName,
        Field::LastName,
        Field::Name,
        Field::JobTitle,
        Field::DateOfBirth,
        Field::Description,
        Field::Labels,
        Field::NotifyEmail,
        Field::NotifySms,
        Field::NotifyVoice,
        Field::OrganizationRole,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The canonical column name (SPEC §5), also the store's column name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Email => "email",
            Field::ExternalId => "external_id",
            Field::Phone => "phone",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::Name => "name",
            Field::JobTitle => "job_title",
            Field::DateOfBirth => "date_of_birth",
            Field::Description => "description",
            Field::Labels => "labels",
            Field::NotifyEmail => "notify_email",
            Field::NotifySms => "notify_sms",
            Field::NotifyVoice => "notify_voice",
            Field::OrganizationRole => "organization_role",
        }
    }

    pub fn is_identifier(self) -> bool {
        matches!(self, Field::Email | Field::ExternalId | Field::Phone)
    }

    pub fn is_bool(self) -> bool {
        matches!(
            self,
            Field::NotifyEmail | Field::NotifySms | Field::NotifyVoice
        )
    }

    /// Two stored values are the same value: emails compare case-insensitively.
    pub fn same(self, a: &str, b: &str) -> bool {
        match self {
            // Lower-casing (which allocates) can only tell more when a text is not ASCII.
            Field::Email => {
                a.eq_ignore_ascii_case(b)
                    || (!(a.is_ascii() && b.is_ascii()) && a.to_lowercase() == b.to_lowercase())
            }
            _ => a == b,
        }
    }
}

/// The three identifiers in resolution order (SPEC §6).
pub const IDENTIFIERS: [Field; 3] = [Field::ExternalId, Field::Email, Field::Phone];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Provisioned,
    Invited,
    Active,
    Inactive,
    Banned,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Provisioned,
        Status::Invited,
        Status::Active,
        Status::Inactive,
        Status::Banned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Provisioned => "PROVISIONED",
            Status::Invited => "INVITED",
            Status::Active => "ACTIVE",
            Status::Inactive => "INACTIVE",
            Status::Banned => "BANNED",
        }
    }

    /// `ACTIVE` and `INVITED` members use a seat (SPEC §3).
    pub fn uses_seat(self) -> bool {
        matches!(self, Status::Active | Status::Invited)
    }

    /// Neither `INACTIVE` nor `BANNED`: counts as an owner, and for the deactivation threshold.
    pub fn is_live(self) -> bool {
        !matches!(self, Status::Inactive | Status::Banned)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown status '{s}': expected PROVISIONED, INVITED, ACTIVE, INACTIVE or BANNED")
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    /// Roles are matched ignoring case and surrounding spaces.
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim();
        [Role::Owner, Role::Admin, Role::Member]
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse(s).ok_or_else(|| format!("unknown role '{s}': expected owner, admin or member"))
    }
}

/// A member as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub values: Values,
    /// Form values keyed `type.field`.
    pub forms: Forms<String>,
    pub status: Status,
    /// The status before full sync deactivated the member.
    pub prior_status: Option<Status>,
    pub protected: bool,
}

impl Member {
    /// A member with these values and status: not protected, no forms, no remembered status.
    pub fn new(id: i64, values: Values, status: Status) -> Member {
        Member {
            id,
            values,
            forms: Forms::default(),
            status,
            prior_status: None,
            protected: false,
        }
    }

    pub fn get(&self, field: Field) -> Option<&str> {
        self.values.get(field)
    }

    pub fn role(&self) -> Role {
        self.get(Field::OrganizationRole)
            .and_then(Role::parse)
            .unwrap_or(Role::Member)
    }

    /// The label people see for a member: email, else external_id, else phone.
    pub fn label(&self) -> String {
        member_label(IDENTIFIERS_FOR_DISPLAY.map(|f| self.get(f)), self.id).into_owned()
    }

    /// The display name: `name`, else first and last name (SPEC §3).
    pub fn display_name(&self) -> String {
        if let Some(name) = self.get(Field::Name) {
            return name.to_string();
        }
        [self.get(Field::FirstName), self.get(Field::LastName)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

pub const IDENTIFIERS_FOR_DISPLAY: [Field; 3] = [Field::Email, Field::ExternalId, Field::Phone];

/// Normalises an email for matching: case-insensitive (SPEC §5).
pub fn email_key(email: &str) -> String {
    email.to_lowercase()
}

/// [`email_key`] without allocating when the text is already lower-case ASCII.
pub fn email_key_cow(email: &str) -> std::borrow::Cow<'_, str> {
    if email
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        std::borrow::Cow::Owned(email.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(email)
    }
}

/// How messages and the audit log name member `id`: the first identifier present of `ids`
/// (email, external_id, phone: [`IDENTIFIERS_FOR_DISPLAY`] order), else `#id`.
pub fn member_label<'a>(ids: [Option<&'a str>; 3], id: i64) -> std::borrow::Cow<'a, str> {
    match ids.into_iter().flatten().next() {
        Some(first) => std::borrow::Cow::Borrowed(first),
        None => std::borrow::Cow::Owned(format!("#{id}")),
    }
}

/// An identifier as members are matched by it: emails ignoring case, the others exactly.
pub fn identifier_key(field: Field, value: &str) -> std::borrow::Cow<'_, str> {
    match field {
        Field::Email => email_key_cow(value),
        _ => std::borrow::Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests;
