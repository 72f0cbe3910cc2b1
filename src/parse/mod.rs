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

/// Every data row of a file, in chunks of [`CHUNK_ROWS`] rows whose cells sit in one text
/// buffer each (a row costs its text and four bytes a cell, not an allocation per row or per
/// cell). Chunks let a reader that consumes the rows in order free them as it goes
/// ([`Rows::into_chunks`]): a million rows are 150 MB.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    chunks: Vec<Chunk>,
    len: usize,
    /// What to reserve for each new chunk: the rows expected in all, the text bytes of a
    /// row (estimates from the file's size and lines) and the cells of a row.
    expected_rows: usize,
    row_bytes: usize,
    width: usize,
}

/// Rows of the file, [`CHUNK_ROWS`] of them (the last chunk may hold fewer).
pub const CHUNK_ROWS: usize = 1 << 16;

#[derive(Debug, Clone, Default)]
struct Chunk {
    text: String,
    /// End offset in `text` of each cell, row after row.
    cell_ends: Vec<u32>,
    /// Index into `cell_ends` of each row's first cell, and one past the last row.
    row_starts: Vec<u32>,
    /// Each row's spreadsheet row number.
    numbers: Vec<u32>,
}

impl Chunk {
    fn with_capacity(bytes: usize, rows: usize, width: usize) -> Chunk {
        let mut row_starts = Vec::with_capacity(rows.saturating_add(1));
        row_starts.push(0);
        Chunk {
            text: String::with_capacity(bytes),
            cell_ends: Vec::with_capacity(rows.saturating_mul(width)),
            row_starts,
            numbers: Vec::with_capacity(rows),
        }
    }
}

impl Rows {
    /// Room for about `rows` rows of `width` cells and `bytes` of cell text, reserved a chunk
    /// at a time: the cells of a CSV file are no longer than the file, and doubling a buffer
    /// copies it into fresh pages while both are held.
    pub fn with_capacity(bytes: usize, rows: usize, width: usize) -> Rows {
        let row_bytes = bytes / rows.max(1) + 1;
        Rows {
            chunks: Vec::with_capacity(rows / CHUNK_ROWS + 1),
            len: 0,
            expected_rows: rows,
            // An eighth more than the average: rows differ in length.
            row_bytes: row_bytes + row_bytes / 8,
            width,
        }
    }

    /// A new chunk, with room for the rows still expected (a chunk's worth at most).
    fn start_chunk(&mut self) {
        let rows = self
            .expected_rows
            .saturating_sub(self.len)
            .clamp(1, CHUNK_ROWS);
        let bytes = rows.saturating_mul(self.row_bytes);
        self.chunks
            .push(Chunk::with_capacity(bytes, rows, self.width));
    }

    pub fn push<'a>(&mut self, row: u32, cells: impl IntoIterator<Item = &'a str>) {
        if self.len.is_multiple_of(CHUNK_ROWS) {
            self.start_chunk();
        }
        let chunk = self.chunks.last_mut().expect("a chunk was just pushed");
        for cell in cells {
            chunk.text.push_str(cell);
            chunk.cell_ends.push(chunk.text.len() as u32);
        }
        chunk.row_starts.push(chunk.cell_ends.len() as u32);
        chunk.numbers.push(row);
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: usize) -> RawRow<'_> {
        self.chunks[i / CHUNK_ROWS].get(i % CHUNK_ROWS)
    }

    pub fn iter(&self) -> impl Iterator<Item = RawRow<'_>> {
        self.chunks
            .iter()
            .flat_map(|c| (0..c.numbers.len()).map(|i| c.get(i)))
    }

    /// The rows as consecutive parts of at most [`CHUNK_ROWS`] rows each, in order: each part
    /// is freed when its reader is done with it.
    pub fn into_chunks(self) -> impl Iterator<Item = Rows> {
        let width = self.width;
        self.chunks.into_iter().map(move |chunk| Rows {
            len: chunk.numbers.len(),
            chunks: vec![chunk],
            expected_rows: 0,
            row_bytes: 0,
            width,
        })
    }
}

impl Chunk {
    fn get(&self, i: usize) -> RawRow<'_> {
        RawRow {
            row: self.numbers[i],
            chunk: self,
            first: self.row_starts[i] as usize,
            len: (self.row_starts[i + 1] - self.row_starts[i]) as usize,
        }
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
    chunk: &'a Chunk,
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
            self.chunk.cell_ends[k - 1] as usize
        };
        &self.chunk.text[start..self.chunk.cell_ends[k] as usize]
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

    #[test]
    fn rows_read_the_same_across_chunks_and_come_apart_in_order() {
        let n = CHUNK_ROWS + 3;
        let cells = |i: usize| [format!("r{i}"), String::new(), "é".repeat(i % 3)];
        let mut rows = Rows::with_capacity(10, 2, 3);
        for i in 0..n {
            rows.push(i as u32 + 2, cells(i).iter().map(String::as_str));
        }
        assert_eq!(rows.len(), n);
        for i in [0, CHUNK_ROWS - 1, CHUNK_ROWS, n - 1] {
            let row = rows.get(i);
            assert_eq!((row.row, row.len()), (i as u32 + 2, 3));
            assert_eq!(row.cells().collect::<Vec<_>>(), cells(i));
        }
        assert!(rows.iter().map(|r| r.row).eq((0..n).map(|i| i as u32 + 2)));
        let parts: Vec<Rows> = rows.clone().into_chunks().collect();
        assert_eq!(
            parts.iter().map(Rows::len).collect::<Vec<_>>(),
            [CHUNK_ROWS, 3]
        );
        let joined = parts
            .iter()
            .flat_map(|p| p.iter().map(|r| r.cell(0).to_string()));
        assert!(joined.eq((0..n).map(|i| format!("r{i}"))));
    }
}
