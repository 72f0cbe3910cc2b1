use super::*;

#[test]
fn field_index_matches_all_order() {
    for (i, f) in Field::ALL.iter().enumerate() {
        assert_eq!(f.index(), i, "{f:?}");
    }
}

#[test]
fn roles_and_statuses_parse_ignoring_case() {
    assert_eq!(Role::parse(" Owner "), Some(Role::Owner));
    assert_eq!(Role::parse("boss"), None);
    assert_eq!("inactive".parse::<Status>(), Ok(Status::Inactive));
    assert!("gone".parse::<Status>().is_err());
}

#[test]
fn values_keep_each_field_apart() {
    let mut v = Values::from_fn(|f| match f {
        Field::Email => Some("a@b.co"),
        Field::FirstName => Some(""),
        Field::OrganizationRole => Some("owner"),
        _ => None,
    });
    assert_eq!(v.get(Field::Email), Some("a@b.co"));
    assert_eq!(v.get(Field::FirstName), Some(""));
    assert_eq!(v.get(Field::LastName), None);
    assert_eq!(v.get(Field::OrganizationRole), Some("owner"));
    v.set(Field::Email, None);
    v.set(Field::Phone, Some("+15551234567"));
    assert_eq!(
        v.iter().collect::<Vec<_>>(),
        [
            (Field::Phone, "+15551234567"),
            (Field::FirstName, ""),
            (Field::OrganizationRole, "owner")
        ]
    );
}

#[test]
fn values_of_any_length_round_trip() {
    let long = "x".repeat(20_000);
    for text in ["", "a", &long[..127], &long[..128], &long[..16_384], &long] {
        let v = Values::of(&[(Field::Phone, "+1"), (Field::Labels, text)]);
        assert_eq!(v.get(Field::Phone), Some("+1"));
        assert_eq!(v.get(Field::Labels), Some(text));
        assert_eq!(v.get(Field::Email), None);
    }
    assert_eq!(Values::of(&[]), Values::default());
}

#[test]
fn values_from_bytes_are_the_values_of_the_same_texts() {
    let long = "é".repeat(10_000);
    let texts: [&[(Field, &str)]; 4] = [
        &[],
        &[(Field::Email, "ann@x.co"), (Field::FirstName, "")],
        &[(Field::LastName, "Müller"), (Field::Labels, &long)],
        &[(Field::Phone, "+1"), (Field::NotifyVoice, "true")],
    ];
    for pairs in texts {
        let of = |f: Field| pairs.iter().find(|(k, _)| *k == f).map(|(_, v)| *v);
        let from_bytes = Values::from_utf8_fn(|f| of(f).map(str::as_bytes));
        assert_eq!(from_bytes, Some(Values::from_fn(of)), "{pairs:?}");
    }
}

#[test]
fn values_from_bytes_refuse_a_text_that_is_not_utf8() {
    let from_bytes = Values::from_utf8_fn(|f| match f {
        Field::Email => Some(b"ann@x.co".as_slice()),
        // A lone continuation byte.
        Field::FirstName => Some(b"\x80".as_slice()),
        _ => None,
    });
    assert_eq!(from_bytes, None);
    let cut = "é".as_bytes();
    let halves = Values::from_utf8_fn(|f| match f {
        Field::FirstName => Some(&cut[..1]),
        Field::LastName => Some(&cut[1..]),
        _ => None,
    });
    assert_eq!(
        halves, None,
        "each text is checked, not only their concatenation"
    );
}

#[test]
fn emails_compare_without_case() {
    assert!(Field::Email.same("Ann@X.com", "ann@x.COM"));
    assert!(!Field::FirstName.same("Ann", "ann"));
    assert!(!Field::Email.same("ann@x.com", "bob@x.com"));
    assert!(Field::Email.same("ÉVA@x.com", "éva@x.com"));
    assert!(!Field::Email.same("éva@x.com", "eva@x.com"));
}

#[test]
fn a_member_stays_small() {
    // A snapshot of a million members holds a million of them beside the file's records.
    assert!(
        std::mem::size_of::<Member>() <= 40,
        "{}",
        std::mem::size_of::<Member>()
    );
}

#[test]
fn values_tell_which_fields_they_have() {
    let v = Values::of(&[(Field::Email, "a@x.co"), (Field::Phone, "")]);
    for f in Field::ALL {
        assert_eq!(v.has(f), v.get(f).is_some(), "{f:?}");
    }
    assert!(v.has(Field::Email) && v.has(Field::Phone) && !v.has(Field::ExternalId));
    assert!(!Values::default().has(Field::Email));
}
