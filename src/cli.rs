//! The command line (clap derive). Options of import and diff travel as one [`ImportArgs`].

use crate::model::Role;
use crate::parse::{InputFormat, Mapping};
use crate::policy::Limit;
use crate::report::OutputFormat;
use crate::term::ColorChoice;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "Keep an organization's member roster in step with its source of record."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The store: an SQLite file, created on first use
    #[arg(
        long,
        global = true,
        value_name = "PATH",
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
    Import(ImportArgs),
    /// Like import, without applying (same as import --dry-run)
    Diff(ImportArgs),
    /// Write the roster in the import format
    Export(ExportArgs),
    /// Write an empty CSV with the canonical header
    Template {
        /// Include the team and team_role columns
        #[arg(long)]
        teams: bool,
    },
    /// The import history
    Imports {
        #[command(subcommand)]
        command: ImportsCommand,
    },
    /// The audit log: every change with import, time, operator, old and new values
    Log(LogArgs),
    /// Look up and administer single members (ID: email, external_id or phone)
    Members {
        #[command(subcommand)]
        command: MembersCommand,
    },
    /// Move PROVISIONED members to INVITED
    Invite(InviteArgs),
    /// The labels that files are validated against
    Labels {
        #[command(subcommand)]
        command: DefinitionCommand,
    },
    /// The form fields (TYPE.FIELD) that form.* columns are validated against
    Forms {
        #[command(subcommand)]
        command: DefinitionCommand,
    },
    /// Store settings: seat-limit, max-rows, max-bytes, max-deactivations
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Write a consistent copy of the store to a new file, while others read and import
    Backup {
        /// The copy to write (must not exist yet)
        path: PathBuf,
    },
    /// Serve the REST sync API (POST /v1/sync and the read endpoints) on the store
    Serve(crate::cmd::serve::ServeArgs),
    /// API keys of roster serve: create (printed once), list, revoke
    Keys {
        #[command(subcommand)]
        command: crate::cmd::keys::KeysCommand,
    },
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The roster file (`-` reads standard input)
    pub file: String,
    /// Deactivate members missing from the file; with a team column, replace memberships
    #[arg(long)]
    pub full_sync: bool,
    /// New members with an email become INVITED instead of PROVISIONED
    #[arg(long)]
    pub invite: bool,
    /// Stop after the plan and the safety rules; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Apply the valid rows and report the others
    #[arg(long)]
    pub skip_invalid: bool,
    /// Blank cells clear optional fields (never identifiers)
    #[arg(long)]
    pub clear_blanks: bool,
    /// organization_role of new members whose row has none
    #[arg(long, value_name = "ROLE", default_value = "member")]
    pub default_role: Role,
    /// Most members one import may deactivate: N or N% [default: 25%, at least 10]
    #[arg(long, value_name = "N|N%")]
    pub max_deactivations: Option<Limit>,
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    /// The file's encoding when it has no BOM and is not UTF-8 (for example windows-1252)
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// The CSV delimiter: `,` `;` or `tab` [default: detected]
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Map a header of the file to a column: 'Header In File=column' (repeatable)
    #[arg(long, value_name = "HEADER=COLUMN")]
    pub map: Vec<Mapping>,
    /// Most data rows for this run [default: the store's max-rows, else 30000]
    #[arg(long, value_name = "N")]
    pub max_rows: Option<u64>,
    /// Largest file in bytes for this run [default: the store's max-bytes, else 10000000]
    #[arg(long, value_name = "N")]
    pub max_bytes: Option<u64>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Write the errored rows, with error_row, error_column and error_message, to this CSV
    #[arg(long, value_name = "PATH")]
    pub errors_csv: Option<PathBuf>,
    /// Who runs the import, for history and the audit log [default: the login user]
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// Apply only if the plan is exactly the one a reviewed `roster diff` printed
    #[arg(long, value_name = "PLAN_ID")]
    pub expect_plan: Option<String>,
    /// Exit 3 when there are changes (0 when none)
    #[arg(long)]
    pub detailed_exitcode: bool,
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "\t" | "tab" | "\\t" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        _ => Err(format!("expected one of , ; tab |, got '{s}'")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ExportFormat {
    #[default]
    Csv,
    Json,
    Ndjson,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Only members with these statuses [default: all but INACTIVE and BANNED]
    #[arg(long, value_delimiter = ',', value_name = "S,...")]
    pub status: Vec<crate::model::Status>,
    /// Write to this file instead of standard output
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ListFormat {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ImportsCommand {
    /// Every import, newest first
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// One import's details
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// The import's error report CSV
    Errors { id: i64 },
    /// The import's original file, byte for byte
    Original { id: i64 },
}

#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Only this member's events (email, external_id or phone)
    #[arg(long, value_name = "ID")]
    pub member: Option<String>,
    /// Only this import's events
    #[arg(long, value_name = "ID")]
    pub import: Option<i64>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub output: ListFormat,
}

#[derive(Debug, Subcommand)]
pub enum MembersCommand {
    /// Every member
    List {
        /// Only these statuses
        #[arg(long, value_delimiter = ',', value_name = "S,...")]
        status: Vec<crate::model::Status>,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// One member's fields, status and teams
    Show {
        id: String,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// BANNED: never changed by an import
    Ban {
        id: String,
    },
    /// Back to the status the member had before the ban
    Unban {
        id: String,
    },
    /// Never deactivated, demoted, changed or removed from a team by an import
    Protect {
        id: String,
    },
    Unprotect {
        id: String,
    },
    /// Record that an invited member accepted (INVITED -> ACTIVE)
    Activate {
        id: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct InviteArgs {
    /// Invite at most N members (oldest first)
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Only these members (email, external_id or phone) [default: every PROVISIONED member]
    pub ids: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum DefinitionCommand {
    Add { name: String },
    List,
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print one setting, or all
    Get { key: Option<String> },
    /// Set a setting; `none` removes it
    Set { key: String, value: String },
}
