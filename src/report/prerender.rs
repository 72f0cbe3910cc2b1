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
    slot: Arc<Mutex<Option<Vec<u8>>>>,
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
            let mut bytes = Vec::new();
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
    pub fn take(&self) -> Option<Vec<u8>> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}
