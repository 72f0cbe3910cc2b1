//! The sync API's HTTP details (issue 23): every error a problem document with the request's id,
//! `Accept` negotiated with `Vary`, the body's charset and the CLI's encoding, delimiter and map
//! options, gzip and zstd bodies within the byte limit after decompression, compressed answers,
//! one meaning of `RateLimit-Reset`, duplicates refused, the headers of every answer, and the
//! idempotency fingerprint.

use crate::harness::{Roster, members_csv};
use crate::server_harness::{Reply, Server, client, create_key};
use std::io::Read;

fn get(server: &Server, path: &str, key: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = client().get(server.url(path)).bearer_auth(key);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    Reply::from(request.send())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn every_refusal_of_the_framework_is_a_problem_document_with_the_request_id() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let bad_id = get(
        &server,
        "/v1/imports/abc",
        &key,
        &[("x-request-id", "req-1")],
    );
    bad_id.problem(
        400,
        "The request was not understood: the import id 'abc' is not a whole number.",
    );
    assert_eq!(bad_id.json()["request_id"], "req-1");
    assert_eq!(bad_id.header("x-request-id").as_deref(), Some("req-1"));
    assert!(!bad_id.text().contains("i64"), "{}", bad_id.text());
    let unknown = get(&server, "/v2/nothing", &key, &[]);
    unknown.problem(404, "No such endpoint: /v2/nothing.");
    let id = unknown.header("x-request-id").expect("a request id");
    assert_eq!(id.len(), 32);
    assert_eq!(unknown.json()["request_id"], id.as_str());
    let wrong_method = Reply::from(client().delete(server.url("/v1/imports")).send());
    wrong_method.problem(405, "Method not allowed on this endpoint.");
    let bad_query = get(&server, "/v1/imports?limit=abc", &key, &[]);
    assert_eq!(bad_query.status, 400);
    assert_eq!(
        bad_query.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let brotli = server.post(
        "",
        &key,
        "text/csv",
        b"email\n".to_vec(),
        &[("content-encoding", "br")],
    );
    brotli.problem(
        415,
        "The request body's Content-Encoding must be gzip, zstd or identity.",
    );
    // An unsafe X-Request-Id is replaced, and the id is in the log line.
    let odd = get(&server, "/healthz", &key, &[("x-request-id", "a b\"c")]);
    let new_id = odd.header("x-request-id").unwrap();
    assert_eq!(new_id.len(), 32);
    crate::support::wait_until(
        || server.stderr().contains(&format!(" id={new_id}")),
        "the request id in the log",
    );
}

#[test]
fn accept_is_negotiated_with_weights_case_and_wildcards_and_varies() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    assert_eq!(server.sync("", &key, &members_csv(1..=2)).status, 200);
    let cases = [
        ("Application/JSON;q=0.9, text/csv;q=0.1", "application/json"),
        ("application/*", "application/json"),
        (
            "text/csv;q=0, application/x-ndjson;q=0.5, */*;q=0.1",
            "application/x-ndjson",
        ),
        ("*/*", "text/csv; charset=utf-8"),
    ];
    for (accept, expected) in cases {
        let reply = get(&server, "/v1/members", &key, &[("accept", accept)]);
        assert_eq!(reply.status, 200, "{accept}");
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some(expected),
            "{accept}"
        );
        assert!(reply.header("vary").unwrap().contains("Accept"), "{accept}");
    }
    let refused = get(&server, "/v1/members", &key, &[("accept", "text/html")]);
    refused.problem(
        406,
        "None of the types in Accept can be given here; this endpoint answers text/csv, application/json or application/x-ndjson.",
    );
    // A sync's answer follows Accept too.
    let ndjson = server.post(
        "?dry_run=true",
        &key,
        "text/csv",
        members_csv(1..=2).into_bytes(),
        &[("accept", "application/json;q=0.1, Application/X-NDJSON")],
    );
    assert_eq!(
        ndjson.header("content-type").as_deref(),
        Some("application/x-ndjson")
    );
    assert!(ndjson.header("vary").unwrap().contains("Accept"));
}

#[test]
fn the_charset_and_the_clis_encoding_delimiter_and_map_options_are_honoured() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    // "René" in windows-1252: é is 0xE9.
    let latin = b"email;Vorname\nrene@example.com;Ren\xe9\n".to_vec();
    let query = "?delimiter=;&map=Vorname%3Dfirst_name";
    let by_charset = server.post(
        query,
        &key,
        "text/csv; charset=windows-1252",
        latin.clone(),
        &[],
    );
    assert_eq!(by_charset.status, 200, "{}", by_charset.text());
    assert_eq!(
        r.member("rene@example.com").first_name.as_deref(),
        Some("René")
    );
    let by_parameter = server.post(
        &format!("{query}&encoding=windows-1252&dry_run=true"),
        &key,
        "text/csv",
        latin,
        &[],
    );
    assert_eq!(by_parameter.status, 200, "{}", by_parameter.text());
    assert_eq!(by_parameter.json()["summary"]["unchanged"], 1);
    server
        .post("?delimiter=x", &key, "text/csv", b"email\n".to_vec(), &[])
        .problem(
            400,
            "Invalid query parameter delimiter: expected one of , ; tab |, got 'x'.",
        );
}

