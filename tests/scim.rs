//! SCIM 2.0 Users (issue 27, SPEC §17) against a real `roster serve`: discovery, the `scim`
//! scope, SCIM error documents, creation, filters and pages, PUT, PATCH in Entra's and Okta's
//! forms, DELETE, and the resource kept as sent. Every test runs on the suite's store (SQLite,
//! or PostgreSQL under ROSTER_TEST_STORE=postgres).

use crate::harness::Roster;
use crate::scim_support::{Scim, USER, assert_error, user};
use crate::server_harness::create_key;
use serde_json::{Value, json};

fn log(r: &Roster) -> Vec<Value> {
    let out = r.args(&["log", "--output", "json"]).run();
    serde_json::from_str(&out.stdout).expect("the log as JSON")
}

#[test]
fn discovery_declares_what_is_unsupported_and_refuses_it_as_rfc_7644_says() {
    let r = Roster::new();
    let scim = Scim::start(&r);
    let config = scim.get("/ServiceProviderConfig");
    assert_eq!(config.status, 200);
    assert_eq!(
        config.header("content-type").as_deref(),
        Some("application/scim+json")
    );
    let config = config.json();
    for unsupported in ["bulk", "sort", "changePassword", "etag"] {
        assert_eq!(config[unsupported]["supported"], false, "{unsupported}");
    }
    assert_eq!(config["patch"]["supported"], true);
    assert_eq!(config["filter"]["supported"], true);
    let bulk = scim.post("/Bulk", &json!({"Operations": []}));
    assert_error(&bulk, 501, None, "Bulk is not supported");
    let types = scim.get("/ResourceTypes").json();
    assert_eq!(types["totalResults"], 2);
    let schemas = scim.get("/Schemas").json();
    let ids: Vec<&str> = schemas["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&USER), "{ids:?}");
    assert_error(&scim.get("/Users/999"), 404, None, "No User with id 999.");
    assert_error(&scim.get("/Nothing"), 404, None, "No endpoint");
}

#[test]
fn only_a_scim_key_calls_scim_and_a_scim_key_calls_nothing_else() {
    let r = Roster::new();
    let scim = Scim::start(&r);
    let sync = create_key(&r, "ci", "sync");
    let refused = scim.send_as(&sync, "GET", "/Users", None);
    assert_error(&refused, 403, None, "SCIM needs a key of scope scim");
    let missing = crate::server_harness::Reply::from(
        crate::server_harness::client()
            .get(scim.server.url("/scim/v2/Users"))
            .send(),
    );
    assert_error(&missing, 401, None, "An API key is required");
    assert_eq!(
        missing.header("www-authenticate").as_deref(),
        Some("Bearer")
    );
    let elsewhere = scim.server.get("/v1/members", &scim.key);
    assert_eq!(elsewhere.status, 403, "{}", elsewhere.text());
    let listed = r.args(&["keys", "list", "--output", "json"]).run();
    assert!(listed.stdout.contains("\"scim\""), "{}", listed.stdout);
}

#[test]
fn a_user_is_created_found_by_every_filter_and_paged() {
    let r = Roster::new();
    let scim = Scim::start(&r);
    let created = scim.post(
        "/Users",
        &user("ann@example.com", Some("ann@example.com"), "E1"),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let doc = created.json();
    let id = doc["id"].as_str().unwrap().to_string();
    assert_eq!(
        created.header("location"),
        doc["meta"]["location"].as_str().map(str::to_string)
    );
    assert_eq!(doc["meta"]["resourceType"], "User");
    assert_eq!(doc["active"], true);
    let m = r.member("ann@example.com");
    assert_eq!(m.status, "PROVISIONED");
    assert_eq!(m.external_id.as_deref(), Some("E1"));
    assert_eq!(m.first_name.as_deref(), Some("Test"));
    assert_eq!(m.name.as_deref(), Some("Test User"));
    scim.create_user(user("bob", Some("bob@example.com"), "E2"));
    scim.create_user(user("cy", None, "E3"));
    for filter in [
        r#"userName eq "ANN@example.com""#,
        r#"externalId eq "E1""#,
        r#"emails.value eq "ann@example.com""#,
        r#"emails[type eq "work"].value eq "ann@example.com""#,
        r#"userName eq "ann@example.com" and externalId eq "E1""#,
    ] {
        let found = scim.filter("Users", filter);
        assert_eq!(found["totalResults"], 1, "{filter}: {found}");
        assert_eq!(found["Resources"][0]["id"], id.as_str(), "{filter}");
    }
    let none = scim.filter("Users", r#"userName eq "nobody""#);
    assert_eq!(none["totalResults"], 0);
    assert_eq!(none["Resources"], json!([]));
    for bad in [
        r#"userName sw "a""#,
        r#"title eq "x""#,
        r#"userName eq "a" or userName eq "b""#,
    ] {
        let query: String = url::form_urlencoded::byte_serialize(bad.as_bytes()).collect();
        assert_error(
            &scim.get(&format!("/Users?filter={query}")),
            400,
            Some("invalidFilter"),
            "The filter is not supported",
        );
    }
    let page = scim.get("/Users?startIndex=2&count=1").json();
    assert_eq!(page["totalResults"], 3);
    assert_eq!(page["startIndex"], 2);
    assert_eq!(page["itemsPerPage"], 1);
    assert_eq!(page["Resources"][0]["userName"], "bob");
}

#[test]
fn what_the_columns_refuse_is_kept_as_sent_and_not_copied() {
    let r = Roster::new();
    let scim = Scim::start(&r);
    let mut body = user("jdoe", Some("jdoe@example.com"), "E9");
    body["phoneNumbers"] = json!([{"value": "555-1234", "type": "mobile"}]);
    body["title"] = json!("x".repeat(201));
    body["addresses"] = json!([{"locality": "Lyon"}]);
    body["password"] = json!("hunter2");
    let doc = scim.create_user(body);
    assert_eq!(doc["userName"], "jdoe");
    assert_eq!(doc["phoneNumbers"][0]["value"], "555-1234");
    assert_eq!(doc["addresses"][0]["locality"], "Lyon");
    assert!(doc.get("password").is_none(), "{doc}");
    let m = r.member("jdoe@example.com");
    assert_eq!(m.phone, None);
    assert_eq!(m.job_title, None);
    let again = scim
        .get(&format!("/Users/{}", doc["id"].as_str().unwrap()))
        .json();
    assert_eq!(again["title"], doc["title"]);
    let created = log(&r)
        .into_iter()
        .find(|e| e["action"] == "create")
        .expect("a create event");
    assert_eq!(created["operator"], "scim:okta");
    assert!(created["import_id"].is_null());
    assert!(
        created["changes"]["scim"]["refused"]["phone"].is_object(),
        "{created}"
    );
    assert_eq!(created["changes"]["scim"]["unmapped"], json!(["addresses"]));
    assert!(
        !r.sql_text("SELECT resource FROM scim_users")
            .contains("hunter2")
    );
}

#[test]
fn a_member_without_any_identifier_but_its_user_name() {
    let r = Roster::new();
    let scim = Scim::start(&r);
    let doc = scim.create_user(json!({"schemas": [USER], "userName": "no-ids"}));
    let found = scim.filter("Users", r#"userName eq "NO-IDS""#);
    assert_eq!(found["Resources"][0]["id"], doc["id"]);
    assert_eq!(r.members().len(), 1);
}

#[test]
fn user_names_and_identifiers_are_unique() {
    let r = Roster::new();
    r.import_json("staff.csv", "email,external_id\nzed@example.com,Z1\n")
        .run();
    let scim = Scim::start(&r);
    scim.create_user(user("ann", Some("ann@example.com"), "E1"));
    let before = r.dump();
    for body in [
        user("ANN", Some("other@example.com"), "E2"),
        user("new", Some("zed@example.com"), "E3"),
        user("new", Some("new@example.com"), "Z1"),
    ] {
        let reply = scim.post("/Users", &body);
        assert_error(&reply, 409, Some("uniqueness"), "is already taken");
    }
    assert_eq!(r.dump(), before);
    assert_error(
        &scim.send("POST", "/Users", Some(&json!({"schemas": [USER]}))),
        400,
        Some("invalidValue"),
        "userName is required",
    );
    let raw = crate::server_harness::client()
        .post(scim.server.url("/scim/v2/Users"))
        .bearer_auth(&scim.key)
        .body("{not json")
        .send();
    let raw = crate::server_harness::Reply::from(raw);
    assert_error(&raw, 400, Some("invalidSyntax"), "not valid SCIM");
    assert_eq!(r.dump(), before);
}

#[test]
fn patch_in_entra_and_okta_forms_and_put() {
    let r = Roster::new();
    let scim = Scim::start(&r);
    let doc = scim.create_user(user("ann", Some("ann@example.com"), "E1"));
    let path = format!("/Users/{}", doc["id"].as_str().unwrap());
    let entra = scim.patch(
        &path,
        json!([
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ann2@example.com"},
            {"op": "Replace", "path": "name.familyName", "value": "Smith"},
            {"op": "Replace", "path": "active", "value": "False"},
        ]),
    );
    assert_eq!(entra.status, 200, "{}", entra.text());
    assert_eq!(entra.json()["active"], false);
    let m = r.member("ann2@example.com");
    assert_eq!(
        (m.status.as_str(), m.last_name.as_deref()),
        ("INACTIVE", Some("Smith"))
    );
    let okta = scim.patch(&path, json!([{"op": "replace", "value": {"active": true}}]));
    assert_eq!(okta.status, 200, "{}", okta.text());
    assert_eq!(r.status("ann2@example.com"), "PROVISIONED");
    let mut replaced = user("ann", Some("ann2@example.com"), "E1");
    replaced["title"] = json!("Engineer");
    let put = scim.put(&path, &replaced);
    assert_eq!(put.status, 200, "{}", put.text());
    assert_eq!(put.json()["title"], "Engineer");
    let m = r.member("ann2@example.com");
    assert_eq!(m.job_title.as_deref(), Some("Engineer"));
    assert_eq!(m.last_name.as_deref(), Some("User"));
    let password = scim.patch(
        &path,
        json!([{"op": "replace", "path": "password", "value": "x"}]),
    );
    assert_error(&password, 501, None, "Password change is not supported");
    let in_value = scim.patch(
        &path,
        json!([{"op": "replace", "value": {"password": "x"}}]),
    );
    assert_error(&in_value, 501, None, "Password change is not supported");
    let bad = scim.patch(
        &path,
        json!([{"op": "remove", "path": "emails[type eq \"home\"]"}]),
    );
    assert_error(&bad, 400, Some("noTarget"), "matches nothing");
}

#[test]
fn delete_deactivates_hides_and_a_later_post_reactivates() {
    let r = Roster::new();
    r.args(&["config", "set", "scim-invite", "true"]).run();
    let scim = Scim::start(&r);
    let doc = scim.create_user(user("ann@example.com", Some("ann@example.com"), "E1"));
    assert_eq!(r.status("ann@example.com"), "INVITED");
    let invitations = r.args(&["invitations", "list", "--output", "json"]).run();
    assert!(
        invitations.stdout.contains("PENDING"),
        "{}",
        invitations.stdout
    );
    let path = format!("/Users/{}", doc["id"].as_str().unwrap());
    let deleted = scim.delete(&path);
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    assert_eq!(r.status("ann@example.com"), "INACTIVE");
    assert_error(&scim.get(&path), 404, None, "No User with id");
    assert_eq!(
        scim.filter("Users", r#"userName eq "ann@example.com""#)["totalResults"],
        0
    );
    let again = scim.post(
        "/Users",
        &user("ann@example.com", Some("ann@example.com"), "E1"),
    );
    assert_eq!(again.status, 201, "{}", again.text());
    assert_eq!(again.json()["id"], doc["id"]);
    assert_eq!(r.status("ann@example.com"), "INVITED");
    assert_eq!(r.members().len(), 1);
    let imports = r.args(&["imports", "list", "--output", "json"]).run();
    assert_eq!(imports.stdout.trim(), "[]", "no import row per request");
}

#[test]
fn bad_requests_get_scim_errors_and_change_nothing() {
    let r = Roster::new();
    r.import_json("s.csv", "email,team,team_role\nann@example.com,Ops,owner\n")
        .run();
    let scim = Scim::start(&r);
    let before = r.dump();
    let bodies = [
        json!(null),
        json!([1, 2]),
        json!({"userName": 7}),
        json!({"userName": "", "emails": "x"}),
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "explode"}]}),
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "emails[(", "value": 1}]}),
        json!({"displayName": "x".repeat(300), "members": [{"value": "not a number"}]}),
        json!({"displayName": "Dev", "members": [{"value": "1", "type": "Group"}]}),
    ];
    for path in ["/Users", "/Users/1", "/Groups", "/Groups/1"] {
        for body in &bodies {
            for method in ["POST", "PUT", "PATCH"] {
                let reply = scim.send(method, path, Some(body));
                assert!(
                    (400..500).contains(&reply.status),
                    "{method} {path} {body}: {} {}",
                    reply.status,
                    reply.text()
                );
                assert_eq!(
                    reply.header("content-type").as_deref(),
                    Some("application/scim+json"),
                    "{method} {path}"
                );
            }
        }
    }
    assert_eq!(r.dump(), before);
    assert_eq!(scim.get("/Groups").json()["totalResults"], 1);
}
