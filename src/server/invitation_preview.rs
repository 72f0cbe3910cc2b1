//! `GET /v1/invitations/preview` (issue 28): the HTML of the invitation the sample member would
//! get, rendered from the store's settings as `roster invitations preview --output html` does,
//! for the admin page's preview beside the mail settings. Nothing is sent and nothing written.
//! The answer is sandboxed by its own Content-Security-Policy: no script, nothing fetched (the
//! logo is a `data:` URI), framed only by this server's page.

use super::App;
use super::problem::Problem;
use crate::invitations::preview;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Inline styles (the message's own) and data: images; nothing else, not even a script.
pub const CSP: &str = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; \
     frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

#[utoipa::path(get, path = "/v1/invitations/preview", tag = "invitations",
    responses((status = 200, description = "The HTML part of the invitation a sample member would get now, as `roster invitations preview --output html`; nothing is sent", content_type = "text/html")),
    security(("bearer" = [])))]
pub async fn invitation_preview(State(app): State<Arc<App>>) -> Result<Response, Problem> {
    let settings = app.db.run(|s| preview::settings(s)).await?;
    let html = preview::html(&settings, &preview::sample());
    let mut response = html.into_response();
    let headers = response.headers_mut();
    let fixed = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    Ok(response)
}
