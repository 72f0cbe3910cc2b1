//! The command line (clap derive). Options of import and diff travel as one [`ImportArgs`].

use crate::term::ColorChoice;
use clap::{Args, Parser, Subcommand};

mod args;
mod invitations;

pub use args::*;
pub use invitations::{InvitationsCommand, PreviewOutput};
use std::path::PathBuf;

/// `roster --help` ends with the exit codes (SPEC §11), which scripts branch on.
const EXIT_CODES: &str = "\
Exit codes:
  0  success (with --detailed-exitcode: success and no changes)
  1  refused or failed: the file or its rows are invalid, or the store could not be read or
     written; nothing changed
  2  usage error
  3  --detailed-exitcode only: success, and there are changes
  4  refused by a safety rule; nothing changed
  5  another import is being applied; nothing changed, try again later
  6  the import was applied, but its report could not be written (a full disk)

Example:
  $ roster import staff.csv --full-sync";

#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "Keep an organization's member roster in step with its source of record.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The store: an SQLite file or a postgres:// URL, created on first use
    #[arg(
        long,
        global = true,
        value_name = "PATH|URL",
        env = "ROSTER_DB",
        default_value = "roster.db"
    )]
    pub db: String,
    /// Print no warnings, hints or progress
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// When to colour messages on stderr (NO_COLOR is honoured by auto)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a roster file, plan, check the safety rules, apply, and print the summary
    #[command(after_long_help = "Examples:
  $ roster import staff.csv
  $ roster import staff.csv --full-sync --errors-csv rejected.csv
  $ roster import hr-export.csv --map 'Employee ID=external_id' --encoding windows-1252")]
    Import(ImportArgs),
    /// Like import, but stop after the plan and the safety rules: nothing is applied
    // diff is always dry, and records nothing: neither option means anything there.
    #[command(
        mut_arg("dry_run", |a| a.hide(true)),
        mut_arg("operator", |a| a.hide(true)),
        mut_arg("yes", |a| a.hide(true)),
        after_long_help = "Examples:
  $ roster diff staff.csv --full-sync
  $ roster diff staff.csv --full-sync --output json | jq .summary
  $ roster diff staff.csv --detailed-exitcode   # exit 3 when there are changes"
    )]
    Diff(ImportArgs),
    /// Write the roster in the import format
    #[command(after_long_help = "Examples:
  $ roster export -o roster.csv
  $ roster export --format json --status ACTIVE,INVITED")]
    Export(ExportArgs),
    /// Write an empty CSV with the canonical header
    #[command(after_long_help = "Example:
  $ roster template --teams > staff.csv")]
    Template {
        /// Include the team and team_role columns
        #[arg(long)]
        teams: bool,
    },
    /// The import history
    #[command(after_long_help = "Examples:
  $ roster imports list
  $ roster imports show 12
  $ roster imports errors 12 > rejected.csv")]
    Imports {
        #[command(subcommand)]
        command: ImportsCommand,
    },
    /// The audit log: every change with import, time, operator, old and new values
    #[command(
        after_long_help = "Actions: create, update, reactivate, deactivate (imports); ban,
unban, protect, unprotect, activate (roster members); invite; add_label, remove_label
(roster labels), add_form_field, remove_form_field (roster forms), set_config (roster config
set), which are about no member.

