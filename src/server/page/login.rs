//! `POST /login` (an API key in, a session cookie out), `POST /logout`, and the session as a
//! caller of `/v1/*` in place of a bearer key.
//!
//! Cross-site requests: the cookie is `SameSite=Strict`; a POST whose `Origin` is another
//! site, or whose `Sec-Fetch-Site` says `cross-site`, is refused; and every POST made with a
//! session must carry the session's CSRF token (the `csrf` form field, or the `X-CSRF-Token`
//! header of the page's requests).

use super::super::App;
use super::super::auth::{Caller, key_caller};
use super::super::client::ClientAddr;
use super::super::problem::Problem;
use super::{login_page, session};
use crate::error::ServeError;
use crate::keys;
use axum::Extension;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

/// What the sign-in page says to a key that was not accepted (never which check failed).
pub const NOT_ACCEPTED: &str = "That key was not accepted. Check it and try again.";
const CSRF_HEADER: &str = "x-csrf-token";

#[derive(serde::Deserialize)]
pub struct LoginForm {
    key: String,
}

#[derive(serde::Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

pub async fn login(
    State(app): State<Arc<App>>,
    client: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    if cross_site(&headers) {
        return forbidden();
    }
    let token = form.map(|Form(f)| f.key).unwrap_or_default();
    // The key first: a valid key signs in whatever others did from the same address. Failed
    // sign-ins have a limit of their own, apart from the API's.
    let caller = match key_caller(&app, token.trim()).await {
        Ok(caller) => caller,
        Err(_) => {
            let ip = client.map_or(std::net::Ipv4Addr::UNSPECIFIED.into(), |c| c.0.0);
            return match app.login_failures.failed(ip) {
                Err(refused) => login_page(refused.status, Some(&refused.detail)),
                Ok(()) => login_page(StatusCode::UNAUTHORIZED, Some(NOT_ACCEPTED)),
            };
        }
    };
    let hash = keys::hash(token.trim());
    let created = app
        .db
        .run(move |s| session::create(s, caller.name, caller.scope, hash))
        .await;
    let session = match created {
        Ok(session) => session,
        Err(e) => return Problem::from(e).into_response(),
    };
    let https = headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let mut response = Redirect::to("/").into_response();
    if let Ok(cookie) = session::cookie(&session, https).parse() {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

pub async fn logout(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    let token = session::token(&headers);
    let live = match token.clone() {
        Some(t) => app
            .db
            .run(move |s| session::get(s, &t))
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let csrf = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if cross_site(&headers)
        || live
            .as_ref()
            .is_some_and(|s| !session::same(&s.csrf, &csrf))
    {
        return forbidden();
    }
    if let Some(token) = token
        && let Err(e) = app.db.run(move |s| session::end(s, &token)).await
    {
        return Problem::from(e).into_response();
    }
    let mut response = Redirect::to("/").into_response();
    if let Ok(cookie) = session::expired_cookie().parse() {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// The caller of a request made with a session cookie and no `Authorization` header: `None`
/// when it has none of the two (the bearer check then answers). The key is looked up again,
/// so that a revoked key's sessions end at once; a POST needs the CSRF token.
pub async fn session_caller(
    app: &Arc<App>,
    method: &Method,
    headers: &HeaderMap,
) -> Option<Result<Caller, Problem>> {
    if headers.contains_key(header::AUTHORIZATION) {
        return None;
    }
    let token = session::token(headers)?;
    let looked_up = token.clone();
    let s = match app.db.run(move |s| session::get(s, &looked_up)).await {
        Ok(Some(s)) => s,
        Ok(None) => return Some(Err(Problem::unauthorized(ServeError::SessionExpired))),
        Err(e) => return Some(Err(Problem::from(e))),
    };
    if method != Method::GET && method != Method::HEAD {
        let sent = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if cross_site(headers) || !session::same(&s.csrf, sent) {
            return Some(Err(Problem::of(ServeError::CrossSite)));
        }
    }
    // A revoked key ends its sessions: the key is looked up on every request.
    Some(super::super::auth::caller_by_hash(app, s.key_hash.clone()).await)
}

/// A request another site made. A browser's `Sec-Fetch-Site` decides when present (only
/// `same-origin` and `none`, a typed address, pass); else an `Origin` must name `Host`. The page's
/// `Referrer-Policy: no-referrer` makes Chromium send `Origin: null` on its own form posts, so
/// the origin is only the fallback for clients that do not send `Sec-Fetch-Site`.
fn cross_site(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match (text("origin"), text("host")) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_none_or(|(_, authority)| !authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => true,
        _ => false,
    }
}

fn forbidden() -> Response {
    Problem::of(ServeError::CrossSite).into_response()
}

#[cfg(test)]
mod tests {
    use super::cross_site;
    use axum::http::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn another_origin_is_cross_site() {
        let same = [
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ];
        assert!(!cross_site(&headers(&same)));
        assert!(!cross_site(&headers(&[("host", "127.0.0.1:8080")])));
        let other = [
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080"),
        ];
        assert!(cross_site(&headers(&other)));
        assert!(cross_site(&headers(&[("origin", "null"), ("host", "h")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        let own_form = [("sec-fetch-site", "same-origin"), ("origin", "null")];
        assert!(!cross_site(&headers(&own_form)));
    }
}
