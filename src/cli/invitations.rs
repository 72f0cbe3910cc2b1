//! `roster invitations ...` (SPEC §13).

use super::ListFormat;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum InvitationsCommand {
    /// Deliver PENDING invitations by SMTP (smtp-url, smtp-from, invite-* settings)
    #[command(
        after_long_help = "Exit status: 0, or 1 when an invitation became FAILED in this run.

One connection serves the whole run. A server that does not answer within --timeout is not
tried again in this run: the invitations not tried stay PENDING for the next run, as do those
left when --deadline passes.

Examples:
  $ ROSTER_SMTP_PASSWORD=... roster invitations send
  $ roster invitations send --limit 100 --now --output json
  $ roster invitations send --timeout 5 --deadline 300"
    )]
    Send {
        /// Send at most N invitations (oldest first)
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        /// Ignore the backoff after temporary failures: try every PENDING invitation now
        #[arg(long)]
        now: bool,
        /// The longest wait on the SMTP server: connecting, each command, the message's data
        #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
        timeout: u64,
        /// Start no message after this many seconds of the run; the rest stay PENDING
        #[arg(long, value_name = "SECONDS", default_value_t = 600)]
        deadline: u64,
        /// table: progress on stderr, the summary on stdout; json: one document
        #[arg(long, value_enum, default_value_t)]
        output: ListFormat,
    },
    /// Show the invitation a member would get, without sending anything or changing the store
    #[command(
        after_long_help = "Renders the message from the settings as they are now
(invite-subject, invite-template, invite-html-template, org-name, brand-color, brand-logo) for
the member named, or for a sample member. The link's token is a stand-in that never works.

Examples:
  $ roster invitations preview
  $ roster invitations preview --member ann@example.org --output html > invitation.html
  $ roster invitations preview --output eml > invitation.eml"
    )]
    Preview {
        /// The member (email, external_id or phone) [default: a sample member]
        #[arg(long, value_name = "ID")]
        member: Option<String>,
        /// text: headers and the text part; html: the HTML part, logo inlined, for a browser;
        /// eml: the whole MIME message
        #[arg(long, value_enum, default_value_t)]
        output: PreviewOutput,
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

/// What `roster invitations preview` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PreviewOutput {
    #[default]
    Text,
    Html,
    Eml,
}

fn parse_state(text: &str) -> Result<crate::store::invitations::InvitationState, String> {
    crate::store::invitations::InvitationState::parse(text)
        .ok_or_else(|| format!("expected PENDING, SENT, FAILED or CANCELLED, got '{text}'"))
}
