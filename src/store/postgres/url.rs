//! A PostgreSQL store's address: the URL as libpq accepts it, less roster's own `schema=NAME`
//! parameter and the TLS parameters roster handles itself (`sslmode`, `sslrootcert`: see `tls`),
//! and the same URL with its password masked for every message (SPEC §14).

use super::tls::Tls;
use crate::error::StoreError;
use std::str::FromStr;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The query parameters roster takes off the URL before the rest goes to the client library.
const OWN_PARAMS: [&str; 3] = ["schema", "sslmode", "sslrootcert"];

/// Whether `--db`/`ROSTER_DB` names a PostgreSQL store rather than an SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Where a PostgreSQL store lives: the server connection and the schema that holds the store.
#[derive(Clone)]
pub struct Target {
    pub config: tokio_postgres::Config,
    /// `schema=NAME`; `None`: the connection's default schema (normally `public`).
    pub schema: Option<String>,
    /// The URL with its password masked: the store's name in every message.
    pub display: String,
    /// The password as given (URL or `PGPASSWORD`), to scrub from messages.
    password: Option<String>,
    /// The TLS connector, built once for `sslmode` and `sslrootcert`.
    pub tls: MakeRustlsConnect,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Target({})", self.display)
    }
}

impl Target {
    pub fn parse(url: &str) -> Result<Target, StoreError> {
        let display = mask(url);
        let (server_url, [schema, ssl_mode, root_cert]) = take_own(url);
        let bad = |reason: String| StoreError::Open {
            path: display.clone(),
            reason,
        };
        let mut config =
            tokio_postgres::Config::from_str(&server_url).map_err(|e| bad(scrub_url(&e, url)))?;
        let tls = Tls::from_params(ssl_mode, root_cert).map_err(&bad)?;
        config.ssl_mode(tls.ssl_mode(config.get_hosts()));
        let connector = tls.connector().map_err(&bad)?;
        if config.get_password().is_none()
            && let Ok(pw) = std::env::var("PGPASSWORD")
            && !pw.is_empty()
        {
            config.password(pw.as_str());
        }
        let password = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned());
        if schema.as_deref() == Some("") {
            return Err(bad("the schema parameter names no schema".into()));
        }
        Ok(Target {
            config,
            schema,
            display,
            password,
            tls: connector,
        })
    }

    /// `text` with the password replaced by `***`: for any message that might quote it.
    pub fn scrub(&self, text: &str) -> String {
        match self.password.as_deref().filter(|p| p.len() >= 2) {
            Some(p) => text.replace(p, "***"),
            None => text.to_string(),
        }
    }
}

fn scrub_url(e: &dyn std::fmt::Display, url: &str) -> String {
    let text = e.to_string();
    match password_span(url) {
        Some((a, b)) if b > a + 1 => text.replace(&url[a..b], "***"),
        _ => text,
    }
}

/// Splits roster's own parameters (`OWN_PARAMS`, in that order) off the query string; the rest
/// goes to the client library.
fn take_own(url: &str) -> (String, [Option<String>; 3]) {
    let mut own = [None, None, None];
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), own);
    };
    let rest: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match OWN_PARAMS.iter().position(|p| *p == key) {
                Some(i) => {
                    own[i] = Some(percent_decode(value));
                    false
                }
                None => !pair.is_empty(),
            }
        })
        .collect();
    let url = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    (url, own)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The byte range of the password in `scheme://user:password@host...`, if any. The password
/// may hold any character unencoded (`/ ? # @ :` and spaces among them, which the client
/// library accepts), so it runs from the first `:` after the user to the last `@` of the URL:
/// an `@` further on (in a query value) only makes the mask wider, never shows a password.
fn password_span(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://")? + 3;
    let colon = url[start..].find(':')? + start;
    let first_at = url[start..].find('@')? + start;
    if first_at < colon {
        return None;
    }
    let at = url.rfind('@')?;
    Some((colon + 1, at))
}

