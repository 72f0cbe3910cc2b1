//! A warning the plan earns: updates that would replace letters with `?` (issue 17, defect 12).
//! A file saved in a code page that lacks a letter (`Łukasz` in windows-1252) arrives with `?`
//! in its place; applied, it would overwrite every such name without a word.

use crate::error::msg;
use crate::plan::Plan;

/// The warning, when at least one update would turn a letter outside ASCII into `?`.
pub(super) fn question_marks(plan: &Plan) -> Option<String> {
    let mut rows = 0;
    let mut example = None;
    for change in plan.changes.iter().filter(|c| c.created.is_none()) {
        let hit = change.fields().iter().find(|f| match (&f.old, &f.new) {
            (Some(old), Some(new)) => lost_letters(old, new),
            _ => false,
        });
        if let Some(f) = hit {
            rows += 1;
            example.get_or_insert_with(|| {
                (
                    f.old.clone().unwrap_or_default(),
                    f.new.clone().unwrap_or_default(),
                    change.row,
                )
            });
        }
    }
    let (old, new, row) = example?;
    Some(msg::question_marks(rows, &old, &new, row))
}

/// `new` is `old` with at least one letter outside ASCII replaced by `?`, and nothing else
/// changed.
fn lost_letters(old: &str, new: &str) -> bool {
    if old.chars().count() != new.chars().count() {
        return false;
    }
    let mut lost = false;
    for (o, n) in old.chars().zip(new.chars()) {
        if o == n {
            continue;
        }
        if n == '?' && !o.is_ascii() {
            lost = true;
        } else {
            return false;
        }
    }
    lost
}

#[cfg(test)]
mod tests {
    use super::lost_letters;

    #[test]
    fn letters_replaced_by_question_marks_are_lost() {
        assert!(lost_letters("Łukasz", "?ukasz"));
        assert!(lost_letters("Zoë Ørsted", "Zo? ?rsted"));
        assert!(!lost_letters("Ann", "Anna"));
        assert!(!lost_letters("Ann?", "Ann?"));
        assert!(!lost_letters("Łukasz", "?ukasx"));
        assert!(!lost_letters("Bob", "B?b"));
    }
}
