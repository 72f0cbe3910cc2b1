use super::*;

#[test]
fn headers_match_aliases_ignoring_case_and_spaces() {
    let cases = [
        ("First Name", Some(Column::Field(Field::FirstName))),
        ("Job-Title", Some(Column::Field(Field::JobTitle))),
        ("E_MAIL", Some(Column::Field(Field::Email))),
        ("Email Address", Some(Column::Field(Field::Email))),
        ("Team Role", Some(Column::TeamRole)),
        ("Employee ID", None),
        ("Work Email", None),
        ("Email", Some(Column::Field(Field::Email))),
        (" E-Mail ", Some(Column::Field(Field::Email))),
        ("emailAddress", Some(Column::Field(Field::Email))),
        ("orgMemberId", Some(Column::Field(Field::ExternalId))),
        ("firstName", Some(Column::Field(Field::FirstName))),
        ("display_name", Some(Column::Field(Field::Name))),
        ("org_role", Some(Column::Field(Field::OrganizationRole))),
        ("phone_number", Some(Column::Field(Field::Phone))),
        (
            "form.Profile.Shirt",
            Some(Column::Form("profile.shirt".into())),
        ),
        ("form.x", None),
        ("Department", None),
    ];
    for (header, want) in cases {
        assert_eq!(lookup(header), want, "{header}");
    }
}

#[test]
fn unknown_headers_resemble_columns() {
    let cases = [
        ("Work Email", Some(Column::Field(Field::Email))),
        ("Mobile Phone", Some(Column::Field(Field::Phone))),
        ("Title", Some(Column::Field(Field::JobTitle))),
        ("Emial", Some(Column::Field(Field::Email))),
        ("Employee ID", None),
        ("Department", None),
        ("Cost Center", None),
        ("ID", None),
    ];
    for (header, want) in cases {
        assert_eq!(resembling(header), want, "{header}");
    }
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("employe id", "employee id"), 1);
}

#[test]
fn cells_are_trimmed_of_whitespace_and_invisibles() {
    assert_eq!(trim_cell("\u{00A0} ann \u{200B}\u{FEFF}"), "ann");
    assert_eq!(clean_cell("'=SUM(A1)"), "=SUM(A1)");
    assert_eq!(clean_cell("'+15551234567"), "+15551234567");
    assert_eq!(clean_cell("O'Brien"), "O'Brien");
    assert_eq!(clean_cell("'quoted"), "'quoted");
}

#[test]
fn emails() {
    let good = [
        "a@b.co",
        "first.last+tag@example.com",
        "x!#$%&'*+/=?^_`{|}~-@sub.domain.org",
        "ann@bücher.de",
        "a@1-2.io",
    ];
    let bad = [
        "",
        "plain",
        "@b.co",
        "a@b",
        ".a@b.co",
        "a.@b.co",
        "a..b@b.co",
        "a@b.co.",
        "a@-b.co",
        "a@b-.co",
        "a b@b.co",
        "ánn@b.co",
        "a\u{200B}b@x.co",
        "a@b..co",
    ];
    for e in good {
        assert!(is_email(e), "{e} should pass");
    }
    for e in bad {
        assert!(!is_email(e), "{e} should fail");
    }
    let long = format!("{}@example.com", "a".repeat(243));
    assert!(!is_email(&long));
    assert!(is_email(&format!("{}@example.com", "a".repeat(242))));
}

/// SPEC §5's email rule a character at a time, as `is_email` was first written: the check a
/// byte at a time must agree with it on every text.
fn is_email_by_characters(s: &str) -> bool {
    if s.chars().count() > 254 {
        return false;
    }
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    local_ok && domain.contains('.') && domain.split('.').all(label_ok)
}

#[test]
fn emails_of_other_scripts_in_the_domain_only() {
    for e in ["a@bücher.de", "ann@xn--bcher-kva.de", "a@東京.jp", "a@b.cö"] {
        assert!(is_email(e), "{e} should pass");
    }
    for e in ["a@bü_cher.de", "é@b.co", "a@b.c\u{200B}o", "a@b.-ö.de"] {
        assert!(!is_email(e), "{e} should fail");
    }
}

proptest::proptest! {
    #[test]
    fn a_cell_is_trimmed_of_whitespace_and_invisibles_at_both_ends(
        s in "[a-z!~\t\n \u{A0}\u{200B}\u{FEFF}\u{3000}é]{0,8}"
    ) {
        let plain = s.trim_matches(|c: char| c.is_whitespace() || INVISIBLE.contains(&c));
        proptest::prop_assert_eq!(trim_cell(&s), plain, "{:?}", s);
    }

    #[test]
    fn the_email_check_is_the_character_rule(s in "[a-zA-Z0-9.@_+!~ é東ö\u{200B}-]{0,24}") {
        proptest::prop_assert_eq!(is_email(&s), is_email_by_characters(&s), "{:?}", s);
    }
}

#[test]
fn phones() {
    for p in ["+15551234567", "+44", "+123456789012345"] {
        assert!(is_phone(p), "{p}");
    }
    for p in [
        "15551234567",
        "+1",
        "+1234567890123456",
        "+0123",
        "+1 555 123",
        "(555) 123-4567",
        "+1-555",
    ] {
        assert!(!is_phone(p), "{p}");
    }
}

#[test]
fn dates() {
    assert!(is_past_date("2000-02-29"));
    assert!(!is_past_date("2001-02-29"));
    assert!(!is_past_date("2000-2-29"));
    assert!(!is_past_date("29/02/2000"));
    assert!(!is_past_date("2999-01-01"));
    assert_eq!(check_date("1990-02-30"), DateCheck::NotReal);
    assert_eq!(check_date("1990-13-01"), DateCheck::NotReal);
    assert_eq!(check_date("1990-2-3"), DateCheck::BadShape);
    assert_eq!(check_date("2999-01-01"), DateCheck::Future);
}

/// The hints of refused dates: the rule (`date_fault`) picks the words (`msg::row_hints`).
#[test]
fn date_hints_say_why() {
    use crate::error::{Code, RowError};
    let error = |value: &str| {
        RowError::new(
            2,
            "date_of_birth",
            value,
            Code::InvalidDate,
            msg::INVALID_DATE,
        )
    };
    let errors = [error("1990-02-30"), error("2999-01-01"), error("1990-2-3")];
    let hints = msg::row_hints(&errors, date_fault);
    assert_eq!(hints.len(), 2, "{hints:?}");
    assert!(
        hints[0].starts_with("row 2: 1990-02-30 has the YYYY-MM-DD shape but is not a real date")
    );
    assert!(
        hints[1].starts_with("row 2: 2999-01-01 has the YYYY-MM-DD shape but is in the future")
    );
}

#[test]
fn booleans_and_labels() {
    assert_eq!(parse_bool("TRUE"), Some(true));
    assert_eq!(parse_bool("0"), Some(false));
    assert_eq!(parse_bool("yes"), None);
    let catalog = Catalog {
        labels: ["vip".into(), "board".into()].into(),
        ..Catalog::default()
    };
    assert_eq!(
        check_field(Field::Labels, "vip, board,vip", &catalog),
        Ok(Cow::Owned("board,vip".into()))
    );
    assert_eq!(
        check_field(Field::Labels, "vip,nope", &catalog),
        Err(vec!["Unknown label: nope".into()])
    );
}
