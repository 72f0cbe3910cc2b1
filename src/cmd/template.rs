//! `roster template [--teams]`: an empty CSV with the canonical header.

use crate::columns::canonical_header;
use crate::csv_out::CsvOut;
use crate::error::Result;

pub fn run(teams: bool) -> Result<u8> {
    let mut buf = Vec::new();
    let mut w = CsvOut::new(&mut buf);
    w.row(canonical_header(teams).iter().map(String::as_str))?;
    w.finish()?;
    super::write_output(None, &buf)?;
    Ok(0)
}
