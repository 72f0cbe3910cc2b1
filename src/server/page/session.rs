//! The admin page's sessions: a random token in an `HttpOnly`, `SameSite=Strict` cookie maps to
//! the key that signed in (its hash, so that a revoked key ends its sessions at once), a
//! per-session CSRF token and an expiry. The key itself is never kept.
//!
//! Sessions live in the store, not in one process (issue 23): every replica behind a load
//! balancer knows them, and a restart signs no one out. They reuse the store's table of kept
//! responses (`KeyStore::store_response`, shared by both backends and already pruned after a
//! day) under owner names no API key can have (key names hold no control characters), so the
//! store needed no new table while it is being rewritten. The token is kept only as its
//! SHA-256; signing out records the session as ended, which every replica honours.

use crate::error::StoreError;
use crate::keys::Scope;
use crate::store::Store;
use crate::store::keys::StoredResponse;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The cookie's name.
pub const COOKIE: &str = "roster_session";
/// How long a session lasts after sign-in (the cookie's `Max-Age` too).
pub const TTL: Duration = Duration::from_secs(8 * 60 * 60);
/// The owner names of session records and of ended sessions in the kept-responses table.
const LIVE: &str = "\u{1}page-session";
const ENDED: &str = "\u{1}page-session-ended";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    pub name: String,
    pub scope: Scope,
    /// The key's hash, looked up on every request.
    pub key_hash: String,
    /// Sent back by the page on every POST (form field `csrf` or header `X-CSRF-Token`).
    pub csrf: String,
    /// Seconds since the Unix epoch.
    pub expires: u64,
}

/// A new session for the key, kept in `store`; returns its token (the cookie's value).
pub fn create(
    store: &mut Store,
    name: String,
    scope: Scope,
    key_hash: String,
) -> Result<String, StoreError> {
    let token = random_hex()?;
    let session = Session {
        name,
        scope,
        key_hash,
        csrf: random_hex()?,
        expires: now() + TTL.as_secs(),
    };
    let record = StoredResponse {
        request_sha256: session.key_hash.clone(),
        status: 0,
        content_type: "application/json".into(),
        body: serde_json::to_vec(&session).map_err(|e| StoreError::Io(e.into()))?,
    };
    store.store_response(LIVE, &sha256(&token), &record)?;
    Ok(token)
}

/// The live session of a token: known, not signed out, not expired.
pub fn get(store: &mut Store, token: &str) -> Result<Option<Session>, StoreError> {
    let id = sha256(token);
    let Some(record) = store.stored_response(LIVE, &id)? else {
        return Ok(None);
    };
    if store.stored_response(ENDED, &id)?.is_some() {
        return Ok(None);
    }
    let session: Option<Session> = serde_json::from_slice(&record.body).ok();
    Ok(session.filter(|s| s.expires > now()))
}

/// Ends a session for every replica.
pub fn end(store: &mut Store, token: &str) -> Result<(), StoreError> {
    let record = StoredResponse {
        request_sha256: String::new(),
        status: 0,
        content_type: String::new(),
        body: Vec::new(),
    };
    store.store_response(ENDED, &sha256(token), &record)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn sha256(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The session token in a `Cookie` header, if any.
pub fn token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` value of a new session (`Secure` behind a proxy that says it is HTTPS).
pub fn cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        TTL.as_secs()
    )
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn expired_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// Two strings compared in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// 32 bytes from the operating system's generator, as 64 hex digits.
fn random_hex() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue, header};

    #[test]
    fn the_token_is_read_among_other_cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; roster_session=abc; b=2"),
        );
        assert_eq!(token(&h).as_deref(), Some("abc"));
        assert_eq!(token(&HeaderMap::new()), None);
    }

    #[test]
    fn a_session_is_found_by_its_token_until_ended() {
        let dir = tempfile::tempdir().unwrap();
        let location = crate::store::Location::Sqlite(dir.path().join("s.db"));
        let mut store = crate::store::open(&location).unwrap();
        let t = create(&mut store, "ci".into(), Scope::Sync, "h".into()).unwrap();
        assert_eq!(t.len(), 64);
        let s = get(&mut store, &t).unwrap().expect("a session");
        assert_eq!((s.name.as_str(), s.csrf.len()), ("ci", 64));
        assert!(get(&mut store, "other").unwrap().is_none());
        end(&mut store, &t).unwrap();
        assert!(get(&mut store, &t).unwrap().is_none());
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
