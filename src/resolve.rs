//! Stage 5, identities: match each record to a stored member by external_id, then email,
//! then phone (SPEC §6). Conflicts become row errors; identities are never re-linked silently.

use crate::error::{RowError, msg};
use crate::model::{FIELD_COUNT, Field, IDENTIFIERS, Member, email_key, identifier_key};
use crate::store::Snapshot;
use crate::validate::{Record, Validated};
use ahash::AHashMap as HashMap;
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
    let (found, holders) = find_all(&records, snapshot, parallel_from);
    for (record, found) in records.iter().zip(found) {
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

/// Each record's lookup: `Some(..)` when it found a member or none, `None` when the record has
/// a conflict, whose message the caller builds again (conflicts are rare) with the returned
/// holders.
///
/// A file usually lists members in the order the store holds them (an export, or yesterday's
/// file plus churn), so a first pass follows the file through the store ([`Trail::follow`]) and
/// settles most records without an index. The records it leaves are looked up in the second
/// pass, in [`Holders`].
fn find_all<'s>(
    records: &[Record],
    snapshot: &'s Snapshot,
    parallel_from: usize,
) -> (Vec<Option<Found>>, Holders<'s>) {
    let members = &snapshot.members;
    let followed = in_chunks(records, parallel_from, |chunk, first| {
        let mut trail = Trail::at(first);
        chunk.iter().map(|r| trail.follow(r, members)).collect()
    });
    let left: Vec<usize> = (0..records.len())
        .filter(|&i| followed[i].is_none())
        .collect();
    let holders = if snapshot.is_indexed()
        || left.len().saturating_mul(NAMED_HOLDERS_AT_MOST) > members.len()
    {
        Holders::Index(snapshot)
    } else {
        Holders::named(left.iter().map(|&i| &records[i]), members)
    };
    let mut found: Vec<Option<Found>> = followed.into_iter().map(|f| f.map(Some)).collect();
    let looked_up = in_chunks(&left, parallel_from, |chunk, _| {
        chunk
            .iter()
            .map(|&i| match_record(&records[i], snapshot, &holders).ok())
            .collect()
    });
    for (i, f) in left.into_iter().zip(looked_up) {
        found[i] = f;
    }
    (found, holders)
}

