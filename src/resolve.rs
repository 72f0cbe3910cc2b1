//! Stage 5, identities: match each record to a stored member by external_id, then email,
//! then phone (SPEC §6). Conflicts become row errors; identities are never re-linked silently.

use crate::error::{RowError, msg};
use crate::model::{FIELD_COUNT, Field, IDENTIFIERS, Member, email_key, email_key_cow};
use crate::store::Snapshot;
use crate::validate::{Record, Validated};
use std::collections::HashSet;

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

pub fn resolve(validated: Validated, snapshot: &Snapshot) -> Resolved {
    resolve_with(validated, snapshot, PARALLEL_RECORDS)
}

/// [`resolve`], looking records up on several threads from `parallel_from` records on.
fn resolve_with(validated: Validated, snapshot: &Snapshot, parallel_from: usize) -> Resolved {
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
    let mut keep = Vec::with_capacity(records.len());
    // The row that claimed each stored member. A vector, not a map: on a large sync nearly
    // every member is claimed, and a map of them cost ~50 MB.
    let mut claimed: Vec<Option<u32>> = vec![None; snapshot.members.len()];
    let found = find_all(&records, snapshot, parallel_from);
    for (record, found) in records.iter().zip(found) {
        let matched = match found.map_or_else(|| match_record(record, snapshot, None), Ok) {
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

/// Each record's lookup, on every core for a large file (the lookups are independent and
/// most of resolve's time): `Some(..)` when it found a member or none, `None` when the record
/// has a conflict, whose message the caller builds again (conflicts are rare).
fn find_all(records: &[Record], snapshot: &Snapshot, parallel_from: usize) -> Vec<Option<Found>> {
    // A file usually lists the members in the order the store holds them (an export, or
    // yesterday's file plus churn): each record is first tried against the member after the
    // last one matched, starting from the record's own position.
    let find = |chunk: &[Record], first: usize| -> Vec<Option<Found>> {
        let mut hint = first;
        chunk
            .iter()
            .map(|r| {
                let found = match_record(r, snapshot, Some(hint)).ok();
                if let Some(Some((_, i))) = found {
                    hint = i + 1;
                }
                found
            })
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || records.len() < parallel_from {
        return find(records, 0);
    }
    let size = records.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = records
            .chunks(size)
            .enumerate()
            .map(|(k, chunk)| scope.spawn(move || find(chunk, k * size)))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_default())
            .collect()
    })
}

/// The member a record names, with the identifier that decided; `None`: a new member.
type Found = Option<(Field, usize)>;

/// Below this many records one thread resolves faster than several start.
const PARALLEL_RECORDS: usize = 50_000;

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
    member.get(field).is_some_and(|stored| match field {
        Field::Email => email_key_cow(stored) == email_key_cow(value),
        _ => stored == value,
    })
}

