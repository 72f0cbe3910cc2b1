//! Stage 2, text: BOMs, UTF-16, and legacy encodings by name (`encoding_rs`).
//! A byte sequence that is not valid in the encoding is refused with its line number.

use crate::error::FileError;
use crate::input::Input;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};
use std::borrow::Cow;

#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    /// Borrowed from the input when it is UTF-8 (the common case): never copied.
    pub text: Cow<'a, str>,
    /// The encoding's name as reported (`UTF-8`, `UTF-16LE`, `windows-1252`, ...).
    pub encoding: String,
}

impl Decoded<'_> {
    /// Text that is already decoded (UTF-8).
    pub fn utf8(text: &str) -> Decoded<'_> {
        Decoded {
            text: Cow::Borrowed(text),
            encoding: "UTF-8".to_string(),
        }
    }
}

pub fn decode<'a>(input: &'a Input, encoding: Option<&str>) -> Result<Decoded<'a>, FileError> {
    let bytes = input.bytes.as_slice();
    if let Some(label) = encoding {
        let enc = Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| FileError::UnknownEncoding(label.to_string()))?;
        return decode_with(enc, bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode_utf8(rest, "UTF-8");
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return decode_with(UTF_16LE, bytes);
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return decode_with(UTF_16BE, bytes);
    }
    decode_utf8(bytes, "UTF-8")
}

/// The name of the encoding [`decode`] will use, without decoding.
pub fn encoding_name(input: &Input, encoding: Option<&str>) -> String {
    match encoding {
        Some(label) => Encoding::for_label(label.trim().as_bytes())
            .map_or_else(|| label.to_string(), |e| e.name().to_string()),
        None if input.bytes.starts_with(&[0xFF, 0xFE]) => "UTF-16LE".to_string(),
        None if input.bytes.starts_with(&[0xFE, 0xFF]) => "UTF-16BE".to_string(),
        None => "UTF-8".to_string(),
    }
}

fn decode_utf8<'a>(bytes: &'a [u8], name: &str) -> Result<Decoded<'a>, FileError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text: Cow::Borrowed(text),
            encoding: name.to_string(),
        }),
        Err(e) => Err(FileError::BadEncoding {
            line: line_of(bytes, e.valid_up_to()),
            encoding: name.to_string(),
        }),
    }
}

fn decode_with<'a>(enc: &'static Encoding, bytes: &'a [u8]) -> Result<Decoded<'a>, FileError> {
    if enc == encoding_rs::UTF_8 {
        let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        return decode_utf8(body, "UTF-8");
    }
    let (text, used, had_errors) = enc.decode(bytes);
    if had_errors {
        return Err(FileError::BadEncoding {
            line: first_bad_line(&text),
            encoding: used.name().to_string(),
        });
    }
    Ok(Decoded {
        text,
        encoding: used.name().to_string(),
    })
}

/// 1-based line of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> u64 {
    count_newlines(&bytes[..offset]) as u64 + 1
}

/// The `\n` bytes of `bytes`, counted in runs of 255 into a byte each: the compiler counts 16
/// or more bytes at once (a 1M-row file: 58 -> 18 ms).
pub(crate) fn count_newlines(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|run| run.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n')))
        .map(usize::from)
        .sum()
}

fn first_bad_line(text: &str) -> u64 {
    let at = text.find('\u{FFFD}').unwrap_or(0);
    text[..at].matches('\n').count() as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_are_counted_across_runs_of_255() {
        let text: Vec<u8> = (0..2000u32)
            .map(|i| {
                if i % 7 == 0 || i % 255 == 254 {
                    b'\n'
                } else {
                    b'a'
                }
            })
            .collect();
        let plain = text.iter().filter(|&&b| b == b'\n').count();
        for end in [0, 1, 254, 255, 256, 510, 511, 2000] {
            let expected = text[..end].iter().filter(|&&b| b == b'\n').count();
            assert_eq!(count_newlines(&text[..end]), expected, "{end}");
        }
        assert_eq!(count_newlines(&[b'\n'; 1000]), 1000);
        assert!(plain > 285);
    }

    fn input(bytes: &[u8]) -> Input {
        Input {
            name: "t".into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn boms_and_encodings() {
        let cases: &[(&[u8], Option<&str>, &str, &str)] = &[
            (b"email\n", None, "email\n", "UTF-8"),
            (b"\xEF\xBB\xBFemail\n", None, "email\n", "UTF-8"),
            (b"\xFF\xFEe\0m\0", None, "em", "UTF-16LE"),
            (b"\xFE\xFF\0e\0m", None, "em", "UTF-16BE"),
            (
                b"Jos\xE9\n",
                Some("windows-1252"),
                "Jos\u{e9}\n",
                "windows-1252",
            ),
            (b"Jos\xE9\n", Some("latin1"), "Jos\u{e9}\n", "windows-1252"),
        ];
        for (bytes, enc, text, name) in cases {
            let input = input(bytes);
            let d = decode(&input, *enc).unwrap();
            assert_eq!((d.text.as_ref(), d.encoding.as_str()), (*text, *name));
        }
    }

    #[test]
    fn utf8_is_borrowed_and_named_as_encoding_name_says() {
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"email\n", None),
            (b"\xEF\xBB\xBFemail\n", None),
            (b"\xFF\xFEe\0m\0", None),
            (b"Jos\xE9\n", Some("windows-1252")),
        ];
        for (bytes, enc) in cases {
            let input = input(bytes);
            let d = decode(&input, *enc).unwrap();
            assert_eq!(encoding_name(&input, *enc), d.encoding, "{bytes:?}");
            let utf8 = d.encoding == "UTF-8";
            assert_eq!(matches!(d.text, Cow::Borrowed(_)), utf8, "{bytes:?}");
        }
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let err = decode(&input(b"email\na@b.co\nJos\xE9\n"), None).unwrap_err();
        assert_eq!(err.to_string(), "Line 3 is not valid UTF-8.");
        let err = decode(&input(b"x"), Some("klingon")).unwrap_err();
        assert_eq!(err.to_string(), "Unknown encoding: klingon.");
    }
}
