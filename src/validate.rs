//! Stage 4, rows: apply the column rules to every row, group a member's rows (team files),
//! and collect every row error. Never fails: bad rows become errors beside the good records.

use crate::columns::{Catalog, Column, check_field, clean_cell, trim_cell};
use crate::error::{Code, RowError, msg};
use crate::model::{FIELD_COUNT, Field, Forms, IDENTIFIERS, Role, Values, email_key_cow};
use crate::parallel::Tally;
use crate::parse::{RawRow, Table};
use ahash::AHashMap as HashMap;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

mod group;
mod teams;
use group::{group_roots, merge_group};
pub use teams::Teams;

/// One member as the file describes it (one row, or several rows of a team file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The member's first row.
    pub row: u32,
    /// Canonical values; absent is a blank cell or an absent column.
    pub values: Values,
    /// Form values by `type.field`; `None` is a blank cell.
    pub forms: Forms<Option<String>>,
    /// Team memberships (team files only), with the row of each.
    pub teams: Teams,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// Shared by every row naming the team (a file names few teams, in a million rows).
    pub team: Arc<str>,
    pub role: Role,
    pub row: u32,
}

impl Record {
    pub fn get(&self, field: Field) -> Option<&str> {
        self.values.get(field)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Validated {
    pub records: Vec<Record>,
    pub errors: Vec<RowError>,
    /// Identifier texts (lowercased) named by errored rows: full sync keeps those members.
    pub errored_ids: HashSet<String>,
    /// Rows of the file with at least one non-empty cell.
    pub rows: u64,
    /// Which fields the file has a column for (`--clear-blanks` clears only those).
    pub present: [bool; FIELD_COUNT],
    pub has_team: bool,
}

pub fn validate(table: &Table, catalog: &Catalog) -> Validated {
    validate_counting(table, catalog, &Tally::default())
}

/// [`validate`], counting the rows checked into `tally`.
pub fn validate_counting(table: &Table, catalog: &Catalog, tally: &Tally) -> Validated {
    let ids = IdColumns::of(table);
    let roots = group_roots(table, &ids);
    validate_grouped(table, catalog, tally, &ids, roots)
}

/// What [`validate_owned`] leaves of its table: the header and the rows its errors name, or
/// (`whole`) every row.
#[derive(Debug)]
pub struct Kept {
    pub table: Table,
    pub whole: bool,
}

/// [`validate_counting`] of a table it consumes. When no two rows are one member (no row's
/// identifier is another's: the common file), each chunk of rows is freed once checked and
/// only the rows with errors are kept, so that the table and the records are not held
/// together (300 MB at a million rows); otherwise the whole table is kept.
pub fn validate_owned(table: Table, catalog: &Catalog, tally: &Tally) -> (Validated, Kept) {
    let ids = IdColumns::of(&table);
    let roots = group_roots(&table, &ids);
    if roots
        .iter()
        .enumerate()
        .any(|(i, &root)| root as usize != i)
    {
        let validated = validate_grouped(&table, catalog, tally, &ids, roots);
        return (validated, Kept { table, whole: true });
    }
    drop(roots);
    let mut out = empty_validated(&table);
    let mut kept = table;
    let rows = std::mem::take(&mut kept.rows);
    let mut records = Vec::with_capacity(rows.len());
    let mut team_names = TeamNames::default();
    let mut counter = tally.counter();
    for part in rows.into_chunks() {
        for raw in part.iter() {
            let (record, errors) = check_row(&kept, &raw, catalog, &mut team_names);
            match errors.is_empty() {
                true => records.push(record),
                false => {
                    out.errors.extend(errors);
                    mark_errored(&ids, &raw, &mut out.errored_ids);
                    kept.rows.push(raw.row, raw.cells());
                }
            }
            counter.one();
        }
    }
    out.records = records;
    out.errors.sort_by_key(|e| e.row);
    (
        out,
        Kept {
            table: kept,
            whole: false,
        },
    )
}

/// The validation of no row yet: the file's row count and columns.
fn empty_validated(table: &Table) -> Validated {
    let mut present = [false; FIELD_COUNT];
    for c in table.columns.iter().flatten() {
        if let Column::Field(f) = c {
            present[f.index()] = true;
        }
    }
    Validated {
        rows: table.rows.len() as u64,
        present,
        has_team: table.has_team,
        ..Validated::default()
    }
}

/// Every row checked, then the rows of each group (`roots`, from [`group_roots`]) merged.
fn validate_grouped(
    table: &Table,
    catalog: &Catalog,
    tally: &Tally,
    ids: &IdColumns,
    roots: Vec<u32>,
) -> Validated {
    let mut out = empty_validated(table);
    // One slot per row; a group's record ends up in its first row's slot. An errored row
    // keeps its valid cells until its group is merged, so that the group's conflicts are
    // reported beside its row errors (SPEC §5: every error is collected).
    let mut records: Vec<Option<Record>> = Vec::with_capacity(table.rows.len());
    let mut errored = vec![false; table.rows.len()];
    let mut team_names = TeamNames::default();
    let mut counter = tally.counter();
    for (i, raw) in table.rows.iter().enumerate() {
        let (record, errors) = check_row(table, &raw, catalog, &mut team_names);
        errored[i] = !errors.is_empty();
        out.errors.extend(errors);
        records.push(Some(record));
        counter.one();
    }
    drop(counter);
    // Rows of a group in file order, for the groups of more than one row only.
    let mut sizes = vec![0u32; roots.len()];
    roots.iter().for_each(|&r| sizes[r as usize] += 1);
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &root) in roots.iter().enumerate() {
        if sizes[root as usize] > 1 {
            groups.entry(root as usize).or_default().push(i);
        }
    }
    for (&root, group) in &groups {
        let merged = merge_group(table, ids, &records, &errored, group, &mut out);
        group.iter().for_each(|&i| records[i] = None);
        records[root] = merged;
    }
    for (i, record) in records.iter_mut().enumerate() {
        if errored[i] && roots[i] as usize == i && !groups.contains_key(&i) {
            *record = None;
            mark_errored(ids, &table.rows.get(i), &mut out.errored_ids);
        }
    }
    // Collected in place: the slots' memory becomes the records' (no second large vector).
    #[expect(
        clippy::filter_map_identity,
        reason = "`flatten` is not collected in place: it would build a second vector"
    )]
    let kept = records.into_iter().filter_map(|r| r).collect();
    out.records = kept;
    out.errors.sort_by_key(|e| e.row);
    out
}

