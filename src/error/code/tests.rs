use super::Code;

#[test]
fn codes_are_unique_snake_case() {
    let mut seen = std::collections::HashSet::new();
    for c in Code::ALL {
        assert!(seen.insert(c.as_str()), "{c} twice");
        assert!(
            c.as_str()
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch == '_'),
            "{c}"
        );
        assert!(c.exit_code().is_some() || c.status().is_some(), "{c}");
    }
}

#[test]
fn templates_match_their_messages() {
    assert!(Code::FileEmpty.matches("The file is empty."));
    assert!(!Code::FileEmpty.matches("The file is empty"));
    assert!(Code::UnknownLabel.matches("Unknown label: gold"));
    assert!(Code::CellTooLong.matches("Row 4, column email: cell is too long."));
    assert!(!Code::CellTooLong.matches("Row 4 has the wrong number of columns."));
    assert!(Code::LastOwnerTeam.matches(
        "This import would leave team Ops with no owner. Promote another member to team owner before re-uploading."
    ));
}