/// The member a record names, with the identifier that decided, or the conflict. `hint` is
/// the member the record most likely names: when it holds an identifier, it is the member
/// holding it (stored identifiers are unique), and the index is not consulted.
fn match_record(
    record: &Record,
    snapshot: &Snapshot,
    hint: Option<usize>,
) -> Result<Option<(Field, usize)>, RowError> {
    let hinted = hint.and_then(|h| snapshot.members.get(h).map(|m| (h, m)));
    let lookup = |field: Field| -> Option<usize> {
        let v = record.get(field)?;
        if let Some((h, member)) = hinted
            && holds(member, field, v)
        {
            return Some(h);
        }
        match field {
            Field::ExternalId => snapshot.by_external_id(v),
            Field::Email => snapshot.by_email(v),
            _ => snapshot.by_phone(v),
        }
    };
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
            msg::external_id_differs(id, &member.label(), stored, given),
        ));
    }
    Ok(Some((field, i)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Member, Status};

    fn member(id: i64, email: &str, ext: &str) -> Member {
        let ids = [(Field::Email, email), (Field::ExternalId, ext)];
        let present: Vec<(Field, &str)> = ids.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        Member::new(id, crate::model::Values::of(&present), Status::Active)
    }

    fn record(row: u32, email: &str, ext: &str) -> Record {
        let mut r = Record {
            row,
            ..Record::default()
        };
        if !email.is_empty() {
            r.values.set(Field::Email, Some(email));
        }
        if !ext.is_empty() {
            r.values.set(Field::ExternalId, Some(ext));
        }
        r
    }

    fn snapshot() -> Snapshot {
        Snapshot::new(
            vec![
                member(1, "ann@x.co", "E1"),
                member(2, "bob@x.co", ""),
                member(3, "cy@x.co", "E3"),
            ],
            vec![],
            vec![],
            Default::default(),
            Default::default(),
            0,
        )
    }

    fn check(record: Record) -> Result<Option<usize>, String> {
        match_record(&record, &snapshot(), None)
            .map(|m| m.map(|(_, i)| i))
            .map_err(|e| e.message)
    }

    /// The threaded lookup gives the same members and the same errors, in the same order.
    #[test]
    fn parallel_and_serial_resolve_agree() {
        let records = vec![
            record(2, "ann@x.co", ""),
            record(3, "new@x.co", "E9"),
            record(4, "ANN@x.co", ""),
            record(5, "bob@x.co", "E3"),
            record(6, "cy@x.co", ""),
            record(7, "zed@x.co", ""),
            record(8, "bob@x.co", ""),
        ];
        let validated = Validated {
            rows: records.len() as u64,
            records,
            ..Validated::default()
        };
        let serial = resolve_with(validated.clone(), &snapshot(), usize::MAX);
        let parallel = resolve_with(validated, &snapshot(), 1);
        assert_eq!(parallel.members, serial.members);
        assert_eq!(parallel.records, serial.records);
        let messages = |r: &Resolved| -> Vec<(Option<u32>, String)> {
            r.errors
                .iter()
                .map(|e| (e.row, e.message.clone()))
                .collect()
        };
        assert_eq!(messages(&parallel), messages(&serial));
        assert_eq!(serial.errors.len(), 2, "{:?}", messages(&serial));
        assert_eq!(serial.members, [Some(0), None, Some(2), None, Some(1)]);
    }

    /// A hint only saves lookups: whichever member it names, the answer is the index's.
    #[test]
    fn hints_never_change_the_match() {
        let records = [
            record(2, "ANN@x.co", ""),
            record(2, "new@x.co", "E1"),
            record(2, "bob@x.co", "E2"),
            record(2, "nobody@x.co", "E9"),
            record(2, "bob@x.co", "E1"),
            record(2, "cy@x.co", "E9"),
            record(2, "cy@x.co", "E3"),
        ];
        let s = snapshot();
        let answer = |r: &Record, hint| match_record(r, &s, hint).map_err(|e| e.message);
        for r in &records {
            let expected = answer(r, None);
            for hint in 0..=s.members.len() + 1 {
                assert_eq!(answer(r, Some(hint)), expected, "{r:?}, hint {hint}");
            }
        }
    }

    /// A file in the store's order resolves without building the identifier indexes.
    #[test]
    fn records_in_store_order_need_no_index() {
        let records = vec![
            record(2, "ann@x.co", "E1"),
            record(3, "BOB@x.co", ""),
            record(4, "cy@x.co", "E3"),
        ];
        let validated = Validated {
            rows: records.len() as u64,
            records,
            ..Validated::default()
        };
        let s = snapshot();
        let resolved = resolve(validated, &s);
        assert_eq!(resolved.members, [Some(0), Some(1), Some(2)]);
        assert!(!s.is_indexed());
        assert_eq!(s.by_email("cy@x.co"), Some(2));
        assert!(s.is_indexed());
    }

    #[test]
    fn identities_resolve_in_order() {
        assert_eq!(check(record(2, "ANN@x.co", "")), Ok(Some(0)));
        assert_eq!(
            check(record(2, "new@x.co", "E1")),
            Ok(Some(0)),
            "change of email"
        );
        assert_eq!(
            check(record(2, "bob@x.co", "E2")),
            Ok(Some(1)),
            "empty external_id is filled in"
        );
        assert_eq!(check(record(2, "nobody@x.co", "E9")), Ok(None));
        assert_eq!(
            check(record(2, "bob@x.co", "E1")),
            Err("Identity conflict: E1 matches ann@x.co but bob@x.co belongs to bob@x.co".into())
        );
        assert_eq!(
            check(record(2, "cy@x.co", "E9")),
            Err("Identity conflict: cy@x.co matches cy@x.co but its stored external_id E3 differs from the row's E9".into())
        );
    }
}
