//! PATCH (RFC 7644 §3.5.2) on a resource as stored (JSON): `add`, `replace` and `remove`,
//! in any case (Entra ID writes `Replace`), with a `path` (a value filter included:
//! `emails[type eq "work"].value`, `members[value eq "2"]`) or without one (Okta: a value
//! object whose keys are paths). Entra's string booleans (`"False"`) become booleans.

use super::answer::PATCH_URN;
use super::filter::{AttrPath, Cond, get_ci, matches, parse_path};
use crate::error::ScimError;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    Remove,
}

/// Applies a PatchOp request's operations, in order, to `resource` (of core schema `core`).
pub fn apply(resource: &mut Value, body: &Map<String, Value>, core: &str) -> Result<(), ScimError> {
    let schemas = body.get("schemas").and_then(Value::as_array);
    if !schemas.is_some_and(|s| s.iter().any(|v| v == PATCH_URN)) {
        return Err(ScimError::InvalidSyntax(format!(
            "a PATCH body's schemas must hold {PATCH_URN}"
        )));
    }
    let ops = get_ci(&Value::Object(body.clone()), "Operations")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| ScimError::InvalidSyntax("Operations is missing".into()))?;
    for op in &ops {
        one(resource, op, core)?;
    }
    Ok(())
}

/// Whether a PatchOp request changes `password` (by its path, or in a value object): a
/// password change, which roster does not support (`changePassword` in ServiceProviderConfig).
pub fn sets_password(body: &Map<String, Value>) -> bool {
    let ops = get_ci(&Value::Object(body.clone()), "Operations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    ops.iter()
        .any(|op| match get_ci(op, "path").and_then(Value::as_str) {
            Some(path) => path.to_ascii_lowercase().ends_with("password"),
            None => get_ci(op, "value").is_some_and(|v| get_ci(v, "password").is_some()),
        })
}

fn one(resource: &mut Value, op: &Value, core: &str) -> Result<(), ScimError> {
    let name = get_ci(op, "op").and_then(Value::as_str).unwrap_or_default();
    let kind = match name.to_ascii_lowercase().as_str() {
        "add" => Op::Add,
        "replace" => Op::Replace,
        "remove" => Op::Remove,
        _ => return Err(ScimError::InvalidSyntax(format!("unknown op '{name}'"))),
    };
    let value = get_ci(op, "value").cloned();
    match get_ci(op, "path").and_then(Value::as_str) {
        Some(path) => {
            let parsed = parse_path(path)?;
            if kind != Op::Remove && value.is_none() {
                return Err(ScimError::InvalidValue(format!("op {name} needs a value")));
            }
            at_path(resource, &parsed, kind, value, core, path)
        }
        None if kind == Op::Remove => Err(ScimError::NoTarget(String::new())),
        None => match value {
            Some(Value::Object(map)) => {
                for (key, v) in map {
                    let parsed = parse_path(&key)?;
                    at_path(resource, &parsed, kind, Some(v), core, &key)?;
                }
                Ok(())
            }
            _ => Err(ScimError::InvalidValue(
                "an op without a path needs an object value".into(),
            )),
        },
    }
}

/// Entra ID sends booleans as `"True"`/`"False"`.
fn coerce(attr: &str, value: Value) -> Value {
    match (&value, attr.to_ascii_lowercase().as_str()) {
        (Value::String(s), "active" | "primary") => match s.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => value,
        },
        _ => value,
    }
}

/// The object `path`'s schema names: the resource for its core schema, else its extension
/// object (made when adding).
fn target<'a>(
    resource: &'a mut Value,
    path: &AttrPath,
    core: &str,
    make: bool,
) -> Option<&'a mut Map<String, Value>> {
    let object = resource.as_object_mut()?;
    let Some(schema) = path
        .schema
        .as_deref()
        .filter(|s| !s.eq_ignore_ascii_case(core))
    else {
        return Some(object);
    };
    let key = key_of(object, schema);
    if make && !object.contains_key(&key) {
        object.insert(key.clone(), Value::Object(Map::new()));
    }
    object.get_mut(&key)?.as_object_mut()
}

/// The stored spelling of `name` in `object`, else `name`.
fn key_of(object: &Map<String, Value>, name: &str) -> String {
    object
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_string())
}

fn at_path(
    resource: &mut Value,
    path: &AttrPath,
    kind: Op,
    value: Option<Value>,
    core: &str,
    text: &str,
) -> Result<(), ScimError> {
    let Some(object) = target(resource, path, core, kind != Op::Remove) else {
        return match kind {
            Op::Remove => Ok(()),
            _ => Err(ScimError::InvalidPath(text.into())),
        };
    };
    if path.attr.is_empty() {
        return whole_extension(object, kind, value, text);
    }
    let key = key_of(object, &path.attr);
    let value = value.map(|v| coerce(path.sub.as_deref().unwrap_or(&path.attr), v));
    match (&path.filter, &path.sub) {
        (Some(filter), sub) => filtered(
            object,
            &key,
            filter,
            sub.as_deref(),
            kind,
            value,
            core,
            text,
        ),
        (None, Some(sub)) => sub_attribute(object, &key, sub, kind, value),
        (None, None) => attribute(object, &key, kind, value),
    }
}