#[test]
fn gzip_and_zstd_bodies_are_read_within_the_byte_limit_after_decompression() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    r.args(&["config", "set", "max-bytes", "2000"]).run();
    let server = Server::start(&r, &[]);
    let csv = members_csv(1..=20);
    let gz = server.post(
        "",
        &key,
        "text/csv",
        gzip(csv.as_bytes()),
        &[("content-encoding", "gzip")],
    );
    assert_eq!(gz.status, 200, "{}", gz.text());
    assert_eq!(gz.json()["summary"]["created"], 20);
    let zst = zstd::encode_all(members_csv(21..=30).as_bytes(), 3).unwrap();
    let zs = server.post("", &key, "text/csv", zst, &[("content-encoding", "zstd")]);
    assert_eq!(zs.status, 200, "{}", zs.text());
    assert_eq!(zs.json()["summary"]["created"], 10);
    // 200 bytes of gzip that inflate past the 2000-byte limit.
    let big = members_csv(100..=300);
    let packed = gzip(big.as_bytes());
    assert!(packed.len() < 2000 && big.len() > 2000);
    let refused = server.post(
        "",
        &key,
        "text/csv",
        packed,
        &[("content-encoding", "gzip")],
    );
    assert_eq!(refused.status, 413, "{}", refused.text());
    assert_eq!(r.members().len(), 30);
}

#[test]
fn answers_are_compressed_when_asked() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    server.sync("", &key, &members_csv(1..=300));
    let plain = get(&server, "/v1/members", &key, &[]);
    assert_eq!(plain.header("content-encoding"), None);
    let gz = get(&server, "/v1/members", &key, &[("accept-encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding").as_deref(), Some("gzip"));
    assert!(
        gz.body.len() * 3 < plain.body.len(),
        "{} vs {}",
        gz.body.len(),
        plain.body.len()
    );
    assert_eq!(gunzip(&gz.body), plain.body);
    let zs = get(&server, "/v1/members", &key, &[("accept-encoding", "zstd")]);
    assert_eq!(zs.header("content-encoding").as_deref(), Some("zstd"));
    assert_eq!(zstd::decode_all(&zs.body[..]).unwrap(), plain.body);
    let vary: Vec<String> = gz
        .headers
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(
        vary.iter().any(|v| v.contains("accept-encoding")),
        "{vary:?}"
    );
}

#[test]
fn ratelimit_reset_means_the_same_on_a_429() {
    let r = Roster::new();
    let key = create_key(&r, "a", "read");
    let server = Server::start(&r, &["--rate-limit", "3/min"]);
    let mut resets = Vec::new();
    for _ in 0..3 {
        let ok = server.get("/v1/imports", &key);
        resets.push(
            ok.header("ratelimit-reset")
                .unwrap()
                .parse::<u64>()
                .unwrap(),
        );
    }
    let refused = server.get("/v1/imports", &key);
    assert_eq!(refused.status, 429);
    let reset: u64 = refused.header("ratelimit-reset").unwrap().parse().unwrap();
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    // Seconds until the quota is whole: 60 after the third request, still about 60 now,
    // while Retry-After is when one more request is allowed.
    assert!((58..=60).contains(&resets[2]), "{resets:?}");
    assert!((58..=60).contains(&reset) && retry <= 20, "{reset} {retry}");
}

#[test]
fn duplicate_parameters_and_headers_are_refused() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let csv = members_csv(1..=2).into_bytes();
    server
        .post(
            "?full_sync=true&full_sync=false",
            &key,
            "text/csv",
            csv.clone(),
            &[],
        )
        .problem(
            400,
            "The query parameter full_sync was given more than once.",
        );
    get(&server, "/v1/imports?limit=1&limit=2", &key, &[])
        .problem(400, "The query parameter limit was given more than once.");
    let twice = Reply::from(
        client()
            .get(server.url("/v1/imports"))
            .header("authorization", format!("Bearer {key}"))
            .header("authorization", "Bearer rst_other")
            .send(),
    );
    twice.problem(400, "The header Authorization was given more than once.");
    assert!(r.members().is_empty());
}

#[test]
fn every_api_answer_is_not_stored_and_not_sniffed() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    for reply in [
        get(&server, "/healthz", &key, &[]),
        get(&server, "/v1/imports", &key, &[]),
        get(&server, "/v1/imports/99", &key, &[]),
        get(&server, "/v1/openapi.json", "rst_wrong", &[]),
        server.sync("?dry_run=true", &key, "email\na@example.com\n"),
    ] {
        assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"));
        assert_eq!(
            reply.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert!(reply.header("x-request-id").is_some());
    }
}

#[test]
fn the_idempotency_fingerprint_counts_the_content_type_not_accept() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let csv = members_csv(1..=3).into_bytes();
    let idem = ("idempotency-key", "run-1");
    let first = server.post("", &key, "text/csv", csv.clone(), &[idem]);
    assert_eq!(first.status, 200);
    // Another Accept is the same request: the first answer again.
    let again = server.post(
        "",
        &key,
        "text/csv",
        csv.clone(),
        &[idem, ("accept", "*/*")],
    );
    assert_eq!((again.status, &again.body), (200, &first.body));
    // Another Content-Type is not (the body may be read otherwise).
    server
        .post("", &key, "text/csv; charset=windows-1252", csv, &[idem])
        .problem(
            422,
            "This Idempotency-Key was already used with a different request.",
        );
}

#[test]
fn the_log_shows_an_invitation_token_by_its_prefix_only() {
    let r = Roster::new();
    let server = Server::start(&r, &[]);
    let token = "abcdef0123456789abcdef0123456789";
    let _ = Reply::from(
        client()
            .get(server.url(&format!("/invitations/{token}")))
            .send(),
    );
    crate::support::wait_until(
        || server.stderr().contains("GET /invitations/abcdef…"),
        "the invitation request's log line",
    );
    assert!(!server.stderr().contains(token), "{}", server.stderr());
}
