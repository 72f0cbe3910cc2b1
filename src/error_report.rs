//! The error report: the errored rows of the original file with `error_row`, `error_column`
//! and `error_message` added (SPEC §10), then `error_code` (the error's stable code), one
//! line per error.

use crate::csv_out::CsvOut;
use crate::error::RowError;
use crate::parse::Table;
use std::collections::HashMap;

pub fn write(table: &Table, errors: &[RowError], out: impl std::io::Write) -> std::io::Result<()> {
    let rows: HashMap<u32, crate::parse::RawRow> = table.rows.iter().map(|r| (r.row, r)).collect();
    let mut w = CsvOut::new(out);
    let header = table.header.iter().map(String::as_str).chain([
        "error_row",
        "error_column",
        "error_message",
        "error_code",
    ]);
    w.row(header)?;
    for e in errors {
        let Some(raw) = e.row.and_then(|n| rows.get(&n)) else {
            continue;
        };
        let row = e.row.map(|n| n.to_string()).unwrap_or_default();
        let cells = (0..table.header.len().max(raw.len()))
            .map(|i| raw.cell(i))
            .chain([
                row.as_str(),
                e.column.as_deref().unwrap_or(""),
                e.message.as_str(),
                e.code.as_str(),
            ]);
        w.row(cells)?;
    }
    w.finish()
}
