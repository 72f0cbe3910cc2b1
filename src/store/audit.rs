//! The audit log's stored form, without SQL: events in batches, each batch one zstd frame of
//! NDJSON lines `{"member_id", "member", "action", "changes"}` (`member_id` and `member` null for
//! a change to the store's definitions or settings).
//!
//! Why batches: one row per event made the audit 670 MB of a million-member first import's
//! 1.2 GB store, written twice (WAL, then checkpoint). Compressed batches of the same lines take
//! about a tenth of that, and they are encoded on a second core while the members are written.
//! An event's id is its batch's id plus its position in the batch.

use crate::error::StoreError;
use serde::{Deserialize, Serialize};

/// Events per batch: `roster log --member` decompresses whole batches (a few hundred KB each).
const BATCH_EVENTS: usize = 4096;
/// zstd's fastest levels already shrink the repetitive JSON about tenfold.
const LEVEL: i32 = 1;
/// The four bytes every zstd frame starts with. Batches migrated from the one-row-per-event
/// schema are plain JSON text, which starts with `{`.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// One encoded batch, ready to store.
#[derive(Debug)]
pub struct Batch {
    /// How many events it holds.
    pub events: usize,
    /// The members its events are about, sorted, each once (for `roster log --member`).
    pub members: Vec<i64>,
    pub data: Vec<u8>,
}

/// Collects events in order and cuts them into compressed batches.
#[derive(Default)]
pub struct BatchWriter {
    lines: Vec<u8>,
    events: usize,
    members: Vec<i64>,
    batches: Vec<Batch>,
    /// One compression context and output buffer serve every batch; each batch keeps only
    /// its compressed bytes (not zstd's worst-case bound).
    compressor: Option<zstd::bulk::Compressor<'static>>,
    scratch: Vec<u8>,
}

#[derive(Serialize)]
struct LineOut<'a, C> {
    member_id: Option<i64>,
    member: Option<&'a str>,
    action: &'a str,
    changes: C,
}

/// One stored event, as read back.
#[derive(Debug, Deserialize)]
pub struct Line {
    pub member_id: Option<i64>,
    pub member: Option<String>,
    pub action: String,
    pub changes: serde_json::Value,
}

impl BatchWriter {
    pub fn push(
        &mut self,
        member_id: i64,
        member: &str,
        action: &str,
        changes: impl Serialize,
    ) -> Result<(), StoreError> {
        self.members.push(member_id);
        self.write(Some(member_id), Some(member), action, changes)
    }

    /// An event about no member: a change to the definitions or settings.
    pub fn push_unattached(
        &mut self,
        action: &str,
        changes: impl Serialize,
    ) -> Result<(), StoreError> {
        self.write(None, None, action, changes)
    }

    fn write(
        &mut self,
        member_id: Option<i64>,
        member: Option<&str>,
        action: &str,
        changes: impl Serialize,
    ) -> Result<(), StoreError> {
        let line = LineOut {
            member_id,
            member,
            action,
            changes,
        };
        serde_json::to_writer(&mut self.lines, &line).map_err(std::io::Error::from)?;
        self.lines.push(b'\n');
        self.events += 1;
        if self.events == BATCH_EVENTS {
            self.cut()?;
        }
        Ok(())
    }

    fn cut(&mut self) -> Result<(), StoreError> {
        if self.events == 0 {
            return Ok(());
        }
        let compressor = match &mut self.compressor {
            Some(c) => c,
            None => self.compressor.insert(zstd::bulk::Compressor::new(LEVEL)?),
        };
        self.scratch.clear();
        self.scratch
            .reserve(zstd::zstd_safe::compress_bound(self.lines.len()));
        compressor.compress_to_buffer(&self.lines, &mut self.scratch)?;
        let data = self.scratch.clone();
        let mut members = std::mem::take(&mut self.members);
        members.sort_unstable();
        members.dedup();
        self.batches.push(Batch {
            events: self.events,
            members,
            data,
        });
        self.lines.clear();
        self.events = 0;
        Ok(())
    }

