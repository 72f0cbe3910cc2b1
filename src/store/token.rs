//! Invitation tokens. A token is the invitation's id and its signature, HMAC-SHA256(store
//! secret, store id and invitation id) in hex: the sender derives it again whenever it
//! (re)sends, so a resend after a crash carries the same link. Accepting reads the id, finds
//! that invitation and checks the signature, so the store keeps nothing of the token (schema
//! version 10). Invitations queued before kept the SHA-256 of their token, which was the
//! signature alone; such a token is still found by that hash (README "Invitations" says what
//! a store copy holds).

use sha2::{Digest, Sha256};

const BLOCK: usize = 64;

/// HMAC-SHA256 (RFC 2104) over sha2, so that no second digest version is built.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The token of invitation `id` in the store `store_id`: the id, `-`, and the signature in hex.
/// The id says which invitation to check, so the store keeps nothing of the token (schema
/// version 10; see [`Token`]).
pub fn derive(secret: &[u8], store_id: &str, id: i64) -> String {
    format!("{id}-{}", hex(&sign(secret, store_id, id)))
}

/// HMAC-SHA256 of invitation `id` in the store `store_id`: a token's signature, and the whole
/// token (in hex) of an invitation queued before schema version 10.
fn sign(secret: &[u8], store_id: &str, id: i64) -> [u8; 32] {
    hmac_sha256(secret, &message(store_id, id))
}

/// What a token signs.
fn message(store_id: &str, id: i64) -> Vec<u8> {
    format!("roster invitation {store_id} {id}").into_bytes()
}

/// What a store of schema version 9 or older kept of a token: its SHA-256.
pub type Hash = [u8; 32];

/// The stored hash of a token of an invitation queued before schema version 10.
pub fn hash(token: &str) -> Hash {
    Sha256::digest(token.trim().as_bytes()).into()
}

/// A token as `accept` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// `ID-SIGNATURE`: invitation `id`, genuine when `signature` is its [`sign`]ature.
    Addressed { id: i64, signature: [u8; 32] },
    /// 64 hex digits, the signature alone, as invitations queued before schema version 10
    /// were sent: found by the hash their rows kept.
    Legacy(Hash),
}

impl Token {
    /// The token in `text` (spaces around it ignored); `None` when it cannot be one.
    pub fn parse(text: &str) -> Option<Token> {
        let text = text.trim();
        let Some((id, signature)) = text.split_once('-') else {
            return unhex(text).map(|_| Token::Legacy(hash(text)));
        };
        Some(Token::Addressed {
            id: id.parse().ok().filter(|&id: &i64| id > 0)?,
            signature: unhex(signature)?,
        })
    }
}

/// Whether `signature` is invitation `id`'s under these keys (compared in constant time).
pub fn is_genuine(id: i64, signature: &[u8; 32], secret: &[u8], store_id: &str) -> bool {
    let expected = sign(secret, store_id, id);
    let differences = expected
        .iter()
        .zip(signature)
        .fold(0, |d, (a, b)| d | (a ^ b));
    differences == 0
}

/// 64 hex digits as their 32 bytes.
fn unhex(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = (hex_value(pair[0]) << 4) | hex_value(pair[1]);
    }
    Some(out)
}

/// The value of an ASCII hex digit.
fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

/// Lower-case hex, a digit pair a byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digits = bytes
        .iter()
        .flat_map(|&b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .collect();
    String::from_utf8(digits).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test cases 1 and 2 of RFC 4231, and case 6 (a key longer than the block).
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn tokens_name_their_invitation_and_differ_by_invitation_and_store() {
        let t = derive(b"secret", "s1", 1);
        assert!(t.starts_with("1-") && t.len() == 66, "{t}");
        assert_eq!(t, derive(b"secret", "s1", 1));
        assert_ne!(t, derive(b"secret", "s1", 2));
        assert_ne!(t, derive(b"secret", "s2", 1));
        assert_ne!(t, derive(b"other", "s1", 1));
        assert_eq!(hex(&[0x00, 0x9f, 0xff]), "009fff");
    }

    #[test]
    fn an_addressed_token_is_genuine_only_for_its_invitation_and_keys() {
        let t = derive(b"secret", "s1", 42);
        let Some(Token::Addressed { id, signature }) = Token::parse(&format!(" {t}\n")) else {
            panic!("{t} is not read as an addressed token");
        };
        assert_eq!(id, 42);
        assert!(is_genuine(42, &signature, b"secret", "s1"));
        assert!(!is_genuine(43, &signature, b"secret", "s1"));
        assert!(!is_genuine(42, &signature, b"secret", "s2"));
        assert!(!is_genuine(42, &signature, b"other", "s1"));
        let upper = t.to_uppercase();
        assert_eq!(Token::parse(&upper), Token::parse(&t));
    }

    #[test]
    fn a_token_of_an_older_store_is_its_signature_alone_found_by_its_hash() {
        let old = hex(&sign(b"secret", "s1", 7));
        assert_eq!(derive(b"secret", "s1", 7), format!("7-{old}"));
        assert_eq!(Token::parse(&old), Some(Token::Legacy(hash(&old))));
        assert_eq!(hash(&format!(" {old}\n")), hash(&old));
        assert_ne!(hex(&hash(&old)), old);
    }

    #[test]
    fn anything_else_is_no_token() {
        let sig = "ab".repeat(32);
        for text in [
            "",
            "-",
            "abc",
            &"ab".repeat(31),
            &format!("0-{sig}"),
            &format!("-1-{sig}"),
            &format!("x-{sig}"),
            &format!("1-{}", "ab".repeat(31)),
            &format!("1-{}zz", "ab".repeat(31)),
            &format!("1-+b{}", "ab".repeat(31)),
            &format!("99999999999999999999-{sig}"),
        ] {
            assert_eq!(Token::parse(text), None, "{text:?}");
        }
    }
}
