//! SCIM 2.0 Groups as teams (issue 27, SPEC §17): a Group's members are the team's
//! memberships, with roster's extension for owners and admins; PATCH adds, removes and renames;
//! DELETE deletes the team; each team keeps its last owner. On the suite's store.

use crate::harness::Roster;
use crate::scim_support::{GROUP, ROLES, Scim, assert_error, user};
use serde_json::{Value, json};

fn users(scim: &Scim, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let email = format!("{n}@example.com");
            let u = scim.create_user(user(&email, Some(&email), &format!("E{i}")));
            u["id"].as_str().unwrap().to_string()
        })
        .collect()
}

fn member_ids(group: &Value) -> Vec<String> {
    let mut ids: Vec<String> = group["members"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| m["value"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

#[test]
fn a_group_is_a_team_with_roles_from_the_extension() {
    let r = Roster::new();
    let scim = Scim::start(&r);
    let ids = users(&scim, &["ann", "bob", "cy"]);
    let body = json!({
        "schemas": [GROUP, ROLES],
        "displayName": "Ops",
        "members": [{"value": ids[0]}, {"value": ids[1]}, {"value": ids[2]}],
        ROLES: {"owners": [{"value": ids[0]}], "admins": [{"value": ids[1]}]},
    });
    let created = scim.post("/Groups", &body);
    assert_eq!(created.status, 201, "{}", created.text());
    let group = created.json();
    assert_eq!(group["displayName"], "Ops");
    assert_eq!(member_ids(&group).len(), 3);
    assert_eq!(r.teams_of("ann@example.com"), ["Ops:owner"]);
    assert_eq!(r.teams_of("bob@example.com"), ["Ops:admin"]);
    assert_eq!(r.teams_of("cy@example.com"), ["Ops:member"]);
    let found = scim.filter("Groups", r#"displayName eq "ops""#);
    assert_eq!(found["totalResults"], 1);
    assert_eq!(found["Resources"][0]["id"], group["id"]);
    let again = scim.post(
        "/Groups",
        &json!({"schemas": [GROUP], "displayName": "Ops"}),
    );
    assert_error(
        &again,
        409,
        Some("uniqueness"),
        "displayName 'Ops' is already taken",
    );
    let stranger = json!({"schemas": [GROUP], "displayName": "Dev", "members": [{"value": "999"}]});
    assert_error(
        &scim.post("/Groups", &stranger),
        400,
        Some("invalidValue"),
        "no User with id '999'",
    );
    let long = json!({"schemas": [GROUP], "displayName": "x".repeat(51)});
    assert_error(
        &scim.post("/Groups", &long),
        400,
        Some("invalidValue"),
        "longer than 50",
    );
}

#[test]
fn patch_adds_removes_and_renames_in_entra_and_okta_forms() {
    let r = Roster::new();
    let scim = Scim::start(&r);
    let ids = users(&scim, &["ann", "bob", "cy"]);
    let group = scim
        .post(
            "/Groups",
            &json!({"schemas": [GROUP], "displayName": "Ops", "members": []}),
        )
        .json();
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());
    // Entra: Add and Remove with a list of values.
    let add = scim.patch(
        &path,
        json!([{"op": "Add", "path": "members", "value": [{"value": ids[0]}, {"value": ids[1]}]}]),
    );
    assert_eq!(add.status, 200, "{}", add.text());
    assert_eq!(member_ids(&add.json()).len(), 2);
    let remove = scim.patch(
        &path,
        json!([{"op": "Remove", "path": "members", "value": [{"value": ids[0]}]}]),
    );
    assert_eq!(member_ids(&remove.json()), [ids[1].clone()]);
    // Okta: a value filter, then a rename by a value object that names the id too.
    let okta = scim.patch(
        &path,
        json!([
            {"op": "add", "path": "members", "value": [{"value": ids[2], "display": "cy@example.com"}]},
            {"op": "remove", "path": format!("members[value eq \"{}\"]", ids[1])},
            {"op": "replace", "value": {"id": group["id"], "displayName": "Operations"}},
        ]),
    );
    assert_eq!(okta.status, 200, "{}", okta.text());
    let doc = okta.json();
    assert_eq!(doc["displayName"], "Operations");
    assert_eq!(doc["id"], group["id"]);
    assert_eq!(
        doc["members"],
        json!([{"value": ids[2], "display": "cy@example.com"}])
    );
    assert_eq!(r.teams_of("cy@example.com"), ["Operations:member"]);
    assert!(r.teams_of("bob@example.com").is_empty());
    let events = r.args(&["log", "--output", "json"]).run().stdout;
    assert!(events.contains("\"scim_group\""), "{events}");
}

#[test]
fn a_team_keeps_its_last_owner_and_delete_removes_the_team() {
    let r = Roster::new();
    let scim = Scim::start(&r);
    let ids = users(&scim, &["ann", "bob"]);
    let body = json!({
        "schemas": [GROUP, ROLES],
        "displayName": "Ops",
        "members": [{"value": ids[0]}, {"value": ids[1]}],
        ROLES: {"owners": [{"value": ids[0]}]},
    });
    let group = scim.post("/Groups", &body).json();
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());
    let before = r.dump();
    let demote = scim.patch(
        &path,
        json!([{"op": "remove", "path": format!("{ROLES}:owners")}]),
    );
    assert_error(&demote, 422, None, "would leave team Ops with no owner");
    let gone = scim.patch(
        &path,
        json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", ids[0])}]),
    );
    assert_error(&gone, 422, None, "would leave team Ops with no owner");
    let ann = format!("/Users/{}", ids[0]);
    assert_error(
        &scim.delete(&ann),
        422,
        None,
        "would leave team Ops with no owner",
    );
    assert_eq!(r.dump(), before);
    let deleted = scim.delete(&path);
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    assert!(r.team_names().is_empty());
    assert_error(&scim.get(&path), 404, None, "No Group with id");
    assert_eq!(scim.get("/Groups").json()["totalResults"], 0);
}

#[test]
fn a_team_of_the_file_is_a_group_and_protected_members_stay() {
    let r = Roster::new();
    let file = "email,team,team_role\nann@example.com,Ops,owner\nbob@example.com,Ops,member\n";
    r.import_json("s.csv", file).run();
    r.args(&["members", "protect", "bob@example.com"]).run();
    let scim = Scim::start(&r);
    let found = scim.filter("Groups", r#"displayName eq "Ops""#);
    let group = &found["Resources"][0];
    crate::schema_check::assert_valid("scim_resource", group);
    assert_eq!(group["schemas"][0], GROUP);
    assert_eq!(member_ids(group).len(), 2);
    assert_eq!(group[ROLES]["owners"].as_array().unwrap().len(), 1);
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());
    let before = r.dump();
    assert_error(&scim.delete(&path), 400, Some("mutability"), "protected");
    assert_eq!(r.dump(), before);
}