/// The URL with the password (in the user part or a `password=` parameter) shown as `***`.
pub fn mask(url: &str) -> String {
    let mut out = match password_span(url) {
        Some((a, b)) => format!("{}***{}", &url[..a], &url[b..]),
        None => url.to_string(),
    };
    if let Some(q) = out.find('?') {
        let (base, query) = out.split_at(q + 1);
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some(("password", _)) => "password=***".to_string(),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{base}{}", query.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_recognised_by_scheme() {
        assert!(is_postgres_url("postgres://h/db"));
        assert!(is_postgres_url("postgresql://h/db"));
        assert!(!is_postgres_url("roster.db"));
        assert!(!is_postgres_url("./postgres://x"));
    }

    #[test]
    fn schema_and_tls_parameters_are_roster_s_own() {
        let (url, [schema, mode, root]) =
            take_own("postgresql://u@h/db?sslmode=verify-ca&schema=t_1&sslrootcert=%2Fca.pem");
        assert_eq!(url, "postgresql://u@h/db");
        assert_eq!(schema.as_deref(), Some("t_1"));
        assert_eq!(mode.as_deref(), Some("verify-ca"));
        assert_eq!(root.as_deref(), Some("/ca.pem"));
        let (url, [schema, ..]) = take_own("postgresql://u@h/db?schema=My%20Org&port=5433");
        assert_eq!(url, "postgresql://u@h/db?port=5433");
        assert_eq!(schema.as_deref(), Some("My Org"));
        let (url, own) = take_own("postgresql:///db?host=/run/pg");
        assert_eq!(url, "postgresql:///db?host=/run/pg");
        assert_eq!(own, [None, None, None]);
    }

    #[test]
    fn a_bad_sslmode_is_named() {
        let e = Target::parse("postgres://ann:s3cret@h/db?sslmode=always").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("sslmode=always is not one of"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            mask("postgres://ann:s3cret@db.example:5432/roster?schema=x"),
            "postgres://ann:***@db.example:5432/roster?schema=x"
        );
        assert_eq!(
            mask("postgresql://ann@h/db?password=s3cret&sslmode=disable"),
            "postgresql://ann@h/db?password=***&sslmode=disable"
        );
        assert_eq!(mask("postgresql://ann@h/db"), "postgresql://ann@h/db");
        assert_eq!(mask("postgresql://a:p@ss@h/db"), "postgresql://a:***@h/db");
    }

    #[test]
    fn passwords_of_any_characters_are_masked() {
        for pw in [
            "pa/ss",
            "pa?ss",
            "pa#ss",
            "p@ss",
            "pa:ss",
            "pa%ss",
            "pa ss",
            "a/b?c#d@e:f% g",
        ] {
            let url = format!("postgresql://ann:{pw}@db.example:5432/roster?schema=x");
            let masked = mask(&url);
            assert_eq!(
                masked, "postgresql://ann:***@db.example:5432/roster?schema=x",
                "{pw}"
            );
        }
        // No password: nothing is hidden.
        assert_eq!(mask("postgres://h:5432/db"), "postgres://h:5432/db");
        assert_eq!(mask("postgres://ann@h:5432/db"), "postgres://ann@h:5432/db");
    }

    #[test]
    fn a_bad_url_names_no_password() {
        let e = Target::parse("postgres://ann:s3cret@h:notaport/db").unwrap_err();
        let text = e.to_string();
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("postgres://ann:***@h:notaport/db"), "{text}");
    }

    #[test]
    fn scrub_replaces_the_password_anywhere() {
        let t = Target::parse("postgres://ann:s3cret@h/db?schema=a").unwrap();
        assert_eq!(t.scrub("oops s3cret here"), "oops *** here");
        assert_eq!(t.schema.as_deref(), Some("a"));
        assert_eq!(t.config.get_dbname(), Some("db"));
    }
}
