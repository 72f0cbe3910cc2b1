//! The MIME message of one invitation (issue 28): `multipart/alternative` with the text part
//! first, then the HTML (in `multipart/related` with the logo as an inline `cid:` image when
//! there is one), `MIME-Version: 1.0`, UTF-8 parts whose transfer encoding lettre chooses,
//! and the invitation's own `Message-ID`.

use super::html::{self, LogoSource};
use super::template::{self, Fields, MessageSettings};
use crate::store::invitations::{Invitation, InvitationKeys};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

/// The logo's Content-ID, which the HTML names as `cid:...`.
pub const LOGO_CID: &str = "brand-logo@roster.invalid";

/// The sender's address when `smtp-from` is not set (a preview only).
pub const PREVIEW_FROM: &str = "Roster <roster@example.invalid>";

/// `<roster-invitation-ID.STORE@DOMAIN>`: the same for every send of one invitation.
pub fn message_id(keys: &InvitationKeys, id: i64, from: &str) -> String {
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').trim())
        .filter(|d| !d.is_empty())
        .unwrap_or("roster.invalid");
    format!("<roster-invitation-{id}.{}@{domain}>", keys.store_id)
}

/// The parts of one invitation, before they become a message.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Subject, text and HTML for `invitation` with `token` in its link; `logo` says how the
/// HTML refers to the logo.
pub fn render(
    settings: &MessageSettings,
    invitation: &Invitation,
    token: &str,
    logo: &LogoSource,
) -> Rendered {
    let link = template::link(&settings.link, token);
    let fields = Fields::new(invitation, &link, settings);
    // A name with a line break must not break the subject line (lettre encodes the rest).
    let subject = template::render(&settings.subject, &fields).replace(['\r', '\n'], " ");
    let text = template::render(&settings.template, &fields);
    let html = html::render(settings.html_template.as_deref(), &subject, &fields, logo);
    Rendered {
        subject,
        text,
        html,
    }
}

/// The message to one member; an address lettre refuses is a permanent failure.
pub fn build(
    settings: &MessageSettings,
    invitation: &Invitation,
    token: &str,
    message_id: &str,
) -> Result<lettre::Message, String> {
    let logo = match settings.logo {
        Some(_) => LogoSource::Cid(LOGO_CID),
        None => LogoSource::None,
    };
    let parts = render(settings, invitation, token, &logo);
    let to = invitation.email.as_deref().unwrap_or_default();
    let address = |a: &str| {
        a.parse::<Mailbox>()
            .map_err(|e| format!("invalid address '{a}': {e}"))
    };
    let from = match settings.from.as_str() {
        "" => PREVIEW_FROM,
        from => from,
    };
    let html = SinglePart::html(parts.html);
    let alternative = MultiPart::alternative().singlepart(SinglePart::plain(parts.text));
    let alternative = match &settings.logo {
        Some(logo) => {
            let media_type = ContentType::parse(logo.media_type).map_err(|e| e.to_string())?;
            let image =
                Attachment::new_inline(LOGO_CID.to_string()).body(logo.bytes.clone(), media_type);
            alternative.multipart(MultiPart::related().singlepart(html).singlepart(image))
        }
        None => alternative.singlepart(html),
    };
    lettre::Message::builder()
        .from(address(from)?)
        .to(address(to)?)
        .subject(parts.subject)
        .message_id(Some(message_id.to_string()))
        .multipart(alternative)
        .map_err(|e| e.to_string())
}
