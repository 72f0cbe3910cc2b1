//! A User's attributes to a member's fields (SPEC §17), and a member as a User. The resource
//! is kept as sent; only what roster's columns accept is copied into its fields: `emails` (the
//! primary one, else the only one, else a `userName` with an email's shape) = email,
//! `externalId`, `name.givenName`, `name.familyName`, `displayName` = name, `title` = job_title,
//! `phoneNumbers` (the mobile one, else the primary one) = phone when it is E.164.

use super::discovery::USER_URN;
use super::filter::get_ci;
use crate::columns::{Column, check_field, clean_cell};
use crate::model::{Field, Member, Status};
use serde_json::{Value, json};

/// The fields a User maps, in field order.
pub const MAPPED: [Field; 7] = [
    Field::Email,
    Field::ExternalId,
    Field::Phone,
    Field::FirstName,
    Field::LastName,
    Field::Name,
    Field::JobTitle,
];

/// The attributes a User maps to fields (the others are kept, not mapped).
const MAPPED_ATTRIBUTES: [&str; 10] = [
    "schemas",
    "id",
    "meta",
    "username",
    "emails",
    "externalid",
    "name",
    "displayname",
    "title",
    "phonenumbers",
];

/// What a User says of a member.
#[derive(Debug, Clone, Default)]
pub struct Mapped {
    /// Each of [`MAPPED`]: absent (`None`), present but refused by its column (`Some(None)`),
    /// or its value.
    pub fields: [Option<Option<String>>; 7],
    pub active: bool,
    /// The audit note: attributes kept without a field, and values a column refused.
    pub note: Value,
}

impl Mapped {
    pub fn get(&self, field: Field) -> Option<&str> {
        let i = MAPPED.iter().position(|f| *f == field)?;
        self.fields[i].as_ref()?.as_deref()
    }

    /// Whether the User holds the attribute that maps to `field` (its value refused or not).
    pub fn has(&self, field: Field) -> bool {
        MAPPED
            .iter()
            .position(|f| *f == field)
            .is_some_and(|i| self.fields[i].is_some())
    }
}

/// A text attribute's value as a column takes it, or why not.
fn accept(field: Field, raw: &Value) -> Result<String, String> {
    let Some(text) = raw.as_str() else {
        return Err("not a string".into());
    };
    let value = clean_cell(text);
    if value.is_empty() {
        return Err("empty".into());
    }
    let limit = Column::Field(field).max_chars();
    if limit.is_some_and(|l| value.chars().count() > l) {
        return Err(format!("longer than {} characters", limit.unwrap_or(0)));
    }
    let catalog = crate::columns::Catalog::default();
    check_field(field, value, &catalog)
        .map(|v| v.into_owned())
        .map_err(|m| m.join("; "))
}

/// The element of a multi-valued attribute: by `type`, else the primary one, else the only one.
fn pick<'a>(items: &'a [Value], kind: Option<&str>) -> Option<&'a Value> {
    let typed = kind.and_then(|k| {
        items.iter().find(|i| {
            get_ci(i, "type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(k))
        })
    });
    let primary = || {
        items
            .iter()
            .find(|i| get_ci(i, "primary").is_some_and(|p| p == true || p == "True" || p == "true"))
    };
    typed
        .or_else(primary)
        .or_else(|| (items.len() == 1).then(|| &items[0]))
}

