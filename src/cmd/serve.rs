//! `roster serve`: wiring of the flags to `server::serve` (SPEC §12).

use crate::cli::{GlobalArgs, ServeArgs};
use crate::error::Result;
use crate::server;

pub fn run(args: &ServeArgs, global: &GlobalArgs) -> Result<u8> {
    // A mistyped --db would serve a new, empty store that every sync fills from scratch.
    super::require_existing(global)?;
    server::serve(server::Config {
        db: super::location(global),
        listen: args.listen.clone(),
        rate: args.rate_limit,
        body_timeout: std::time::Duration::from_secs(args.body_timeout.max(1)),
        send_every: args
            .send_invitations
            .then(|| std::time::Duration::from_secs(args.send_every.max(1))),
    })?;
    Ok(0)
}
