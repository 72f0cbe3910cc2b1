//! The message of an invitation: the settings it is made from (`roster config set`) and the
//! placeholders `{first_name}`, `{last_name}`, `{name}`, `{email}` and `{link}`.

use crate::error::InvitationError;
use crate::store::Store;
use crate::store::invitations::Invitation;

/// The settings keys of invitations, as `roster config` lists them.
pub const KEYS: [&str; 5] = [
    "smtp-url",
    "smtp-from",
    "invite-subject",
    "invite-template",
    "invite-link",
];

pub const DEFAULT_SUBJECT: &str = "You are invited";
pub const DEFAULT_TEMPLATE: &str = "Hello {name},\n\nYou have been invited. \
Accept the invitation here:\n\n{link}\n";

/// What every message of one run is made from.
#[derive(Debug, Clone)]
pub struct MessageSettings {
    pub smtp_url: String,
    pub from: String,
    pub subject: String,
    pub template: String,
    pub link: String,
}

impl MessageSettings {
    /// The settings of `store`; the server, the sender and the link are required.
    pub fn read(store: &Store) -> Result<MessageSettings, InvitationError> {
        let get = |key: &'static str| store.setting(key).map_err(InvitationError::Store);
        let required = |key: &'static str| get(key)?.ok_or(InvitationError::NotConfigured(key));
        Ok(MessageSettings {
            smtp_url: required("smtp-url")?,
            from: required("smtp-from")?,
            subject: get("invite-subject")?.unwrap_or_else(|| DEFAULT_SUBJECT.into()),
            template: get("invite-template")?.unwrap_or_else(|| DEFAULT_TEMPLATE.into()),
            link: required("invite-link")?,
        })
    }
}

/// The message to one member: subject and body, placeholders replaced.
pub fn render(text: &str, invitation: &Invitation, link: &str) -> String {
    let display = match (
        &invitation.name,
        &invitation.first_name,
        &invitation.last_name,
    ) {
        (Some(n), _, _) => n.clone(),
        (None, f, l) => [f.as_deref(), l.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
    };
    let value = |name: &str| -> Option<String> {
        Some(match name {
            "first_name" => invitation.first_name.clone().unwrap_or_default(),
            "last_name" => invitation.last_name.clone().unwrap_or_default(),
            "name" => display.clone(),
            "email" => invitation.email.clone().unwrap_or_default(),
            "link" => link.to_string(),
            _ => return None,
        })
    };
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .and_then(|close| Some((close, value(&after[..close])?)))
        {
            Some((close, v)) => {
                out.push_str(&v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The acceptance link: `invite-link` with `{token}` replaced.
pub fn link(form: &str, token: &str) -> String {
    form.replace("{token}", token)
}

/// Checks a value before `roster config set` stores it; `@PATH` becomes the file's text.
pub fn check_setting(key: &str, value: &str) -> Result<String, InvitationError> {
    let bad = |why: &str| {
        Err(InvitationError::BadSetting(
            key.to_string(),
            why.to_string(),
        ))
    };
    match key {
        "smtp-url" => {
            super::send::Endpoint::parse(value)?;
            Ok(value.to_string())
        }
        "smtp-from" if value.parse::<lettre::message::Mailbox>().is_err() => {
            bad("expected an address such as 'Roster <roster@example.org>'")
        }
        "invite-link" if !value.contains("{token}") => bad("the link must contain {token}"),
        "invite-template" => match value.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path).map_err(|e| {
                InvitationError::BadSetting(key.to_string(), format!("could not read {path}: {e}"))
            }),
            None => Ok(value.replace("\\n", "\n")),
        },
        _ => Ok(value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::invitations::InvitationState;

    fn ann() -> Invitation {
        Invitation {
            id: 1,
            member_id: 1,
            member: "ann@example.org".into(),
            email: Some("ann@example.org".into()),
            first_name: Some("Ann".into()),
            last_name: Some("Lee".into()),
            name: None,
            state: InvitationState::Pending,
            attempts: 0,
            last_error: None,
            next_attempt_at: None,
            created_at: String::new(),
            sent_at: None,
            accepted_at: None,
        }
    }

    #[test]
    fn placeholders_are_replaced_and_others_kept() {
        let text = "Hi {first_name} {last_name} ({name}, {email}): {link} {other} {";
        assert_eq!(
            render(text, &ann(), "https://x/a?t=1"),
            "Hi Ann Lee (Ann Lee, ann@example.org): https://x/a?t=1 {other} {"
        );
        let mut named = ann();
        named.name = Some("Annie".into());
        assert_eq!(render("{name}", &named, ""), "Annie");
        assert_eq!(
            link("https://x/accept/{token}", "ab"),
            "https://x/accept/ab"
        );
    }

    #[test]
    fn settings_are_checked() {
        assert!(check_setting("invite-link", "https://x/").is_err());
        assert!(check_setting("smtp-from", "not an address").is_err());
        assert!(check_setting("smtp-from", "Roster <r@example.org>").is_ok());
        assert_eq!(check_setting("invite-template", "a\\nb").unwrap(), "a\nb");
        assert!(check_setting("invite-template", "@/nonexistent/x").is_err());
    }
}
