//! A member's field values in one buffer: the form a million stored members and file records
//! take in memory.

use super::{FIELD_COUNT, Field};
use std::fmt;

/// A member's field values, compactly: one buffer holding a header, then each present field's
/// text in field order (16 bytes inline; a million members fit in a few hundred megabytes).
///
/// The header is ASCII, so the buffer stays a `str`: the presence bits (two base-128 digits),
/// the digit count `w`, then for each present field the end of its text as `w` digits.
/// No field present is the empty buffer.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Values {
    buf: Box<str>,
}

/// Presence bits (2 digits) and the digit count (1).
const HEADER: usize = 3;

impl Values {
    /// Builds the values from a function giving each field's value.
    pub fn from_fn<'a>(value: impl Fn(Field) -> Option<&'a str>) -> Values {
        let texts = Field::ALL.map(value);
        let Some(mut buf) = header(texts.map(|t| t.map(str::len))) else {
            return Values::default();
        };
        texts.iter().flatten().for_each(|t| buf.push_str(t));
        Values {
            buf: buf.into_boxed_str(),
        }
    }

    /// [`Values::from_fn`] of texts as bytes, checked as UTF-8 once for them all (a store's
    /// row is checked once, not column by column); `None` when one is not UTF-8.
    pub fn from_utf8_fn<'a>(value: impl Fn(Field) -> Option<&'a [u8]>) -> Option<Values> {
        let texts = Field::ALL.map(value);
        let Some(buf) = header(texts.map(|t| t.map(<[u8]>::len))) else {
            return Some(Values::default());
        };
        let mut buf = buf.into_bytes();
        let mut ends = [0; FIELD_COUNT];
        for (text, end) in texts.iter().flatten().zip(&mut ends) {
            buf.extend_from_slice(text);
            *end = buf.len();
        }
        let buf = String::from_utf8(buf).ok()?;
        // Valid together is not valid apart: a character may be split between two texts.
        if !ends.iter().all(|&end| buf.is_char_boundary(end)) {
            return None;
        }
        Some(Values {
            buf: buf.into_boxed_str(),
        })
    }

    /// Whether `field` has a value (its text unread).
    pub fn has(&self, field: Field) -> bool {
        let b = self.buf.as_bytes();
        !b.is_empty() && read_digits(b, 2) & (1 << field.index()) != 0
    }

    pub fn get(&self, field: Field) -> Option<&str> {
        let b = self.buf.as_bytes();
        if b.is_empty() {
            return None;
        }
        let (present, i) = (read_digits(b, 2), field.index());
        if present & (1 << i) == 0 {
            return None;
        }
        let width = b[2] as usize;
        let end = |k: usize| read_digits(&b[HEADER + k * width..], width);
        let k = (present & ((1 << i) - 1)).count_ones() as usize;
        let base = HEADER + present.count_ones() as usize * width;
        let start = if k == 0 { 0 } else { end(k - 1) };
        Some(&self.buf[base + start..base + end(k)])
    }

    /// The values of the given fields (the others absent).
    pub fn of(pairs: &[(Field, &str)]) -> Values {
        Values::from_fn(|f| pairs.iter().find(|(k, _)| *k == f).map(|(_, v)| *v))
    }

    /// A copy with one field set (or cleared).
    pub fn with(&self, field: Field, value: Option<&str>) -> Values {
        Values::from_fn(|f| if f == field { value } else { self.get(f) })
    }

    pub fn set(&mut self, field: Field, value: Option<&str>) {
        *self = self.with(field, value);
    }

    /// The present fields and their values, in field order.
    pub fn iter(&self) -> impl Iterator<Item = (Field, &str)> {
        Field::ALL
            .into_iter()
            .filter_map(|f| self.get(f).map(|v| (f, v)))
    }
}

/// The buffer's header for fields of these lengths (`None`: absent), with room for the
/// texts; `None` when no field is present.
fn header(lens: [Option<usize>; FIELD_COUNT]) -> Option<String> {
    let present = (0..FIELD_COUNT)
        .filter(|&i| lens[i].is_some())
        .fold(0usize, |bits, i| bits | 1 << i);
    if present == 0 {
        return None;
    }
    let len: usize = lens.iter().flatten().sum();
    let width = (1..).find(|w| len >> (7 * w) == 0).unwrap_or(1);
    let n = present.count_ones() as usize;
    let mut buf = String::with_capacity(HEADER + n * width + len);
    push_digits(&mut buf, present, 2);
    buf.push(char::from(width as u8));
    let mut end = 0;
    for text_len in lens.iter().flatten() {
        end += text_len;
        push_digits(&mut buf, end, width);
    }
    Some(buf)
}

/// `n` base-128 digits of `value`, least significant first.
fn push_digits(buf: &mut String, mut value: usize, n: usize) {
    for _ in 0..n {
        buf.push(char::from((value & 0x7f) as u8));
        value >>= 7;
    }
}

fn read_digits(b: &[u8], n: usize) -> usize {
    b[..n]
        .iter()
        .rev()
        .fold(0, |value, &d| value << 7 | d as usize)
}

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(k, v)| (k.name(), v)))
            .finish()
    }
}
