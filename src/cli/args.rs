//! The arguments of the subcommands: import and diff (one [`ImportArgs`]), export, history,
//! members, definitions and settings.

use crate::model::Role;
use crate::parse::{InputFormat, Mapping};
use crate::policy::Limit;
use crate::report::OutputFormat;
use crate::report::export::ExportFormat;
use clap::{Args, Subcommand};
use std::path::PathBuf;

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
    /// Refuse a full sync whose file names more than P% fewer members than the last completed
    /// full sync from the same file [default: the store's max-shrink, else off]
    ///
    /// A truncated export then stops at exit 4 instead of deactivating the missing members.
    /// Example, to allow one run of a file that really shrank by 12%:
    ///   $ roster import staff.csv --full-sync --max-shrink 12%
    #[arg(long, value_name = "P%", value_parser = parse_percent)]
    pub max_shrink: Option<u64>,
    /// Deactivate a member only when N full syncs in a row miss it [default: the store's
    /// deactivate-after-missing, else 1]
    ///
    /// The first N-1 syncs that miss a member mark it missing (the plan lists it as `missing
    /// 1 of N`); a file that names it again clears the mark. Example:
    ///   $ roster import staff.csv --full-sync --deactivate-after-missing 3
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub deactivate_after_missing: Option<u64>,
    /// The file's format; auto decides by the extension, then by the content
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
    /// The summary as a table, one JSON document, NDJSON events, or the plan as an HTML page
    /// for review (all on stdout)
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
    /// If another import is being applied, wait for it (up to DURATION: 30s, 10m, 1h; no value:
    /// as long as it takes) instead of exiting 5
    #[arg(long, value_name = "DURATION", num_args = 0..=1, require_equals = true,
          default_missing_value = "forever", value_parser = parse_wait)]
    pub wait: Option<std::time::Duration>,
    /// Which changes the plan lists in table mode: every deactivation and the first 50 of each
    /// other kind (default), or every change (all)
    #[arg(long, value_enum, default_value_t = Show::Default)]
    pub show: Show,
    /// Apply without asking, even when the plan deactivates members or removes memberships
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `--show`: how much of the plan the table lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Show {
    #[default]
    Default,
    All,
}

/// `30`, `30s`, `10m`, `1h`, or `forever`.
fn parse_wait(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    if s == "forever" {
        return Ok(std::time::Duration::MAX);
    }
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("expected a duration such as 30s, 10m or 1h, got '{s}'"))?;
    let seconds = match unit {
        "s" => n,
        "m" | "min" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("unknown unit '{unit}': use s, m or h")),
    };
    Ok(std::time::Duration::from_secs(seconds))
}

/// `P%` or `P`, from 0 to 100.
fn parse_percent(s: &str) -> Result<u64, String> {
    crate::import::parse_percent(s)
        .ok_or_else(|| format!("expected a percentage P% from 0% to 100%, got '{s}'"))
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

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The format to write (CSV: the importable columns; JSON adds status, protected, teams)
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

#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Only this member's events (email, external_id or phone)
    #[arg(long, value_name = "ID")]
    pub member: Option<String>,
    /// Only this import's events
    #[arg(long, value_name = "ID")]
    pub import: Option<i64>,
    /// Only the newest N events
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Only events at or after this time: YYYY-MM-DD (UTC midnight) or RFC 3339
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<crate::store::Timestamp>,
    /// A table, or one JSON document
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub output: ListFormat,
}

/// `--since`: `2026-11-01` (midnight UTC) or an RFC 3339 time.
fn parse_since(s: &str) -> Result<crate::store::Timestamp, String> {
    let s = s.trim();
    if let Some(t) = crate::store::Timestamp::parse(s) {
        return Ok(t);
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().into())
        .ok_or_else(|| format!("expected a date YYYY-MM-DD or an RFC 3339 time, got '{s}'"))
}

