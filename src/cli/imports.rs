//! `roster imports ...`: the history, and `revert ID` (SPEC §16), which applies like an import.

use super::{ListFormat, Show};
use crate::policy::Limit;
use crate::report::OutputFormat;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum ImportsCommand {
    /// Every import, newest first
    #[command(
        after_long_help = "Examples:\n  $ roster imports list --limit 10\n  $ roster imports list --output json"
    )]
    List {
        /// A table, or one JSON document
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
        /// Only the newest N imports (default: all of them)
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },
    /// One import's details
    #[command(after_long_help = "Example:\n  $ roster imports show 12")]
    Show {
        /// The import's number, as `roster imports list` shows it
        id: i64,
        /// A table, or one JSON document
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// The import's error report CSV
    #[command(after_long_help = "Example:\n  $ roster imports errors 12 > rejected.csv")]
    Errors {
        /// The import's number, as `roster imports list` shows it
        id: i64,
    },
    /// The import's original file, byte for byte
    #[command(after_long_help = "Example:\n  $ roster imports original 12 > staff-as-imported.csv")]
    Original {
        /// The import's number, as `roster imports list` shows it
        id: i64,
    },
    /// Undo a completed import: its plan, checked by the safety rules, confirmed and applied
    /// like an import, recorded in history with mode revert
    #[command(
        after_long_help = "Members it created are deactivated (never deleted), fields it
updated get their old values, members it deactivated get back the status they had, and its
membership, team role and team changes are undone. A member changed after the import is a
conflict: the revert is refused (exit 1) unless --skip-conflicts leaves those members as they
are now. An import is reverted at most once; a revert can itself be reverted.

Examples:
  $ roster imports revert 12 --dry-run
  $ roster imports revert 12 --skip-conflicts --yes
  $ roster imports revert 12 --expect-plan 3f1c...   # exactly the plan a dry run showed"
    )]
    Revert(RevertArgs),
}

/// `roster imports revert ID`.
#[derive(Debug, Clone, Args)]
pub struct RevertArgs {
    /// The import's number, as `roster imports list` shows it
    pub id: i64,
    /// Show the plan and check the safety rules; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Revert the other members and leave those changed after the import as they are now
    ///
    /// Example: roster imports revert 12 --skip-conflicts
    #[arg(long)]
    pub skip_conflicts: bool,
    /// Apply without asking, even when the revert deactivates members or removes memberships
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// The plan and summary as a table, one JSON document, or NDJSON events (on stdout)
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Apply only if the plan is exactly the one a reviewed `--dry-run` printed
    #[arg(long, value_name = "PLAN_ID")]
    pub expect_plan: Option<String>,
    /// Most members the revert may deactivate: N or N% [default: 25%, at least 10]
    #[arg(long, value_name = "N|N%")]
    pub max_deactivations: Option<Limit>,
    /// Who runs the revert, for history and the audit log [default: the login user]
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// Which changes the plan lists in table mode
    #[arg(long, value_enum, default_value_t = Show::Default)]
    pub show: Show,
}
