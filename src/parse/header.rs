//! The header row: canonical names, aliases, `--map`, duplicate and missing columns.

use super::{RawTable, Table};
use crate::columns::{Catalog, Column, edit_distance, header_key, lookup, resembling, trim_cell};
use crate::error::{FileError, UnmatchedMap};
use crate::model::Field;

/// `--map 'Header In File=column'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub header: String,
    pub column: Column,
}

impl std::str::FromStr for Mapping {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (header, column) = s
            .rsplit_once('=')
            .ok_or_else(|| format!("expected 'Header In File=column', got '{s}'"))?;
        let column =
            lookup(column).ok_or_else(|| format!("'{column}' names no column of roster"))?;
        Ok(Mapping {
            header: trim_cell(header).to_string(),
            column,
        })
    }
}

impl std::fmt::Display for Mapping {
    /// As given to `--map`: `Header In File=column`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.header, self.column.name())
    }
}

pub(crate) fn resolve(
    raw: RawTable,
    mappings: &[Mapping],
    catalog: &Catalog,
) -> Result<Table, FileError> {
    check_mappings(&raw.header, mappings)?;
    let mut columns: Vec<Option<Column>> = Vec::with_capacity(raw.header.len());
    let mut unknown = Vec::new();
    let mut unknown_named = Vec::new();
    let mut warnings = Vec::new();
    let mut remapped = Vec::new();
    for (i, cell) in raw.header.iter().enumerate() {
        let name = trim_cell(cell);
        let mapped = mappings.iter().find(|m| maps(m, name));
        let column = match mapped {
            Some(m) => {
                // A mapping to the column the header names anyway changes nothing: unsaid.
                if lookup(name).as_ref() != Some(&m.column) {
                    remapped.push(format!("`{name}` to {}", m.column.name()));
                }
                Some(m.column.clone())
            }
            None => lookup(name),
        };
        if let Some(c) = &column {
            if columns.iter().flatten().any(|seen| seen == c) {
                return Err(FileError::DuplicateColumn(c.name()));
            }
        } else if !name.is_empty() || column_has_values(&raw, i) {
            if !name.is_empty() {
                unknown_named.push(name);
            }
            unknown.push(if name.is_empty() {
                format!("(empty header, column {})", i + 1)
            } else {
                name.to_string()
            });
        }
        columns.push(column);
    }
    check_required(&raw.header, &columns, catalog)?;
    warnings.extend(mapped_warning(&remapped));
    if !unknown.is_empty() {
        warnings.push(unknown_columns_warning(&unknown));
        let hr_id = missing_hr_id(&unknown_named, &columns);
        let said = hr_id.is_some();
        warnings.extend(hr_id);
        warnings.extend(map_suggestions(&unknown_named, &columns, said));
    }
    let has_team = columns.contains(&Some(Column::Team));
    Ok(Table {
        header: raw.header,
        columns,
        rows: raw.rows,
        warnings,
        has_team,
        format: super::InputFormat::Csv,
        delimiter: raw.delimiter,
    })
}

/// The `--map`s that changed the result, in one line (a nightly run's mappings are one
/// warning, in every output, not one each).
fn mapped_warning(remapped: &[String]) -> Option<String> {
    match remapped {
        [] => None,
        [one] => Some(format!("mapped column {one}")),
        many => Some(format!(
            "mapped {} columns: {}",
            many.len(),
            many.join(", ")
        )),
    }
}

/// A mapping takes the header it names, compared as canonical names are (SPEC §4).
fn maps(mapping: &Mapping, header: &str) -> bool {
    header_key(&mapping.header) == header_key(header)
}