fn whole_extension(
    object: &mut Map<String, Value>,
    kind: Op,
    value: Option<Value>,
    text: &str,
) -> Result<(), ScimError> {
    match (kind, value) {
        (Op::Remove, _) => {
            object.clear();
            Ok(())
        }
        (_, Some(Value::Object(map))) => {
            object.extend(map);
            Ok(())
        }
        _ => Err(ScimError::InvalidValue(format!(
            "{text} needs an object value"
        ))),
    }
}

fn attribute(
    object: &mut Map<String, Value>,
    key: &str,
    kind: Op,
    value: Option<Value>,
) -> Result<(), ScimError> {
    let existing = object.get_mut(key);
    match (kind, existing, value) {
        // Entra removes members by value: `remove members [{"value": "2"}]`.
        (Op::Remove, Some(Value::Array(items)), Some(Value::Array(gone))) => {
            items.retain(|i| !gone.iter().any(|g| same_item(i, g)));
        }
        (Op::Remove, _, _) => {
            object.remove(key);
        }
        (Op::Add, Some(Value::Array(items)), Some(v)) => {
            let new = match v {
                Value::Array(list) => list,
                one => vec![one],
            };
            for n in new {
                if !items.iter().any(|i| same_item(i, &n)) {
                    items.push(n);
                }
            }
        }
        (_, Some(Value::Object(map)), Some(Value::Object(new))) => map.extend(new),
        (_, _, Some(v)) => {
            object.insert(key.to_string(), v);
        }
        (_, _, None) => {}
    }
    Ok(())
}

/// Two elements of a multi-valued attribute are one when their `value`s are equal.
fn same_item(a: &Value, b: &Value) -> bool {
    match (get_ci(a, "value"), get_ci(b, "value")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn sub_attribute(
    object: &mut Map<String, Value>,
    key: &str,
    sub: &str,
    kind: Op,
    value: Option<Value>,
) -> Result<(), ScimError> {
    if kind != Op::Remove && !object.contains_key(key) {
        object.insert(key.to_string(), Value::Object(Map::new()));
    }
    let Some(parent) = object.get_mut(key) else {
        return Ok(());
    };
    let mut parents: Vec<&mut Value> = match parent {
        Value::Array(items) => items.iter_mut().collect(),
        one => vec![one],
    };
    for p in parents.iter_mut() {
        if let Some(map) = p.as_object_mut() {
            let sub_key = key_of(map, sub);
            match (&value, kind) {
                (_, Op::Remove) => {
                    map.remove(&sub_key);
                }
                (Some(v), _) => {
                    map.insert(sub_key, v.clone());
                }
                (None, _) => {}
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn filtered(
    object: &mut Map<String, Value>,
    key: &str,
    filter: &[Cond],
    sub: Option<&str>,
    kind: Op,
    value: Option<Value>,
    core: &str,
    text: &str,
) -> Result<(), ScimError> {
    let items = match object.get_mut(key) {
        Some(Value::Array(items)) => items,
        _ if kind == Op::Remove => return Err(ScimError::NoTarget(text.into())),
        _ => {
            object.insert(key.to_string(), Value::Array(Vec::new()));
            match object.get_mut(key) {
                Some(Value::Array(items)) => items,
                _ => return Err(ScimError::InvalidPath(text.into())),
            }
        }
    };
    let mut hits: Vec<usize> = (0..items.len())
        .filter(|&i| matches(&items[i], filter, core))
        .collect();
    if kind == Op::Remove {
        if hits.is_empty() {
            return Err(ScimError::NoTarget(text.into()));
        }
        for &i in hits.iter().rev() {
            match sub {
                Some(s) => {
                    if let Some(map) = items[i].as_object_mut() {
                        let k = key_of(map, s);
                        map.remove(&k);
                    }
                }
                None => {
                    items.remove(i);
                }
            }
        }
        return Ok(());
    }
    let value = value.unwrap_or(Value::Null);
    if hits.is_empty() {
        // Entra replaces `emails[type eq "work"].value` on a user without one: made here, when
        // the filter's conditions can make an element that it then finds.
        let mut element = Map::new();
        for c in filter {
            element.insert(c.path.attr.clone(), c.value.clone());
        }
        let element = Value::Object(element);
        if !matches(&element, filter, core) {
            return Err(ScimError::InvalidPath(text.into()));
        }
        items.push(element);
        hits.push(items.len() - 1);
    }
    for &i in &hits {
        match (sub, &value, &mut items[i]) {
            (Some(s), v, Value::Object(map)) => {
                let k = key_of(map, s);
                map.insert(k, v.clone());
            }
            (None, Value::Object(new), Value::Object(map)) => map.extend(new.clone()),
            (None, v, slot) => *slot = v.clone(),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
