//! `roster invitations preview` (issue 28): the message one member would get, rendered from
//! the settings as they are, without sending anything or writing to the store. The token is
//! a stand-in (no link of a preview works) and so is the Message-ID.

use super::html::LogoSource;
use super::message;
use super::template::MessageSettings;
use crate::error::{InvitationError, StoreError};
use crate::store::invitations::{Invitation, InvitationState, InvitationStore};

/// A token no invitation has: a preview's link shows where the token goes.
pub const PREVIEW_TOKEN: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The link when `invite-link` is not set.
pub const PREVIEW_LINK: &str = "https://roster.example.invalid/invitations/{token}";

/// What a preview prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewFormat {
    /// The headers a reader sees and the text part.
    Text,
    /// The HTML part, with the logo as a `data:` URI so that a browser shows it.
    Html,
    /// The whole MIME message, as it would be sent.
    Eml,
}

/// The member a preview is for when none is named.
pub fn sample() -> Invitation {
    Invitation {
        id: 0,
        member_id: 0,
        member: "ada@example.org".into(),
        email: Some("ada@example.org".into()),
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
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

/// The settings a preview renders with: those of the store, a stand-in link where none is set.
pub fn settings(store: &dyn InvitationStore) -> Result<MessageSettings, StoreError> {
    let mut settings = MessageSettings::read_optional(store)?;
    if settings.link.is_empty() {
        settings.link = PREVIEW_LINK.into();
    }
    Ok(settings)
}

/// The HTML a browser can open on its own: the logo inlined as a `data:` URI.
pub fn html(settings: &MessageSettings, invitation: &Invitation) -> String {
    let uri = settings.logo.as_ref().map(|l| l.to_data_uri());
    let logo = match &uri {
        Some(uri) => LogoSource::DataUri(uri),
        None => LogoSource::None,
    };
    message::render(settings, invitation, PREVIEW_TOKEN, &logo).html
}

/// The preview of `invitation` in `format`.
pub fn render(
    settings: &MessageSettings,
    invitation: &Invitation,
    format: PreviewFormat,
) -> Result<Vec<u8>, InvitationError> {
    let bad = |e: String| InvitationError::BadSetting("preview".into(), e);
    Ok(match format {
        PreviewFormat::Html => html(settings, invitation).into_bytes(),
        PreviewFormat::Text => {
            let parts = message::render(settings, invitation, PREVIEW_TOKEN, &LogoSource::None);
            let from = match settings.from.as_str() {
                "" => message::PREVIEW_FROM,
                from => from,
            };
            let to = invitation.email.as_deref().unwrap_or_default();
            format!(
                "From: {from}\nTo: {to}\nSubject: {}\n\n{}",
                parts.subject, parts.text
            )
            .into_bytes()
        }
        PreviewFormat::Eml => {
            let id = "<roster-invitation-preview@roster.invalid>";
            message::build(settings, invitation, PREVIEW_TOKEN, id)
                .map_err(bad)?
                .formatted()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> MessageSettings {
        MessageSettings {
            smtp_url: String::new(),
            from: String::new(),
            subject: "Join {org_name}".into(),
            template: super::super::template::DEFAULT_TEMPLATE.into(),
            link: PREVIEW_LINK.into(),
            html_template: None,
            org_name: Some("Acme".into()),
            brand_color: "#1a56db".into(),
            logo: super::super::brand::Logo::check(b"<svg xmlns='x'/>".to_vec()).ok(),
        }
    }

    #[test]
    fn a_preview_shows_the_sample_member_and_the_logo_inline() {
        let s = settings();
        let text = String::from_utf8(render(&s, &sample(), PreviewFormat::Text).unwrap()).unwrap();
        assert!(text.starts_with("From: Roster <roster@example.invalid>\nTo: ada@example.org\nSubject: Join Acme\n\nHello Ada Lovelace,"));
        let html = String::from_utf8(render(&s, &sample(), PreviewFormat::Html).unwrap()).unwrap();
        assert!(html.contains("src=\"data:image/svg+xml;base64,"));
        let eml = String::from_utf8(render(&s, &sample(), PreviewFormat::Eml).unwrap()).unwrap();
        assert!(eml.contains("MIME-Version: 1.0"));
        assert!(eml.contains("Content-ID: <brand-logo@roster.invalid>"));
        assert!(eml.contains("multipart/related"));
    }
}