Examples:
  $ roster log --member ann@example.org
  $ roster log --import 12 --output json"
    )]
    Log(LogArgs),
    /// Look up and administer single members (ID: email, external_id or phone)
    #[command(after_long_help = "Examples:
  $ roster members list --status INVITED
  $ roster members protect ann@example.org")]
    Members {
        #[command(subcommand)]
        command: MembersCommand,
        /// Who makes the change, for the audit log [default: the login user]
        #[arg(long, value_name = "NAME", global = true)]
        operator: Option<String>,
    },
    /// Move PROVISIONED members to INVITED
    #[command(after_long_help = "Examples:
  $ roster invite --limit 100
  $ roster invite ann@example.org E1042")]
    Invite(InviteArgs),
    /// The invitation outbox: send, list, accept
    #[command(after_long_help = "Examples:
  $ roster invitations send
  $ roster invitations list --state PENDING
  $ roster invitations accept TOKEN")]
    Invitations {
        #[command(subcommand)]
        command: InvitationsCommand,
    },
    /// The labels that files are validated against
    #[command(
        mut_subcommand("add", |c| c
            .about("Define a label: letters, digits, '-', '_', '.' or ':'")
            .after_long_help("Example:\n  $ roster labels add volunteer")
            .mut_arg("name", |a| a.value_name("SLUG").help("The label's slug"))),
        mut_subcommand("list", |c| c
            .about("Print every defined label")
            .after_long_help("Example:\n  $ roster labels list")),
        mut_subcommand("remove", |c| c
            .about("Remove a label's definition")
            .after_long_help("Example:\n  $ roster labels remove volunteer")
            .mut_arg("name", |a| a.value_name("SLUG").help("The label's slug"))),
        after_long_help = "Examples:
  $ roster labels add volunteer
  $ roster labels list"
    )]
    Labels {
        #[command(subcommand)]
        command: DefinitionCommand,
        /// Who defines or removes a label, for the audit log [default: the login user]
        #[arg(long, value_name = "NAME", global = true)]
        operator: Option<String>,
    },
    /// The form fields (TYPE.FIELD) that form.* columns are validated against
    #[command(
        mut_subcommand("add", |c| c
            .about("Define a form field; files then may have the column form.TYPE.FIELD")
            .after_long_help("Example:\n  $ roster forms add profile.shirt_size")
            .mut_arg("name", |a| a.value_name("TYPE.FIELD").help("The form type and field"))),
        mut_subcommand("list", |c| c
            .about("Print every defined form field, as its column name")
            .after_long_help("Example:\n  $ roster forms list")),
        mut_subcommand("remove", |c| c
            .about("Remove a form field's definition")
            .after_long_help("Example:\n  $ roster forms remove profile.shirt_size")
            .mut_arg("name", |a| a.value_name("TYPE.FIELD").help("The form type and field"))),
        after_long_help = "Examples:
  $ roster forms add profile.shirt_size
  $ roster forms list"
    )]
    Forms {
        #[command(subcommand)]
        command: DefinitionCommand,
        /// Who defines or removes a form field, for the audit log [default: the login user]
        #[arg(long, value_name = "NAME", global = true)]
        operator: Option<String>,
    },
    /// Store settings: seat-limit, max-rows, max-bytes, max-deactivations, smtp-*, invite-*
    #[command(after_long_help = "Examples:
  $ roster config get
  $ roster config set max-deactivations 10%")]
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
        /// Who changes a setting, for the audit log [default: the login user]
        #[arg(long, value_name = "NAME", global = true)]
        operator: Option<String>,
    },
    /// Write a consistent copy of the store to a new file, while others read and import
    #[command(after_long_help = "Example:
  $ roster backup /backups/roster-$(date +%F).db")]
    Backup {
        /// The copy to write (must not exist yet)
        path: PathBuf,
    },
    /// Serve the REST sync API (POST /v1/sync and the read endpoints) on the store
    #[command(after_long_help = "Examples:
  $ roster serve --listen 127.0.0.1:8080
  $ roster serve --listen 0.0.0.0:9000 --rate-limit 600/h")]
    Serve(crate::cmd::serve::ServeArgs),
    /// API keys of roster serve: create (printed once), list, revoke
    #[command(after_long_help = "Examples:
  $ roster keys create hris
  $ roster keys list")]
    Keys {
        #[command(subcommand)]
        command: crate::cmd::keys::KeysCommand,
    },
    /// Copy the whole store into an empty store of either kind (SQLite file or PostgreSQL URL)
    #[command(
        after_long_help = "Example:\n  $ roster --db roster.db store copy --to 'postgresql://roster@%2Frun%2Fpostgresql/roster'"
    )]
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Print shell completions
    #[command(after_long_help = "Examples:
  $ roster completions bash > ~/.local/share/bash-completion/completions/roster
  $ roster completions zsh > ~/.zfunc/_roster")]
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from this help
    #[command(after_long_help = "Examples:
  $ roster man > ~/.local/share/man/man1/roster.1
  $ roster man import | man -l -
  $ roster man --out-dir ~/.local/share/man/man1")]
    Man(ManArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// The page of one command (for example import, or \"members ban\") [default: roster's own]
    #[arg(value_name = "COMMAND", num_args = 0..)]
    pub command: Vec<String>,
    /// Write every page (roster.1, roster-import.1, ...) into this folder instead
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub out_dir: Option<PathBuf>,
}
