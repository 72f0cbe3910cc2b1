//! Resolve's lookup structures: the trail a file in the store's order follows, and the holders
//! of the identifiers of the records off that trail.

use super::{holds, match_record};
use crate::model::{Field, IDENTIFIERS, Member, identifier_key};
use crate::parallel::{Tally, in_chunks};
use crate::snapshot::Snapshot;
use crate::validate::Record;
use ahash::AHashMap as HashMap;

/// Each record's lookup: `Some(..)` when it found a member or none, `None` when the record has
/// a conflict, whose message the caller builds again (conflicts are rare) with the returned
/// holders.
///
/// A file usually lists members in the order the store holds them (an export, or yesterday's
/// file plus churn), so a first pass follows the file through the store ([`Trail::follow`]) and
/// settles most records without an index. The records it leaves are looked up in the second
/// pass, in [`Holders`].
///
/// `records` share no identifier (emails ignoring case): the validation makes the rows that
/// share one a single record.
pub(super) fn find_all<'s>(
    records: &[Record],
    snapshot: &'s Snapshot,
    parallel_from: usize,
    tally: &Tally,
) -> (Vec<Option<Found>>, Holders<'s>) {
    let members = &snapshot.members;
    let followed = in_chunks(records, parallel_from, |chunk, first| {
        let mut trail = Trail::at(first);
        let mut counter = tally.counter();
        chunk
            .iter()
            .map(|r| {
                counter.one();
                trail
                    .follow(r, members)
                    .map(|(field, i, given)| (field, i as u32, given))
            })
            .collect()
    });
    let left: Vec<usize> = (0..records.len())
        .filter(|&i| followed[i].is_none())
        .collect();
    let holders = if snapshot.is_indexed()
        || left.len().saturating_mul(NAMED_HOLDERS_AT_MOST) > members.len()
    {
        Holders::Index(snapshot)
    } else {
        let mut settled = vec![0u8; members.len()];
        for &(_, i, given) in followed.iter().flatten() {
            settled[i as usize] |= given;
        }
        Holders::named(left.iter().map(|&i| &records[i]), members, &settled)
    };
    let mut found: Vec<Option<Found>> = followed
        .into_iter()
        .map(|f| f.map(|(field, i, _)| Some((field, i))))
        .collect();
    let looked_up = in_chunks(&left, parallel_from, |chunk, _| {
        chunk
            .iter()
            .map(|&i| {
                match_record(&records[i], snapshot, &holders)
                    .ok()
                    .map(|f| f.map(compact))
            })
            .collect()
    });
    for (i, f) in left.into_iter().zip(looked_up) {
        found[i] = f;
    }
    (found, holders)
}

/// Where a file's walk through the store stands: the member the next record most likely
/// names.
pub(super) struct Trail {
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
    pub(super) fn at(first: usize) -> Trail {
        Trail {
            next: first,
            misses: TRAIL_LOST,
            searches: TRAIL_SEARCHES,
        }
    }

    /// The member the record names, when it is on the trail and holds every identifier the
    /// record gives (then it is the answer of [`match_record`]: stored identifiers are
    /// unique, and no other member can conflict), with the identifiers the record gives (bit
    /// `k`: `IDENTIFIERS[k]`). `None`: not settled here.
    pub(super) fn follow(
        &mut self,
        record: &Record,
        members: &[Member],
    ) -> Option<(Field, usize, u8)> {
        // A record identical to the member next on the trail (an unchanged member: nearly
        // every record of a day's file) is that member, as the search below would find.
        if let Some(member) = members.get(self.next)
            && member.values == record.values
            && let Some((field, given)) = identifiers_given(record)
        {
            let i = self.next;
            (self.next, self.misses) = (i + 1, 0);
            return Some((field, i, given));
        }
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
        let mut given = 0;
        for (k, &f) in IDENTIFIERS.iter().enumerate() {
            if let Some(v) = record.get(f) {
                if !holds(member, f, v) {
                    return None;
                }
                given |= 1 << k;
            }
        }
        Some((field, i, given))
    }
}

/// The first identifier `record` gives, and every one it gives (bit `k`: `IDENTIFIERS[k]`);
/// `None` when it gives none.
fn identifiers_given(record: &Record) -> Option<(Field, u8)> {
    let mut first = None;
    let mut given = 0;
    for (k, &f) in IDENTIFIERS.iter().enumerate() {
        if record.values.has(f) {
            first.get_or_insert(f);
            given |= 1 << k;
        }
    }
    first.map(|f| (f, given))
}

/// Who holds an identifier, for the records the trail did not settle.
pub(super) enum Holders<'s> {
    /// The snapshot's identifier indexes (many records left, or already built).
    Index(&'s Snapshot),
    /// Only the identifiers those records name, found in one pass over the members: much
    /// cheaper than indexing a million members for a day's churn. Per identifier field, key
    /// (emails case-folded) to the first member holding it.
    Named([HashMap<String, Option<u32>>; 3]),
}

impl<'s> Holders<'s> {
    /// The holders of the identifiers `records` name. `settled[j]`: the identifiers (bit `k`:
    /// `IDENTIFIERS[k]`) of member `j` that a record on the trail gave; records share no
    /// identifier, so no other record names them, and the pass skips them (on a day's sync,
    /// nearly all).
    pub(super) fn named<'r>(
        records: impl Iterator<Item = &'r Record>,
        members: &[Member],
        settled: &[u8],
    ) -> Holders<'s> {
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
                let settled = settled.get(first + j).copied().unwrap_or(0);
                for (k, &field) in IDENTIFIERS.iter().enumerate() {
                    if settled & (1 << k) != 0 || named[k].is_empty() {
                        continue;
                    }
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
    pub(super) fn get(&self, field: Field, value: &str) -> Option<usize> {
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

/// The member a record names, with the identifier that decided; `None`: a new member. Its
/// index fits in 32 bits: 8 bytes a record, not 16 (a vector of a million at the resolve's
/// peak, twice while the threads' halves are joined).
pub(super) type Found = Option<(Field, u32)>;

pub(super) fn compact((field, i): (Field, usize)) -> (Field, u32) {
    (field, i as u32)
}

/// Below this many records one thread resolves faster than several start.
pub(super) const PARALLEL_RECORDS: usize = 50_000;
