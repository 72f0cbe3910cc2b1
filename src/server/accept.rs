//! The invitation link (SPEC §13) served by `roster serve`: `GET /invitations/{token}` shows a
//! page that only asks for a confirmation, `POST` to the same address accepts. A mail scanner
//! that fetches the link therefore accepts nothing. No API key: the token is the credential;
//! requests are limited per client address. Pages are small, self-contained HTML, never
//! cached, never framed, and send no `Referer` (the token is in the address).

use super::App;
use super::client::ClientAddr;
use super::limits::KeyRates;
use crate::error::{InvitationError, ServeError};
use crate::invitations::{self, AcceptOutcome};
use crate::report::html::escape;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;
use std::sync::Arc;

/// Requests (GET and POST together) one client address may make on invitation links.
pub const PER_ADDRESS: &str = "20/min";

/// The per-address quota of the invitation pages.
pub fn rates() -> KeyRates {
    KeyRates::new(PER_ADDRESS.parse().unwrap_or_else(|_| unreachable!()))
}

/// `GET`: the confirmation page; the store is not touched.
pub async fn confirm(
    State(app): State<Arc<App>>,
    Extension(ClientAddr(peer)): Extension<ClientAddr>,
) -> Response {
    if let Some(refused) = limit(&app, peer) {
        return refused;
    }
    page(
        StatusCode::OK,
        "Accept your invitation",
        "<p>To accept your invitation and activate your membership, press the button.</p>\n\
         <form method=\"post\"><button type=\"submit\">Accept the invitation</button></form>",
    )
}

/// `POST`: accepts the invitation and says how it went.
pub async fn accept(
    State(app): State<Arc<App>>,
    Extension(ClientAddr(peer)): Extension<ClientAddr>,
    Path(token): Path<String>,
) -> Response {
    if let Some(refused) = limit(&app, peer) {
        return refused;
    }
    let operator = format!("invitation link ({peer})");
    let result = app
        .db
        .run(move |s| invitations::accept(s, &token, &operator))
        .await;
    outcome(result)
}

fn outcome(result: Result<AcceptOutcome, InvitationError>) -> Response {
    let (status, title) = match &result {
        Ok(_) => (StatusCode::OK, "Invitation accepted"),
        Err(InvitationError::UnknownToken) => (StatusCode::NOT_FOUND, "Invitation not valid"),
        Err(
            InvitationError::UsedToken
            | InvitationError::CancelledToken
            | InvitationError::NotInvited { .. },
        ) => (StatusCode::GONE, "Invitation not accepted"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "Please try again"),
    };
    let message = match result {
        Ok(_) => crate::error::msg::INVITATION_ACCEPTED.to_string(),
        Err(
            e @ (InvitationError::UnknownToken
            | InvitationError::UsedToken
            | InvitationError::CancelledToken
            | InvitationError::NotInvited { .. }),
        ) => e.to_string(),
        Err(_) => ServeError::AcceptUnavailable.to_string(),
    };
    page(status, title, &format!("<p>{}</p>", escape(&message)))
}

/// Counts one request of the client's address; a `429` page when it has made too many.
fn limit(app: &App, peer: IpAddr) -> Option<Response> {
    app.link_rates
        .check(&peer.to_string())
        .err()
        .map(|refused| {
            let wait = refused
                .headers
                .iter()
                .find(|(k, _)| k == header::RETRY_AFTER)
                .and_then(|(_, v)| v.to_str().ok()?.parse().ok())
                .unwrap_or(60);
            let message = ServeError::TooManyFromAddress(wait).to_string();
            let mut response = page(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                &format!("<p>{}</p>", escape(&message)),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
            response
        })
}

/// A whole HTML page with the headers every invitation page carries.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{title}</title>\n</head>\n\
         <body style=\"font-family: sans-serif; max-width: 36em; margin: 3em auto; padding: 0 1em\">\n\
         <h1>{title}</h1>\n{body}\n</body>\n</html>\n"
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href='x'>&\""),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
    }

    #[test]
    fn refusals_keep_the_contract_message() {
        let r = outcome(Err(InvitationError::UsedToken));
        assert_eq!(r.status(), StatusCode::GONE);
        let r = outcome(Err(InvitationError::UnknownToken));
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}