/// Where the identifier columns are, in `IDENTIFIERS` order.
struct IdColumns([Option<usize>; 3]);

impl IdColumns {
    fn of(table: &Table) -> IdColumns {
        IdColumns(IDENTIFIERS.map(|f| table.column_index(&Column::Field(f))))
    }

    /// What makes two rows the same member: emails ignoring case, external_id and phone
    /// exactly (as `resolve` matches them: `E1` and `e1` are two members).
    fn key<'t>(&self, raw: &RawRow<'t>, k: usize) -> Option<Cow<'t, str>> {
        let value = clean_cell(raw.cell(self.0[k]?));
        match IDENTIFIERS[k] {
            _ if value.is_empty() => None,
            Field::Email => Some(email_key_cow(value)),
            _ => Some(Cow::Borrowed(value)),
        }
    }

    /// The cleaned, case-folded text of an identifier cell, valid or not.
    fn text<'t>(&self, raw: &RawRow<'t>, k: usize) -> Option<Cow<'t, str>> {
        let value = clean_cell(raw.cell(self.0[k]?));
        (!value.is_empty()).then(|| email_key_cow(value))
    }
}

fn mark_errored(ids: &IdColumns, raw: &RawRow, errored: &mut HashSet<String>) {
    for k in 0..IDENTIFIERS.len() {
        errored.extend(ids.text(raw, k).map(Cow::into_owned));
    }
}

