//! A list's query (RFC 7644 §3.4.2): `filter` on the attributes each resource type allows,
//! `startIndex` (1-based) and `count` (at most `MAX_RESULTS`), and `attributes` /
//! `excludedAttributes` on every answer. Sorting is declared unsupported and `sortBy` ignored.

use super::answer::Doc;
use super::discovery::MAX_RESULTS;
use super::filter::{Cond, matches, parse_filter};
use crate::error::ScimError;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The attribute paths a Users filter may name: (attribute, sub-attribute, element filter).
pub const USER_FILTERS: &[&str] = &["username", "externalid", "emails.value", "id"];
pub const GROUP_FILTERS: &[&str] = &["displayname", "externalid", "id", "members.value"];

pub struct Params<'q> {
    conds: Vec<Cond>,
    start: usize,
    count: usize,
    query: &'q HashMap<String, String>,
}

impl<'q> Params<'q> {
    pub fn read(
        query: &'q HashMap<String, String>,
        allowed: &[&str],
    ) -> Result<Params<'q>, ScimError> {
        let number =
            |name: &str| -> Result<Option<i64>, ScimError> {
                match query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
                    Some((_, v)) => v.trim().parse().map(Some).map_err(|_| {
                        ScimError::InvalidValue(format!("{name} must be a whole number"))
                    }),
                    None => Ok(None),
                }
            };
        let conds = match query.iter().find(|(k, _)| k.eq_ignore_ascii_case("filter")) {
            Some((_, text)) => parse_filter(text)?,
            None => Vec::new(),
        };
        for c in &conds {
            let p = &c.path;
            let name = match &p.sub {
                Some(sub) => format!("{}.{}", p.attr, sub),
                None => p.attr.clone(),
            }
            .to_ascii_lowercase();
            let typed_work = p.filter.as_ref().is_none_or(|f| {
                f.len() == 1
                    && f[0].path.attr.eq_ignore_ascii_case("type")
                    && f[0]
                        .value
                        .as_str()
                        .is_some_and(|t| t.eq_ignore_ascii_case("work"))
            });
            if !allowed.contains(&name.as_str()) || !typed_work {
                return Err(ScimError::InvalidFilter(format!(
                    "roster filters only on {}",
                    allowed.join(", ")
                )));
            }
        }
        Ok(Params {
            conds,
            start: number("startIndex")?.unwrap_or(1).max(1) as usize,
            count: number("count")?
                .unwrap_or(MAX_RESULTS as i64)
                .clamp(0, MAX_RESULTS as i64) as usize,
            query,
        })
    }

    /// Whether a resource may match the filter, from its id and the texts that hold its values
    /// (the stored resource, or the member's identifiers): a cheap test before rendering it.
    /// A value the texts cannot hold literally (JSON escapes it) is left to the filter itself.
    pub fn might_match(&self, id: &str, texts: &[&str]) -> bool {
        self.conds.iter().all(|c| match c.value.as_str() {
            Some(v) if c.path.attr.eq_ignore_ascii_case("id") => v == id,
            Some(v) if !v.contains(['"', '\\']) && !v.contains(char::is_control) => {
                let v = v.to_lowercase();
                texts.iter().any(|t| t.to_lowercase().contains(&v))
            }
            _ => true,
        })
    }

    /// The page of `all` the query asks for, as a list response.
    pub fn answer(&self, all: Vec<Value>, core: &str) -> Doc {
        let hits: Vec<Value> = all
            .into_iter()
            .filter(|r| matches(r, &self.conds, core))
            .collect();
        let total = hits.len();
        let page = hits
            .into_iter()
            .skip(self.start - 1)
            .take(self.count)
            .map(|r| select(r, self.query, core))
            .collect();
        Doc::list(total, self.start, page)
    }
}

/// `attributes` (only these, with `id` and `schemas`) or `excludedAttributes` (all but these),
/// each a comma-separated list of `attr` or `attr.sub`.
pub fn select(resource: Value, query: &HashMap<String, String>, core: &str) -> Value {
    let list = |name: &str| -> Option<Vec<String>> {
        let (_, v) = query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))?;
        Some(
            v.split(',')
                .map(|a| {
                    let a = a.trim();
                    let bare = a
                        .strip_prefix(core)
                        .map(|r| r.trim_start_matches(':'))
                        .unwrap_or(a);
                    bare.to_ascii_lowercase()
                })
                .filter(|a| !a.is_empty())
                .collect(),
        )
    };
    let Value::Object(map) = resource else {
        return resource;
    };
    if let Some(wanted) = list("attributes") {
        let always = ["id", "schemas", "meta"];
        let mut out = Map::new();
        for (k, v) in map {
            let key = k.to_ascii_lowercase();
            if always.contains(&key.as_str()) || wanted.contains(&key) {
                out.insert(k, v);
                continue;
            }
            let subs: Vec<&str> = wanted
                .iter()
                .filter_map(|w| w.strip_prefix(&format!("{key}.")))
                .collect();
            if !subs.is_empty() {
                out.insert(k, keep_subs(v, &subs));
            }
        }
        return Value::Object(out);
    }
    if let Some(excluded) = list("excludedAttributes") {
        let mut out = Map::new();
        for (k, v) in map {
            let key = k.to_ascii_lowercase();
            if excluded.contains(&key) && key != "id" && key != "schemas" {
                continue;
            }
            out.insert(k, v);
        }
        return Value::Object(out);
    }
    Value::Object(map)
}

fn keep_subs(value: Value, subs: &[&str]) -> Value {
    match value {
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|i| keep_subs(i, subs)).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| subs.iter().any(|s| k.eq_ignore_ascii_case(s)))
                .collect(),
        ),
        other => other,
    }
}
