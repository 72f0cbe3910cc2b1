//! SCIM attribute paths and filters (RFC 7644 §3.4.2.2, §3.5.2): the subset roster answers.
//! A path is `attr`, `attr.sub`, `attr[filter].sub`, optionally behind a schema URN; a filter
//! is `path eq value`, joined with `and`. Anything else is `400 invalidFilter`.

use crate::error::ScimError;
use serde_json::Value;

/// An attribute path.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttrPath {
    /// The schema URN written before the attribute, if any.
    pub schema: Option<String>,
    /// The attribute (empty: the schema's extension object itself).
    pub attr: String,
    /// A value filter on a multi-valued attribute's elements.
    pub filter: Option<Vec<Cond>>,
    pub sub: Option<String>,
}

/// `path eq value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    pub path: AttrPath,
    pub value: Value,
}

/// A `filter` query parameter: conditions that must all hold.
pub fn parse_filter(text: &str) -> Result<Vec<Cond>, ScimError> {
    let mut p = Parser { s: text, at: 0 };
    let conds = p.conds()?;
    p.ws();
    if p.at < p.s.len() {
        return Err(p.fail("unexpected text after the filter"));
    }
    Ok(conds)
}

/// A PATCH operation's `path`.
pub fn parse_path(text: &str) -> Result<AttrPath, ScimError> {
    let mut p = Parser { s: text, at: 0 };
    let path = p
        .path(true)
        .map_err(|_| ScimError::InvalidPath(text.into()))?;
    p.ws();
    if p.at < p.s.len() || (path.attr.is_empty() && path.schema.is_none()) {
        return Err(ScimError::InvalidPath(text.into()));
    }
    Ok(path)
}

/// Splits `urn:...:User:userName` into the schema and the attribute; a URN whose last part
/// starts with a capital (`...:2.0:User`) is a schema alone.
fn split_urn(text: &str) -> (Option<String>, String) {
    if !text.to_ascii_lowercase().starts_with("urn:") {
        return (None, text.to_string());
    }
    match text.rsplit_once(':') {
        Some((schema, attr)) if attr.starts_with(|c: char| c.is_ascii_lowercase()) => {
            (Some(schema.to_string()), attr.to_string())
        }
        _ => (Some(text.to_string()), String::new()),
    }
}

struct Parser<'a> {
    s: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn fail(&self, why: &str) -> ScimError {
        ScimError::InvalidFilter(format!(
            "{why} at character {} of '{}'",
            self.at + 1,
            self.s
        ))
    }

    fn ws(&mut self) {
        while self.s[self.at..].starts_with(char::is_whitespace) {
            self.at += self.s[self.at..].chars().next().map_or(1, char::len_utf8);
        }
    }

    fn word(&mut self) -> &str {
        let start = self.at;
        let rest = &self.s[start..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "_:.$-".contains(c)))
            .unwrap_or(rest.len());
        self.at += len;
        &self.s[start..start + len]
    }

    fn conds(&mut self) -> Result<Vec<Cond>, ScimError> {
        let mut conds = vec![self.cond()?];
        loop {
            self.ws();
            let save = self.at;
            let word = self.word().to_ascii_lowercase();
            match word.as_str() {
                "and" => conds.push(self.cond()?),
                "" => return Ok(conds),
                "or" | "not" => return Err(self.fail("only 'and' joins conditions")),
                _ => {
                    self.at = save;
                    return Ok(conds);
                }
            }
        }
    }

    fn cond(&mut self) -> Result<Cond, ScimError> {
        self.ws();
        if self.s[self.at..].starts_with('(') {
            return Err(self.fail("grouping is not supported"));
        }
        let path = self.path(false)?;
        self.ws();
        let op = self.word().to_ascii_lowercase();
        if op != "eq" {
            let why = match op.is_empty() {
                true => "an operator is missing".to_string(),
                false => format!("the operator '{op}' is not supported (only eq)"),
            };
            return Err(self.fail(&why));
        }
        self.ws();
        let value = self.value()?;
        Ok(Cond { path, value })
    }

    fn path(&mut self, in_patch: bool) -> Result<AttrPath, ScimError> {
        self.ws();
        let (schema, attr) = split_urn(self.word());
        if attr.is_empty() && schema.is_none() {
            return Err(self.fail("an attribute is missing"));
        }
        let (attr, mut sub) = match attr.split_once('.') {
            Some((a, s)) => (a.to_string(), Some(s.to_string())),
            None => (attr, None),
        };
        let mut filter = None;
        if self.s[self.at..].starts_with('[') && sub.is_none() {
            if !in_patch && schema.is_none() && attr.is_empty() {
                return Err(self.fail("an attribute is missing"));
            }
            self.at += 1;
            filter = Some(self.conds()?);
            self.ws();
            if !self.s[self.at..].starts_with(']') {
                return Err(self.fail("']' is missing"));
            }
            self.at += 1;
            if self.s[self.at..].starts_with('.') {
                self.at += 1;
                sub = Some(self.word().to_string());
            }
        }
        Ok(AttrPath {
            schema,
            attr,
            filter,
            sub,
        })
    }

    fn value(&mut self) -> Result<Value, ScimError> {
        let rest = &self.s[self.at..];
        if rest.starts_with('"') {
            let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
            let value = stream.next().and_then(Result::ok);
            let used = stream.byte_offset();
            return match value {
                Some(v) => {
                    self.at += used;
                    Ok(v)
                }
                None => Err(self.fail("a string is not closed")),
            };
        }
        let word = self.word().to_string();
        match word.to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            "null" => Ok(Value::Null),
            _ => match word.parse::<serde_json::Number>() {
                Ok(n) => Ok(Value::Number(n)),
                Err(_) => Err(self.fail("a value is missing")),
            },
        }
    }
}