/// `each(chunk, index of its first item)` over `items`, on every core from `parallel_from`
/// items on; the results in order.
fn in_chunks<T: Sync, R: Send>(
    items: &[T],
    parallel_from: usize,
    each: impl Fn(&[T], usize) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < parallel_from {
        return each(items, 0);
    }
    let size = items.len().div_ceil(threads);
    let each = &each;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(size)
            .enumerate()
            .map(|(k, chunk)| scope.spawn(move || each(chunk, k * size)))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Where a file's walk through the store stands: the member the next record most likely
/// names.
struct Trail {
    next: usize,
    /// Records in a row that named no member near `next`.
    misses: u32,
    /// Searches of the neighbourhood left: a file in another order stops trying soon.
    searches: u32,
}

/// Members after `next` that a record may name: the ones between were left out of the file.
const TRAIL_STEP: usize = 4;
/// After this many records off the trail, the next one is searched for nearby.
const TRAIL_LOST: u32 = 8;
/// How far around `next` a search looks, and how many searches a walk may make.
const TRAIL_SEARCH: usize = 4096;
const TRAIL_SEARCHES: u32 = 16;

impl Trail {
    /// A walk starting at member `first`; its first record may search (a chunk of the file
    /// starts at a guessed position).
    fn at(first: usize) -> Trail {
        Trail {
            next: first,
            misses: TRAIL_LOST,
            searches: TRAIL_SEARCHES,
        }
    }

    /// The member the record names, when it is on the trail and holds every identifier the
    /// record gives (then it is the answer of [`match_record`]: stored identifiers are
    /// unique, and no other member can conflict). `None`: not settled here.
    fn follow(&mut self, record: &Record, members: &[Member]) -> Option<(Field, usize)> {
        let (field, value) = IDENTIFIERS
            .iter()
            .find_map(|&f| record.get(f).map(|v| (f, v)))?;
        let near = |from: usize, to: usize| {
            (from..to.min(members.len())).find(|&i| holds(&members[i], field, value))
        };
        let mut at = near(self.next, self.next + TRAIL_STEP);
        if at.is_none() && self.misses >= TRAIL_LOST && self.searches > 0 {
            self.searches -= 1;
            at = near(
                self.next.saturating_sub(TRAIL_SEARCH),
                self.next + TRAIL_SEARCH,
            );
        }
        let Some(i) = at else {
            self.misses += 1;
            return None;
        };
        (self.next, self.misses) = (i + 1, 0);
        let member = &members[i];
        IDENTIFIERS
            .iter()
            .all(|&f| record.get(f).is_none_or(|v| holds(member, f, v)))
            .then_some((field, i))
    }
}

/// Who holds an identifier, for the records the trail did not settle.
enum Holders<'s> {
    /// The snapshot's identifier indexes (many records left, or already built).
    Index(&'s Snapshot),
    /// Only the identifiers those records name, found in one pass over the members: much
    /// cheaper than indexing a million members for a day's churn. Per identifier field, key
    /// (emails case-folded) to the first member holding it.
    Named([HashMap<String, Option<u32>>; 3]),
}

impl<'s> Holders<'s> {
    fn named<'r>(records: impl Iterator<Item = &'r Record>, members: &[Member]) -> Holders<'s> {
        let mut named: [HashMap<String, Option<u32>>; 3] = Default::default();
        for record in records {
            for (k, &field) in IDENTIFIERS.iter().enumerate() {
                if let Some(v) = record.get(field) {
                    named[k].insert(identifier_key(field, v).into_owned(), None);
                }
            }
        }
        if named.iter().all(|m| m.is_empty()) {
            return Holders::Named(named);
        }
        let found = in_chunks(members, PARALLEL_RECORDS, |chunk, first| {
            let mut found = Vec::new();
            for (j, member) in chunk.iter().enumerate() {
                for (k, &field) in IDENTIFIERS.iter().enumerate() {
                    if let Some(v) = member.get(field)
                        && named[k].contains_key(&*identifier_key(field, v))
                    {
                        found.push((k, (first + j) as u32));
                    }
                }
            }
            found
        });
        for (k, i) in found {
            let field = IDENTIFIERS[k];
            let key = members[i as usize]
                .get(field)
                .map(|v| identifier_key(field, v));
            if let Some(holder) = key.and_then(|key| named[k].get_mut(&*key)) {
                holder.get_or_insert(i);
            }
        }
        Holders::Named(named)
    }

    /// The member holding `value` as its `field`.
    fn get(&self, field: Field, value: &str) -> Option<usize> {
        match self {
            Holders::Index(snapshot) => snapshot.holder(field, value),
            Holders::Named(named) => {
                let k = IDENTIFIERS.iter().position(|&f| f == field)?;
                named[k]
                    .get(&*identifier_key(field, value))
                    .copied()
                    .flatten()
                    .map(|i| i as usize)
            }
        }
    }
}

