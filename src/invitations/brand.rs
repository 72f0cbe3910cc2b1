//! The organisation's brand in an invitation (issue 28): `brand-color` (`#rrggbb`) and the text
//! colour that reads on it, and `brand-logo` (a PNG, JPEG or SVG of at most [`MAX_LOGO`]
//! bytes), which the store keeps as a `data:` URI in its setting.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The largest logo, in bytes. Base64 makes it a third larger on the wire; 180 kB keeps an
/// invitation under 256 kB with the HTML and text parts.
pub const MAX_LOGO: usize = 180_000;

/// A logo: its media type and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

impl Logo {
    /// The logo in `bytes`, or why it cannot be one.
    pub fn check(bytes: Vec<u8>) -> Result<Logo, String> {
        if bytes.len() > MAX_LOGO {
            return Err(format!(
                "the logo is {} bytes; the most is {MAX_LOGO} (180 kB)",
                bytes.len()
            ));
        }
        let media_type = sniff(&bytes).ok_or(
            "expected a PNG, JPEG or SVG image (the file's first bytes are none of these)",
        )?;
        Ok(Logo { media_type, bytes })
    }

    /// As the setting keeps it: `data:TYPE;base64,...`.
    pub fn to_data_uri(&self) -> String {
        format!(
            "data:{};base64,{}",
            self.media_type,
            STANDARD.encode(&self.bytes)
        )
    }

    /// The logo a setting holds; `None` for text that is not one of ours.
    pub fn from_data_uri(text: &str) -> Option<Logo> {
        let (media_type, data) = text.strip_prefix("data:")?.split_once(";base64,")?;
        let media_type = ["image/png", "image/jpeg", "image/svg+xml"]
            .into_iter()
            .find(|t| *t == media_type)?;
        let bytes = STANDARD.decode(data.trim()).ok()?;
        Some(Logo { media_type, bytes })
    }

    /// A short description for `roster config get`: the whole setting is ~240 kB of base64.
    pub fn summary(&self) -> String {
        format!("{}, {} bytes", self.media_type, self.bytes.len())
    }
}

/// The media type the bytes begin as: PNG's and JPEG's signatures, or an XML document whose
/// root element is `<svg`.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    let text = std::str::from_utf8(bytes).ok()?;
    svg_root(text.trim_start_matches('\u{feff}')).then_some("image/svg+xml")
}

/// Whether the first element after the prolog (XML declaration, comments, processing
/// instructions, DOCTYPE) is `<svg`.
fn svg_root(mut text: &str) -> bool {
    loop {
        text = text.trim_start();
        let skip_to = if text.starts_with("<?") {
            "?>"
        } else if text.starts_with("<!--") {
            "-->"
        } else if text.starts_with("<!") {
            ">"
        } else {
            break;
        };
        match text.find(skip_to) {
            Some(end) => text = &text[end + skip_to.len()..],
            None => return false,
        }
    }
    text.strip_prefix("<svg")
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_whitespace() || c == '>' || c == '/')
}

/// `#rrggbb` (any case), or why not.
pub fn check_color(text: &str) -> Result<String, String> {
    match text.strip_prefix('#') {
        Some(hex) if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
            Ok(text.to_ascii_lowercase())
        }
        _ => Err(format!(
            "expected a colour as #rrggbb, such as #1a56db; got '{text}'"
        )),
    }
}

/// The colour of text on `background` (`#rrggbb`): black or white, whichever contrasts more
/// (WCAG 2 relative luminance).
pub fn text_color_on(background: &str) -> &'static str {
    let l = luminance(background);
    let on_white = 1.05 / (l + 0.05);
    let on_black = (l + 0.05) / 0.05;
    if on_black > on_white {
        "#000000"
    } else {
        "#ffffff"
    }
}

/// WCAG 2's contrast ratio of two `#rrggbb` colours, from 1 to 21.
pub fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn luminance(color: &str) -> f64 {
    let channel = |i: usize| {
        let v = u8::from_str_radix(color.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
        let c = f64::from(v) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logos_are_recognised_by_their_bytes() {
        let png = b"\x89PNG\r\n\x1a\nrest".to_vec();
        assert_eq!(Logo::check(png.clone()).unwrap().media_type, "image/png");
        assert_eq!(
            Logo::check(vec![0xFF, 0xD8, 0xFF, 0xE0])
                .unwrap()
                .media_type,
            "image/jpeg"
        );
        let svg =
            "\u{feff}<?xml version=\"1.0\"?>\n<!-- a logo -->\n<!DOCTYPE svg>\n<svg xmlns=\"x\"/>";
        assert_eq!(Logo::check(svg.into()).unwrap().media_type, "image/svg+xml");
        for bad in [
            &b"GIF89a"[..],
            b"<html><svg></svg></html>",
            b"<svgx/>",
            b"<!-- open",
        ] {
            assert!(Logo::check(bad.to_vec()).is_err(), "{bad:?}");
        }
        let big = [&b"\x89PNG\r\n\x1a\n"[..], &vec![0; MAX_LOGO]].concat();
        assert!(Logo::check(big).unwrap_err().contains("180 kB"));
        let logo = Logo::check(png).unwrap();
        assert_eq!(Logo::from_data_uri(&logo.to_data_uri()), Some(logo));
        assert_eq!(Logo::from_data_uri("data:text/html;base64,AA=="), None);
    }

    #[test]
    fn button_text_contrasts_with_the_brand_colour() {
        assert_eq!(text_color_on("#ffffff"), "#000000");
        assert_eq!(text_color_on("#000000"), "#ffffff");
        assert_eq!(text_color_on("#1a56db"), "#ffffff");
        assert_eq!(text_color_on("#ffd400"), "#000000");
        for c in [
            "#1a56db", "#ffd400", "#777777", "#00ff00", "#ff0000", "#808080",
        ] {
            assert!(contrast(c, text_color_on(c)) >= 4.5, "{c}");
        }
        assert_eq!(check_color("#1A56DB").unwrap(), "#1a56db");
        for bad in ["1a56db", "#1a56d", "#1a56dg", "red", "#1a56db\n"] {
            assert!(check_color(bad).is_err(), "{bad}");
        }
    }
}