/// Every `--map` must name a header of the file: a mistyped one would otherwise be ignored
/// and its column imported as blank (issue 17). All of them are reported at once, each with
/// the close header it may have meant: never a header that is already a column (its own or
/// another mapping's), so that a renamed export is not told to load emails into external_id.
fn check_mappings(header: &[String], mappings: &[Mapping]) -> Result<(), FileError> {
    let names: Vec<&str> = header
        .iter()
        .map(|h| trim_cell(h))
        .filter(|h| !h.is_empty())
        .collect();
    let taken = |h: &str| lookup(h).is_some() || mappings.iter().any(|m| maps(m, h));
    let unmatched: Vec<UnmatchedMap> = mappings
        .iter()
        .filter(|m| !names.iter().any(|h| maps(m, h)))
        .map(|m| {
            let wanted = header_key(&m.header);
            let closest = names
                .iter()
                .filter(|h| !taken(h))
                .map(|h| (edit_distance(&header_key(h), &wanted), *h))
                .filter(|(d, h)| *d <= close_enough(&wanted, &header_key(h)))
                .min_by_key(|(d, _)| *d)
                .map(|(_, h)| h.to_string());
            UnmatchedMap {
                mapping: m.to_string(),
                column: m.column.name(),
                closest,
            }
        })
        .collect();
    if unmatched.is_empty() {
        return Ok(());
    }
    Err(FileError::UnmatchedMapping {
        unmatched,
        headers: names.iter().map(|h| h.to_string()).collect(),
    })
}

/// The most edits between two headers that still read as a typo or a small rename of each
/// other: a third of the shorter one (`Emial Adress` for `Email Address`), at least one.
fn close_enough(a: &str, b: &str) -> usize {
    (a.chars().count().min(b.chars().count()) / 3).max(1)
}

/// "unknown column `Work Email` looks like email; to import it, add --map 'Work Email=email'":
/// one per column the file lacks, for the first unknown header that resembles it (an HR
/// export's own name for it, such as `Mobile Phone`, first). The HR id has its own warning.
fn map_suggestions(unknown: &[&str], columns: &[Option<Column>], hr_id: bool) -> Vec<String> {
    let mut taken: Vec<Column> = columns.iter().flatten().cloned().collect();
    if hr_id {
        taken.push(Column::Field(Field::ExternalId));
    }
    let mut out = Vec::new();
    for name in unknown {
        let column = hr_column(name).or_else(|| resembling(name));
        if let Some(column) = column.filter(|c| !taken.contains(c)) {
            out.push(crate::error::msg::map_suggestion(name, &column.name()));
            taken.push(column);
        }
    }
    out
}

/// HR exports' own names for the member's id in the source of record and for the phone,
/// compared as [`header_key`]s (`Employee ID`, `Staff Number`, `Mobile Phone`).
const HR_NAMES: [(&str, Field); 16] = [
    ("employeeid", Field::ExternalId),
    ("employeenumber", Field::ExternalId),
    ("employeeno", Field::ExternalId),
    ("employeecode", Field::ExternalId),
    ("staffnumber", Field::ExternalId),
    ("staffid", Field::ExternalId),
    ("staffno", Field::ExternalId),
    ("personnelnumber", Field::ExternalId),
    ("workerid", Field::ExternalId),
    ("payrollnumber", Field::ExternalId),
    ("mobile", Field::Phone),
    ("mobilephone", Field::Phone),
    ("mobilenumber", Field::Phone),
    ("cellphone", Field::Phone),
    ("cell", Field::Phone),
    ("cellnumber", Field::Phone),
];

fn hr_column(header: &str) -> Option<Column> {
    let key = header_key(header);
    HR_NAMES
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, field)| Column::Field(*field))
}

/// A file with an HR id column but no external_id matches members by email and phone only: a
/// changed email then makes a new member and (in a full sync) deactivates the old one. Said
/// loudly, with the mapping that fixes it.
fn missing_hr_id(unknown: &[&str], columns: &[Option<Column>]) -> Option<String> {
    let external_id = Column::Field(Field::ExternalId);
    if columns.contains(&Some(external_id.clone())) {
        return None;
    }
    let name = unknown
        .iter()
        .find(|h| hr_column(h) == Some(external_id.clone()))?;
    Some(format!(
        "the file has no external_id column, but `{name}` looks like the member's id in your HR \
         system: without it members are matched by email and phone only, so a changed email \
         creates a new member (and a full sync deactivates the old one). To match by it, add \
         --map '{name}=external_id'"
    ))
}

