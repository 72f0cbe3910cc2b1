//! `roster keys create|list|revoke`: the API keys of `roster serve` (SPEC §12).

use crate::cli::{GlobalArgs, ListFormat};
use crate::error::{Error, Result, ServeError};
use crate::keys::{self, Scope};
use crate::report::table::{keep_whole, row, sized};
use crate::term::Term;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new key and print it once (the store keeps only its hash)
    #[command(after_long_help = "Examples:
  $ roster keys create hris
  $ roster keys create auditor --scope read
  $ roster keys create hris-2027 --replaces hris --expires 400d   # then: roster keys revoke hris")]
    Create {
        /// The key's name: the operator in the history and the audit log
        name: String,
        /// sync: every endpoint; read: only those that change nothing (and dry runs)
        #[arg(long, value_enum, default_value_t = Scope::Sync)]
        scope: Scope,
        /// Rotate a key without a gap: the new key acts as OLD's operator, and both work until
        /// OLD is revoked
        #[arg(long, value_name = "OLD")]
        replaces: Option<String>,
        /// When the key stops working: a date (2027-01-31, UTC), a time (RFC 3339) or a
        /// duration (90d, 12h, 30m)
        #[arg(long, value_name = "DATE|DURATION")]
        expires: Option<String>,
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

pub fn run(command: KeysCommand, global: &GlobalArgs) -> Result<u8> {
    if matches!(command, KeysCommand::List { .. }) {
        // Only reads: never creates a store (SPEC §2).
        super::require_existing(global)?;
    }
    let mut store = crate::store::keys::open(&super::location(global))?;
    match command {
        KeysCommand::Create {
            name,
            scope,
            replaces,
            expires,
        } => {
            let name = name.trim();
            if name.is_empty() || name.chars().any(char::is_control) {
                return Err(Error::Usage(ServeError::BadKeyName.to_string()));
            }
            let rotation = rotation(store.as_ref(), replaces.as_deref(), expires.as_deref())?;
            let key = keys::generate()?;
            if !store.create_key(name, scope.as_str(), &key.prefix, &key.hash, &rotation)? {
                // Not a usage error: the command is right, the store already has that name.
                let exists = ServeError::KeyExists(name.to_string());
                return Err(Error::Refusal(exists.code(), exists.to_string()));
            }
            // The key on stdout, alone, so that a script can capture it; the advice on stderr.
            super::say(&key.secret)?;
            if !global.quiet {
                eprintln!(
                    "Created the {} key '{name}'. Keep it now: roster shows it only this once.",
                    scope.as_str()
                );
            }
        }
        KeysCommand::List { output } => {
            let list = store.keys()?;
            if output == ListFormat::Json {
                let list: Vec<_> = list.iter().map(crate::report::records::key).collect();
                super::say_json(&list)?;
            } else {
                // Every column of SPEC §12 even when empty (a listing would drop `last used`
                // before any key is used); the name wraps first, the rest stays whole.
                let mut table = sized(Term::width());
                table.set_header(["name", "scope", "prefix", "created", "last used", "revoked"]);
                for k in list {
                    let mut shown = k.name.clone();
                    if let Some(operator) = &k.operator {
                        shown.push_str(&format!(" (as {operator})"));
                    }
                    if let Some(at) = &k.expires_at {
                        shown.push_str(&format!(" (expires {at})"));
                    }
                    row(
                        &mut table,
                        [
                            shown,
                            k.scope,
                            k.prefix,
                            k.created_at,
                            k.last_used_at.unwrap_or_default(),
                            k.revoked_at.unwrap_or_default(),
                        ],
                    );
                }
                keep_whole(&mut table, &[1, 2, 3, 4, 5], Term::width());
                super::say(&table.to_string())?;
            }
        }
        KeysCommand::Revoke { name } => {
            if !store.revoke_key(&name)? {
                return Err(Error::NotFound(ServeError::NoKey(name).to_string()));
            }
            if !global.quiet {
                eprintln!("Revoked the key '{name}'.");
            }
        }
    }
    Ok(0)
}

/// The operator of the key `--replaces` names, and the `--expires` time.
fn rotation(
    store: &dyn crate::store::keys::KeyedStore,
    replaces: Option<&str>,
    expires: Option<&str>,
) -> Result<crate::store::keys::KeyRotation> {
    let operator = match replaces {
        None => None,
        Some(old) => {
            let live = store
                .keys()?
                .into_iter()
                .find(|k| k.name == old.trim() && k.revoked_at.is_none());
            let old = live.ok_or_else(|| {
                Error::Usage(ServeError::NothingToReplace(old.to_string()).to_string())
            })?;
            Some(old.operator().to_string())
        }
    };
    let expires_at = expires
        .map(|e| {
            keys::parse_expiry(e, chrono::Utc::now())
                .map(|t| t.to_string())
                .ok_or_else(|| Error::Usage(ServeError::BadExpiry(e.to_string()).to_string()))
        })
        .transpose()?;
    Ok(crate::store::keys::KeyRotation {
        operator,
        expires_at,
    })
}
