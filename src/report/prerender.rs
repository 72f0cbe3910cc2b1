//! The report's list of changes, rendered on a second core while the store applies the plan
//! ([`crate::import::Events::beside_apply`]): after the apply, writing a large report is
//! copying bytes already made. The CLI (`--output json|ndjson`) and the sync server both use it.

use super::OutputFormat;
use crate::import::Beside;
use crate::plan::Plan;
use crate::plan::wire::ChangeJson;
use std::sync::{Arc, Mutex};

/// The slot the second core fills with the rendered changes.
#[derive(Debug, Clone)]
pub struct Prerender {
    /// NDJSON `change` events, else the JSON document's `changes` array.
    ndjson: bool,
    slot: Arc<Mutex<Option<Rendered>>>,
}

/// Rendered bytes in pieces of about [`PIECE`] bytes: a gigabyte of JSON is never copied to
/// grow one buffer (which also held the old and the new buffer at once), and a server sends
/// the pieces as they are.
#[derive(Debug, Default)]
pub struct Rendered {
    full: Vec<Vec<u8>>,
    current: Vec<u8>,
}

const PIECE: usize = 4 << 20;

impl Rendered {
    /// The pieces, in order.
    pub fn into_pieces(mut self) -> Vec<Vec<u8>> {
        self.full.push(self.current);
        self.full
    }

    /// Writes every piece, in order.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        self.full.iter().try_for_each(|p| out.write_all(p))?;
        out.write_all(&self.current)
    }

    #[cold]
    fn next_piece(&mut self, at_least: usize) {
        let fresh = Vec::with_capacity(PIECE.max(at_least));
        let full = std::mem::replace(&mut self.current, fresh);
        if !full.is_empty() {
            self.full.push(full);
        }
    }
}

impl std::io::Write for Rendered {
    // The serializer writes a few bytes at a time: this is its hot path.
    #[inline]
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.write_all(data)?;
        Ok(data.len())
    }

    #[inline]
    fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        if self.current.capacity() - self.current.len() < data.len() {
            self.next_piece(data.len());
        }
        self.current.extend_from_slice(data);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Prerender {
    /// `None` for a format that does not list every change (the table, the HTML plan).
    pub fn new(format: OutputFormat) -> Option<Prerender> {
        match format {
            OutputFormat::Json => Some(Prerender::of(false)),
            OutputFormat::Ndjson => Some(Prerender::of(true)),
            OutputFormat::Table | OutputFormat::Html => None,
        }
    }

    /// For NDJSON events (`ndjson`) or the JSON document.
    pub fn of(ndjson: bool) -> Prerender {
        Prerender {
            ndjson,
            slot: Arc::default(),
        }
    }

    /// The work for [`crate::import::Events::beside_apply`].
    pub fn work(&self) -> Beside {
        let (ndjson, slot) = (self.ndjson, Arc::clone(&self.slot));
        Box::new(move |plan: &Plan| {
            let changes = plan.changes.iter().map(ChangeJson);
            let mut bytes = Rendered::default();
            let written = match ndjson {
                true => super::ndjson::write_changes(changes, &mut bytes),
                false => super::json::write_changes(changes, &mut bytes),
            };
            // Writing to memory fails only on a serializer error, which the writer after
            // the apply reports; an empty slot makes it render there.
            if written.is_ok() {
                *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(bytes);
            }
        })
    }

    /// The rendered changes, once (`None` when nothing was rendered beside the apply).
    pub fn take(&self) -> Option<Rendered> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}
