//! CSV: delimiter sniffing, the `version:v1.0` line, and spreadsheet row numbers.

use super::{RawTable, Rows, is_blank_record};
use crate::decode::count_newlines;
use crate::error::FileError;
use crate::parallel::Tally;

pub(crate) fn parse(
    text: &str,
    delimiter: Option<u8>,
    max_rows: u64,
    tally: &Tally,
) -> Result<RawTable, FileError> {
    let (text, first_row) = skip_version_line(text);
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(text));
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut record = ::csv::StringRecord::new();
    let header = loop {
        match reader.read_record(&mut record) {
            Ok(true) if is_blank_record(&record) => continue,
            Ok(true) => break record.clone(),
            _ => return Err(FileError::NoHeader),
        }
    };
    let bytes = text.as_bytes();
    let mut row = first_row;
    let body = &bytes[header_end(&header, bytes).min(bytes.len())..];
    let lines = count_newlines(body);
    let rows_at_most = lines.min(usize::try_from(max_rows).unwrap_or(usize::MAX)) + 1;
    // The rows, estimated for progress: a line each (blank lines and cells over several
    // lines make it fewer).
    tally.set_total(lines as u64 + u64::from(!body.ends_with(b"\n") && !body.is_empty()));
    let mut counter = tally.counter();
    let mut rows = Rows::with_capacity(text.len(), rows_at_most, header.len());
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            // Only UTF-8 errors are possible here, and the text is already valid UTF-8.
            Err(_) => break,
        }
        // A record's position is where the reader started, before the blank lines it skipped.
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        // The `\n` of a CRLF ending is consumed with the next record.
        if start > 0 && bytes[start - 1] == b'\r' && bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        let skipped = bytes[start.min(bytes.len())..]
            .iter()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .count();
        row += 1 + line_breaks(&bytes[start..start + skipped]);
        if is_blank_record(&record) {
            continue;
        }
        if rows.len() as u64 >= max_rows {
            return Err(FileError::TooManyRows(max_rows));
        }
        rows.push(row, record.iter());
        counter.one();
    }
    Ok(RawTable {
        header: header.iter().map(str::to_string).collect(),
        rows,
        delimiter,
    })
}

/// Where the header record's line ends in `bytes` (its position is before the blank lines the
/// reader skipped to reach it).
fn header_end(header: &::csv::StringRecord, bytes: &[u8]) -> usize {
    let mut start = header.position().map_or(0, |p| p.byte() as usize);
    while matches!(bytes.get(start), Some(b'\n' | b'\r')) {
        start += 1;
    }
    bytes[start.min(bytes.len())..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| start + i + 1)
}

/// Microsoft Entra's bulk templates start with `version:v1.0`; it is row 1, the header row 2.
fn skip_version_line(text: &str) -> (&str, u32) {
    let first = text.lines().next().unwrap_or("");
    let cell = first.split([',', ';', '\t']).next().unwrap_or("");
    if cell
        .trim()
        .trim_matches('"')
        .eq_ignore_ascii_case("version:v1.0")
    {
        let rest = text.find('\n').map_or("", |i| &text[i + 1..]);
        (rest, 2)
    } else {
        (text, 1)
    }
}

/// The most frequent of `,` `;` tab on the header line (outside quotes); `,` on a tie.
fn sniff_delimiter(text: &str) -> u8 {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

/// Blank lines between two records: each `\n`, `\r\n` or lone `\r` is one.
fn line_breaks(between: &[u8]) -> u32 {
    let mut n = 0;
    let mut i = 0;
    while i < between.len() {
        match between[i] {
            b'\n' => n += 1,
            b'\r' if between.get(i + 1) != Some(&b'\n') => n += 1,
            _ => {}
        }
        i += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(u32, Vec<String>)> {
        parse(text, None, 100, &Tally::default())
            .unwrap()
            .rows
            .iter()
            .map(|r| (r.row, r.cells().map(str::to_string).collect()))
            .collect()
    }

    fn nums(text: &str) -> Vec<u32> {
        rows(text).into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn row_numbers_are_what_a_spreadsheet_shows() {
        assert_eq!(nums("email\na@b.co\nc@d.co\n"), [2, 3]);
        assert_eq!(nums("email\n\na@b.co\n\n\nc@d.co"), [3, 6]);
        assert_eq!(nums("email\r\na@b.co\r\n\r\nc@d.co\r\n"), [2, 4]);
        assert_eq!(
            nums("email,n\n\"a@b.co\",\"two\nlines\"\nc@d.co,x\n"),
            [2, 3]
        );
        assert_eq!(
            nums("email,n\n\"a@b.co\",\"x\r\ny\"\r\n\r\nc@d.co,x\r\n"),
            [2, 4]
        );
        // A whitespace-only line is a record whose cells are empty: skipped but counted.
        assert_eq!(nums("email\n   \na@b.co\n"), [3]);
        assert_eq!(nums("version:v1.0\nemail\na@b.co\n"), [3]);
    }

    #[test]
    fn delimiters_are_sniffed_from_the_header() {
        assert_eq!(sniff_delimiter("email;first_name;last_name\na,b"), b';');
        assert_eq!(sniff_delimiter("email\tfirst_name\n"), b'\t');
        assert_eq!(sniff_delimiter("\"a;b\",c\n"), b',');
        assert_eq!(sniff_delimiter("email\n"), b',');
        assert_eq!(rows("email;name\na@b.co;Ann\n")[0].1, ["a@b.co", "Ann"]);
    }

    #[test]
    fn rows_are_counted_against_the_lines_after_the_header() {
        use std::sync::atomic::Ordering::Relaxed;
        let count = |text: &str| {
            let tally = Tally::default();
            let rows = parse(text, None, 100, &tally).unwrap().rows.len();
            (rows, tally.done.load(Relaxed), tally.total.load(Relaxed))
        };
        assert_eq!(count("email\na@b.co\nc@d.co\n"), (2, 2, 2));
        assert_eq!(count("email\na@b.co\nc@d.co"), (2, 2, 2));
        // Blank lines and a cell over two lines: fewer rows than the estimate.
        assert_eq!(
            count("\nemail,n\n\"a@b.co\",\"x\ny\"\n\nc@d.co,z\n"),
            (2, 2, 4)
        );
    }

    #[test]
    fn row_limit_is_enforced_while_reading() {
        let err = parse("email\na@b.co\nc@d.co\n", None, 1, &Tally::default()).unwrap_err();
        assert_eq!(err.to_string(), "The file has more than 1 data rows.");
    }
}