fn check_required(
    header: &[String],
    columns: &[Option<Column>],
    catalog: &Catalog,
) -> Result<(), FileError> {
    let has = |c: Column| columns.contains(&Some(c));
    if columns.iter().all(Option::is_none) && header.iter().any(|h| looks_like_data(h)) {
        return Err(FileError::NoHeader);
    }
    let identifiers = [Field::Email, Field::ExternalId, Field::Phone];
    if !identifiers.into_iter().any(|f| has(Column::Field(f))) {
        let is_identifier = |c: &Column| matches!(c, Column::Field(f) if identifiers.contains(f));
        let lookalike = header
            .iter()
            .zip(columns)
            .filter(|(_, column)| column.is_none())
            .find_map(|(h, _)| {
                let h = trim_cell(h);
                let column = resembling(h).filter(is_identifier)?;
                Some((h.to_string(), column.name()))
            });
        return Err(FileError::NoIdentifierColumn { lookalike });
    }
    if has(Column::Team) && !has(Column::TeamRole) {
        return Err(FileError::MissingColumn("team_role".into()));
    }
    if has(Column::TeamRole) && !has(Column::Team) {
        return Err(FileError::MissingColumn("team".into()));
    }
    for (cell, column) in header.iter().zip(columns) {
        if let Some(Column::Form(key)) = column
            && !catalog.form_fields.contains(key)
        {
            return Err(FileError::UnknownFormField(trim_cell(cell).to_string()));
        }
    }
    Ok(())
}

/// A header cell that is really a value: an email, a phone number, a number.
fn looks_like_data(cell: &str) -> bool {
    let c = trim_cell(cell);
    c.contains('@')
        || (!c.is_empty()
            && c.trim_start_matches('+')
                .bytes()
                .all(|b| b.is_ascii_digit()))
}

fn column_has_values(raw: &RawTable, i: usize) -> bool {
    raw.rows.iter().any(|r| !trim_cell(r.cell(i)).is_empty())
}

/// "ignoring 2 unknown columns: `Department` and `Cost Center`".
fn unknown_columns_warning(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    let list = match quoted.as_slice() {
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
        [] => String::new(),
    };
    let noun = if names.len() == 1 {
        "column"
    } else {
        "columns"
    };
    format!("ignoring {} unknown {noun}: {list}", names.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(header: &[&str]) -> RawTable {
        RawTable {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Default::default(),
            delimiter: b',',
        }
    }

    fn check(header: &[&str]) -> Result<Vec<Option<Column>>, String> {
        let catalog = Catalog {
            form_fields: ["profile.shirt".to_string()].into(),
            ..Catalog::default()
        };
        resolve(raw(header), &[], &catalog)
            .map(|t| t.columns)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn header_errors() {
        let cases: &[(&[&str], &str)] = &[
            (&["email", "E-Mail"], "Duplicate column found: email."),
            (
                &["first_name", "dept"],
                "Required column is missing: one of email, external_id, phone.",
            ),
            (
                &["First Name", "Work Email"],
                "Required column is missing: one of email, external_id, phone.",
            ),
            (&["email", "team"], "Required column is missing: team_role."),
            (
                &["email", "form.profile.size"],
                "Unknown form field: form.profile.size.",
            ),
            (&["ann@x.co", "Ann"], "The file has no header row."),
        ];
        for (header, want) in cases {
            assert_eq!(check(header).unwrap_err(), *want, "{header:?}");
        }
        assert!(check(&["email", "form.Profile.Shirt"]).is_ok());
    }

    #[test]
    fn unknown_columns_are_listed() {
        assert_eq!(
            unknown_columns_warning(&["A".into()]),
            "ignoring 1 unknown column: `A`"
        );
        assert_eq!(
            unknown_columns_warning(&["A".into(), "B".into(), "C".into()]),
            "ignoring 3 unknown columns: `A`, `B`, and `C`"
        );
    }

    #[test]
    fn a_missing_identifier_names_a_lookalike_header() {
        let catalog = Catalog::default();
        let err = resolve(raw(&["First Name", "Work Email"]), &[], &catalog).unwrap_err();
        assert_eq!(
            err.hint().as_deref(),
            Some("the file's `Work Email` looks like email: re-run with --map 'Work Email=email'.")
        );
        let err = resolve(raw(&["First Name", "Employee ID"]), &[], &catalog).unwrap_err();
        assert_eq!(
            err.hint().as_deref(),
            Some("map a header of the file to a column with --map 'Header In File=column'.")
        );
    }

    #[test]
    fn mappings_parse() {
        let m: Mapping = "Email Address [Required]=email".parse().unwrap();
        assert_eq!(m.column, Column::Field(Field::Email));
        assert!("Dept=department".parse::<Mapping>().is_err());
    }
}
