//! Stage 5, identities: match each record to a stored member by external_id, then email,
//! then phone (SPEC §6). Conflicts become row errors; identities are never re-linked silently.

use crate::error::{Code, RowError, msg};
use crate::model::{FIELD_COUNT, Field, IDENTIFIERS, Member, email_key};
use crate::parallel::Tally;
use crate::snapshot::Snapshot;
use crate::validate::{Record, Validated};
use std::collections::HashSet;

mod lookup;

use lookup::{Holders, PARALLEL_RECORDS, find_all};

#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The valid records, in file order.
    pub records: Vec<Record>,
    /// For each record, the snapshot index of its member, or `None` (a new member).
    pub members: Vec<Option<u32>>,
    pub errors: Vec<RowError>,
    pub errored_ids: HashSet<String>,
    pub rows: u64,
    pub present: [bool; FIELD_COUNT],
    pub has_team: bool,
}

impl Resolved {
    /// Each valid record with the snapshot index of its member, or `None` (a new member).
    pub fn matches(&self) -> impl Iterator<Item = (&Record, Option<usize>)> {
        self.records
            .iter()
            .zip(&self.members)
            .map(|(r, m)| (r, m.map(|i| i as usize)))
    }
}

/// Whether resolving against `snapshot` can find a conflict (a row error of its own): only a
/// record that matches a stored member can, so not against an empty store.
pub fn may_conflict(snapshot: &Snapshot) -> bool {
    !snapshot.members.is_empty()
}

pub fn resolve(validated: Validated, snapshot: &Snapshot) -> Resolved {
    resolve_counting(validated, snapshot, &Tally::default())
}

/// [`resolve`], counting into `tally` each record as it is followed through the store.
pub fn resolve_counting(validated: Validated, snapshot: &Snapshot, tally: &Tally) -> Resolved {
    resolve_with(validated, snapshot, PARALLEL_RECORDS, tally)
}

/// [`resolve`], looking records up on several threads from `parallel_from` records on.
fn resolve_with(
    validated: Validated,
    snapshot: &Snapshot,
    parallel_from: usize,
    tally: &Tally,
) -> Resolved {
    let mut out = Resolved {
        errors: validated.errors,
        errored_ids: validated.errored_ids,
        rows: validated.rows,
        present: validated.present,
        has_team: validated.has_team,
        members: Vec::with_capacity(validated.records.len()),
        records: Vec::new(),
    };
    let mut records = validated.records;
    if !may_conflict(snapshot) {
        // Nothing to match, nothing to conflict with: every record is a new member.
        tally.add(records.len() as u64);
        out.members = vec![None; records.len()];
        out.records = records;
        return out;
    }
    let mut keep = Vec::with_capacity(records.len());
    // The row that claimed each stored member. A vector, not a map: on a large sync nearly
    // every member is claimed, and a map of them cost ~50 MB.
    let mut claimed: Vec<Option<u32>> = vec![None; snapshot.members.len()];
    let (found, holders) = find_all(&records, snapshot, parallel_from, tally);
    for (record, found) in records.iter().zip(found) {
        let found = found.map(|f| f.map(|(field, i)| (field, i as usize)));
        let matched = match found.map_or_else(|| match_record(record, snapshot, &holders), Ok) {
            Ok(Some((field, i))) => match claimed[i] {
                None => {
                    claimed[i] = Some(record.row);
                    Ok(Some(i as u32))
                }
                Some(earlier) => {
                    let value = record.get(field).unwrap_or_default();
                    Err(RowError::new(
                        record.row,
                        field.name(),
                        value,
                        Code::DuplicateMember,
                        msg::duplicate_member(earlier),
                    ))
                }
            },
            Ok(None) => Ok(None),
            Err(error) => Err(error),
        };
        keep.push(matched.is_ok());
        match matched {
            Ok(member) => out.members.push(member),
            Err(error) => {
                out.errors.push(error);
                mark_errored(&mut out.errored_ids, record);
            }
        }
    }
    // In place: the errored records leave, the others keep their memory.
    let mut keep = keep.into_iter();
    records.retain(|_| keep.next().unwrap_or(false));
    out.records = records;
    out.errors.sort_by_key(|e| e.row);
    out
}

fn mark_errored(ids: &mut HashSet<String>, record: &Record) {
    ids.extend(
        IDENTIFIERS
            .iter()
            .filter_map(|f| record.get(*f))
            .map(email_key),
    );
}

/// Whether `member`'s stored identifier `field` is `value` (emails ignoring case).
fn holds(member: &Member, field: Field, value: &str) -> bool {
    member
        .get(field)
        .is_some_and(|stored| field.same(stored, value))
}

/// The member a record names, with the identifier that decided, or the conflict.
fn match_record(
    record: &Record,
    snapshot: &Snapshot,
    holders: &Holders,
) -> Result<Option<(Field, usize)>, RowError> {
    let lookup = |field: Field| -> Option<usize> { holders.get(field, record.get(field)?) };
    let Some((k, field, i)) = IDENTIFIERS
        .iter()
        .enumerate()
        .find_map(|(k, &f)| lookup(f).map(|i| (k, f, i)))
    else {
        return Ok(None);
    };
    let member = &snapshot.members[i];
    let id = record.get(field).unwrap_or_default();
    for &later in &IDENTIFIERS[k + 1..] {
        let Some(id2) = record.get(later) else {
            continue;
        };
        // Stored identifiers are unique: when the matched member holds this one too, looking
        // it up would find the same member (the usual case, and it saves a hash lookup).
        if holds(member, later, id2) {
            continue;
        }
        if let Some(j) = lookup(later).filter(|&j| j != i) {
            return Err(RowError::new(
                record.row,
                later.name(),
                id2,
                Code::IdentityConflict,
                msg::identity_conflict(id, &member.label(), id2, &snapshot.members[j].label()),
            ));
        }
    }
    if field != Field::ExternalId
        && let (Some(given), Some(stored)) =
            (record.get(Field::ExternalId), member.get(Field::ExternalId))
        && given != stored
    {
        return Err(RowError::new(
            record.row,
            Field::ExternalId.name(),
            given,
            Code::ExternalIdConflict,
            msg::external_id_differs(id, &member.label(), stored, given),
        ));
    }
    Ok(Some((field, i)))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
