//! The words of an invitation: the settings it is made from (`roster config set`) and the
//! placeholders `{first_name}`, `{last_name}`, `{name}`, `{email}`, `{link}` and `{org_name}`
//! in the subject and the text; the HTML adds `{brand_color}`, `{button_text_color}` and
//! `{logo}` (see `html`).

use super::brand::{self, Logo};
use crate::error::{InvitationError, StoreError};
use crate::store::invitations::{Invitation, InvitationStore};

/// The settings keys of invitations, as `roster config` lists them.
pub const KEYS: [&str; 9] = [
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

pub const DEFAULT_SUBJECT: &str = "You are invited";
pub const DEFAULT_TEMPLATE: &str = "Hello {name},\n\nYou have been invited. \
Accept the invitation here:\n\n{link}\n";
/// The brand colour when `brand-color` is not set: a blue that white text reads on.
pub const DEFAULT_COLOR: &str = "#1a56db";

/// What every message of one run is made from.
#[derive(Debug, Clone)]
pub struct MessageSettings {
    pub smtp_url: String,
    pub from: String,
    pub subject: String,
    pub template: String,
    pub link: String,
    /// `invite-html-template`; the built-in HTML without it.
    pub html_template: Option<String>,
    pub org_name: Option<String>,
    pub brand_color: String,
    pub logo: Option<Logo>,
}

impl MessageSettings {
    /// The settings of `store`; the server, the sender and the link are required.
    pub fn read(store: &dyn InvitationStore) -> Result<MessageSettings, InvitationError> {
        let settings = Self::read_optional(store).map_err(InvitationError::Store)?;
        for (key, value) in [
            ("smtp-url", &settings.smtp_url),
            ("smtp-from", &settings.from),
            ("invite-link", &settings.link),
        ] {
            if value.is_empty() {
                return Err(InvitationError::NotConfigured(key));
            }
        }
        Ok(settings)
    }

    /// The settings of `store`, with empty text for the required ones that are not set (a
    /// preview needs no server).
    pub fn read_optional(store: &dyn InvitationStore) -> Result<MessageSettings, StoreError> {
        let get = |key: &'static str| store.setting(key);
        Ok(MessageSettings {
            smtp_url: get("smtp-url")?.unwrap_or_default(),
            from: get("smtp-from")?.unwrap_or_default(),
            subject: get("invite-subject")?.unwrap_or_else(|| DEFAULT_SUBJECT.into()),
            template: get("invite-template")?.unwrap_or_else(|| DEFAULT_TEMPLATE.into()),
            link: get("invite-link")?.unwrap_or_default(),
            html_template: get("invite-html-template")?,
            org_name: get("org-name")?,
            brand_color: get("brand-color")?.unwrap_or_else(|| DEFAULT_COLOR.into()),
            logo: get("brand-logo")?.as_deref().and_then(Logo::from_data_uri),
        })
    }
}

/// The values the placeholders stand for, for one member.
#[derive(Debug, Clone)]
pub struct Fields {
    pub first_name: String,
    pub last_name: String,
    pub name: String,
    pub email: String,
    pub link: String,
    pub org_name: String,
    pub brand_color: String,
}

impl Fields {
    pub fn new(invitation: &Invitation, link: &str, settings: &MessageSettings) -> Fields {
        let first = invitation.first_name.clone().unwrap_or_default();
        let last = invitation.last_name.clone().unwrap_or_default();
        let name = match &invitation.name {
            Some(n) => n.clone(),
            None => [first.as_str(), last.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        };
        Fields {
            first_name: first,
            last_name: last,
            name,
            email: invitation.email.clone().unwrap_or_default(),
            link: link.to_string(),
            org_name: settings.org_name.clone().unwrap_or_default(),
            brand_color: brand::check_color(&settings.brand_color)
                .unwrap_or_else(|_| DEFAULT_COLOR.into()),
        }
    }

    /// The value of the text placeholder `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        Some(match name {
            "first_name" => &self.first_name,
            "last_name" => &self.last_name,
            "name" => &self.name,
            "email" => &self.email,
            "link" => &self.link,
            "org_name" => &self.org_name,
            _ => return None,
        })
    }
}

/// `text` with each `{placeholder}` that `value` knows replaced; others are kept as written.
pub fn substitute(text: &str, value: &dyn Fn(&str) -> Option<String>) -> String {
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

/// The subject or the text part: placeholders replaced as they are.
pub fn render(text: &str, fields: &Fields) -> String {
    substitute(text, &|name| fields.text(name).map(str::to_string))
}

/// The acceptance link: `invite-link` with `{token}` replaced.
pub fn link(form: &str, token: &str) -> String {
    form.replace("{token}", token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::invitations::InvitationState;

    pub fn ann() -> Invitation {
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

    fn settings() -> MessageSettings {
        MessageSettings {
            smtp_url: String::new(),
            from: String::new(),
            subject: String::new(),
            template: String::new(),
            link: String::new(),
            html_template: None,
            org_name: Some("Acme".into()),
            brand_color: "#FF0000".into(),
            logo: None,
        }
    }

    #[test]
    fn placeholders_are_replaced_and_others_kept() {
        let text = "Hi {first_name} {last_name} ({name}, {email}) of {org_name}: {link} {other} {";
        let fields = Fields::new(&ann(), "https://x/a?t=1", &settings());
        assert_eq!(
            render(text, &fields),
            "Hi Ann Lee (Ann Lee, ann@example.org) of Acme: https://x/a?t=1 {other} {"
        );
        assert_eq!(fields.brand_color, "#ff0000");
        let mut named = ann();
        named.name = Some("Annie".into());
        assert_eq!(
            render("{name}", &Fields::new(&named, "", &settings())),
            "Annie"
        );
        assert_eq!(
            link("https://x/accept/{token}", "ab"),
            "https://x/accept/ab"
        );
    }
}
