//! Stage 1, bytes: read the file (or standard input) within the byte limit, hash it,
//! and refuse what is plainly not a text file ([`refuse_binary`]). The original bytes travel on
//! to history.

use crate::error::FileError;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub enum Source {
    Path(PathBuf),
    Stdin,
    /// Bytes already in memory (a request body), with the name history shows.
    Bytes {
        name: String,
        bytes: Vec<u8>,
    },
}

impl Source {
    pub fn from_arg(arg: &str) -> Source {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::Path(PathBuf::from(arg))
        }
    }

    pub fn name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Stdin => "-".to_string(),
            Source::Bytes { name, .. } => name.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads the source, refusing it without reading it all when it is over `max_bytes`.
pub fn read(source: Source, max_bytes: u64) -> Result<Input, FileError> {
    let name = source.name();
    let too_large = || FileError::TooLarge {
        limit_mb: megabytes(max_bytes),
    };
    let unreadable = |e: std::io::Error| FileError::Unreadable {
        path: name.clone(),
        reason: e.to_string(),
    };
    let bytes = match source {
        Source::Bytes { bytes, .. } => bytes,
        Source::Path(path) => {
            let file = std::fs::File::open(&path).map_err(unreadable)?;
            let len = file.metadata().map_err(unreadable)?.len();
            if len > max_bytes {
                return Err(too_large());
            }
            read_limited(file, max_bytes, len).map_err(unreadable)?
        }
        Source::Stdin => read_limited(std::io::stdin().lock(), max_bytes, 0).map_err(unreadable)?,
    };
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    // The SHA-256 is the import's to take, beside the parse ([`sha256_hex`]).
    Ok(Input { name, bytes })
}

/// Refuses what is plainly not a text file. Separate from [`read`] so that history keeps the
/// bytes and sha256 of a refused workbook too.
pub fn refuse_binary(input: &Input) -> Result<(), FileError> {
    match binary_kind(&input.bytes) {
        Some(kind) => Err(FileError::NotCsv {
            looks_like: Some(kind),
        }),
        None => Ok(()),
    }
}

/// Reads at most `max + 1` bytes, so that an over-long stream is detected without reading it all.
/// `expected`: the size the source says it has, reserved up front (growing a 100 MB buffer by
/// doubling copies it into fresh pages, ~0.1 s at 1M rows); a file that grew meanwhile still
/// reads whole.
fn read_limited(reader: impl Read, max: u64, expected: u64) -> std::io::Result<Vec<u8>> {
    let room = expected.min(max).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(room).unwrap_or(0));
    reader.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// "10" for 10 000 000 bytes, "0.5" for 500 000, "0.0001" for 100 (never "0").
pub fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / 1_000_000.0;
    let s = format!("{mb:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What a binary file looks like, if it is one (SPEC §4: "not a CSV").
pub fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(4096)];
    if head.starts_with(b"PK\x03\x04") {
        let xlsx = contains(head, b"xl/") || contains(head, b"[Content_Types].xml");
        return Some(if xlsx {
            "an Excel workbook (.xlsx)"
        } else {
            "a zip archive"
        });
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Some("an Excel 97-2003 workbook (.xls)");
    }
    if head.starts_with(b"%PDF") {
        return Some("a PDF document");
    }
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    if !utf16 && bytes.contains(&0) {
        return Some("a binary file (it contains NUL bytes)");
    }
    None
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn megabytes_read_naturally() {
        assert_eq!(megabytes(10_000_000), "10");
        assert_eq!(megabytes(500_000), "0.5");
        assert_eq!(megabytes(1_250_000), "1.25");
        assert_eq!(megabytes(100), "0.0001");
    }

    #[test]
    fn binary_files_are_recognised() {
        assert_eq!(
            binary_kind(b"PK\x03\x04....xl/workbook.xml"),
            Some("an Excel workbook (.xlsx)")
        );
        assert_eq!(binary_kind(b"%PDF-1.7"), Some("a PDF document"));
        assert!(binary_kind(b"email\nx\0y").is_some());
        assert_eq!(binary_kind(b"\xFF\xFEe\0m\0"), None);
        assert_eq!(binary_kind(b"email\na@b.co\n"), None);
    }
}
