//! What `roster config set` accepts for the mail and brand keys, checked before the store
//! keeps it. A value that goes into a header or a one-line field (every key but the two
//! templates) may not hold a CR or LF: it could add a header to every invitation.

use super::brand::{self, Logo};
use super::send::Endpoint;
use crate::error::InvitationError;

/// The keys whose value is one line.
const ONE_LINE: [&str; 6] = [
    "smtp-url",
    "smtp-from",
    "invite-subject",
    "invite-link",
    "org-name",
    "brand-color",
];

/// The value to store for `key`; `@PATH` becomes the file's text (a template) or the image as
/// a `data:` URI (`brand-logo`).
pub fn check_setting(key: &str, value: &str) -> Result<String, InvitationError> {
    let bad = |why: String| InvitationError::BadSetting(key.to_string(), why);
    if ONE_LINE.contains(&key) && value.contains(['\r', '\n']) {
        return Err(bad("a line break is not allowed here".into()));
    }
    match key {
        "smtp-url" => {
            Endpoint::parse(value)?;
            Ok(value.to_string())
        }
        "smtp-from" if value.parse::<lettre::message::Mailbox>().is_err() => Err(bad(
            "expected an address such as 'Roster <roster@example.org>'".into(),
        )),
        "invite-link" if !value.contains("{token}") => {
            Err(bad("the link must contain {token}".into()))
        }
        "brand-color" => brand::check_color(value).map_err(bad),
        "brand-logo" => {
            let path = value
                .strip_prefix('@')
                .ok_or_else(|| bad("expected @PATH, the path of a PNG, JPEG or SVG file".into()))?;
            let bytes =
                std::fs::read(path).map_err(|e| bad(format!("could not read {path}: {e}")))?;
            Ok(Logo::check(bytes).map_err(bad)?.to_data_uri())
        }
        "invite-template" | "invite-html-template" => match value.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| bad(format!("could not read {path}: {e}"))),
            None => Ok(value.replace("\\n", "\n")),
        },
        _ => Ok(value.to_string()),
    }
}

/// How `roster config get` shows a stored value: a logo by its type and size, not its base64.
pub fn shown(key: &str, stored: String) -> String {
    match key {
        "brand-logo" => Logo::from_data_uri(&stored)
            .map(|logo| logo.summary())
            .unwrap_or(stored),
        _ => stored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        assert!(check_setting("invite-link", "https://x/").is_err());
        assert!(check_setting("smtp-from", "not an address").is_err());
        assert!(check_setting("smtp-from", "Roster <r@example.org>").is_ok());
        assert_eq!(check_setting("invite-template", "a\\nb").unwrap(), "a\nb");
        assert!(check_setting("invite-template", "@/nonexistent/x").is_err());
        assert!(check_setting("brand-logo", "logo.png").is_err());
        assert_eq!(check_setting("brand-color", "#ABCDEF").unwrap(), "#abcdef");
    }

    #[test]
    fn line_breaks_are_refused_in_one_line_settings() {
        for key in ONE_LINE {
            for value in ["a\r\nBcc: x@example.org", "a\nb", "a\rb"] {
                let e = check_setting(key, value).unwrap_err().to_string();
                assert!(e.contains("line break"), "{key}: {e}");
            }
        }
        assert!(check_setting("invite-template", "a\nb").is_ok());
    }
}
