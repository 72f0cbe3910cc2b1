//! `roster labels`, `roster forms` and `roster config`: the store's definitions and settings.

use crate::cli::{ConfigCommand, DefinitionCommand, GlobalArgs, ListFormat};
use crate::error::{Code, Error, Result, msg, setting};
use crate::model::Status;
use crate::policy::Limit;
use crate::report::json::versioned;
use crate::report::records;
use crate::term::Term;
use serde_json::json;

/// `operator`: who makes a change, for the audit log.
pub fn labels(command: DefinitionCommand, operator: &str, global: &GlobalArgs) -> Result<u8> {
    let mut store = super::open(matches!(command, DefinitionCommand::List { .. }), global)?;
    match command {
        DefinitionCommand::Add { name } => {
            let slug = check_slug(&name)?;
            store.add_label(&slug, operator)?;
            super::tell(&format!("label {slug} defined"))?;
        }
        DefinitionCommand::Remove { name } => {
            if !store.remove_label(name.trim(), operator)? {
                return Err(Error::Refusal(
                    Code::LabelNotFound,
                    msg::no_label(name.trim()),
                ));
            }
            super::tell(&format!("label {} removed", name.trim()))?;
        }
        DefinitionCommand::List { output } => {
            let labels = store.definitions()?.0.labels;
            if output == ListFormat::Json {
                let list: Vec<_> = labels.iter().map(|l| records::label(l)).collect();
                return super::say_json(&list).map(|()| 0);
            }
            for slug in &labels {
                super::say(slug)?;
            }
        }
    }
    Ok(0)
}

/// A label slug: letters, digits, `-`, `_`, `.`, `:` (no comma, which separates labels).
fn check_slug(name: &str) -> Result<String> {
    let slug = name.trim();
    let ok = !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if ok {
        Ok(slug.to_string())
    } else {
        Err(Error::Refusal(Code::InvalidLabel, msg::invalid_label(name)))
    }
}

pub fn forms(command: DefinitionCommand, operator: &str, global: &GlobalArgs) -> Result<u8> {
    let mut store = super::open(matches!(command, DefinitionCommand::List { .. }), global)?;
    match command {
        DefinitionCommand::Add { name } => {
            let key = form_key(&name)?;
            store.add_form_field(&key, operator)?;
            super::tell(&format!("form field {key} defined (column form.{key})"))?;
        }
        DefinitionCommand::Remove { name } => {
            let key = form_key(&name)?;
            if !store.remove_form_field(&key, operator)? {
                return Err(Error::Refusal(
                    Code::FormFieldNotFound,
                    msg::no_form_field(&key),
                ));
            }
            super::tell(&format!("form field {key} removed"))?;
        }
        DefinitionCommand::List { output } => {
            let fields = store.definitions()?.0.form_fields;
            if output == ListFormat::Json {
                let list: Vec<_> = fields.iter().map(|k| records::form_field(k)).collect();
                return super::say_json(&list).map(|()| 0);
            }
            for key in &fields {
                super::tell(&format!("form.{key}"))?;
            }
        }
    }
    Ok(0)
}

/// `TYPE.FIELD` (or `form.TYPE.FIELD`), lowercased as headers are matched.
fn form_key(name: &str) -> Result<String> {
    let lower = name.trim().to_lowercase();
    let key = lower.strip_prefix("form.").unwrap_or(&lower);
    match key.split_once('.') {
        Some((ty, field)) if !ty.is_empty() && !field.is_empty() => Ok(key.to_string()),
        _ => Err(Error::Refusal(
            Code::InvalidFormField,
            msg::not_a_form_key(name),
        )),
    }
}

const KEYS: [&str; 17] = [
    "seat-limit",
    "max-rows",
    "max-bytes",
    "max-deactivations",
    "max-shrink",
    "deactivate-after-missing",
    "scim-invite",
    "scim-max-deactivations",
    "smtp-url",
    "smtp-from",
    "invite-subject",
    "invite-template",
    "invite-link",
    "invite-html-template",
    "org-name",
    "brand-color",
    "brand-logo",
];

fn is_invitation_key(key: &str) -> bool {
    crate::invitations::template::KEYS.contains(&key)
}

