//! THE column table (SPEC §5): every column, its aliases, its limit and its rule.
//! Add a column here only; `parse::header` matches headers against it and `validate` applies it.

use crate::error::msg;
use crate::model::{Field, Role};
use std::borrow::Cow;
use std::collections::BTreeSet;

/// What a header of the file names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Field(Field),
    Team,
    TeamRole,
    /// `form.{type}.{field}`, keyed `type.field`.
    Form(String),
}

impl Column {
    pub fn name(&self) -> String {
        match self {
            Column::Field(f) => f.name().to_string(),
            Column::Team => "team".into(),
            Column::TeamRole => "team_role".into(),
            Column::Form(key) => format!("form.{key}"),
        }
    }

    /// Longest value in characters, after trimming; `None` when the rule bounds it.
    pub fn max_chars(&self) -> Option<usize> {
        match self {
            Column::Field(Field::ExternalId) => Some(255),
            Column::Field(Field::FirstName | Field::LastName) => Some(100),
            Column::Field(Field::Name | Field::JobTitle) => Some(200),
            Column::Field(Field::Description) | Column::Form(_) => Some(2000),
            Column::Team => Some(50),
            _ => None,
        }
    }
}

/// Every known column with its aliases, canonical name first, as [`header_key`] writes them
/// (lowercase, without spaces, `_` or `-`).
const TABLE: &[(Column, &[&str])] = &[
    (Column::Field(Field::Email), &["email", "emailaddress"]),
    (
        Column::Field(Field::ExternalId),
        &["externalid", "orgmemberid"],
    ),
    (Column::Field(Field::Phone), &["phone", "phonenumber"]),
    (Column::Field(Field::FirstName), &["firstname"]),
    (Column::Field(Field::LastName), &["lastname"]),
    (Column::Field(Field::Name), &["name", "displayname"]),
    (Column::Field(Field::JobTitle), &["jobtitle"]),
    (Column::Field(Field::DateOfBirth), &["dateofbirth"]),
    (Column::Field(Field::Description), &["description"]),
    (Column::Field(Field::Labels), &["labels"]),
    (Column::Field(Field::NotifyEmail), &["notifyemail"]),
    (Column::Field(Field::NotifySms), &["notifysms"]),
    (Column::Field(Field::NotifyVoice), &["notifyvoice"]),
    (
        Column::Field(Field::OrganizationRole),
        &["organizationrole", "orgrole"],
    ),
    (Column::Team, &["team"]),
    (Column::TeamRole, &["teamrole"]),
];

/// What headers are compared by: lowercase, without spaces, `_` and `-` (so `First Name`,
/// `first-name` and `firstName` are all `firstname`).
pub fn header_key(header: &str) -> String {
    trim_cell(header)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The canonical header of `roster template`, in the order CSV export writes its columns.
pub fn canonical_header(teams: bool) -> Vec<String> {
    TABLE
        .iter()
        .map(|(c, _)| c)
        .filter(|c| teams || !matches!(c, Column::Team | Column::TeamRole))
        .map(Column::name)
        .collect()
}

/// Matches a header: a canonical name or alias, ignoring case, spaces, `_` and `-`.
/// `form.*` headers are returned as [`Column::Form`]; their definition is checked later.
pub fn lookup(header: &str) -> Option<Column> {
    let lower = trim_cell(header).to_lowercase();
    if let Some(rest) = lower.strip_prefix("form.") {
        let mut parts = rest.splitn(2, '.');
        let (ty, field) = (parts.next()?, parts.next()?);
        if ty.is_empty() || field.is_empty() {
            return None;
        }
        return Some(Column::Form(format!("{ty}.{field}")));
    }
    let key = header_key(header);
    TABLE
        .iter()
        .find(|(_, aliases)| aliases.contains(&key.as_str()))
        .map(|(c, _)| c.clone())
}

/// The column an unknown header most likely means, for a `--map` suggestion: one whose name
/// or alias the header contains (`Work Email`), or that contains the header (`Title`), or
/// that is within two edits of it (`Emial`). `None` when nothing is close.
pub fn resembling(header: &str) -> Option<Column> {
    let key = header_key(header);
    if key.chars().count() < 4 {
        return None;
    }
    let score = |alias: &str| {
        let (a, k) = (alias.chars().count(), key.chars().count());
        if (a >= 5 && key.contains(alias)) || alias.contains(key.as_str()) {
            Some(a.abs_diff(k))
        } else {
            Some(edit_distance(alias, &key)).filter(|&d| d <= 2)
        }
    };
    TABLE
        .iter()
        .filter_map(|(c, aliases)| Some((aliases.iter().filter_map(|a| score(a)).min()?, c)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.clone())
}

/// Levenshtein distance in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Characters trimmed from both ends of every cell besides Unicode whitespace (SPEC §5).
const INVISIBLE: [char; 7] = [
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{2060}', '\u{FEFF}',
];

pub fn trim_cell(s: &str) -> &str {
    // Most cells begin and end with a printable ASCII character, which is neither whitespace
    // nor invisible: nothing to trim, and no character to decode (every cell of every row).
    let b = s.as_bytes();
    if b.first().is_some_and(u8::is_ascii_graphic) && b.last().is_some_and(u8::is_ascii_graphic) {
        return s;
    }
    s.trim_matches(|c: char| c.is_whitespace() || INVISIBLE.contains(&c))
}

/// Trims a cell and removes the `'` that roster's CSV writer puts before formula characters.
pub fn clean_cell(s: &str) -> &str {
    let t = trim_cell(s);
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '@', '\t', '\r', '\n', '+', '-']) => rest,
        _ => t,
    }
}