#[derive(Debug, Subcommand)]
pub enum MembersCommand {
    /// Every member
    #[command(
        after_long_help = "Example:\n  $ roster members list --status ACTIVE,INVITED --output json"
    )]
    List {
        /// Only these statuses
        #[arg(long, value_delimiter = ',', value_name = "S,...")]
        status: Vec<crate::model::Status>,
        /// A table, or one JSON document
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// One member's fields, status and teams
    #[command(after_long_help = "Example:\n  $ roster members show ann@example.org")]
    Show {
        /// The member: email, external_id or phone
        id: String,
        /// A table, or one JSON document
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// BANNED: never changed by an import
    #[command(after_long_help = "Example:\n  $ roster members ban ann@example.org")]
    Ban {
        /// The member: email, external_id or phone
        id: String,
    },
    /// Back to the status the member had before the ban
    #[command(after_long_help = "Example:\n  $ roster members unban ann@example.org")]
    Unban {
        /// The member: email, external_id or phone
        id: String,
    },
    /// Never deactivated, demoted, changed or removed from a team by an import
    #[command(after_long_help = "Example:\n  $ roster members protect ceo@example.org")]
    Protect {
        /// The member: email, external_id or phone
        id: String,
    },
    /// Imports may change the member again (undoes protect)
    #[command(after_long_help = "Example:\n  $ roster members unprotect ceo@example.org")]
    Unprotect {
        /// The member: email, external_id or phone
        id: String,
    },
    /// Record that an invited member accepted (INVITED -> ACTIVE)
    #[command(after_long_help = "Example:\n  $ roster members activate ann@example.org")]
    Activate {
        /// The member: email, external_id or phone
        id: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct InviteArgs {
    /// Invite at most N members (oldest first)
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Who invites, for the audit log [default: the login user]
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// Only these members (email, external_id or phone) [default: every PROVISIONED member]
    pub ids: Vec<String>,
    /// Queue a new invitation for this INVITED member (its PENDING ones are cancelled)
    #[arg(long, value_name = "ID", conflicts_with_all = ["limit", "ids"])]
    pub resend: Option<String>,
}

/// `roster labels` and `roster forms` (their help is set per command in [`Command`]).
#[derive(Debug, Subcommand)]
pub enum DefinitionCommand {
    /// Define one
    Add {
        /// The label, or the form field TYPE.FIELD
        name: String,
    },
    /// Print every definition
    List {
        /// One a line, or a JSON array
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// Remove one definition
    Remove {
        /// The label, or the form field TYPE.FIELD
        name: String,
    },
}

/// The keys of `roster config set` and the values they accept (`none` removes a setting).
const CONFIG_KEYS: &str = "\
Keys and values (none removes a setting):
  seat-limit         a whole number, 0 or more: ACTIVE + INVITED members may not exceed it
                     when an import adds to them [default: none, no limit]
  max-rows           a whole number, 1 or more: the most data rows of a file [default: 30000]
  max-bytes          a whole number of bytes, 1 or more: the largest file [default: 10000000]
  max-deactivations  a whole number N, or a percentage N% from 0% to 100%: the most members
                     one full sync may deactivate [default: 25%, never less than 10]
  max-shrink         a percentage P% from 0% to 100%: refuse a full sync whose file names
                     more than P% fewer members than the last one from the same source
                     [default: none, off; 10% is a good value]
  deactivate-after-missing  a whole number, 1 or more: full syncs in a row that must miss
                     a member before it is deactivated [default: 1]
  scim-invite        true or false: a member created over SCIM is INVITED (an invitation
                     queued), not PROVISIONED [default: false]
  scim-max-deactivations  a whole number N, or a percentage N% from 0% to 100%: the most
                     members SCIM may deactivate in any rolling hour [default: 25%, never
                     less than 10]
  smtp-url           smtp://[user@]host[:port] (STARTTLS when offered; ?tls=required|none),
                     or smtps://[user@]host[:port] (implicit TLS); the password comes only
                     from ROSTER_SMTP_PASSWORD
  smtp-from          the sender, for example 'Roster <roster@example.org>'
  invite-subject     the subject of invitations [default: You are invited]
  invite-template    the body; @PATH reads it from a file. Placeholders: {first_name},
                     {last_name}, {name}, {email}, {link}
  invite-link        the acceptance URL, with {token} where the token goes
  invite-html-template  the HTML part; @PATH reads it from a file [default: a built-in,
                     branded message]. Placeholders: those of invite-template and {org_name},
                     {brand_color}, {button_text_color}, {logo} (the logo's <img>)
  org-name           the organisation's name, in the HTML message and {org_name}
  brand-color        #rrggbb: the HTML message's button and top bar [default: #1a56db]
  brand-logo         @PATH of a PNG, JPEG or SVG of at most 180 kB, sent inside each message
                     (never fetched from the network) and kept in the store
None of the one-line keys (smtp-*, invite-subject, invite-link, org-name, brand-color) may
hold a line break.";

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy members, teams, definitions, settings, history and audit log into an empty store
    #[command(
        after_long_help = "Example:\n  $ roster --db roster.db store copy --to 'postgresql://roster@%2Frun%2Fpostgresql/roster'"
    )]
    Copy {
        /// The destination: an SQLite file (created) or a postgres:// URL (an empty database or schema)
        #[arg(long, value_name = "DEST")]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print one setting, or all
    #[command(
        after_long_help = "Examples:\n  $ roster config get\n  $ roster config get seat-limit"
    )]
    Get {
        /// seat-limit, max-rows, max-bytes, max-deactivations, smtp-*, invite-*, org-name, brand-* [default: all]
        key: Option<String>,
        /// `key = value` lines, or one JSON document
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// Set a setting; `none` removes it
    #[command(after_help = CONFIG_KEYS, after_long_help = format!("{CONFIG_KEYS}

Examples:
  $ roster config set seat-limit 250
  $ roster config set max-deactivations 10%
  $ roster config set max-shrink 10%
  $ roster config set deactivate-after-missing 2
  $ roster config set max-rows none
  $ roster config set org-name 'Acme Rowing Club'
  $ roster config set brand-color '#0b6e4f'
  $ roster config set brand-logo @logo.png"))]
    Set {
        /// seat-limit, max-rows, max-bytes, max-deactivations, max-shrink,
        /// deactivate-after-missing, smtp-url, smtp-from, invite-subject, invite-template,
        /// invite-link, invite-html-template, org-name, brand-color or brand-logo
        key: String,
        /// The new value (see the keys below), or none
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
}
