//! A member's rows (SPEC §5): rows that share an identifier are one member; without a `team`
//! column that is a duplicate, with one their member fields must agree. Every error is
//! collected, and a member left out leaves none of its rows unreported.

use super::{IdColumns, Record, Validated, mark_errored};
use crate::columns::{Column, clean_cell};
use crate::error::{Code, RowError, msg};
use crate::model::{FIELD_COUNT, Field, IDENTIFIERS};
use crate::parse::{RawRow, Table};
use std::collections::BTreeMap;

/// For each row, the first row of its group: rows that share an identifier are one member
/// (union-find over identifier texts; a root is the least row of its group, whatever the order
/// of the unions). Row indices are `u32`, as the table's are: half the memory at the peak.
pub(super) fn group_roots(table: &Table, ids: &IdColumns) -> Vec<u32> {
    let n = table.rows.len() as u32;
    let mut parent: Vec<u32> = (0..n).collect();
    fn find(parent: &mut [u32], mut i: u32) -> u32 {
        while parent[i as usize] != i {
            parent[i as usize] = parent[parent[i as usize] as usize];
            i = parent[i as usize];
        }
        i
    }
    for k in 0..IDENTIFIERS.len() {
        for (i, j) in same_key_pairs(table, ids, k) {
            let (a, b) = (find(&mut parent, i), find(&mut parent, j));
            parent[a.max(b) as usize] = a.min(b);
        }
    }
    for i in 0..n {
        parent[i as usize] = find(&mut parent, i);
    }
    parent
}

/// Partitions of the keys' hashes: each partition's table of first rows stays in the CPU's
/// cache (one table of a million rows missed it on nearly every probe: 10% of a 1M diff).
const PARTITION_BITS: u32 = 6;

/// Each row whose identifier `IDENTIFIERS[k]` an earlier row has, with the first such row.
fn same_key_pairs(table: &Table, ids: &IdColumns, k: usize) -> Vec<(u32, u32)> {
    let mut pairs = Vec::new();
    if ids.0[k].is_none() {
        return pairs;
    }
    let n = table.rows.len();
    let state = ahash::RandomState::with_seeds(1, 2, 3, 4);
    // Each key's hash (its low half: the high bits chose the partition) and row, by
    // partition, in row order: keys are compared against the rows' own cells (a map of copied
    // keys would cost more than the records).
    let parts = 1usize << PARTITION_BITS;
    let room = n / parts + n / parts / 8 + 16;
    let mut partitions: Vec<Vec<(u32, u32)>> =
        (0..parts).map(|_| Vec::with_capacity(room)).collect();
    for (i, raw) in table.rows.iter().enumerate() {
        if let Some(text) = ids.key(&raw, k) {
            let hash = state.hash_one(&*text);
            partitions[(hash >> (64 - PARTITION_BITS)) as usize].push((hash as u32, i as u32));
        }
    }
    let key_of = |j: u32| ids.key(&table.rows.get(j as usize), k);
    for partition in partitions {
        let mut first_with: hashbrown::HashTable<(u32, u32)> =
            hashbrown::HashTable::with_capacity(partition.len());
        for (hash, i) in partition {
            let same = |&(h, j): &(u32, u32)| h == hash && key_of(j) == key_of(i);
            match first_with.entry(spread(hash), same, |&(h, _)| spread(h)) {
                hashbrown::hash_table::Entry::Occupied(first) => pairs.push((i, first.get().1)),
                hashbrown::hash_table::Entry::Vacant(slot) => {
                    slot.insert((hash, i));
                }
            }
        }
    }
    pairs
}

