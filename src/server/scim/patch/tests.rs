//! PATCH in the identity providers' forms, value filters, and no panic on any operation.

use super::*;
use serde_json::json;

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn patch(resource: Value, ops: Value) -> Result<Value, ScimError> {
    let mut r = resource;
    let body = json!({"schemas": [PATCH_URN], "Operations": ops});
    apply(&mut r, body.as_object().unwrap(), CORE)?;
    Ok(r)
}

#[test]
fn entra_and_okta_deactivations() {
    let user = json!({"userName": "a", "active": true});
    let entra = patch(
        user.clone(),
        json!([{"op": "Replace", "path": "active", "value": "False"}]),
    )
    .unwrap();
    assert_eq!(entra["active"], json!(false));
    let okta = patch(user, json!([{"op": "replace", "value": {"active": false}}])).unwrap();
    assert_eq!(okta["active"], json!(false));
}

#[test]
fn value_filters_replace_and_remove() {
    let user = json!({"emails": [{"type": "work", "value": "a@x.org", "primary": true}]});
    let r = patch(
        user,
        json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "b@x.org"}]),
    )
    .unwrap();
    assert_eq!(r["emails"][0]["value"], "b@x.org");
    let group = json!({"members": [{"value": "1"}, {"value": "2"}]});
    let r = patch(
        group.clone(),
        json!([{"op": "remove", "path": "members[value eq \"2\"]"}]),
    )
    .unwrap();
    assert_eq!(r["members"], json!([{"value": "1"}]));
    let r = patch(
        group.clone(),
        json!([{"op": "Remove", "path": "members", "value": [{"value": "1"}]}]),
    )
    .unwrap();
    assert_eq!(r["members"], json!([{"value": "2"}]));
    let r = patch(
        group,
        json!([{"op": "add", "path": "members", "value": [{"value": "2"}, {"value": "3"}]}]),
    )
    .unwrap();
    assert_eq!(r["members"].as_array().unwrap().len(), 3);
    let missing = patch(
        json!({"members": []}),
        json!([{"op": "remove", "path": "members[value eq \"9\"]"}]),
    );
    assert!(matches!(missing, Err(ScimError::NoTarget(_))));
}

proptest::proptest! {
    /// Bad input never panics: any path and value make a patched resource or a refusal.
    #[test]
    fn any_operation_applies_or_is_refused(
        op in "(add|replace|remove|Add|x)",
        path in "[a-zA-Z.\\[\\]\" :]{0,30}",
        value in proptest::option::of("[a-z]{0,5}"),
    ) {
        let user = json!({"userName": "a", "emails": [{"value": "a@x.org", "type": "work"}], "name": {"givenName": "A"}});
        let mut operation = json!({"op": op, "path": path});
        if let Some(v) = value {
            operation["value"] = json!(v);
        }
        let _ = patch(user, json!([operation]));
    }
}

#[test]
fn a_body_without_the_patch_schema_is_refused() {
    let mut r = json!({});
    let body = json!({"Operations": []});
    assert!(apply(&mut r, body.as_object().unwrap(), CORE).is_err());
}
