//! The one CSV writer: every CSV roster writes (export, template, error report) goes through
//! here, so that spreadsheet formulas are always neutralised (SPEC §10).

use std::io::Write;

pub struct CsvOut<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> CsvOut<W> {
    pub fn new(w: W) -> Self {
        CsvOut {
            inner: csv::WriterBuilder::new().flexible(true).from_writer(w),
        }
    }

    /// A writer for a few rows (one member's): a small buffer instead of the default 8 KiB.
    pub fn small(w: W) -> Self {
        CsvOut {
            inner: csv::WriterBuilder::new()
                .flexible(true)
                .buffer_capacity(1024)
                .from_writer(w),
        }
    }

    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> std::io::Result<()> {
        for cell in cells {
            self.inner
                .write_field(neutralise(cell).as_bytes())
                .map_err(csv_error)?;
        }
        // Ends the record (a record of no fields gets one empty field, as before).
        self.inner.write_record(None::<&[u8]>).map_err(csv_error)
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The csv crate wraps I/O errors; unwrap them so a closed pipe stays a closed pipe.
fn csv_error(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// A cell that a spreadsheet would run as a formula gets a leading `'`.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = match cell.chars().next() {
        Some('=' | '@' | '\t' | '\r' | '\n') => true,
        Some('+' | '-') => !is_plain_number(cell),
        _ => false,
    };
    if risky {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// `+15551234567`, `-3`, `2.5`: signs and digits with at most one inner dot.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut parts = digits.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        let cases = [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("\nx", "'\nx"),
            ("+15551234567", "+15551234567"),
            ("-12.5", "-12.5"),
            ("+1+1", "'+1+1"),
            ("-x", "'-x"),
            ("ann", "ann"),
            ("", ""),
        ];
        for (cell, want) in cases {
            assert_eq!(neutralise(cell), want, "{cell:?}");
        }
    }
}
