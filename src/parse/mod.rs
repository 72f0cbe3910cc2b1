//! Stage 3, table: text to a [`Table`] of raw rows with spreadsheet row numbers.
//! Every file-level error of SPEC §4 is raised here (or in `input`/`decode`); rows are not judged.

mod csv;
pub mod header;
mod json;

use crate::columns::{Catalog, Column, trim_cell};
use crate::decode::Decoded;
use crate::error::FileError;
use crate::parallel::Tally;

pub use header::Mapping;

/// `--input-format`, and the body's `Content-Type` of `POST /v1/sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    #[default]
    Auto,
    Csv,
    Json,
    Ndjson,
}

impl InputFormat {
    /// The name `--input-format` takes.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Auto => "auto",
            InputFormat::Csv => "csv",
            InputFormat::Json => "json",
            InputFormat::Ndjson => "ndjson",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ParseOptions {
    pub format: InputFormat,
    pub delimiter: Option<u8>,
    pub mappings: Vec<Mapping>,
    pub max_rows: u64,
    /// The file's name, for `--input-format auto`.
    pub file_name: String,
}

/// Every data row of a file, its cells in one text buffer (a row costs its text and four
/// bytes a cell, not an allocation per row or per cell).
#[derive(Debug, Clone, Default)]
pub struct Rows {
    text: String,
    /// End offset in `text` of each cell, row after row.
    cell_ends: Vec<u32>,
    /// Index into `cell_ends` of each row's first cell, and one past the last row.
    row_starts: Vec<u32>,
    /// Each row's spreadsheet row number.
    numbers: Vec<u32>,
}

impl Rows {
    /// Room for `bytes` of cell text and about `rows` rows of `width` cells, reserved once: the
    /// cells of a CSV file are no longer than the file, and doubling a buffer of 100 MB copies
    /// it into fresh pages while both are held.
    pub fn with_capacity(bytes: usize, rows: usize, width: usize) -> Rows {
        Rows {
            text: String::with_capacity(bytes),
            cell_ends: Vec::with_capacity(rows.saturating_mul(width)),
            row_starts: Vec::with_capacity(rows.saturating_add(1)),
            numbers: Vec::with_capacity(rows),
        }
    }

    pub fn push<'a>(&mut self, row: u32, cells: impl IntoIterator<Item = &'a str>) {
        if self.row_starts.is_empty() {
            self.row_starts.push(0);
        }
        for cell in cells {
            self.text.push_str(cell);
            self.cell_ends.push(self.text.len() as u32);
        }
        self.row_starts.push(self.cell_ends.len() as u32);
        self.numbers.push(row);
    }

    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    pub fn get(&self, i: usize) -> RawRow<'_> {
        RawRow {
            row: self.numbers[i],
            rows: self,
            first: self.row_starts[i] as usize,
            len: (self.row_starts[i + 1] - self.row_starts[i]) as usize,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = RawRow<'_>> {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// The contract's default row limit (SPEC §4).
pub const DEFAULT_MAX_ROWS: u64 = 30_000;

impl ParseOptions {
    /// Options for a file of this format: delimiter detected, no `--map`, the default row limit.
    pub fn new(format: InputFormat, file_name: &str) -> ParseOptions {
        ParseOptions {
            format,
            delimiter: None,
            mappings: Vec::new(),
            max_rows: DEFAULT_MAX_ROWS,
            file_name: file_name.to_string(),
        }
    }
}

/// One data row as the file holds it.
#[derive(Debug, Clone, Copy)]
pub struct RawRow<'a> {
    /// The row number a spreadsheet shows (header = 1, blank lines counted).
    pub row: u32,
    rows: &'a Rows,
    first: usize,
    len: usize,
}

impl<'a> RawRow<'a> {
    /// Cell `i`, or `""` past the row's end.
    pub fn cell(&self, i: usize) -> &'a str {
        if i >= self.len {
            return "";
        }
        let k = self.first + i;
        let start = if k == 0 {
            0
        } else {
            self.rows.cell_ends[k - 1] as usize
        };
        &self.rows.text[start..self.rows.cell_ends[k] as usize]
    }

    /// How many cells the row has.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn cells(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let row = *self;
        (0..row.len).map(move |i| row.cell(i))
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// The header cells as written.
    pub header: Vec<String>,
    /// What each file column names (`None`: ignored).
    pub columns: Vec<Option<Column>>,
    pub rows: Rows,
    pub warnings: Vec<String>,
    /// The file has a `team` column: one row per membership (SPEC §5).
    pub has_team: bool,
    pub format: InputFormat,
    /// The delimiter of a CSV file (for the error report).
    pub delimiter: u8,
}

impl Table {
    pub fn column_index(&self, col: &Column) -> Option<usize> {
        self.columns.iter().position(|c| c.as_ref() == Some(col))
    }
}

/// Rows before the header is resolved into columns by `header::resolve`.
#[derive(Debug)]
pub(crate) struct RawTable {
    pub header: Vec<String>,
    pub rows: Rows,
    pub delimiter: u8,
}

pub fn parse(
    decoded: &Decoded,
    options: &ParseOptions,
    catalog: &Catalog,
) -> Result<Table, FileError> {
    parse_counting(decoded, options, catalog, &Tally::default())
}

/// [`parse`], counting the data rows read into `tally` (its total: an estimate from the
/// file's lines, or the items of a JSON array).
pub fn parse_counting(
    decoded: &Decoded,
    options: &ParseOptions,
    catalog: &Catalog,
    tally: &Tally,
) -> Result<Table, FileError> {
    let text = decoded
        .text
        .strip_prefix('\u{FEFF}')
        .unwrap_or(&decoded.text);
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    let format = pick_format(options.format, &options.file_name, text);
    let raw = match format {
        InputFormat::Json => json::parse_array(text, options.max_rows, tally)?,
        InputFormat::Ndjson => json::parse_lines(text, options.max_rows, tally)?,
        _ => csv::parse(text, options.delimiter, options.max_rows, tally)?,
    };
    let mut table = header::resolve(raw, &options.mappings, catalog)?;
    table.format = format;
    if table.rows.is_empty() {
        return Err(FileError::NoDataRows);
    }
    Ok(table)
}

/// `auto`: by extension, then by the first character of the content.
fn pick_format(asked: InputFormat, name: &str, text: &str) -> InputFormat {
    if asked != InputFormat::Auto {
        return asked;
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        return InputFormat::Json;
    }
    if lower.ends_with(".ndjson") || lower.ends_with(".jsonl") {
        return InputFormat::Ndjson;
    }
    if lower.ends_with(".csv") || lower.ends_with(".tsv") || lower.ends_with(".txt") {
        return InputFormat::Csv;
    }
    match text.trim_start().chars().next() {
        Some('[') => InputFormat::Json,
        Some('{') => InputFormat::Ndjson,
        _ => InputFormat::Csv,
    }
}

/// A row counts as data when at least one cell holds something after trimming (SPEC §4).
pub(crate) fn is_blank_record(record: &::csv::StringRecord) -> bool {
    record.iter().all(|c| trim_cell(c).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_is_picked_by_extension_then_content() {
        use InputFormat::*;
        assert_eq!(pick_format(Auto, "a.JSON", "x"), Json);
        assert_eq!(pick_format(Auto, "a.jsonl", "x"), Ndjson);
        assert_eq!(pick_format(Auto, "-", " [{}]"), Json);
        assert_eq!(pick_format(Auto, "-", "{}\n{}"), Ndjson);
        assert_eq!(pick_format(Auto, "a.csv", "[x"), Csv);
        assert_eq!(pick_format(Csv, "a.json", "["), Csv);
    }
}