/// Maps a User resource.
pub fn map(resource: &Value) -> Mapped {
    let mut mapped = Mapped {
        active: get_ci(resource, "active")
            .is_none_or(|a| a != false && a != "False" && a != "false"),
        ..Mapped::default()
    };
    let mut refused = serde_json::Map::new();
    let list = |name: &str| {
        get_ci(resource, name)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let emails = list("emails");
    let email = pick(&emails, None)
        .and_then(|e| get_ci(e, "value"))
        .cloned()
        .or_else(|| {
            get_ci(resource, "userName")
                .filter(|u| u.as_str().is_some_and(crate::columns::is_email))
                .cloned()
        });
    let phones = list("phoneNumbers");
    let phone = pick(&phones, Some("mobile"))
        .and_then(|p| get_ci(p, "value"))
        .cloned();
    let name = get_ci(resource, "name");
    let sources = [
        email,
        get_ci(resource, "externalId").cloned(),
        phone,
        name.and_then(|n| get_ci(n, "givenName")).cloned(),
        name.and_then(|n| get_ci(n, "familyName")).cloned(),
        get_ci(resource, "displayName").cloned(),
        get_ci(resource, "title").cloned(),
    ];
    for (i, source) in sources.into_iter().enumerate() {
        let Some(raw) = source.filter(|v| !v.is_null()) else {
            continue;
        };
        let field = MAPPED[i];
        mapped.fields[i] = Some(match accept(field, &raw) {
            Ok(v) => Some(v),
            Err(why) => {
                refused.insert(field.name().into(), json!({"value": raw, "why": why}));
                None
            }
        });
    }
    let kept: Vec<&String> = resource
        .as_object()
        .map(|o| {
            o.keys()
                .filter(|k| !MAPPED_ATTRIBUTES.contains(&k.to_ascii_lowercase().as_str()))
                .filter(|k| !k.eq_ignore_ascii_case("active"))
                .collect()
        })
        .unwrap_or_default();
    mapped.note = json!({"unmapped": kept, "refused": refused});
    mapped
}

/// The userName a member without a SCIM resource is known by: its email, else external_id,
/// else phone, else `#id`.
pub fn default_user_name(member: &Member) -> String {
    member.label()
}

/// A member that no identity provider wrote, as a User.
pub fn from_member(member: &Member) -> Value {
    let mut user = json!({
        "schemas": [USER_URN],
        "userName": default_user_name(member),
    });
    let get = |f: Field| member.get(f).map(str::to_string);
    if let Some(v) = get(Field::ExternalId) {
        user["externalId"] = v.into();
    }
    let mut name = serde_json::Map::new();
    if let Some(v) = get(Field::FirstName) {
        name.insert("givenName".into(), v.into());
    }
    if let Some(v) = get(Field::LastName) {
        name.insert("familyName".into(), v.into());
    }
    if !name.is_empty() {
        user["name"] = Value::Object(name);
    }
    if let Some(v) = get(Field::Name) {
        user["displayName"] = v.into();
    }
    if let Some(v) = get(Field::JobTitle) {
        user["title"] = v.into();
    }
    if let Some(v) = get(Field::Email) {
        user["emails"] = json!([{"value": v, "type": "work", "primary": true}]);
    }
    if let Some(v) = get(Field::Phone) {
        user["phoneNumbers"] = json!([{"value": v, "type": "mobile", "primary": true}]);
    }
    user
}

/// The status a User's `active` gives an existing member: `None` when it stays.
pub fn status_after(member: &Member, active: bool) -> Option<(Status, Status)> {
    match (active, member.status) {
        (false, Status::Inactive) => None,
        (false, old) => Some((old, Status::Inactive)),
        (true, Status::Inactive) => Some((
            Status::Inactive,
            member.prior_status.unwrap_or(Status::Provisioned),
        )),
        (true, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_maps_what_the_columns_accept_and_keeps_the_rest() {
        let user = json!({
            "userName": "jdoe",
            "emails": [{"value": "home@x.org", "type": "home"}, {"value": "J@X.org", "primary": true}],
            "phoneNumbers": [{"value": "555-1234", "type": "mobile"}],
            "name": {"givenName": "Jane", "familyName": "Doe"},
            "title": "x".repeat(201),
            "addresses": [],
            "active": "False",
        });
        let m = map(&user);
        assert_eq!(m.get(Field::Email), Some("J@X.org"));
        assert_eq!(m.get(Field::Phone), None);
        assert!(m.has(Field::Phone));
        assert_eq!(m.get(Field::FirstName), Some("Jane"));
        assert_eq!(m.get(Field::JobTitle), None);
        assert!(!m.active);
        assert_eq!(m.note["unmapped"], json!(["addresses"]));
        assert!(m.note["refused"]["phone"].is_object());
    }

    #[test]
    fn an_email_shaped_user_name_is_the_email() {
        let m = map(&json!({"userName": "a@x.org"}));
        assert_eq!(m.get(Field::Email), Some("a@x.org"));
        assert!(m.active);
        assert_eq!(map(&json!({"userName": "jdoe"})).get(Field::Email), None);
    }
}
