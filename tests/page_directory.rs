//! The directory reads the admin page uses, over plain HTTP with a key (issue 24):
//! `GET /v1/members/counts` is the count of each status that `roster members` shows, and
//! `GET /v1/members/search` finds members by email, external_id, phone or name, a page at a
//! time through the `Link` header, each as `GET /v1/members/{id}` shows it.

use crate::harness::{Roster, fixture};
use crate::schema_check::assert_valid;
use crate::server_harness::{Server, create_key};

fn served() -> (Roster, Server, String) {
    let r = Roster::new();
    r.args(&["import", &fixture("valid/staff.csv")]).run();
    r.args(&["members", "ban", "li.lei02@example.com"]).run();
    let key = create_key(&r, "auditor", "read");
    let server = Server::start(&r, &[]);
    (r, server, key)
}

#[test]
fn counts_are_the_stores_by_status() {
    let (r, server, key) = served();
    let counts = server.get("/v1/members/counts", &key);
    assert_eq!(counts.status, 200);
    let counts = counts.json();
    assert_valid("member_counts", &counts);
    assert_eq!(counts["total"], 64);
    assert_eq!(counts["by_status"]["BANNED"], 1);
    let sum: u64 = counts["by_status"]
        .as_object()
        .expect("statuses")
        .values()
        .map(|n| n.as_u64().expect("a count"))
        .sum();
    assert_eq!(sum, 64);
    let current = r.args(&["export", "--format", "json"]).run().json();
    let banned_or_inactive = counts["by_status"]["BANNED"].as_u64().unwrap_or(0)
        + counts["by_status"]["INACTIVE"].as_u64().unwrap_or(0);
    assert_eq!(
        current.as_array().expect("members").len() as u64,
        64 - banned_or_inactive
    );
    server
        .get("/v1/members/counts?status=ACTIVE", &key)
        .problem(400, "Unknown query parameter: status.");
}

#[test]
fn search_finds_by_any_identifier_or_name_and_pages_by_link() {
    let (_r, server, key) = served();
    let one = server.get("/v1/members/search?q=LI.LEI02%40EXAMPLE.COM", &key);
    assert_eq!(one.status, 200);
    let found = one.json();
    assert_valid("members", &found);
    assert_eq!(found.as_array().expect("a page").len(), 1);
    let member = server.get("/v1/members/li.lei02@example.com", &key).json();
    assert_eq!(found[0]["email"], member["email"]);
    assert_eq!(found[0]["status"], "BANNED");
    assert_eq!(one.header("link"), None);
    // Everyone's email holds "example": 64 members, 25 a page, each once.
    let mut seen = std::collections::BTreeSet::new();
    let mut next = Some("/v1/members/search?q=example&limit=25".to_string());
    let mut pages = 0;
    while let Some(path) = next {
        let page = server.get(&path, &key);
        assert_eq!(page.status, 200, "{path}");
        for m in page.json().as_array().expect("a page") {
            assert!(seen.insert(m["email"].as_str().expect("an email").to_string()));
        }
        next = page.header("link").map(|l| {
            l.trim_start_matches('<')
                .split_once('>')
                .expect("a link")
                .0
                .to_string()
        });
        pages += 1;
    }
    assert_eq!((seen.len(), pages), (64, 3));
    let none = server.get("/v1/members/search?q=nobody-here", &key);
    assert_eq!(none.json(), serde_json::json!([]));
    server
        .get("/v1/members/search", &key)
        .problem(400, "Invalid query parameter q: say what to search for.");
    server
        .get("/v1/members/search?q=x&cursor=abc", &key)
        .problem(
            400,
            "Invalid query parameter cursor: invalid digit found in string.",
        );
}