pub fn config(
    command: ConfigCommand,
    operator: &str,
    global: &GlobalArgs,
    term: &Term,
) -> Result<u8> {
    let mut store = super::open(matches!(command, ConfigCommand::Get { .. }), global)?;
    match command {
        ConfigCommand::Get { key, output } => {
            let settings = store.settings()?;
            let value = |k: &str| match k {
                k if is_invitation_key(k) => store
                    .setting(k)
                    .ok()
                    .flatten()
                    .map(|v| crate::invitations::settings::shown(k, v)),
                "seat-limit" => settings.seat_limit.map(|v| v.to_string()),
                "max-rows" => settings.max_rows.map(|v| v.to_string()),
                "max-bytes" => settings.max_bytes.map(|v| v.to_string()),
                "max-shrink" => settings.max_shrink.clone(),
                "deactivate-after-missing" => {
                    settings.deactivate_after_missing.map(|v| v.to_string())
                }
                "scim-invite" | "scim-max-deactivations" => store.setting(k).ok().flatten(),
                _ => settings.max_deactivations.clone(),
            };
            if output == ListFormat::Json {
                let keys: Vec<&str> = match &key {
                    Some(k) => {
                        check_key(k)?;
                        vec![k.as_str()]
                    }
                    None => KEYS.to_vec(),
                };
                let settings: serde_json::Map<_, _> = keys
                    .into_iter()
                    .map(|k| (k.to_string(), setting_json(k, value(k))))
                    .collect();
                return super::say_json(&versioned(json!({"settings": settings}))).map(|()| 0);
            }
            match key {
                Some(k) => {
                    check_key(&k)?;
                    super::tell(&value(&k).unwrap_or_else(|| "none".into()))?;
                }
                None => {
                    // The invitation keys are listed once set.
                    for k in KEYS {
                        let v = value(k);
                        if v.is_some() || !is_invitation_key(k) {
                            super::tell(&format!("{k} = {}", v.unwrap_or_else(|| "none".into())))?;
                        }
                    }
                }
            }
        }
        ConfigCommand::Set { key, value } => {
            check_key(&key)?;
            let value = value.trim();
            if value.eq_ignore_ascii_case("none") {
                store.set_setting(&key, None, operator)?;
            } else if is_invitation_key(&key) {
                let text = crate::invitations::settings::check_setting(&key, value)?;
                store.set_setting(&key, Some(&text), operator)?;
            } else {
                check_value(&key, value)?;
                if key == "seat-limit" {
                    let used = store.count_members(&[Status::Active, Status::Invited])?;
                    warn_seats_in_use(value, used, term);
                }
                store.set_setting(&key, Some(value), operator)?;
            }
            super::tell(&format!("{key} = {value}"))?;
        }
    }
    Ok(0)
}

/// A setting's value in JSON: the counts as numbers, the others as text, unset as `null`.
fn setting_json(key: &str, value: Option<String>) -> serde_json::Value {
    let number = matches!(key, "seat-limit" | "max-rows" | "max-bytes");
    match value {
        Some(v) if number => v.parse::<u64>().map_or_else(|_| json!(v), |n| json!(n)),
        Some(v) => json!(v),
        None => serde_json::Value::Null,
    }
}

/// A value a setting can hold (issue 17: `max-rows 0` or `max-deactivations 150%` made every
/// later import fail); the ranges are listed by `roster config set --help`.
fn check_value(key: &str, value: &str) -> Result<()> {
    let valid = match key {
        "scim-invite" => crate::columns::parse_bool(value).is_some(),
        "max-deactivations" | "scim-max-deactivations" => match value.parse::<Limit>() {
            Ok(Limit::Percent(p)) => p <= 100,
            Ok(Limit::Count(_)) => true,
            Err(_) => false,
        },
        "seat-limit" => value.parse::<u64>().is_ok(),
        "max-shrink" => crate::import::parse_percent(value).is_some(),
        _ => value.parse::<u64>().is_ok_and(|n| n >= 1),
    };
    if valid {
        Ok(())
    } else {
        Err(Error::Refusal(
            Code::InvalidSettingValue,
            setting::invalid(key, value),
        ))
    }
}

/// A seat limit below the seats in use is allowed (the rule refuses only imports that add
/// seats), but it is worth a word: the next import that adds a member will be refused.
fn warn_seats_in_use(value: &str, used: u64, term: &Term) {
    if let Ok(limit) = value.parse::<u64>()
        && limit < used
    {
        term.warning(&setting::seats_in_use(limit, used));
    }
}

fn check_key(key: &str) -> Result<()> {
    if KEYS.contains(&key) {
        Ok(())
    } else {
        Err(Error::Refusal(
            Code::UnknownSetting,
            msg::unknown_setting(key, &KEYS),
        ))
    }
}