    pub fn finish(mut self) -> Result<Vec<Batch>, StoreError> {
        self.cut()?;
        Ok(self.batches)
    }
}

/// Sorted member ids as stored: comma-separated differences from the previous id (from 0).
pub fn encode_members(members: &[i64]) -> String {
    let mut out = String::with_capacity(members.len() * 2);
    let mut last = 0;
    for (k, &id) in members.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str(&(id - last).to_string());
        last = id;
    }
    out
}

/// Whether a batch's stored member list (see [`encode_members`]) names `member`.
pub fn names_member(members: &str, member: i64) -> bool {
    let mut id = 0i64;
    for step in members.split(',').filter(|s| !s.is_empty()) {
        id += step.parse::<i64>().unwrap_or(0);
        if id >= member {
            return id == member;
        }
    }
    false
}

/// The events of one stored batch, in order.
pub fn decode(data: &[u8]) -> Result<Vec<Line>, StoreError> {
    let text = if data.starts_with(&ZSTD_MAGIC) {
        std::borrow::Cow::Owned(zstd::stream::decode_all(data)?)
    } else {
        std::borrow::Cow::Borrowed(data)
    };
    serde_json::Deserializer::from_slice(&text)
        .into_iter::<Line>()
        .map(|line| line.map_err(|e| StoreError::Io(e.into())))
        .collect()
}

/// Where a stored batch stands: its first event's id, and what all its events share.
pub struct BatchHead<'a> {
    pub first: i64,
    pub import_id: Option<i64>,
    pub at: super::Timestamp,
    pub operator: &'a str,
}

/// A stored batch's events (only those about `member`, when given), appended to `events`.
pub fn read_batch(
    head: BatchHead<'_>,
    data: &[u8],
    member: Option<i64>,
    events: &mut Vec<super::AuditEvent>,
) -> Result<(), StoreError> {
    for (i, line) in decode(data)?.into_iter().enumerate() {
        if member.is_some() && line.member_id != member {
            continue;
        }
        events.push(super::AuditEvent {
            id: head.first + i as i64,
            import_id: head.import_id,
            at: head.at,
            operator: head.operator.to_string(),
            member: line.member,
            member_id: line.member_id,
            action: line.action,
            changes: line.changes,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_round_trip_through_batches() {
        let mut w = BatchWriter::default();
        for i in 0..(BATCH_EVENTS as i64 + 10) {
            w.push(i % 7, "ann@example.com", "update", json!({"n": i}))
                .unwrap();
        }
        let batches = w.finish().unwrap();
        assert_eq!(batches.len(), 2);
        assert_eq!(batches[0].events, BATCH_EVENTS);
        assert_eq!(batches[1].events, 10);
        assert_eq!(batches[1].members, (0..7).collect::<Vec<i64>>());
        let lines = decode(&batches[1].data).unwrap();
        assert_eq!(lines.len(), 10);
        assert_eq!(lines[9].changes, json!({"n": BATCH_EVENTS + 9}));
        assert_eq!(lines[9].member_id, Some((BATCH_EVENTS as i64 + 9) % 7));
        assert_eq!(lines[0].action, "update");
    }

    #[test]
    fn a_migrated_plain_json_batch_decodes() {
        let data = br#"{"member_id":3,"member":"x","action":"ban","changes":{"fields":{}}}"#;
        let lines = decode(data).unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].member_id, Some(3));
        assert_eq!(lines[0].action, "ban");
    }

    #[test]
    fn member_lists_are_differences_and_are_searched() {
        let list = encode_members(&[5, 6, 7, 9, 1000]);
        assert_eq!(list, "5,1,1,2,991");
        for id in [5, 6, 7, 9, 1000] {
            assert!(names_member(&list, id), "{id}");
        }
        for id in [0, 4, 8, 10, 1001] {
            assert!(!names_member(&list, id), "{id}");
        }
        assert!(!names_member("", 1));
        assert!(names_member("42", 42), "a migrated batch of one");
    }

    #[test]
    fn an_empty_writer_writes_no_batch() {
        assert!(BatchWriter::default().finish().unwrap().is_empty());
    }
}
