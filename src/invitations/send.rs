//! SMTP delivery through lettre: the server named by `smtp-url`, what a reply means for the
//! invitation, and the backoff before a temporary failure is tried again.
//!
//! `smtp://host[:port]` uses STARTTLS when the server offers it (plain otherwise, as a local
//! relay is), `?tls=required` insists on it and `?tls=none` never tries; `smtps://host[:port]`
//! is TLS from the first byte. `smtp://user@host` authenticates as `user` with the password in
//! `ROSTER_SMTP_PASSWORD`; a password in the URL is refused (it would be stored).
//!
//! One run keeps one connection open for all its messages (lettre's pool of one), and every
//! wait on the server (connect, each command, the data) is bounded by the run's timeout: a
//! server that accepts and never answers costs one timeout, and its error says so.

use crate::error::InvitationError;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use std::time::Duration;

/// How long one wait on the server may last, unless `--timeout` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The first retry after a temporary failure, doubled at each attempt, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(60);
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    Opportunistic,
    Required,
    Plain,
    Implicit,
}

/// Where and how to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: Option<String>,
}

impl Endpoint {
    pub fn parse(url: &str) -> Result<Endpoint, InvitationError> {
        let bad = |why: &str| InvitationError::BadSetting("smtp-url".into(), why.into());
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected smtp://host:port or smtps://host:port"))?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let rest = rest.trim_end_matches('/');
        let (user, hostport) = match rest.rsplit_once('@') {
            Some((u, _)) if u.contains(':') => {
                return Err(bad(
                    "put the password in ROSTER_SMTP_PASSWORD, not in the URL",
                ));
            }
            Some((u, h)) => (Some(percent_decode(u)), h),
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p.parse::<u16>().map_err(|_| bad("bad port"))?)),
            None => (hostport, None),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let security = match (scheme, query) {
            ("smtps", "") => Security::Implicit,
            ("smtp", "" | "tls=opportunistic") => Security::Opportunistic,
            ("smtp", "tls=required") => Security::Required,
            ("smtp", "tls=none") => Security::Plain,
            ("smtp" | "smtps", _) => return Err(bad("the only parameter is tls=required|none")),
            _ => return Err(bad("expected smtp:// or smtps://")),
        };
        let default_port = if security == Security::Implicit {
            465
        } else {
            25
        };
        Ok(Endpoint {
            host: host.trim_matches(['[', ']']).to_string(),
            port: port.unwrap_or(default_port),
            security,
            user,
        })
    }

    /// `smtp://host:port` or `smtps://host:port`, without the user: for messages.
    pub fn display(&self) -> String {
        let scheme = match self.security {
            Security::Implicit => "smtps",
            _ => "smtp",
        };
        format!("{scheme}://{}:{}", self.host, self.port)
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => (out.push(b), i += 3),
            None => (out.push(bytes[i]), i += 1),
        };
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the server said about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// 250 after DATA: the server has it.
    Accepted,
    /// A 4xx: try this one again later; the server still answers.
    Temporary(String),
    /// No answer: a refused or failed connection, a timeout, a TLS failure, a connection lost.
    /// Try again later, and try no more messages on this server in this run.
    Unavailable(String),
    /// A 5xx: the server will never take it.
    Permanent(String),
}

/// One SMTP server, one connection reused for every message of a run.
pub struct Mailer {
    transport: SmtpTransport,
    server: String,
    timeout: Duration,
    /// The server's addresses, once resolved (after the first message: see `nodelay`).
    peers: std::sync::OnceLock<Vec<std::net::SocketAddr>>,
    host: (String, u16),
}