/// The definitions a file is validated against: labels and form fields of the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub labels: BTreeSet<String>,
    pub form_fields: BTreeSet<String>,
}

/// Checks one non-empty, cleaned value of a field; returns its canonical text or the row
/// error messages (labels can have several).
pub fn check_field<'a>(
    field: Field,
    value: &'a str,
    catalog: &Catalog,
) -> Result<Cow<'a, str>, Vec<String>> {
    let one = |m: &str| Err(vec![m.to_string()]);
    match field {
        Field::Email if is_email(value) => Ok(value.into()),
        Field::Email => one(msg::INVALID_EMAIL),
        Field::Phone if is_phone(value) => Ok(value.into()),
        Field::Phone => one(msg::INVALID_PHONE),
        // One message for all three (the contract's); the hint says which (msg::row_hints).
        Field::DateOfBirth => match check_date(value) {
            DateCheck::Past => Ok(value.into()),
            DateCheck::BadShape | DateCheck::NotReal | DateCheck::Future => one(msg::INVALID_DATE),
        },
        Field::NotifyEmail | Field::NotifySms | Field::NotifyVoice => match parse_bool(value) {
            Some(true) => Ok("true".into()),
            Some(false) => Ok("false".into()),
            None => one(msg::INVALID_BOOL),
        },
        Field::OrganizationRole => match Role::parse(value) {
            Some(r) => Ok(r.as_str().into()),
            None => one(msg::INVALID_ORG_ROLE),
        },
        Field::Labels => canonical_labels(split_labels(value), catalog).map(Cow::Owned),
        _ => Ok(value.into()),
    }
}

pub fn split_labels(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(trim_cell).filter(|s| !s.is_empty())
}

/// Sorted, de-duplicated, comma-joined; every slug must be defined.
pub fn canonical_labels<'a>(
    slugs: impl Iterator<Item = &'a str>,
    catalog: &Catalog,
) -> Result<String, Vec<String>> {
    let set: BTreeSet<&str> = slugs.collect();
    let unknown: Vec<String> = set
        .iter()
        .filter(|s| !catalog.labels.contains(**s))
        .map(|s| msg::unknown_label(s))
        .collect();
    if unknown.is_empty() {
        Ok(set.into_iter().collect::<Vec<_>>().join(","))
    } else {
        Err(unknown)
    }
}

pub fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~.-";

/// `local@domain.tld` as SPEC §5 defines it.
pub fn is_email(s: &str) -> bool {
    // Bytes first: a text of at most 254 bytes has at most 254 characters.
    if s.len() > 254 && s.chars().count() > 254 {
        return false;
    }
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    is_local_part(local) && is_domain(domain)
}

/// ASCII only, so a byte at a time (every row's email): a byte of a character beyond ASCII
/// is in no allowed character.
fn is_local_part(local: &str) -> bool {
    let b = local.as_bytes();
    !b.is_empty()
        && b.iter().all(|&c| LOCAL_BYTES[c as usize])
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !b.windows(2).any(|pair| pair == b"..")
}

/// The bytes of [`is_local_part`]'s characters: ASCII letters, digits and `LOCAL_SPECIALS`.
const LOCAL_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        table[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    let specials = LOCAL_SPECIALS.as_bytes();
    let mut i = 0;
    while i < specials.len() {
        table[specials[i] as usize] = true;
        i += 1;
    }
    table
};

/// At least two labels (so a dot), each valid; without collecting them (every row's email).
fn is_domain(domain: &str) -> bool {
    domain.contains('.') && domain.split('.').all(is_domain_label)
}

/// Letters and digits of any script and `-`; an ASCII label is checked a byte at a time.
fn is_domain_label(label: &str) -> bool {
    !label.is_empty()
        && !label.starts_with('-')
        && !label.ends_with('-')
        && (label
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-')
            || (!label.is_ascii() && label.chars().all(|c| c.is_alphanumeric() || c == '-')))
}

/// E.164 syntax: `+` then 2 to 15 digits, the first not 0.
pub fn is_phone(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// What a `date_of_birth` cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateCheck {
    /// A real `YYYY-MM-DD` date, not after today (UTC): valid.
    Past,
    /// Not in the `YYYY-MM-DD` shape.
    BadShape,
    /// In the shape, but no calendar has it (`1990-02-30`).
    NotReal,
    Future,
}

pub fn check_date(s: &str) -> DateCheck {
    let shape_ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape_ok {
        return DateCheck::BadShape;
    }
    match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Err(_) => DateCheck::NotReal,
        Ok(d) if d > chrono::Utc::now().date_naive() => DateCheck::Future,
        Ok(_) => DateCheck::Past,
    }
}

/// Why a date of birth in the `YYYY-MM-DD` shape is refused, for its hint (`msg::row_hints`).
pub fn date_fault(s: &str) -> Option<msg::DateFault> {
    match check_date(s) {
        DateCheck::NotReal => Some(msg::DateFault::NotReal),
        DateCheck::Future => Some(msg::DateFault::Future),
        DateCheck::Past | DateCheck::BadShape => None,
    }
}

/// A real `YYYY-MM-DD` date, not after today (UTC).
pub fn is_past_date(s: &str) -> bool {
    check_date(s) == DateCheck::Past
}

#[cfg(test)]
mod tests;
