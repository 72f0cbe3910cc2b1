//! `roster serve`: wiring of the flags to `server::serve` (SPEC §12).

use crate::cli::GlobalArgs;
use crate::error::Result;
use crate::server::{self, Rate};
use clap::Args;
use std::time::Duration;

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

pub fn run(args: &ServeArgs, global: &GlobalArgs) -> Result<u8> {
    // A mistyped --db would serve a new, empty store that every sync fills from scratch.
    super::require_existing(global)?;
    let secs = |n: u64| Duration::from_secs(n.max(1));
    server::serve(server::Config {
        db: super::location(global),
        listen: args.listen.clone(),
        rate: args.rate_limit,
        body_timeout: secs(args.body_timeout),
        connections: server::Connections {
            header_timeout: secs(args.header_timeout),
            max: args
                .max_connections
                .unwrap_or_else(default_max_connections)
                .max(1),
            grace: Duration::from_secs(args.shutdown_grace),
        },
        max_imports: args
            .max_concurrent_imports
            .map_or_else(server::Slots::default_count, usize::from),
        import_wait: Duration::from_secs(args.import_queue_wait),
        proxies: server::TrustedProxies(args.trusted_proxy.clone()),
        send_every: args.send_invitations.then(|| secs(args.send_every)),
    })?;
    Ok(0)
}

/// An address (one host) or a CIDR.
fn parse_proxy(s: &str) -> std::result::Result<ipnet::IpNet, String> {
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("expected an address or a CIDR such as 10.0.0.0/8, got '{s}'"))
}

/// 1024, or 3/4 of the open-file limit when lower: the rest stays for the store and the
/// listener, so that the server never runs out of descriptors itself.
#[cfg(target_os = "linux")]
fn default_max_connections() -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes only the struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    let files = if ok { limit.rlim_cur as usize } else { 1024 };
    (files * 3 / 4).clamp(1, 1024)
}

#[cfg(not(target_os = "linux"))]
fn default_max_connections() -> usize {
    1024
}
