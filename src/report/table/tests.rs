//! The table's layout: widths, blocks, control characters.

use super::*;

#[test]
fn short_columns_keep_their_width_and_the_long_one_gets_the_rest() {
    // id, status, summary: "FAILED (interrupted)" stays whole, the summary takes the rest.
    let widths = column_widths(&[2, 20, 71], &[2, 13, 10], &[0, 1], 50);
    assert_eq!(widths, [2, 20, 28]);
}

#[test]
fn a_word_wider_than_its_column_shows_the_record_as_lines() {
    let sha = "5602cb9ffba296568690441db67c2b2379724dff4cfc0fd70b1f7582e872c45f";
    let rows = [
        ("status".to_string(), "FAILED".to_string()),
        ("option max_deactivations".to_string(), "1".to_string()),
        ("sha256".to_string(), sha.to_string()),
    ];
    let narrow = fields(["import", "2"], true, &rows, 80).to_string();
    assert!(
        narrow.lines().any(|l| l == format!("    sha256: {sha}")),
        "{narrow}"
    );
    assert!(narrow.lines().all(|l| l.chars().count() <= 80), "{narrow}");
    let wide = fields(["import", "2"], true, &rows, 120).to_string();
    assert!(wide.lines().any(|l| l.contains(sha)), "{wide}");
    assert!(wide.starts_with("| import"), "{wide}");
}

#[test]
fn no_word_is_split_while_the_words_fit() {
    // The status cannot stay whole, so it wraps at its space, never inside a word.
    let widths = column_widths(&[2, 20, 71], &[2, 13, 10], &[0, 1], 30);
    assert!(widths[1] >= 13 && widths[2] >= 10, "{widths:?}");
    assert_eq!(widths.iter().sum::<usize>(), 30);
}

#[test]
fn a_listing_too_narrow_for_its_words_is_one_block_a_record() {
    let rows = vec![vec![
        "2".to_string(),
        "FAILED (interrupted)".to_string(),
        "This import would deactivate 3 of 64 members".to_string(),
    ]];
    let header = ["id", "status", "summary"];
    let wide = listing(&header, &rows, &["id", "status"], 80).to_string();
    assert!(wide.starts_with("| id |"), "{wide}");
    let narrow = listing(&header, &rows, &["id", "status"], 24).to_string();
    assert_eq!(
        narrow,
        "2  FAILED (interrupted)\n    summary: This import\n        would deactivate\n        3 of 64 members"
    );
    let piped = listing(&header, &rows, &[], UNLIMITED).to_string();
    assert_eq!(piped.lines().count(), 3, "{piped}");
}

#[test]
fn cells_show_control_characters() {
    let rows = vec![vec!["a\u{1b}[2Jb\nc".to_string()]];
    let text = listing(&["v"], &rows, &[], UNLIMITED).to_string();
    assert!(text.contains("a\\u{1b}[2Jb\\nc"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
}

#[test]
fn an_untitled_record_as_lines_has_no_header_and_no_empty_field() {
    let long = "x".repeat(90);
    let rows = [
        ("email".to_string(), "ann@example.com".to_string()),
        ("phone".to_string(), String::new()),
        ("description".to_string(), long.clone()),
    ];
    let text = fields(["field", "value"], false, &rows, 80).to_string();
    assert_eq!(
        text,
        format!("email: ann@example.com\ndescription:\n    {long}"),
        "{text}"
    );
}
