//! `Accept` negotiation (RFC 9110 §12.5.1): media ranges in any case, with wildcards and
//! q-values; the most specific range that matches a type decides its weight; among the types
//! an endpoint offers, the heaviest wins, ties going to the endpoint's own order.

use axum::http::{HeaderMap, header};

/// What the client accepts among `offered` (types in the server's order of preference):
/// `Some(the type)`, or `None` when it accepts none of them. No `Accept` accepts anything.
pub fn choose(headers: &HeaderMap, offered: &[&'static str]) -> Option<&'static str> {
    let ranges: Vec<Range> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(Range::parse)
        .collect();
    if ranges.is_empty() {
        return offered.first().copied();
    }
    let mut best: Option<(&'static str, u16)> = None;
    for &candidate in offered {
        let weight = ranges
            .iter()
            .filter(|r| r.matches(candidate))
            .max_by_key(|r| r.specificity())
            .map_or(0, |r| r.q);
        if weight > 0 && best.is_none_or(|(_, w)| weight > w) {
            best = Some((candidate, weight));
        }
    }
    best.map(|(t, _)| t)
}

/// One media range: type, subtype (either may be `*`), and its weight in thousandths.
#[derive(Debug)]
struct Range {
    kind: String,
    subtype: String,
    q: u16,
}

impl Range {
    fn parse(text: &str) -> Option<Range> {
        let mut parts = text.split(';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        let mut q = 1000;
        for param in parts {
            if let Some((name, value)) = param.trim().split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                q = parse_q(value.trim())?;
            }
        }
        Some(Range {
            kind: kind.trim().to_ascii_lowercase(),
            subtype: subtype.trim().to_ascii_lowercase(),
            q,
        })
    }

    fn matches(&self, media_type: &str) -> bool {
        let (kind, subtype) = media_type.split_once('/').unwrap_or((media_type, ""));
        (self.kind == "*" || self.kind == kind) && (self.subtype == "*" || self.subtype == subtype)
    }

    fn specificity(&self) -> u8 {
        match (self.kind.as_str(), self.subtype.as_str()) {
            ("*", _) => 0,
            (_, "*") => 1,
            _ => 2,
        }
    }
}

/// `0`, `0.5`, `1.000` as thousandths; anything else makes the range ignored.
fn parse_q(value: &str) -> Option<u16> {
    let q: f32 = value.parse().ok()?;
    (0.0..=1.0)
        .contains(&q)
        .then(|| (q * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const OFFERED: &[&str] = &["text/csv", "application/json", "application/x-ndjson"];

    fn pick(accept: &'static str) -> Option<&'static str> {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_static(accept));
        choose(&h, OFFERED)
    }

    #[test]
    fn weights_case_and_wildcards_decide() {
        assert_eq!(choose(&HeaderMap::new(), OFFERED), Some("text/csv"));
        assert_eq!(pick("*/*"), Some("text/csv"));
        assert_eq!(pick("Application/JSON"), Some("application/json"));
        assert_eq!(
            pick("application/json;q=0.5, application/x-ndjson"),
            Some("application/x-ndjson")
        );
        assert_eq!(pick("application/*"), Some("application/json"));
        assert_eq!(pick("text/csv;q=0, */*;q=0.1"), Some("application/json"));
        // The specific range's q=0 wins over the wildcard that would allow it.
        assert_eq!(
            pick("application/json;q=0, application/*"),
            Some("application/x-ndjson")
        );
        assert_eq!(pick("text/html"), None);
        assert_eq!(pick("text/csv;q=0"), None);
    }
}
