//! The admin page's sessions: a random token in an `HttpOnly`, `SameSite=Strict` cookie maps,
//! in this server's memory, to the key that signed in (its hash, so that a revoked key ends its
//! sessions at once), a per-session CSRF token and an expiry. The key itself is never kept.

use crate::keys::Scope;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The cookie's name.
pub const COOKIE: &str = "roster_session";
/// How long a session lasts after sign-in (the cookie's `Max-Age` too).
pub const TTL: Duration = Duration::from_secs(8 * 60 * 60);
/// Sessions kept at most; the oldest go first when more sign in.
const MAX_SESSIONS: usize = 10_000;

#[derive(Debug, Clone)]
pub struct Session {
    pub name: String,
    pub scope: Scope,
    /// The key's hash, looked up on every request.
    pub key_hash: String,
    /// Sent back by the page on every POST (form field `csrf` or header `X-CSRF-Token`).
    pub csrf: String,
    pub expires: Instant,
}

#[derive(Debug, Default)]
pub struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    /// A new session for the key; returns its token (the cookie's value).
    pub fn create(&self, name: String, scope: Scope, key_hash: String) -> std::io::Result<String> {
        let token = random_hex()?;
        let session = Session {
            name,
            scope,
            key_hash,
            csrf: random_hex()?,
            expires: Instant::now() + TTL,
        };
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        all.retain(|_, s| s.expires > now);
        if all.len() >= MAX_SESSIONS {
            let oldest = all
                .iter()
                .min_by_key(|(_, s)| s.expires)
                .map(|(t, _)| t.clone());
            oldest.map(|t| all.remove(&t));
        }
        all.insert(token.clone(), session);
        Ok(token)
    }

    /// The live session of a token; an expired one is forgotten.
    pub fn get(&self, token: &str) -> Option<Session> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match all.get(token) {
            Some(s) if s.expires > Instant::now() => Some(s.clone()),
            Some(_) => {
                all.remove(token);
                None
            }
            None => None,
        }
    }

    pub fn remove(&self, token: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token);
    }
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
fn random_hex() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
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
    fn a_session_is_found_by_its_token_until_removed() {
        let sessions = Sessions::default();
        let t = sessions
            .create("ci".into(), Scope::Sync, "h".into())
            .expect("random");
        assert_eq!(t.len(), 64);
        let s = sessions.get(&t).expect("a session");
        assert_eq!((s.name.as_str(), s.csrf.len()), ("ci", 64));
        assert!(sessions.get("other").is_none());
        sessions.remove(&t);
        assert!(sessions.get(&t).is_none());
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
