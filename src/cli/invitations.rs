//! `roster invitations ...` (SPEC §13).

use super::ListFormat;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum InvitationsCommand {
    /// Deliver PENDING invitations by SMTP (smtp-url, smtp-from, invite-* settings)
    #[command(
        after_long_help = "Exit status: 0, or 1 when an invitation became FAILED in this run.

Examples:
  $ ROSTER_SMTP_PASSWORD=... roster invitations send
  $ roster invitations send --limit 100 --now --output json"
    )]
    Send {
        /// Send at most N invitations (oldest first)
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        /// Ignore the backoff after temporary failures: try every PENDING invitation now
        #[arg(long)]
        now: bool,
        /// table: progress on stderr, the summary on stdout; json: one document
        #[arg(long, value_enum, default_value_t)]
        output: ListFormat,
    },
    /// Every invitation with its member, state, attempts, last error, created and sent times
    #[command(after_long_help = "Examples:
  $ roster invitations list --state FAILED
  $ roster invitations list --output json")]
    List {
        /// Only invitations in this state: PENDING, SENT, FAILED or CANCELLED
        #[arg(long, value_name = "STATE", value_parser = parse_state)]
        state: Option<crate::store::invitations::InvitationState>,
        /// table, or json (id, member, email, state, attempts, last_error, created_at, sent_at)
        #[arg(long, value_enum, default_value_t)]
        output: ListFormat,
    },
    /// Accept an invitation by its token: the INVITED member becomes ACTIVE
    #[command(after_long_help = "Example:
  $ roster invitations accept 3f6c...e21a")]
    Accept {
        /// The token from the invitation's link
        token: String,
    },
}

fn parse_state(text: &str) -> Result<crate::store::invitations::InvitationState, String> {
    crate::store::invitations::InvitationState::parse(text)
        .ok_or_else(|| format!("expected PENDING, SENT, FAILED or CANCELLED, got '{text}'"))
}
