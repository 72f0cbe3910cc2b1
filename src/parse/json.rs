//! JSON (an array of objects) and NDJSON (one object a line) into the same raw rows as CSV.
//! Row numbers: an array item's 1-based position; an NDJSON object's line.

use super::{RawTable, Rows};
use crate::error::FileError;
use crate::parallel::Tally;
use serde_json::{Map, Value};

pub(crate) fn parse_array(text: &str, max_rows: u64, tally: &Tally) -> Result<RawTable, FileError> {
    let value: Value = serde_json::from_str(text).map_err(|e| FileError::BadJson(e.to_string()))?;
    let Value::Array(items) = value else {
        return Err(FileError::BadJson("expected an array of objects".into()));
    };
    tally.set_total(items.len() as u64);
    let objects = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| object(item, &format!("item {}", i + 1)).map(|o| (i as u32 + 1, o)));
    build(objects, max_rows, tally)
}

pub(crate) fn parse_lines(text: &str, max_rows: u64, tally: &Tally) -> Result<RawTable, FileError> {
    // An estimate: blank lines are not rows.
    tally.set_total(text.lines().count() as u64);
    let objects = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let value: Value = serde_json::from_str(line)
                .map_err(|e| FileError::BadJson(format!("line {}, {}", i + 1, at_column(&e))))?;
            object(value, &format!("line {}", i + 1)).map(|o| (i as u32 + 1, o))
        });
    build(objects, max_rows, tally)
}

/// serde_json says "... at line 1 column 19" of the one line it parsed: name the column only.
fn at_column(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    format!("column {}: {message}", e.column())
}

fn object(value: Value, at: &str) -> Result<Map<String, Value>, FileError> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(FileError::BadJson(format!("{at} is not an object"))),
    }
}

/// Flattens objects into cells under a header that is the union of their keys, in order seen.
fn build(
    objects: impl Iterator<Item = Result<(u32, Map<String, Value>), FileError>>,
    max_rows: u64,
    tally: &Tally,
) -> Result<RawTable, FileError> {
    let mut counter = tally.counter();
    let mut header: Vec<String> = Vec::new();
    let mut flat_rows: Vec<(u32, Vec<(usize, String)>)> = Vec::new();
    for item in objects {
        let (row, map) = item?;
        let mut cells = Vec::new();
        for (key, value) in flatten(map) {
            let i = match header.iter().position(|h| *h == key) {
                Some(i) => i,
                None => {
                    header.push(key);
                    header.len() - 1
                }
            };
            cells.push((i, value));
        }
        if cells.iter().all(|(_, v)| v.trim().is_empty()) {
            continue;
        }
        if flat_rows.len() as u64 >= max_rows {
            return Err(FileError::TooManyRows(max_rows));
        }
        flat_rows.push((row, cells));
        counter.one();
    }
    if header.is_empty() {
        return Err(FileError::Empty);
    }
    let mut rows = Rows::default();
    for (row, cells) in flat_rows {
        let mut full = vec![String::new(); header.len()];
        for (i, v) in cells {
            full[i] = v;
        }
        rows.push(row, full.iter().map(String::as_str));
    }
    Ok(RawTable {
        header,
        rows,
        delimiter: b',',
    })
}

/// `{"form": {"t": {"f": v}}}` becomes `form.t.f`; arrays are comma-joined; null is blank.
fn flatten(map: Map<String, Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (key, value) in map {
        match value {
            Value::Object(inner) if key.eq_ignore_ascii_case("form") => {
                for (ty, fields) in inner {
                    match fields {
                        Value::Object(fields) => {
                            for (field, v) in fields {
                                out.push((format!("form.{ty}.{field}"), scalar(v)));
                            }
                        }
                        other => out.push((format!("form.{ty}"), scalar(other))),
                    }
                }
            }
            other => out.push((key, scalar(other))),
        }
    }
    out
}

fn scalar(value: Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s,
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.into_iter().map(scalar).collect::<Vec<_>>().join(","),
        Value::Object(_) => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_items_become_rows() {
        let t = parse_array(
            r#"[{"email":"a@b.co","labels":["x","y"],"notify_sms":true,"form":{"p":{"s":"M"}}},
                {"email":"c@d.co","external_id":7}]"#,
            10,
            &Tally::default(),
        )
        .unwrap();
        assert_eq!(
            t.header,
            ["email", "labels", "notify_sms", "form.p.s", "external_id"]
        );
        assert_eq!(
            t.rows.get(0).cells().collect::<Vec<_>>(),
            ["a@b.co", "x,y", "true", "M", ""]
        );
        assert_eq!((t.rows.get(1).row, t.rows.get(1).cell(4)), (2, "7"));
    }

    #[test]
    fn ndjson_rows_are_numbered_by_line() {
        let t = parse_lines(
            "{\"email\":\"a@b.co\"}\n\n{\"email\":\"c@d.co\"}\n",
            10,
            &Tally::default(),
        )
        .unwrap();
        assert_eq!(t.rows.iter().map(|r| r.row).collect::<Vec<_>>(), [1, 3]);
    }

    #[test]
    fn malformed_json_says_where() {
        let e = parse_lines("{\"email\":\"a@b.co\"}\n{oops\n", 10, &Tally::default()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("The file is not valid JSON: line 2, column 2: key must be a string"),
            "{e}"
        );
        let e = parse_array("[1]", 10, &Tally::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "The file is not valid JSON: item 1 is not an object."
        );
    }
}
