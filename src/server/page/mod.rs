//! The admin page of `roster serve` (issue 16): `GET /` (the sign-in form, or the page), its
//! static files built into the binary (`assets/`: HTML, CSS and a little JavaScript, no build
//! step), `POST /login` and `POST /logout` (`login`), the sessions (`session`) that stand in for
//! a bearer key on `/v1/*`, and `POST /page/preview` (`preview`: the plan as an HTML fragment,
//! and a dry run's error report CSV).
//!
//! Every page answer carries a Content-Security-Policy that allows nothing but this server
//! (no inline script, no other origin), and is never cached.

mod login;
mod preview;
pub mod session;

pub use login::session_caller;

use super::App;
use crate::keys::Scope;
use crate::report::html::{PLAN_CSS, escape};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;

const INDEX: &str = include_str!("assets/index.html");
const LOGIN: &str = include_str!("assets/login.html");
const APP_JS: &str = include_str!("assets/app.js");
const LISTS_JS: &str = include_str!("assets/lists.js");
const APP_CSS: &str = include_str!("assets/app.css");
/// The page's icon, an SVG, at `/favicon.svg` and at the `/favicon.ico` browsers ask for.
const FAVICON: &str = include_str!("assets/favicon.svg");

/// Only this server: scripts from /lists.js and /app.js, styles from /plan.css and /app.css, requests to
/// itself; no frames, no inline script or style.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
     object-src 'none'";

/// The page's routes (merged into the server's router, outside the bearer-key layer).
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(index))
        .route(
            "/app.js",
            get(|| asset("text/javascript; charset=utf-8", APP_JS)),
        )
        .route(
            "/lists.js",
            get(|| asset("text/javascript; charset=utf-8", LISTS_JS)),
        )
        .route(
            "/app.css",
            get(|| asset("text/css; charset=utf-8", APP_CSS)),
        )
        .route(
            "/plan.css",
            get(|| asset("text/css; charset=utf-8", PLAN_CSS)),
        )
        .route("/favicon.svg", get(|| asset("image/svg+xml", FAVICON)))
        .route("/favicon.ico", get(|| asset("image/svg+xml", FAVICON)))
        .route("/login", post(login::login))
        .route("/logout", post(login::logout))
}

/// The routes that need a session or a key (inside the bearer-key layer).
pub fn keyed_routes() -> Router<Arc<App>> {
    Router::new()
        .route("/page/preview", post(preview::preview))
        .route("/page/preview/{token}/errors", get(preview::errors))
}

/// `GET /`: the page for a live session, else the sign-in form.
async fn index(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let session = match session::token(&headers) {
        Some(token) => app
            .db
            .run(move |s| session::get(s, &token))
            .await
            .ok()
            .flatten(),
        None => None,
    };
    match session {
        Some(s) => {
            let read = s.scope == Scope::Read;
            let page = INDEX
                .replace("{{name}}", &escape(&s.name))
                .replace("{{scope}}", s.scope.as_str())
                .replace("{{csrf}}", &s.csrf)
                .replace("{{read_only_hidden}}", if read { "" } else { "hidden" });
            html(StatusCode::OK, page)
        }
        None => login_page(StatusCode::OK, None),
    }
}

/// The sign-in form, with a message when the last try failed.
fn login_page(status: StatusCode, error: Option<&str>) -> Response {
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" role=\"alert\" id=\"login-error\">{}</p>",
                escape(e)
            )
        })
        .unwrap_or_default();
    html(status, LOGIN.replace("{{error}}", &error))
}

/// An HTML answer with the page's security headers.
fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    secure(response.headers_mut(), "text/html; charset=utf-8");
    response
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    secure(response.headers_mut(), content_type);
    response
}

fn secure(headers: &mut HeaderMap, content_type: &'static str) {
    let fixed = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
}
