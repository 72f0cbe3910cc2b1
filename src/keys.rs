//! API keys of `roster serve` (SPEC §12): `rst_`, 30 random base62 characters, and a 6-character
//! checksum of them, so that a mistyped or truncated key is refused without a store lookup.
//! The store keeps only the key's SHA-256 (right for a random secret of ~178 bits: nothing to
//! guess, so no slow hash is needed) and its first characters to tell keys apart.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const PREFIX: &str = "rst_";
const RANDOM_CHARS: usize = 30;
const CHECKSUM_CHARS: usize = 6;
/// The length of a whole key.
pub const KEY_LEN: usize = PREFIX.len() + RANDOM_CHARS + CHECKSUM_CHARS;
/// How much of a key `roster keys list` shows: `rst_` and 8 characters.
const SHOWN_CHARS: usize = PREFIX.len() + 8;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// What a key may do: `sync` everything, `read` only the endpoints that change nothing, `scim`
/// only SCIM 2.0 under `/scim/v2` (SPEC §17), and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    #[default]
    Sync,
    Read,
    Scim,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Sync => "sync",
            Scope::Read => "read",
            Scope::Scim => "scim",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "sync" => Some(Scope::Sync),
            "read" => Some(Scope::Read),
            "scim" => Some(Scope::Scim),
            _ => None,
        }
    }
}

/// A key just made: the secret (shown once), and what the store keeps of it.
pub struct NewKey {
    pub secret: String,
    pub prefix: String,
    pub hash: String,
}

impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NewKey({}...)", self.prefix)
    }
}

/// A new random key from the operating system's generator.
pub fn generate() -> std::io::Result<NewKey> {
    let mut random = String::with_capacity(RANDOM_CHARS);
    let mut bytes = [0u8; 64];
    while random.len() < RANDOM_CHARS {
        getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
        // 248 = 4 * 62: bytes above it are dropped, so every character is equally likely.
        random.extend(
            bytes
                .iter()
                .filter(|&&b| b < 248)
                .map(|&b| BASE62[(b % 62) as usize] as char)
                .take(RANDOM_CHARS - random.len()),
        );
    }
    let secret = format!("{PREFIX}{random}{}", checksum(&random));
    Ok(NewKey {
        prefix: shown_prefix(&secret),
        hash: hash(&secret),
        secret,
    })
}

/// Whether `key` is well formed and its checksum matches: a key that fails this cannot be in
/// the store, so it is refused without looking.
pub fn is_well_formed(key: &str) -> bool {
    let Some(rest) = key.strip_prefix(PREFIX) else {
        return false;
    };
    if key.len() != KEY_LEN || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let (random, sum) = rest.split_at(RANDOM_CHARS);
    checksum(random).as_bytes().ct_eq(sum.as_bytes()).into()
}

/// The hex SHA-256 of a key: what the store keeps and looks keys up by.
pub fn hash(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two hashes in constant time.
pub fn same_hash(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// `rst_` and the first 8 random characters: enough to tell keys apart, useless to an attacker.
pub fn shown_prefix(key: &str) -> String {
    key.chars().take(SHOWN_CHARS).collect()
}

/// The first 4 bytes of the SHA-256 of the random part, in 6 base62 characters.
fn checksum(random: &str) -> String {
    let digest = Sha256::digest(random.as_bytes());
    let mut n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) as u64;
    let mut out = [b'0'; CHECKSUM_CHARS];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_is_well_formed_and_its_hash_is_not_the_key() {
        let k = generate().unwrap();
        assert_eq!(k.secret.len(), KEY_LEN);
        assert!(k.secret.starts_with("rst_"));
        assert!(is_well_formed(&k.secret), "{}", k.secret);
        assert_eq!(k.hash.len(), 64);
        assert!(!k.hash.contains(&k.secret[4..]));
        assert_eq!(k.prefix, k.secret[..12]);
        assert_ne!(generate().unwrap().secret, k.secret);
    }

    #[test]
    fn one_changed_character_breaks_the_checksum() {
        let k = generate().unwrap().secret;
        for i in 4..k.len() {
            let mut bytes = k.clone().into_bytes();
            bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
            let changed = String::from_utf8(bytes).unwrap();
            assert!(!is_well_formed(&changed), "position {i}: {changed}");
        }
    }

    #[test]
    fn malformed_keys_are_refused() {
        let k = generate().unwrap().secret;
        for bad in [
            "",
            "rst_",
            &k[..k.len() - 1],
            &format!("{k}x"),
            &k.replacen("rst_", "rsk_", 1),
            &format!("rst_{}!", &k[4..k.len() - 1]),
        ] {
            assert!(!is_well_formed(bad), "{bad}");
        }
    }

    #[test]
    fn hashes_compare_in_constant_time_and_exactly() {
        let h = hash("rst_x");
        assert!(same_hash(&h, &hash("rst_x")));
        assert!(!same_hash(&h, &hash("rst_y")));
        assert!(!same_hash(&h, &h[1..]));
    }
}

/// `--expires`: a date (`2027-01-31`, its first second, UTC), a time (RFC 3339) or a duration
/// from `now` (`90d`, `12h`, `30m`, `45s`).
pub fn parse_expiry(
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = text.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(at.to_utc());
    }
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day.and_hms_opt(0, 0, 0)?.and_utc());
    }
    let unit = text.chars().last()?;
    let n: i64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let length = match unit {
        'd' => chrono::Duration::try_days(n)?,
        'h' => chrono::Duration::try_hours(n)?,
        'm' => chrono::Duration::try_minutes(n)?,
        's' => chrono::Duration::try_seconds(n)?,
        _ => return None,
    };
    (n > 0).then(|| now.checked_add_signed(length))?
}

#[cfg(test)]
mod expiry_tests {
    use super::parse_expiry;

    #[test]
    fn an_expiry_is_a_date_a_time_or_a_duration() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-06T12:00:00Z")
            .unwrap()
            .to_utc();
        let at = |s: &str| {
            parse_expiry(s, now).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        };
        assert_eq!(at("2027-01-31").as_deref(), Some("2027-01-31T00:00:00Z"));
        assert_eq!(
            at("2027-01-31T18:00:00+01:00").as_deref(),
            Some("2027-01-31T17:00:00Z")
        );
        assert_eq!(at("90d").as_deref(), Some("2027-03-06T12:00:00Z"));
        assert_eq!(at("12h").as_deref(), Some("2026-12-07T00:00:00Z"));
        for bad in ["", "soon", "0d", "-1d", "12x", "2027-13-01"] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }
}
