//! A SCIM client for the SCIM tests: a real `roster serve` on the test's store with a key of
//! scope `scim`, and requests as identity providers send them (`application/scim+json`).

#![allow(dead_code)]

use crate::harness::Roster;
use crate::server_harness::{Reply, Server, client, create_key};
use serde_json::{Value, json};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const ROLES: &str = "urn:roster:params:scim:schemas:extension:2.0:Group";

pub struct Scim {
    pub server: Server,
    pub key: String,
}

impl Scim {
    /// A server on `r`'s store, with a new key `okta` of scope scim.
    pub fn start(r: &Roster) -> Scim {
        Scim::start_with(r, &[])
    }

    pub fn start_with(r: &Roster, extra: &[&str]) -> Scim {
        let key = create_key(r, "okta", "scim");
        let mut args = vec!["--rate-limit", "100000/s"];
        args.extend_from_slice(extra);
        Scim {
            server: Server::start(r, &args),
            key,
        }
    }

    /// A request with this key; `path` under `/scim/v2`.
    pub fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.send_as(&self.key, method, path, body)
    }

    pub fn send_as(&self, key: &str, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = client()
            .request(method, self.server.url(&format!("/scim/v2{path}")))
            .bearer_auth(key);
        if let Some(b) = body {
            request = request
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        Reply::from(request.send())
    }

    pub fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None)
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, Some(body))
    }

    pub fn put(&self, path: &str, body: &Value) -> Reply {
        self.send("PUT", path, Some(body))
    }

    pub fn patch(&self, path: &str, ops: Value) -> Reply {
        self.send(
            "PATCH",
            path,
            Some(&json!({"schemas": [PATCH], "Operations": ops})),
        )
    }

    pub fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None)
    }

    /// `POST /Users` that must succeed; the new User.
    #[track_caller]
    pub fn create_user(&self, body: Value) -> Value {
        let reply = self.post("/Users", &body);
        assert_eq!(reply.status, 201, "{}", reply.text());
        let doc = reply.json();
        crate::schema_check::assert_valid("scim_resource", &doc);
        doc
    }

    /// The list of `GET /Users?filter=...` (URL-encoded here).
    #[track_caller]
    pub fn filter(&self, resource: &str, filter: &str) -> Value {
        let query: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
        let reply = self.get(&format!("/{resource}?filter={query}"));
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()
    }
}

/// A User as Okta's documentation sends one.
pub fn user(user_name: &str, email: Option<&str>, external_id: &str) -> Value {
    let mut u = json!({
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": "Test", "familyName": "User"},
        "displayName": "Test User",
        "externalId": external_id,
        "active": true,
    });
    if let Some(e) = email {
        u["emails"] = json!([{"primary": true, "value": e, "type": "work"}]);
    }
    u
}

/// Asserts a SCIM error document: the status, `scimType` and `detail`.
#[track_caller]
pub fn assert_error(reply: &Reply, status: u16, scim_type: Option<&str>, detail: &str) {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/scim+json"),
        "{}",
        reply.text()
    );
    let doc = reply.json();
    crate::schema_check::assert_valid("scim_error", &doc);
    assert_eq!(doc["schemas"], json!([ERROR]));
    assert_eq!(doc["status"], status.to_string());
    assert_eq!(doc["scimType"].as_str(), scim_type, "{doc}");
    assert!(
        doc["detail"].as_str().is_some_and(|d| d.contains(detail)),
        "{doc}"
    );
}