/// Named holders are used while the records left are at most 1/8 of the members.
const NAMED_HOLDERS_AT_MOST: usize = 8;

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

    fn validated(records: Vec<Record>) -> Validated {
        Validated {
            rows: records.len() as u64,
            records,
            ..Validated::default()
        }
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
        let s = snapshot();
        match_record(&record, &s, &Holders::Index(&s))
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
        let validated = validated(records);
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

    fn records_to_check() -> Vec<Record> {
        vec![
            record(2, "ANN@x.co", ""),
            record(3, "new@x.co", "E1"),
            record(4, "bob@x.co", "E2"),
            record(5, "nobody@x.co", "E9"),
            record(6, "bob@x.co", "E1"),
            record(7, "cy@x.co", "E9"),
            record(8, "cy@x.co", "E3"),
            record(9, "", "E3"),
        ]
    }

    /// The trail only settles a record with the index's answer, from wherever it starts.
    #[test]
    fn the_trail_agrees_with_the_index() {
        let s = snapshot();
        let index = Holders::Index(&s);
        for r in records_to_check() {
            let expected = match_record(&r, &s, &index).map_err(|e| e.message);
            for start in 0..=s.members.len() + 1 {
                if let Some(found) = Trail::at(start).follow(&r, &s.members) {
                    assert_eq!(Ok(Some(found)), expected, "{r:?}, from {start}");
                }
            }
        }
    }

    /// Holders named by a few records answer as the full index does.
    #[test]
    fn named_holders_agree_with_the_index() {
        let s = snapshot();
        let records = records_to_check();
        let named = Holders::named(records.iter(), &s.members);
        assert!(matches!(named, Holders::Named(_)));
        assert!(!s.is_indexed());
        for r in &records {
            let answer = |h: &Holders| match_record(r, &s, h).map_err(|e| e.message);
            assert_eq!(answer(&named), answer(&Holders::Index(&s)), "{r:?}");
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
        let validated = validated(records);
        let s = snapshot();
        let resolved = resolve(validated, &s);
        assert_eq!(resolved.members, [Some(0), Some(1), Some(2)]);
        assert!(!s.is_indexed());
        assert_eq!(s.holder(Field::Email, "cy@x.co"), Some(2));
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

#[cfg(test)]
mod properties {
    use super::*;
    use crate::model::{Member, Status, Values};
    use proptest::prelude::*;

    /// Member `i`: `m{i}@x.co`, `E{i}` unless `i` is a multiple of 3, `+1555000{i}` when even.
    fn member(i: usize) -> Member {
        let (email, ext, phone) = (
            format!("m{i}@x.co"),
            format!("E{i}"),
            format!("+1555000{i}"),
        );
        let mut pairs = vec![(Field::Email, email.as_str())];
        if !i.is_multiple_of(3) {
            pairs.push((Field::ExternalId, ext.as_str()));
        }
        if i.is_multiple_of(2) {
            pairs.push((Field::Phone, phone.as_str()));
        }
        Member::new(i as i64 + 1, Values::of(&pairs), Status::Active)
    }

    /// A record naming member `i` in one of several ways, some new, some in conflict.
    fn record(row: u32, kind: u8, i: usize) -> Record {
        let (email, ext, phone) = match kind {
            0 => (format!("m{i}@x.co"), format!("E{i}"), String::new()),
            1 => (format!("M{i}@X.co"), String::new(), String::new()),
            2 => (
                format!("moved{i}@x.co"),
                format!("E{i}"),
                format!("+1555000{i}"),
            ),
            3 => (format!("new{i}@x.co"), format!("N{i}"), String::new()),
            4 => (format!("m{i}@x.co"), format!("E{}", i + 1), String::new()),
            _ => (String::new(), String::new(), format!("+1555000{i}")),
        };
        let pairs: Vec<(Field, &str)> = [
            (Field::Email, email.as_str()),
            (Field::ExternalId, ext.as_str()),
            (Field::Phone, phone.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        Record {
            row,
            values: Values::of(&pairs),
            ..Record::default()
        }
    }

    proptest! {
        /// Following the file and looking up what is left finds what the full index finds,
        /// for files in the store's order, nearly in it, or in none.
        #[test]
        fn find_all_agrees_with_the_index(
            n in 1usize..60,
            picks in proptest::collection::vec((0u8..6, 0usize..60, any::<bool>()), 0..80),
        ) {
            let members: Vec<Member> = (0..n).map(member).collect();
            let snapshot = Snapshot::new(
                members,
                vec![],
                vec![],
                Default::default(),
                Default::default(),
                0,
            );
            let mut picks = picks;
            // Mostly in store order, as files are; some picks stay where they were drawn.
            picks.sort_by_key(|&(_, i, keep)| if keep { 0 } else { i });
            let records: Vec<Record> = picks
                .iter()
                .enumerate()
                .map(|(row, &(kind, i, _))| record(row as u32 + 2, kind, i % n))
                .collect();
            // Indexed on its own: `find_all` must not find the indexes built.
            let reference = snapshot.clone();
            let index = Holders::Index(&reference);
            let expected: Vec<Option<Found>> = records
                .iter()
                .map(|r| match_record(r, &reference, &index).ok())
                .collect();
            for parallel_from in [1, usize::MAX] {
                let (found, _) = find_all(&records, &snapshot, parallel_from);
                prop_assert_eq!(&found, &expected);
            }
        }
    }
}
