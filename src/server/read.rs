//! The endpoints that change nothing (SPEC §12): import history, members, audit log, health.
//! Each answers with what the matching `roster ... --output json` (or the export) prints.

use super::App;
use super::params::Params;
use super::problem::Problem;
use crate::error::ServeError;
use crate::model::Status;
use crate::report;
use crate::report::export::ExportFormat;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

type Answer = Result<Response, Problem>;

/// Imports per page of `GET /v1/imports` unless `limit` says otherwise, and the most it may say.
const PAGE: usize = 50;
const MAX_PAGE: usize = 1000;

pub fn json_response(value: &impl serde::Serialize) -> Response {
    let mut body = serde_json::to_vec_pretty(value).unwrap_or_default();
    body.push(b'\n');
    bytes_response("application/json", body)
}

pub fn bytes_response(content_type: &'static str, body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The server runs (no key needed)", content_type = "application/json")))]
pub async fn healthz() -> Response {
    json_response(&serde_json::json!({"status": "ok"}))
}

#[utoipa::path(get, path = "/v1/imports", tag = "history",
    params(("limit" = Option<u32>, Query, description = "Imports per page (default 50, at most 1000)"),
           ("before" = Option<i64>, Query, description = "Only imports with a smaller id (the next page)")),
    responses((status = 200, description = "Imports, newest first, as `roster imports list --output json`; a `Link: <...>; rel=\"next\"` header when there are more", content_type = "application/json")),
    security(("bearer" = [])))]
pub async fn imports(State(app): State<Arc<App>>, params: Params) -> Answer {
    params.only(&["limit", "before"])?;
    let limit = params
        .parse::<usize>("limit")?
        .unwrap_or(PAGE)
        .clamp(1, MAX_PAGE);
    let before = params.parse::<i64>("before")?;
    let all = app.db.run(|s| s.imports()).await?;
    let older: Vec<_> = all
        .into_iter()
        .filter(|r| before.is_none_or(|b| r.id < b))
        .collect();
    let page = &older[..limit.min(older.len())];
    let page_json: Vec<_> = page.iter().map(report::json::import_record).collect();
    let mut response = json_response(&page_json);
    if older.len() > limit
        && let Some(last) = page.last()
    {
        let link = format!(
            "</v1/imports?limit={limit}&before={}>; rel=\"next\"",
            last.id
        );
        if let Ok(v) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, v);
        }
    }
    Ok(response)
}

