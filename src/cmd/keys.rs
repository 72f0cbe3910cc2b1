//! `roster keys create|list|revoke`: the API keys of `roster serve` (SPEC §12).

use crate::cli::{GlobalArgs, KeysCommand, ListFormat};
use crate::error::{Code, Error, Result, ServeError};
use crate::keys;
use crate::report::table::listing_all;
use crate::term::Term;

pub fn run(command: KeysCommand, global: &GlobalArgs) -> Result<u8> {
    if matches!(command, KeysCommand::List { .. }) {
        // Only reads: never creates a store (SPEC §2).
        super::require_existing(global)?;
    }
    let mut store = crate::store::open(&super::location(global))?;
    match command {
        KeysCommand::Create {
            name,
            scope,
            replaces,
            expires,
        } => {
            let name = name.trim();
            if name.is_empty() || name.chars().any(char::is_control) {
                return Err(Error::Refusal(
                    Code::InvalidKeyName,
                    ServeError::BadKeyName.to_string(),
                ));
            }
            let rotation = rotation(&store, replaces.as_deref(), expires.as_deref())?;
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
                // Every column of SPEC §12 even when empty (before any key is used); the name
                // wraps first, the rest stays whole; a name too long for the width makes the
                // list one block a key.
                let header = ["name", "scope", "prefix", "created", "last used", "revoked"];
                let rows: Vec<Vec<String>> = list
                    .into_iter()
                    .map(|k| {
                        let mut shown = k.name.clone();
                        if let Some(operator) = &k.operator {
                            shown.push_str(&format!(" (as {operator})"));
                        }
                        if let Some(at) = &k.expires_at {
                            shown.push_str(&format!(" (expires {at})"));
                        }
                        vec![
                            shown,
                            k.scope,
                            k.prefix,
                            k.created_at,
                            k.last_used_at.unwrap_or_default(),
                            k.revoked_at.unwrap_or_default(),
                        ]
                    })
                    .collect();
                let whole = ["scope", "prefix", "created", "last used", "revoked"];
                let table = listing_all(&header, &rows, &whole, Term::width());
                super::say(&table.to_string())?;
            }
        }
        KeysCommand::Revoke { name } => {
            if !store.revoke_key(&name)? {
                return Err(Error::Refusal(
                    Code::KeyNotFound,
                    ServeError::NoKey(name).to_string(),
                ));
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
    store: &crate::store::Store,
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
                let e = ServeError::NothingToReplace(old.to_string());
                Error::Refusal(e.code(), e.to_string())
            })?;
            Some(old.operator().to_string())
        }
    };
    let expires_at = expires
        .map(|e| {
            keys::parse_expiry(e, chrono::Utc::now())
                .map(|t| crate::store::Timestamp::from(t).to_string())
                .ok_or_else(|| {
                    let bad = ServeError::BadExpiry(e.to_string());
                    Error::Refusal(bad.code(), bad.to_string())
                })
        })
        .transpose()?;
    Ok(crate::store::keys::KeyRotation {
        operator,
        expires_at,
    })
}
