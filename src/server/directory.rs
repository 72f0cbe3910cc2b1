//! The member directory's small reads, for the admin page and any client that must not
//! download the whole export: `GET /v1/members/counts` (how many members have each status,
//! counted by the store) and `GET /v1/members/search?q=&limit=&cursor=` (members whose email,
//! external_id, phone or name contains `q`, a page at a time, by id).
//!
//! The search walks the store's member stream (`each_member`) and stops as soon as the page
//! is full: no new store query, at the cost of a scan when few members match.

use super::App;
use super::params::Params;
use super::problem::Problem;
use super::read::json_response;
use crate::error::{ServeError, StoreError};
use crate::model::{Field, Member, Status};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::sync::Arc;

type Answer = Result<Response, Problem>;

/// Members per page of a search unless `limit` says otherwise, and the most it may say.
const PAGE: usize = 20;
const MAX_PAGE: usize = 200;
const STATUSES: [Status; 5] = [
    Status::Active,
    Status::Invited,
    Status::Provisioned,
    Status::Inactive,
    Status::Banned,
];
/// The fields a search looks in.
const SEARCHED: [Field; 6] = [
    Field::Email,
    Field::ExternalId,
    Field::Phone,
    Field::Name,
    Field::FirstName,
    Field::LastName,
];

#[utoipa::path(get, path = "/v1/members/counts", tag = "members",
    responses((status = 200, description = "How many members have each status: `{\"total\": n, \"by_status\": {\"ACTIVE\": n, ...}}`", content_type = "application/json")),
    security(("bearer" = [])))]
pub async fn counts(State(app): State<Arc<App>>, params: Params) -> Answer {
    params.only(&[])?;
    let counts = app
        .db
        .run(|s| {
            STATUSES
                .iter()
                .map(|st| Ok((st.as_str(), s.count_members(&[*st])?)))
                .collect::<Result<Vec<_>, StoreError>>()
        })
        .await?;
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let by_status: Map<String, Value> = counts
        .into_iter()
        .map(|(k, n)| (k.to_string(), json!(n)))
        .collect();
    Ok(json_response(
        &json!({"total": total, "by_status": by_status}),
    ))
}

#[utoipa::path(get, path = "/v1/members/search", tag = "members",
    params(("q" = String, Query, description = "Text that the member's email, external_id, phone or name contains (any case); not only spaces", min_length = 1, pattern = "\\S"),
           ("limit" = Option<u32>, Query, description = "Members per page (default 20, at most 200)"),
           ("cursor" = Option<i64>, Query, description = "From the `Link` header's next page: members after this one")),
    responses((status = 200, description = "Members of any status, by id, as `roster members show ID --output json` shows each; a `Link: <...>; rel=\"next\"` header when there are more", content_type = "application/json"),
              (status = 400, description = "No `q`, or a bad `limit` or `cursor`", content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn search(State(app): State<Arc<App>>, params: Params) -> Answer {
    params.only(&["q", "limit", "cursor"])?;
    let q = params.get("q").unwrap_or("").trim().to_lowercase();
    if q.is_empty() {
        return Err(Problem::bad_request(ServeError::BadParameter {
            name: "q".into(),
            reason: "say what to search for".into(),
        }));
    }
    let limit = params
        .parse::<usize>("limit")?
        .unwrap_or(PAGE)
        .clamp(1, MAX_PAGE);
    let after = params.parse::<i64>("cursor")?.unwrap_or(0);
    let wanted = q.clone();
    let (found, more) = app
        .db
        .run(move |s| matches(&*s, &wanted, after, limit))
        .await?;
    let mut response = json_response(&found.iter().map(|(_, v)| v).collect::<Vec<_>>());
    if more && let Some((last, _)) = found.last() {
        let q = encode(&q);
        let link = format!("</v1/members/search?q={q}&limit={limit}&cursor={last}>; rel=\"next\"");
        if let Ok(v) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, v);
        }
    }
    Ok(response)
}

/// Up to `limit` members after id `after` whose searched fields contain `q`, and whether
/// more follow.
fn matches(
    store: &crate::store::Store,
    q: &str,
    after: i64,
    limit: usize,
) -> Result<(Vec<(i64, Value)>, bool), StoreError> {
    let mut found = Vec::new();
    let mut more = false;
    let result = store.each_member(&STATUSES, &mut |m, teams| {
        if m.id <= after || !contains(m, q) {
            return Ok(());
        }
        if found.len() == limit {
            more = true;
            return Err(std::io::Error::other(PageFull));
        }
        found.push((m.id, crate::report::export::member_json(m, teams)));
        Ok(())
    });
    match result {
        Err(StoreError::Io(e)) if e.get_ref().is_some_and(|e| e.is::<PageFull>()) => {
            Ok((found, more))
        }
        other => other.map(|()| (found, more)),
    }
}

/// Stops the member stream once a search's page is full (the visitor's only way to stop it).
#[derive(Debug, thiserror::Error)]
#[error("the page is full")]
struct PageFull;

fn contains(m: &Member, q: &str) -> bool {
    SEARCHED
        .iter()
        .filter_map(|f| m.get(*f))
        .any(|v| v.to_lowercase().contains(q))
}

/// `q` for a query string: unreserved characters as they are, every other byte as `%XX`.
fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}
