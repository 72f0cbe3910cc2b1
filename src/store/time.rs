//! Times as the store keeps them: UTC, to the second, written as RFC 3339 (`2026-11-29T14:23:06Z`)
//! in every output (SPEC §9).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

/// A moment in the history or the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Timestamp {
        Timestamp(Utc::now())
    }

    /// Reads a stored time: RFC 3339, any offset.
    pub fn parse(text: &str) -> Option<Timestamp> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| Timestamp(t.with_timezone(&Utc)))
    }

    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Timestamp {
        Timestamp(t)
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_stored_form() {
        let t = Timestamp::parse("2026-11-29T14:23:06Z").unwrap();
        assert_eq!(t.to_string(), "2026-11-29T14:23:06Z");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-11-29T14:23:06Z\""
        );
    }

    #[test]
    fn reads_other_offsets_as_utc() {
        let t = Timestamp::parse("2026-11-29T16:23:06+02:00").unwrap();
        assert_eq!(t.to_string(), "2026-11-29T14:23:06Z");
        assert_eq!(Timestamp::parse("yesterday"), None);
    }
}
