use super::lookup::Trail;
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
    let serial = resolve_with(
        validated.clone(),
        &snapshot(),
        usize::MAX,
        &Tally::default(),
    );
    let parallel = resolve_with(validated, &snapshot(), 1, &Tally::default());
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
            if let Some((field, i, _)) = Trail::at(start).follow(&r, &s.members) {
                assert_eq!(Ok(Some((field, i))), expected, "{r:?}, from {start}");
            }
        }
    }
}

/// Holders named by a few records answer as the full index does.
#[test]
fn named_holders_agree_with_the_index() {
    let s = snapshot();
    let records = records_to_check();
    let named = Holders::named(records.iter(), &s.members, &[]);
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

#[test]
fn against_an_empty_store_every_record_is_new_and_nothing_conflicts() {
    let empty = Snapshot::default();
    assert!(!may_conflict(&empty));
    assert!(may_conflict(&snapshot()));
    // Two records naming one another's identifiers would conflict against a store holding them.
    let records = vec![record(2, "ann@x.co", "E3"), record(3, "cy@x.co", "E1")];
    let r = resolve(validated(records.clone()), &empty);
    assert_eq!(r.records, records);
    assert_eq!(r.members, [None, None]);
    assert!(r.errors.is_empty());
    let against_stored = resolve(validated(records), &snapshot());
    assert_eq!(
        against_stored.errors.len(),
        2,
        "{:?}",
        against_stored.errors
    );
}