/// A table's hash from a half hash: spread over all 64 bits, whose top seven the table's
/// probes compare first.
fn spread(half: u32) -> u64 {
    u64::from(half).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Turns one group of rows into a record, or into errors (duplicates, conflicts, row errors).
/// A group that is not applied leaves no row unreported: a row without an error of its own,
/// and not named by a conflict, gets [`msg::member_not_applied`].
pub(super) fn merge_group(
    table: &Table,
    ids: &IdColumns,
    records: &[Option<Record>],
    errored: &[bool],
    group: &[usize],
    out: &mut Validated,
) -> Option<Record> {
    let mut errors = Vec::new();
    let mut named = Vec::new();
    if group.len() > 1 && !table.has_team {
        errors.extend(duplicate_errors(table, ids, group));
    }
    let parts: Vec<&Record> = group.iter().filter_map(|&i| records[i].as_ref()).collect();
    let mut merged = match errors.is_empty() {
        true => merge_records(&parts, &mut errors, &mut named),
        false => None,
    };
    let first_errored = group.iter().find(|&&i| errored[i]);
    if let Some(&e) = first_errored {
        merged = None;
        let errored_row = table.rows.get(e).row;
        named.extend(errors.iter().filter_map(|e| e.row));
        for &i in group.iter().filter(|&&i| !errored[i]) {
            let raw = table.rows.get(i);
            if !named.contains(&raw.row) {
                errors.push(not_applied(ids, &raw, errored_row));
            }
        }
    }
    if merged.is_none() {
        for &i in group {
            mark_errored(ids, &table.rows.get(i), &mut out.errored_ids);
        }
    }
    out.errors.extend(errors);
    merged
}

/// The error of a valid row whose member another row keeps out, naming the row's identifier.
fn not_applied(ids: &IdColumns, raw: &RawRow, errored_row: u32) -> RowError {
    let (field, value) = (0..IDENTIFIERS.len())
        .find_map(|k| {
            let i = ids.0[k]?;
            let value = clean_cell(raw.cell(i));
            (!value.is_empty()).then(|| (IDENTIFIERS[k], value))
        })
        .unwrap_or((Field::Email, ""));
    RowError::new(
        raw.row,
        field.name(),
        value,
        Code::MemberNotApplied,
        msg::member_not_applied(errored_row),
    )
}

fn duplicate_errors(table: &Table, ids: &IdColumns, group: &[usize]) -> Vec<RowError> {
    let rows: Vec<u32> = group.iter().map(|&i| table.rows.get(i).row).collect();
    group
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let raw = table.rows.get(i);
            let other = if k == 0 { rows[1] } else { rows[0] };
            let shared = shared_identifier(
                ids,
                &raw,
                &table.rows.get(group[if k == 0 { 1 } else { 0 }]),
            );
            let (column, value) = shared.unwrap_or((Field::Email, String::new()));
            let value = table
                .column_index(&Column::Field(column))
                .map(|c| clean_cell(raw.cell(c)).to_string())
                .unwrap_or(value);
            RowError::new(
                raw.row,
                column.name(),
                &value,
                Code::DuplicateMember,
                msg::duplicate_member(other),
            )
        })
        .collect()
}

fn shared_identifier(ids: &IdColumns, a: &RawRow, b: &RawRow) -> Option<(Field, String)> {
    (0..IDENTIFIERS.len()).find_map(|k| {
        let x = ids.key(a, k)?;
        (ids.key(b, k).as_ref() == Some(&x)).then(|| (IDENTIFIERS[k], x.into_owned()))
    })
}

/// Member fields must agree across a member's rows; blank cells agree with anything.
/// `named` gets the earlier row of each conflict (the later one carries the error).
fn merge_records(
    records: &[&Record],
    errors: &mut Vec<RowError>,
    named: &mut Vec<u32>,
) -> Option<Record> {
    let mut merged = records[0].clone();
    let mut source_row: [u32; FIELD_COUNT] = [merged.row; FIELD_COUNT];
    let mut form_row: BTreeMap<String, u32> = BTreeMap::new();
    let identifier = || {
        [Field::Email, Field::ExternalId, Field::Phone]
            .into_iter()
            .find_map(|f| records.iter().find_map(|r| r.get(f)))
            .unwrap_or("")
            .to_string()
    };
    for record in &records[1..] {
        for field in Field::ALL {
            let (Some(new), i) = (record.get(field), field.index()) else {
                continue;
            };
            match merged.values.get(field) {
                None => {
                    merged.values.set(field, Some(new));
                    source_row[i] = record.row;
                }
                Some(old) if !field.same(old, new) => {
                    named.push(source_row[i]);
                    errors.push(RowError::new(
                        record.row,
                        field.name(),
                        new,
                        Code::ConflictingValue,
                        msg::conflicting(
                            field.name(),
                            &identifier(),
                            old,
                            source_row[i],
                            new,
                            record.row,
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        for (key, value) in &record.forms {
            let Some(new) = value else { continue };
            match merged.forms.get(key).cloned().flatten() {
                None => {
                    merged.forms.insert(key.clone(), Some(new.clone()));
                    form_row.insert(key.clone(), record.row);
                }
                Some(old) if old != *new => {
                    let column = format!("form.{key}");
                    let old_row = form_row.get(key).copied().unwrap_or(merged.row);
                    named.push(old_row);
                    errors.push(RowError::new(
                        record.row,
                        &column,
                        new,
                        Code::ConflictingValue,
                        msg::conflicting(&column, &identifier(), &old, old_row, new, record.row),
                    ))
                }
                Some(_) => {}
            }
        }
        for m in &record.teams {
            match merged.teams.iter().find(|t| t.team == m.team) {
                Some(t) if t.role != m.role => {
                    named.push(t.row);
                    errors.push(RowError::new(
                        m.row,
                        "team_role",
                        m.role.as_str(),
                        Code::ConflictingValue,
                        msg::conflicting(
                            "team_role",
                            &identifier(),
                            t.role.as_str(),
                            t.row,
                            m.role.as_str(),
                            m.row,
                        ),
                    ))
                }
                Some(_) => {}
                None => merged.teams.push(m.clone()),
            }
        }
    }
    errors.is_empty().then_some(merged)
}