impl Mailer {
    pub fn new(
        endpoint: &Endpoint,
        password: Option<String>,
        timeout: Duration,
    ) -> Result<Mailer, InvitationError> {
        let tls = || {
            TlsParameters::new(endpoint.host.clone())
                .map_err(|e| InvitationError::BadSetting("smtp-url".into(), e.to_string()))
        };
        let tls = match endpoint.security {
            Security::Plain => Tls::None,
            Security::Opportunistic => Tls::Opportunistic(tls()?),
            Security::Required => Tls::Required(tls()?),
            Security::Implicit => Tls::Wrapper(tls()?),
        };
        let mut builder = SmtpTransport::builder_dangerous(endpoint.host.clone())
            .port(endpoint.port)
            .tls(tls)
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(1));
        if let Some(user) = &endpoint.user {
            let password = password.ok_or(InvitationError::NoPassword)?;
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Mailer {
            transport: builder.build(),
            server: endpoint.display(),
            timeout,
            peers: std::sync::OnceLock::new(),
            host: (endpoint.host.clone(), endpoint.port),
        })
    }

    pub fn deliver(&self, message: &Message) -> Reply {
        let sent = self.transport.send(message);
        if sent.is_ok() {
            // The connection stays open for the next message: no Nagle wait on it.
            let peers = self.peers.get_or_init(|| {
                use std::net::ToSocketAddrs;
                let (host, port) = (self.host.0.as_str(), self.host.1);
                (host, port)
                    .to_socket_addrs()
                    .map(Iterator::collect)
                    .unwrap_or_default()
            });
            super::nodelay::set_on_connections_to(peers);
        }
        match sent {
            Ok(_) => Reply::Accepted,
            Err(e) if e.is_permanent() => Reply::Permanent(e.to_string()),
            Err(e) if e.is_transient() => Reply::Temporary(e.to_string()),
            Err(e) => Reply::Unavailable(self.describe(&e)),
        }
    }

    /// The error in words a person can act on: a timeout names its length and the server
    /// (the system's own words, "Resource temporarily unavailable (os error 11)", do not).
    fn describe(&self, error: &lettre::transport::smtp::Error) -> String {
        let connecting = error.to_string().starts_with("Connection error");
        if timed_out(error) {
            let secs = self.timeout.as_secs_f64();
            let doing = if connecting {
                "connecting to"
            } else {
                "waiting for an answer from"
            };
            return format!("timed out after {secs} s {doing} {}", self.server);
        }
        if connecting {
            format!("could not connect to {}: {error}", self.server)
        } else {
            format!("{}: {error}", self.server)
        }
    }
}

/// Whether an I/O timeout lies under `error`: a read or write past its timeout is
/// `WouldBlock` on Unix, a connect past its timeout `TimedOut`.
fn timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            );
        }
        source = e.source();
    }
    false
}

/// The wait before attempt `attempts + 1`, after `attempts` temporary failures (1 or more).
pub fn backoff(attempts: u32) -> Duration {
    let doubled = FIRST_BACKOFF.saturating_mul(1u32 << attempts.saturating_sub(1).min(16));
    doubled.min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_security() {
        let e = Endpoint::parse("smtp://mail.example.org:587").unwrap();
        assert_eq!(
            (e.port, e.security, e.user),
            (587, Security::Opportunistic, None)
        );
        let e = Endpoint::parse("smtps://roster%40x@mail.example.org").unwrap();
        assert_eq!((e.port, e.security), (465, Security::Implicit));
        assert_eq!(e.user.as_deref(), Some("roster@x"));
        let e = Endpoint::parse("smtp://127.0.0.1:2525?tls=none").unwrap();
        assert_eq!(
            (e.host.as_str(), e.security),
            ("127.0.0.1", Security::Plain)
        );
        assert_eq!(
            Endpoint::parse("smtp://h?tls=required").unwrap().security,
            Security::Required
        );
        for bad in [
            "mail.example.org",
            "http://h",
            "smtp://u:pw@h",
            "smtp://h:x",
            "smtp://h?x=1",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff(1), Duration::from_secs(60));
        assert_eq!(backoff(2), Duration::from_secs(120));
        assert_eq!(backoff(5), Duration::from_secs(960));
        assert_eq!(backoff(10), MAX_BACKOFF);
        assert_eq!(backoff(100), MAX_BACKOFF);
    }
}
