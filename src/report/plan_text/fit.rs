//! Fitting text to a terminal line: control characters escaped, widths measured in terminal
//! columns (a CJK letter takes two), long values cut with `…` instead of wrapping.

use std::borrow::Cow;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The mark of a value cut short.
const ELLIPSIS: char = '…';

/// Control characters escaped (`\n`, `\t`, `\u{1b}`): the one helper every face uses.
pub use crate::term::visible as clean;

/// The columns `s` takes on a terminal.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` in at most `max` columns: cut, with `…` as its last column, when it is wider.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push(ELLIPSIS);
    Cow::Owned(out)
}

/// Two values in at most `room` columns together: the shorter keeps its width when it fits in
/// half the room, and the other takes the rest.
pub fn pair<'a>(a: &'a str, b: &'a str, room: usize) -> (Cow<'a, str>, Cow<'a, str>) {
    let (wa, wb) = (width(a), width(b));
    if wa + wb <= room {
        return (Cow::Borrowed(a), Cow::Borrowed(b));
    }
    let half = room / 2;
    let (ra, rb) = if wa <= half {
        (wa, room - wa)
    } else if wb <= half {
        (room - wb, wb)
    } else {
        (room - half, half)
    };
    (truncate(a, ra), truncate(b, rb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(clean("a\nb\tc\u{1b}[31m"), "a\\nb\\tc\\u{1b}[31m");
        assert!(matches!(clean("Zoë"), Cow::Borrowed("Zoë")));
    }

    #[test]
    fn truncation_counts_terminal_columns() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("李雷李雷", 5), "李雷…");
        assert_eq!(
            width(&truncate("李雷李雷", 4)),
            3,
            "a wide letter is not split"
        );
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn a_pair_gives_the_longer_value_the_rest_of_the_room() {
        assert_eq!(
            pair("Ann", "Annabelle", 20),
            ("Ann".into(), "Annabelle".into())
        );
        assert_eq!(pair("Ann", "Annabelle", 8), ("Ann".into(), "Anna…".into()));
        assert_eq!(
            pair("abcdefgh", "ijklmnop", 8),
            ("abc…".into(), "ijk…".into())
        );
        assert_eq!(pair("abcdefgh", "xy", 6), ("abc…".into(), "xy".into()));
    }
}
