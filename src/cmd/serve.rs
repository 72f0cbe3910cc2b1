//! `roster serve`: wiring of the flags to `server::serve` (SPEC §12).

use crate::cli::{GlobalArgs, ServeArgs};
use crate::error::Result;
use crate::server;
use std::time::Duration;

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
        scim_wait: Duration::from_secs(args.scim_wait),
        proxies: server::TrustedProxies(args.trusted_proxy.clone()),
        send_every: args.send_invitations.then(|| secs(args.send_every)),
    })?;
    Ok(0)
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
