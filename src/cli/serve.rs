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

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new key and print it once (the store keeps only its hash)
    #[command(after_long_help = "Examples:
  $ roster keys create hris
  $ roster keys create auditor --scope read")]
    Create {
        /// The key's name: the operator in the history and the audit log
        name: String,
        /// sync: every endpoint; read: only those that change nothing (and dry runs)
        #[arg(long, value_enum, default_value_t = Scope::Sync)]
        scope: Scope,
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
