//! The HTML part of an invitation (issue 28): `invite-html-template`, or the built-in message.
//! Every value that comes from a member or a setting is HTML-escaped; only the `<img>` of
//! `{logo}` is markup, made here. The built-in message is what mail clients need: tables for
//! layout, inline styles, real text, a button with the plain link under it, `lang`, a title,
//! and a dark scheme that keeps every text readable.

use super::brand;
use super::template::{Fields, substitute};

/// Where the logo is: `cid:` in a message, a `data:` URI in a preview opened in a browser.
pub enum LogoSource<'a> {
    None,
    Cid(&'a str),
    DataUri(&'a str),
}

/// `text` made safe inside HTML text and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The `<img>` of the logo, or nothing.
fn logo_img(fields: &Fields, logo: &LogoSource) -> String {
    let src = match logo {
        LogoSource::None => return String::new(),
        LogoSource::Cid(id) => format!("cid:{id}"),
        LogoSource::DataUri(uri) => uri.to_string(),
    };
    let alt = if fields.org_name.is_empty() {
        "Logo".to_string()
    } else {
        escape(&fields.org_name)
    };
    format!(
        "<img class=\"logo\" src=\"{}\" alt=\"{alt}\" height=\"48\" style=\"display:block;height:48px;\
         width:auto;max-width:240px;border:0;outline:none;text-decoration:none;\">",
        escape(&src)
    )
}

/// The HTML part: `template` (or the built-in one) with placeholders replaced and escaped.
pub fn render(template: Option<&str>, subject: &str, fields: &Fields, logo: &LogoSource) -> String {
    let template = template.unwrap_or(BUILT_IN);
    let button_text = brand::text_color_on(&fields.brand_color);
    let invited_to = if fields.org_name.is_empty() {
        "You have been invited.".to_string()
    } else {
        format!(
            "You have been invited to join {}.",
            escape(&fields.org_name)
        )
    };
    let heading = if fields.org_name.is_empty() {
        "Your invitation".to_string()
    } else {
        escape(&fields.org_name)
    };
    substitute(template, &|name| {
        Some(match name {
            "logo" => logo_img(fields, logo),
            "brand_color" => fields.brand_color.clone(),
            "button_text_color" => button_text.to_string(),
            // The built-in message's own: the title and its two sentences.
            "subject" if template == BUILT_IN => escape(subject),
            "heading" if template == BUILT_IN => heading.clone(),
            "invited_to" if template == BUILT_IN => invited_to.clone(),
            other => escape(fields.text(other)?),
        })
    })
}

/// The built-in message. `{subject}`, `{heading}` and `{invited_to}` are its own.
const BUILT_IN: &str = r##"<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>{subject}</title>
<style>
@media (prefers-color-scheme: dark) {
  body, .page { background-color: #16181d !important; }
  .logo { background-color: #ffffff !important; padding: 6px !important; border-radius: 6px !important; }
  .card { background-color: #23262e !important; }
  .text { color: #eceef2 !important; }
  .muted { color: #b9bec8 !important; }
  .plain-link { color: #9cc3ff !important; }
}
@media only screen and (max-width: 620px) {
  .card { width: 100% !important; }
  .inner { padding: 24px 20px !important; }
}
</style>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<table role="presentation" class="page" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" class="card" width="560" cellpadding="0" cellspacing="0" border="0" style="width:560px;max-width:100%;background-color:#ffffff;border-radius:8px;">
<tr><td style="height:6px;line-height:6px;font-size:6px;background-color:{brand_color};border-radius:8px 8px 0 0;">&nbsp;</td></tr>
<tr><td class="inner" style="padding:32px 40px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;">
{logo}
<h1 class="text" style="margin:16px 0 16px 0;font-size:22px;line-height:30px;font-weight:bold;color:#1f2329;">{heading}</h1>
<p class="text" style="margin:0 0 12px 0;font-size:16px;line-height:24px;color:#1f2329;">Hello {name},</p>
<p class="text" style="margin:0 0 24px 0;font-size:16px;line-height:24px;color:#1f2329;">{invited_to} Accept the invitation with the button below.</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 24px 0;">
<tr><td align="center" style="border-radius:6px;background-color:{brand_color};">
<a href="{link}" target="_blank" style="display:inline-block;padding:12px 28px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:24px;font-weight:bold;color:{button_text_color};text-decoration:none;border-radius:6px;">Accept the invitation</a>
</td></tr>
</table>
<p class="muted" style="margin:0 0 8px 0;font-size:14px;line-height:20px;color:#4b5260;">If the button does not work, copy this link into your browser:</p>
<p style="margin:0;font-size:14px;line-height:20px;word-break:break-all;"><a class="plain-link" href="{link}" target="_blank" style="color:#1a4fc4;text-decoration:underline;">{link}</a></p>
</td></tr>
</table>
<p class="muted" style="margin:16px 0 0 0;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:12px;line-height:18px;color:#4b5260;">This invitation was sent to {email}.</p>
</td></tr>
</table>
</body>
</html>
"##;

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(name: &str) -> Fields {
        Fields {
            first_name: name.into(),
            last_name: String::new(),
            name: name.into(),
            email: "a\"@example.org".into(),
            link: "https://x/accept/t?a=1&b=2".into(),
            org_name: "<b>Acme</b> & Co".into(),
            brand_color: "#ffd400".into(),
        }
    }

    #[test]
    fn member_values_cannot_make_markup() {
        let hostile = "<script>alert(1)</script>\"' onmouseover=x";
        let html = render(
            None,
            "<i>s</i>",
            &fields(hostile),
            &LogoSource::Cid("logo@x"),
        );
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39; onmouseover=x"));
        assert!(html.contains("<title>&lt;i&gt;s&lt;/i&gt;</title>"));
        assert!(html.contains("href=\"https://x/accept/t?a=1&amp;b=2\""));
        assert!(html.contains("src=\"cid:logo@x\" alt=\"&lt;b&gt;Acme&lt;/b&gt; &amp; Co\""));
        // Dark text on a light yellow button.
        assert!(html.contains("color:#000000;text-decoration:none"));
        for p in [
            "{name}",
            "{link}",
            "{logo}",
            "{brand_color}",
            "{heading}",
            "{email}",
        ] {
            assert!(!html.contains(p), "{p} replaced");
        }
    }

    #[test]
    fn a_template_of_ones_own_gets_the_same_values() {
        let t = "<p style=\"color:{brand_color}\">{first_name} {logo}{subject}</p>";
        let html = render(Some(t), "s", &fields("<x>"), &LogoSource::None);
        assert_eq!(html, "<p style=\"color:#ffd400\">&lt;x&gt; {subject}</p>");
    }
}