#[utoipa::path(get, path = "/v1/imports/{id}", tag = "history",
    params(("id" = i64, Path, description = "The import's id")),
    responses((status = 200, description = "One import, as `roster imports show ID --output json`, with `progress` while it is RUNNING", content_type = "application/json"),
              (status = 400, description = "The id is not a whole number", content_type = "application/problem+json"),
              (status = 404, description = "No such import", content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn import(State(app): State<Arc<App>>, id: Path<String>) -> Answer {
    let id = import_id(id)?;
    let record = app.db.run(move |s| s.import(id)).await?;
    let record = record.ok_or_else(|| Problem::not_found(ServeError::NoImport(id)))?;
    let mut value = report::json::versioned(report::json::import_record(&record));
    if record.status == "RUNNING"
        && let (Some(progress), serde_json::Value::Object(map)) = (app.progress_of(id), &mut value)
    {
        map.insert("progress".into(), progress);
    }
    Ok(json_response(&value))
}

#[utoipa::path(get, path = "/v1/imports/{id}/errors", tag = "history",
    params(("id" = i64, Path, description = "The import's id")),
    responses((status = 200, description = "The error report CSV (empty when the import had no row errors)", content_type = "text/csv"),
              (status = 404, description = "No such import", content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn import_errors(State(app): State<Arc<App>>, id: Path<String>) -> Answer {
    let id = import_id(id)?;
    let csv = app
        .db
        .run(move |s| match s.import(id)? {
            Some(_) => Ok(Some(s.import_errors_csv(id)?.unwrap_or_default())),
            None => Ok::<_, crate::error::StoreError>(None),
        })
        .await?;
    let csv = csv.ok_or_else(|| Problem::not_found(ServeError::NoImport(id)))?;
    Ok(bytes_response("text/csv; charset=utf-8", csv))
}

#[utoipa::path(get, path = "/v1/imports/{id}/original", tag = "history",
    params(("id" = i64, Path, description = "The import's id")),
    responses((status = 200, description = "The file as it was sent, byte for byte", content_type = "application/octet-stream"),
              (status = 404, description = "No such import", content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn import_original(State(app): State<Arc<App>>, id: Path<String>) -> Answer {
    let id = import_id(id)?;
    let bytes = app.db.run(move |s| s.import_original(id)).await?;
    let bytes = bytes.ok_or_else(|| Problem::not_found(ServeError::NoImport(id)))?;
    Ok(bytes_response("application/octet-stream", bytes))
}

#[utoipa::path(get, path = "/v1/members", tag = "members",
    params(("status" = Option<String>, Query, description = "Only these statuses, comma-separated (default: all but INACTIVE and BANNED)")),
    responses((status = 200, description = "The export, as `roster export`: CSV (the default, or `Accept: text/csv`), JSON (`application/json`) or NDJSON (`application/x-ndjson`), by `Accept` (q-values and wildcards; `Vary: Accept`); gzip or zstd by `Accept-Encoding`", content_type = "text/csv"),
              (status = 406, description = "Accept names none of the three types", content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn members(State(app): State<Arc<App>>, headers: HeaderMap, params: Params) -> Answer {
    params.only(&["status"])?;
    let statuses = statuses(params.get("status"))?;
    let (format, content_type) = export_format(&headers)?;
    let mut response = super::stream::streamed(&app, content_type, move |store, out| {
        report::export::write(store, format, &statuses, out)
    })
    .await?;
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

/// The export format `Accept` prefers (CSV when it names none); `406` when it accepts none of
/// the three.
fn export_format(headers: &HeaderMap) -> Result<(ExportFormat, &'static str), Problem> {
    const OFFERED: &[&str] = &["text/csv", "application/json", "application/x-ndjson"];
    match super::negotiate::choose(headers, OFFERED) {
        Some("application/x-ndjson") => Ok((ExportFormat::Ndjson, "application/x-ndjson")),
        Some("application/json") => Ok((ExportFormat::Json, "application/json")),
        Some(_) => Ok((ExportFormat::Csv, "text/csv; charset=utf-8")),
        None => Err(Problem::of(ServeError::NotAcceptable(
            "text/csv, application/json or application/x-ndjson",
        ))
        .with_header(header::VARY, "Accept")),
    }
}

/// An import's id from the path: a whole number, else `400` naming it.
fn import_id(Path(id): Path<String>) -> Result<i64, Problem> {
    id.parse().map_err(|_| {
        Problem::bad_request(ServeError::BadRequest(format!(
            "the import id '{id}' is not a whole number"
        )))
    })
}

fn statuses(given: Option<&str>) -> Result<Vec<Status>, Problem> {
    given
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(|s| {
            // `status=` or `status=ACTIVE,` names no status: refused, as the OpenAPI
            // document's `minItems` and `enum` say, rather than read as "all".
            if s.trim().is_empty() {
                return Err(Problem::bad_request(ServeError::BadParameter {
                    name: "status".into(),
                    reason: "an empty status; give PROVISIONED, INVITED, ACTIVE, INACTIVE or BANNED, comma-separated".into(),
                }));
            }
            s.trim()
                .to_ascii_uppercase()
                .parse::<Status>()
                .map_err(|_| {
                    Problem::bad_request(ServeError::BadParameter {
                        name: "status".into(),
                        reason: format!("unknown status '{}'", s.trim()),
                    })
                })
        })
        .collect()
}

#[utoipa::path(get, path = "/v1/members/{id}", tag = "members",
    params(("id" = String, Path, description = "The member's email, external_id or phone")),
    responses((status = 200, description = "One member, as `roster members show ID --output json`", content_type = "application/json"),
              (status = 404, description = "No such member", content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn member(State(app): State<Arc<App>>, Path(id): Path<String>) -> Answer {
    let wanted = id.clone();
    let found = app
        .db
        .run(move |s| match s.find_member(&wanted)? {
            Some(found) => {
                let mark = s.missing_marks()?.get(&found.member.id).copied();
                Ok(Some((found, mark)))
            }
            None => Ok::<_, crate::error::StoreError>(None),
        })
        .await?;
    let (found, mark) = found.ok_or_else(|| Problem::not_found(ServeError::NoMember(id)))?;
    let teams: Vec<(&str, crate::model::Role)> =
        found.teams.iter().map(|(t, r)| (t.as_str(), *r)).collect();
    let member = report::export::member_json(&found.member, &teams);
    Ok(json_response(&report::json::versioned(
        report::export::with_mark(member, mark.as_ref()),
    )))
}

#[utoipa::path(get, path = "/v1/log", tag = "history",
    params(("member" = Option<String>, Query, description = "Only this member's events (email, external_id or phone)"),
           ("import" = Option<i64>, Query, description = "Only this import's events"),
           ("limit" = Option<u32>, Query, description = "Only the newest N events (as `roster log --limit N`); without it, every event")),
    responses((status = 200, description = "Audit events, newest first, as `roster log --output json`", content_type = "application/json"),
              (status = 404, description = "No such member", content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn log(State(app): State<Arc<App>>, params: Params) -> Answer {
    params.only(&["member", "import", "limit"])?;
    let import = params.parse::<i64>("import")?;
    let newest = params.parse::<usize>("limit")?;
    let member = params.get("member").map(str::to_string);
    let wanted = member.clone();
    let events = app
        .db
        .run(move |s| {
            let member_id = match &wanted {
                Some(id) => match crate::store::shared::member_id_ever(&*s, id)? {
                    Some(found) => Some(found),
                    None => return Ok::<_, crate::error::StoreError>(None),
                },
                None => None,
            };
            let mut events = s.audit(crate::store::AuditQuery {
                member: member_id,
                import,
                newest,
                ..Default::default()
            })?;
            // Newest first, as `roster log`.
            events.reverse();
            Ok(Some(report::json::log_events(&events, &*s)))
        })
        .await?;
    let events = events
        .ok_or_else(|| Problem::not_found(ServeError::NoMember(member.unwrap_or_default())))?;
    Ok(json_response(&events))
}
