use super::lookup::Found;
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

/// The records of a file drawn from `picks` as a validated file holds them: mostly in store
/// order, as files are (some picks stay where they were drawn), and none sharing an identifier
/// with an earlier one (emails ignoring case), since the validation makes rows that share one
/// a single record.
fn validated_file(mut picks: Vec<(u8, usize, bool)>, n: usize) -> Vec<Record> {
    picks.sort_by_key(|&(_, i, keep)| if keep { 0 } else { i });
    let mut seen = std::collections::HashSet::new();
    let mut records = Vec::new();
    for (row, &(kind, i, _)) in picks.iter().enumerate() {
        let r = record(row as u32 + 2, kind, i % n);
        let keys: Vec<(Field, String)> = IDENTIFIERS
            .iter()
            .filter_map(|&f| {
                r.get(f)
                    .map(|v| (f, crate::model::identifier_key(f, v).into_owned()))
            })
            .collect();
        if keys.iter().all(|k| !seen.contains(k)) {
            seen.extend(keys);
            records.push(r);
        }
    }
    records
}

fn snapshot_of(n: usize) -> Snapshot {
    let members: Vec<Member> = (0..n).map(member).collect();
    Snapshot::new(
        members,
        vec![],
        vec![],
        Default::default(),
        Default::default(),
        0,
    )
}

/// A store's size, and the members a file's records name (kind, member, kept in place).
fn store_and_picks() -> impl Strategy<Value = (usize, Vec<(u8, usize, bool)>)> {
    (
        1usize..60,
        proptest::collection::vec((0u8..6, 0usize..60, any::<bool>()), 0..80),
    )
}

proptest! {
    /// Following the file and looking up what is left finds what the full index finds,
    /// for files in the store's order, nearly in it, or in none.
    #[test]
    fn find_all_agrees_with_the_index(
        (n, picks) in store_and_picks(),
    ) {
        let snapshot = snapshot_of(n);
        let records = validated_file(picks, n);
        // Indexed on its own: `find_all` must not find the indexes built.
        let reference = snapshot.clone();
        let index = Holders::Index(&reference);
        let expected: Vec<Option<Found>> = records
            .iter()
            .map(|r| {
                let found = match_record(r, &reference, &index).ok();
                found.map(|f| f.map(super::lookup::compact))
            })
            .collect();
        for parallel_from in [1, usize::MAX] {
            let (found, _) = find_all(&records, &snapshot, parallel_from, &Default::default());
            prop_assert_eq!(&found, &expected);
        }
    }

    /// The named holders of the records the trail leaves, skipping the identifiers the
    /// trail's records gave, answer those records as the full index does.
    #[test]
    fn named_holders_skip_only_what_no_record_left_names(
        (n, picks) in store_and_picks(),
    ) {
        let snapshot = snapshot_of(n);
        let records = validated_file(picks, n);
        let mut trail = lookup::Trail::at(0);
        let mut settled = vec![0u8; n];
        let mut left = Vec::new();
        for r in &records {
            match trail.follow(r, &snapshot.members) {
                Some((_, i, given)) => settled[i] |= given,
                None => left.push(r),
            }
        }
        let named = Holders::named(left.iter().copied(), &snapshot.members, &settled);
        let reference = snapshot.clone();
        for r in left {
            let answer = |h: &Holders, s: &Snapshot| match_record(r, s, h).map_err(|e| e.message);
            prop_assert_eq!(answer(&named, &snapshot), answer(&Holders::Index(&reference), &reference));
        }
    }
}
