//! The example requests of Microsoft's and Okta's SCIM documentation (fixtures/scim/), replayed
//! in order against a real `roster serve`: each answer must hold the documented answer's
//! essential fields, and the member in roster what the request made of it. On the suite's store.

use crate::harness::Roster;
use crate::scim_support::Scim;
use serde_json::Value;
use std::collections::HashMap;

/// `${name}` replaced by the ids saved so far, in every string of `v`.
fn fill(v: &Value, saved: &HashMap<String, String>) -> Value {
    match v {
        Value::String(s) => {
            let mut s = s.clone();
            for (name, id) in saved {
                s = s.replace(&format!("${{{name}}}"), id);
            }
            Value::String(s)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| fill(i, saved)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill(v, saved)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether `actual` holds `expected`: every key of an object, every element of an array (in
/// order, the same count), other values equal.
fn holds(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| holds(v, av))),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(x, y)| holds(x, y))
        }
        (e, a) => e == a,
    }
}

fn replay(file: &str) {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/scim")
            .join(file),
    )
    .expect("the fixture");
    let fixture: Value = serde_json::from_str(&text).expect("JSON");
    let r = Roster::new();
    let scim = Scim::start(&r);
    let mut saved: HashMap<String, String> = HashMap::new();
    for step in fixture["steps"].as_array().expect("steps") {
        let step = fill(step, &saved);
        let name = step["name"].as_str().unwrap_or_default();
        let request = &step["request"];
        let body = request.get("body").filter(|b| !b.is_null());
        let reply = scim.send(
            request["method"].as_str().unwrap(),
            request["path"].as_str().unwrap(),
            body,
        );
        let statuses: Vec<u64> = step["response"]["status"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_u64)
            .collect();
        assert!(
            statuses.contains(&(reply.status as u64)),
            "{file}, {name}: {} {}",
            reply.status,
            reply.text()
        );
        if let Some(expected) = step["response"].get("body") {
            let actual = reply.json();
            assert!(
                holds(expected, &actual),
                "{file}, {name}:\nexpected {expected}\nin {actual}"
            );
            for absent in step["absent"].as_array().into_iter().flatten() {
                let key = absent.as_str().unwrap();
                assert!(
                    actual.get(key).is_none(),
                    "{file}, {name}: {key} in {actual}"
                );
            }
        }
        if let Some(slot) = step["save"].as_str() {
            let id = reply.json()["id"].as_str().expect("an id").to_string();
            saved.insert(slot.to_string(), id);
        }
        if let Some(expect) = step.get("roster") {
            check_member(&r, expect, &format!("{file}, {name}"));
        }
    }
}

/// The member as the step left it in roster.
#[track_caller]
fn check_member(r: &Roster, expect: &Value, at: &str) {
    let id = expect["member"].as_str().unwrap();
    let m = r.member(id);
    let fields = [
        ("status", Some(m.status.clone())),
        ("external_id", m.external_id.clone()),
        ("first_name", m.first_name.clone()),
        ("last_name", m.last_name.clone()),
    ];
    for (key, value) in fields {
        if let Some(want) = expect.get(key) {
            assert_eq!(value.as_deref(), want.as_str(), "{at}: {key}");
        }
    }
    if let Some(teams) = expect.get("teams") {
        let want: Vec<String> = serde_json::from_value(teams.clone()).unwrap();
        assert_eq!(r.teams_of(id), want, "{at}: teams");
    }
}

#[test]
fn microsoft_entra_ids_documented_requests_get_their_documented_answers() {
    replay("entra.json");
}

#[test]
fn oktas_documented_requests_get_their_documented_answers() {
    replay("okta.json");
}
