//! `GET /v1/openapi.json`: the OpenAPI 3.1 document of every endpoint, generated (utoipa) from
//! the declarations on the handlers themselves, so it cannot drift from the code.

use super::read::bytes_response;
use axum::response::Response;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "roster sync API",
        description = "Push a roster to roster's store and read its history: the same pipeline, options, messages and result document as `roster import`. Every endpoint but /healthz needs `Authorization: Bearer <key>` (`roster keys create`). Answers without a result document are application/problem+json (RFC 9457)."
    ),
    paths(
        super::sync::sync,
        super::revert::revert,
        super::read::imports,
        super::read::import,
        super::read::import_errors,
        super::read::import_original,
        super::read::members,
        super::read::member,
        super::read::log,
        super::read::healthz,
        openapi,
    ),
    modifiers(&BearerKeys),
)]
struct ApiDoc;

struct BearerKeys;

impl utoipa::Modify for BearerKeys {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("rst_ key from `roster keys create`")
            .build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document, pretty-printed, with a final newline.
pub fn document() -> String {
    let mut text = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

#[utoipa::path(get, path = "/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This document", content_type = "application/json")),
    security(("bearer" = [])))]
pub async fn openapi() -> Response {
    bytes_response("application/json", document().into_bytes())
}
