//! Grouping a file's rows by identifier finds the groups a plain map of each identifier's
//! first row finds (emails ignoring case, the others exactly, blank cells naming no one).

use super::group::group_roots;
use super::*;
use crate::decode::Decoded;
use crate::parse::{InputFormat, ParseOptions, parse};
use proptest::prelude::*;

/// The reference: one map per identifier from its key to the first row, union-find whose
/// roots are the least rows.
fn plain_roots(table: &Table, ids: &IdColumns) -> Vec<usize> {
    let n = table.rows.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &[usize], mut i: usize) -> usize {
        while parent[i] != i {
            i = parent[i];
        }
        i
    }
    for k in 0..IDENTIFIERS.len() {
        let mut first: std::collections::HashMap<String, usize> = Default::default();
        for i in 0..n {
            let Some(key) = ids.key(&table.rows.get(i), k) else {
                continue;
            };
            let j = *first.entry(key.into_owned()).or_insert(i);
            let (a, b) = (find(&parent, i), find(&parent, j));
            parent[a.max(b)] = a.min(b);
        }
    }
    (0..n).map(|i| find(&parent, i)).collect()
}

fn cell(who: u16, how: u8) -> [String; 3] {
    let email = match how % 4 {
        0 => format!("m{who}@x.co"),
        1 => format!(" M{who}@X.co "),
        2 => String::new(),
        _ => format!("'m{who}@x.co"),
    };
    let ext = match how / 4 % 3 {
        0 => format!("E{}", who / 2),
        1 => format!("e{}", who / 2),
        _ => String::new(),
    };
    let phone = match how / 12 % 2 {
        0 => format!("+1555{}", who / 3),
        _ => String::new(),
    };
    [email, ext, phone]
}

proptest! {
    #[test]
    fn rows_group_as_a_map_of_first_rows_groups_them(
        picks in proptest::collection::vec((0u16..400, 0u8..24), 1..300),
    ) {
        let mut csv = "email,external_id,phone,first_name\n".to_string();
        for &(who, how) in &picks {
            let [email, ext, phone] = cell(who, how);
            csv.push_str(&format!("\"{email}\",\"{ext}\",\"{phone}\",x\n"));
        }
        let decoded = Decoded::utf8(&csv);
        let options = ParseOptions::new(InputFormat::Csv, "t.csv");
        let table = parse(&decoded, &options, &Catalog::default()).expect("parses");
        let ids = IdColumns::of(&table);
        let roots: Vec<usize> = group_roots(&table, &ids).into_iter().map(|r| r as usize).collect();
        prop_assert_eq!(roots, plain_roots(&table, &ids));
    }
}
