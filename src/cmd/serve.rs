//! `roster serve`: wiring of the flags to `server::serve` (SPEC §12).

use crate::cli::GlobalArgs;
use crate::error::Result;
use crate::server::{self, Rate};
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port, printed at startup)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Requests per API key: N/UNIT, UNIT one of s, min, h
    #[arg(long, value_name = "N/UNIT", default_value = "60/min")]
    pub rate_limit: Rate,
    /// Seconds a request body may pause before it is cut off (408)
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub body_timeout: u64,
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
