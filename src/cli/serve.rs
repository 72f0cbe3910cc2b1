//! The flags of `roster serve` and `roster keys` (SPEC §12).

use super::ListFormat;
use crate::keys::Scope;
use crate::server::Rate;
use clap::{Args, Subcommand};

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port, printed at startup)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Requests per API key: N/UNIT, UNIT one of s, min, h
    #[arg(long, value_name = "N/UNIT", default_value = "60/min")]
    pub rate_limit: Rate,
    /// Seconds a request body may take (plus one per 16 KiB received) and may pause, before it
    /// is cut off (408)
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub body_timeout: u64,
    /// Seconds a client may take to send a request's headers, and an idle keep-alive
    /// connection may wait for its next request, before it is closed
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub header_timeout: u64,
    /// Connections open at once; one more is answered 503 and closed [default: 1024, or 3/4 of
    /// the open-file limit when that is lower]
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
    /// Imports (syncs, dry runs, previews) running at once; more wait --import-queue-wait,
    /// then get 503 [default: the number of cores, at least 2]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub max_concurrent_imports: Option<u16>,
    /// Seconds an import waits for a free slot before 503
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub import_queue_wait: u64,
    /// Seconds a SCIM write waits for a running import before 503
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub scim_wait: u64,
    /// Seconds open connections may take to finish after SIGTERM before they are closed
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub shutdown_grace: u64,
    /// A reverse proxy (an address or CIDR, repeatable) whose Forwarded or X-Forwarded-For
    /// header names the client
    #[arg(long, value_name = "CIDR", value_parser = parse_proxy)]
    pub trusted_proxy: Vec<ipnet::IpNet>,
    /// Deliver queued invitations in the background (as `roster invitations send` does)
    #[arg(long)]
    pub send_invitations: bool,
    /// Seconds between two rounds of --send-invitations
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 60,
        requires = "send_invitations"
    )]
    pub send_every: u64,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new key and print it once (the store keeps only its hash)
    #[command(after_long_help = "Examples:
  $ roster keys create hris
  $ roster keys create auditor --scope read
  $ roster keys create okta --scope scim
  $ roster keys create hris-2027 --replaces hris --expires 400d   # then: roster keys revoke hris")]
    Create {
        /// The key's name: the operator in the history and the audit log
        name: String,
        /// sync: every endpoint but SCIM; read: only those that change nothing (and dry runs);
        /// scim: only SCIM 2.0 under /scim/v2, for an identity provider
        #[arg(long, value_enum, default_value_t = Scope::Sync)]
        scope: Scope,
        /// Rotate a key without a gap: the new key acts as OLD's operator, and both work until
        /// OLD is revoked
        #[arg(long, value_name = "OLD")]
        replaces: Option<String>,
        /// When the key stops working: a date (2027-01-31, UTC), a time (RFC 3339) or a
        /// duration (90d, 12h, 30m)
        #[arg(long, value_name = "DATE|DURATION")]
        expires: Option<String>,
    },
    /// Every key: name, scope, prefix, created, last used, revoked (never the key)
    #[command(after_long_help = "Example:\n  $ roster keys list --output json")]
    List {
        /// table, or json (an array of {name, scope, prefix, created_at, last_used_at, revoked_at})
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// Refuse the key from now on
    #[command(after_long_help = "Example:\n  $ roster keys revoke hris")]
    Revoke {
        /// The key's name
        name: String,
    },
}

/// An address (one host) or a CIDR.
fn parse_proxy(s: &str) -> std::result::Result<ipnet::IpNet, String> {
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("expected an address or a CIDR such as 10.0.0.0/8, got '{s}'"))
}