/// Checks every cell of a row; the record is only meaningful when there are no errors.
fn check_row(
    table: &Table,
    raw: &RawRow,
    catalog: &Catalog,
    team_names: &mut TeamNames,
) -> (Record, Vec<RowError>) {
    let row = raw.row;
    let mut record = Record {
        row,
        ..Record::default()
    };
    if !has_right_width(&table.header, raw) {
        let mut error = RowError::unplaced(Code::WrongColumnCount, msg::wrong_column_count(row));
        error.row = Some(row);
        return (record, vec![error]);
    }
    let mut errors = Vec::new();
    let mut values: [Option<Cow<str>>; FIELD_COUNT] = Default::default();
    let mut team: Option<Arc<str>> = None;
    let mut team_role: Result<Option<Role>, String> = Ok(None);
    // Whether an identifier cell is filled in, valid or not.
    let mut identified = false;
    for (i, column) in table.columns.iter().enumerate() {
        let Some(column) = column else { continue };
        let value = clean_cell(raw.cell(i));
        if let Column::Field(field) = column
            && !value.is_empty()
            && field.is_identifier()
        {
            identified = true;
        }
        // A text is no longer in characters than in bytes: most cells need no count.
        if let Some(max) = column.max_chars()
            && value.len() > max
            && value.chars().count() > max
        {
            let name = column.name();
            errors.push(RowError::new(
                row,
                &name,
                value,
                Code::CellTooLong,
                msg::cell_too_long(row, &name),
            ));
            continue;
        }
        match column {
            Column::Team => team = (!value.is_empty()).then(|| shared(team_names, value)),
            Column::TeamRole if value.is_empty() => {}
            Column::TeamRole => {
                team_role = Role::parse(value).map(Some).ok_or(value.to_string());
            }
            Column::Form(key) => {
                record
                    .forms
                    .insert(key.clone(), (!value.is_empty()).then(|| value.to_string()));
            }
            Column::Field(_) if value.is_empty() => {}
            Column::Field(field) => match check_field(*field, value, catalog) {
                Ok(v) => values[field.index()] = Some(v),
                Err(messages) => errors.extend(
                    messages
                        .into_iter()
                        .map(|m| RowError::new(row, field.name(), value, field_code(*field), m)),
                ),
            },
        }
    }
    if !identified {
        let mut error = RowError::unplaced(Code::NoIdentifier, msg::NO_IDENTIFIER);
        error.row = Some(row);
        errors.push(error);
    }
    record.values = Values::from_fn(|f| values[f.index()].as_deref());
    match (team, team_role) {
        (_, Err(bad)) => errors.push(RowError::new(
            row,
            "team_role",
            &bad,
            Code::InvalidTeamRole,
            msg::INVALID_TEAM_ROLE,
        )),
        (Some(team), Ok(Some(role))) => record.teams = Teams::one(Membership { team, role, row }),
        (Some(_), Ok(None)) => errors.push(RowError::new(
            row,
            "team_role",
            "",
            Code::InvalidTeamRole,
            msg::INVALID_TEAM_ROLE,
        )),
        (None, Ok(_)) => {}
    }
    (record, errors)
}

/// The code of a field's value errors (`check_field`'s messages are one kind per field).
fn field_code(field: Field) -> Code {
    match field {
        Field::Email => Code::InvalidEmail,
        Field::Phone => Code::InvalidPhone,
        Field::DateOfBirth => Code::InvalidDate,
        Field::OrganizationRole => Code::InvalidOrganizationRole,
        Field::Labels => Code::UnknownLabel,
        _ => Code::InvalidBoolean,
    }
}

/// The team names met so far, each shared by every row naming it (a row's team is looked up
/// here: a hash that is fast on short keys).
type TeamNames = ahash::AHashSet<Arc<str>>;

fn shared(names: &mut TeamNames, name: &str) -> Arc<str> {
    if let Some(known) = names.get(name) {
        return known.clone();
    }
    let name: Arc<str> = name.into();
    names.insert(name.clone());
    name
}

/// Extra trailing cells are tolerated when they are empty (spreadsheets pad rows), and so are
/// missing cells under trailing empty headers (spreadsheets pad the header too).
fn has_right_width(header: &[String], raw: &RawRow) -> bool {
    let width = header.len();
    let padding = header
        .iter()
        .rev()
        .take_while(|h| trim_cell(h).is_empty())
        .count();
    let len = raw.len();
    (width - padding..=width).contains(&len)
        || (len > width && raw.cells().skip(width).all(|c| c.trim().is_empty()))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
