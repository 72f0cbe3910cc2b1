//! Validation on several threads finds what it finds on one: the same records, the same errors
//! in the same order, the same identifiers kept by errored rows.

use super::*;
use crate::decode::Decoded;
use crate::parse::{InputFormat, ParseOptions, parse};
use proptest::prelude::*;

fn catalog() -> Catalog {
    Catalog {
        labels: ["vip".to_string(), "board".to_string()].into(),
        form_fields: ["profile.shirt".to_string()].into(),
    }
}

/// A row naming one of a few members (so rows share identifiers: duplicates, a member's rows
/// in a team file, conflicts), some cells invalid, some rows short.
fn row(pick: (u8, u8, u8, u8, u8), team: bool) -> String {
    let (who, how, name, cell, shape) = pick;
    let email = match how % 4 {
        0 => format!("m{who}@x.co"),
        1 => format!("M{who}@X.CO"),
        2 => String::new(),
        _ => "not-an-email".to_string(),
    };
    let ext = match how / 4 % 3 {
        0 => format!("E{who}"),
        1 => format!("e{who}"),
        _ => String::new(),
    };
    let phone = match who % 3 {
        0 => format!("+1555000{who}"),
        1 => String::new(),
        _ => "555".to_string(),
    };
    let labels = ["vip", "", "gold", "board,vip"][cell as usize % 4];
    let sms = ["true", "", "yes", "0"][cell as usize / 4 % 4];
    let first = ["Ann", "Bob", ""][name as usize % 3];
    let mut cells = vec![email, ext, phone, first.into(), labels.into(), sms.into()];
    if team {
        cells.push(["Sales", "Ops", ""][shape as usize % 3].into());
        cells.push(["member", "owner", "", "boss"][shape as usize / 3 % 4].into());
    }
    if shape >= 12 {
        cells.pop();
    }
    cells
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(",")
}

proptest! {
    #[test]
    fn rows_checked_on_several_threads_validate_as_on_one(
        picks in proptest::collection::vec((0u8..8, 0u8..12, 0u8..3, 0u8..16, 0u8..14), 1..60),
        team in any::<bool>(),
    ) {
        let mut csv = "email,external_id,phone,first_name,labels,notify_sms".to_string();
        if team {
            csv.push_str(",team,team_role");
        }
        csv.push('\n');
        for &pick in &picks {
            csv.push_str(&row(pick, team));
            csv.push('\n');
        }
        let decoded = Decoded::utf8(&csv);
        let options = ParseOptions::new(InputFormat::Csv, "t.csv");
        let table = parse(&decoded, &options, &catalog()).expect("parses");
        let one = validate_with(&table, &catalog(), &Tally::default(), usize::MAX);
        let many = validate_with(&table, &catalog(), &Tally::default(), 0);
        prop_assert_eq!(&one.records, &many.records);
        prop_assert_eq!(&one.errors, &many.errors);
        prop_assert_eq!(&one.errored_ids, &many.errored_ids);
        prop_assert_eq!((one.rows, one.present, one.has_team), (many.rows, many.present, many.has_team));
    }
}