/// The value of `key` in `object`, its name matched ignoring case (SCIM's attribute names).
pub fn get_ci<'a>(object: &'a Value, key: &str) -> Option<&'a Value> {
    object
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The object a path's schema names in `resource`: the resource itself for its core schema.
pub fn scope<'a>(resource: &'a Value, path: &AttrPath, core: &str) -> Option<&'a Value> {
    match &path.schema {
        Some(s) if !s.eq_ignore_ascii_case(core) => get_ci(resource, s),
        _ => Some(resource),
    }
}

/// Whether `element` satisfies every condition.
pub fn matches(element: &Value, conds: &[Cond], core: &str) -> bool {
    conds.iter().all(|c| {
        values_at(element, &c.path, core)
            .iter()
            .any(|v| same(v, &c.value))
    })
}

/// Every value `path` reaches in `resource`.
pub fn values_at<'a>(resource: &'a Value, path: &AttrPath, core: &str) -> Vec<&'a Value> {
    let Some(base) = scope(resource, path, core) else {
        return Vec::new();
    };
    let Some(value) = (match path.attr.is_empty() {
        true => Some(base),
        false => get_ci(base, &path.attr),
    }) else {
        return Vec::new();
    };
    let elements: Vec<&Value> = match value {
        Value::Array(items) => items
            .iter()
            .filter(|e| path.filter.as_ref().is_none_or(|f| matches(e, f, core)))
            .collect(),
        other => vec![other],
    };
    match &path.sub {
        Some(sub) => elements
            .into_iter()
            .filter_map(|e| get_ci(e, sub))
            .collect(),
        None => elements,
    }
}

/// SCIM equality: strings ignoring case (roster's matched attributes are case-insensitive but
/// for ids, which are digits), other values exactly.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.to_lowercase() == y.to_lowercase(),
        (x, y) => x == y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_of_the_identity_providers_parse() {
        let f = parse_filter(r#"userName eq "a@x.org" and externalId eq "7""#).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].path.attr, "userName");
        assert_eq!(f[1].value, json!("7"));
        let f = parse_filter(r#"emails[type eq "work"].value eq "a@x.org""#).unwrap();
        assert_eq!(f[0].path.attr, "emails");
        assert_eq!(f[0].path.sub.as_deref(), Some("value"));
        assert!(f[0].path.filter.is_some());
        for bad in [
            r#"userName sw "a""#,
            r#"userName eq "a" or userName eq "b""#,
            "userName eq",
            r#"(userName eq "a")"#,
            r#"userName eq "a"#,
            "",
        ] {
            assert!(parse_filter(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        /// Bad input never panics: any text is a filter, a path, or a refusal.
        #[test]
        fn any_text_parses_or_is_refused(text in "[ -~\u{e9}\u{200b}]{0,40}") {
            let _ = parse_filter(&text);
            let _ = parse_path(&text);
        }
    }

    #[test]
    fn paths_with_schemas_and_value_filters() {
        let p = parse_path("urn:ietf:params:scim:schemas:core:2.0:User:userName").unwrap();
        assert_eq!(p.attr, "userName");
        let p = parse_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User").unwrap();
        assert_eq!(p.attr, "");
        let p = parse_path(r#"members[value eq "2"]"#).unwrap();
        let doc = json!({"members": [{"value": "1"}, {"value": "2"}]});
        assert_eq!(values_at(&doc, &p, "core").len(), 1);
        assert!(parse_path("").is_err());
    }
}
