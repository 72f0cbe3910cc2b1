//! Invitation tokens. A token is HMAC-SHA256(store secret, store id and invitation id), in hex:
//! the sender derives it again whenever it (re)sends, so a resend after a crash carries the
//! same link, and the store keeps only the token's SHA-256, so nothing in it is a usable token
//! (the secret is in the store too, but a reader of a copy without it learns nothing; README
//! "Invitations" says what a store copy holds), as 32 bytes (migration 0008; hex before).
//! Accepting looks the hash up.

use sha2::{Digest, Sha256};

const BLOCK: usize = 64;

/// HMAC-SHA256 (RFC 2104) over sha2, so that no second digest version is built.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    Hmac::new(key).sign(message)
}

/// An HMAC-SHA256 key with its padded blocks already hashed: each message then costs two
/// SHA-256 blocks fewer (an `import --invite` of 100,000 members signs 100,000 messages).
#[derive(Clone)]
pub struct Hmac {
    inner: Sha256,
    outer: Sha256,
}

impl Hmac {
    pub fn new(key: &[u8]) -> Hmac {
        let mut block = [0u8; BLOCK];
        if key.len() > BLOCK {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let pad = |byte: u8| block.map(|b| b ^ byte);
        Hmac {
            inner: Sha256::new().chain_update(pad(0x36)),
            outer: Sha256::new().chain_update(pad(0x5c)),
        }
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 32] {
        let inner = self.inner.clone().chain_update(message).finalize();
        self.outer.clone().chain_update(inner).finalize().into()
    }
}

/// The token of invitation `id` in the store `store_id`.
pub fn derive(secret: &[u8], store_id: &str, id: i64) -> String {
    hex(&Hmac::new(secret).sign(&message(store_id, id)))
}

/// What a token signs.
fn message(store_id: &str, id: i64) -> Vec<u8> {
    format!("roster invitation {store_id} {id}").into_bytes()
}

/// What the store keeps of a token: its SHA-256.
pub type Hash = [u8; 32];

/// The stored hash of `token`.
pub fn hash(token: &str) -> Hash {
    Sha256::digest(token.trim().as_bytes()).into()
}

/// Derives the stored hashes of many tokens of one store: `hash(&derive(secret, store_id, id))`
/// without building each token as a `String` or hashing the key's blocks again.
pub struct TokenHasher<'a> {
    key: Hmac,
    store_id: &'a str,
}

impl<'a> TokenHasher<'a> {
    pub fn new(secret: &[u8], store_id: &'a str) -> TokenHasher<'a> {
        TokenHasher {
            key: Hmac::new(secret),
            store_id,
        }
    }

    /// The stored hash of invitation `id`'s token.
    pub fn hash(&self, id: i64) -> Hash {
        let mut token = [0u8; 64];
        hex_into(&self.key.sign(&message(self.store_id, id)), &mut token);
        Sha256::digest(token).into()
    }
}

/// Lower-case hex, a digit pair a byte. Not `format!`: an `import --invite` of 100,000 members
/// derives and hashes 100,000 tokens, and formatting each byte cost about 3% of its CPU (perf).
pub fn hex(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len() * 2];
    hex_into(bytes, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// `bytes` in lower-case hex into `out` (twice as long).
fn hex_into(bytes: &[u8], out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 15)];
    }
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
    fn tokens_differ_by_invitation_and_store() {
        let t = derive(b"secret", "s1", 1);
        assert_eq!(t.len(), 64);
        assert_eq!(t, derive(b"secret", "s1", 1));
        assert_ne!(t, derive(b"secret", "s1", 2));
        assert_ne!(t, derive(b"secret", "s2", 1));
        assert_ne!(t, derive(b"other", "s1", 1));
        assert_ne!(hex(&hash(&t)), t);
        assert_eq!(hash(&format!(" {t}\n")), hash(&t));
    }

    #[test]
    fn the_batch_hasher_hashes_the_tokens_derive_makes() {
        let hasher = TokenHasher::new(b"secret", "s1");
        for id in [1, 2, 99_999, i64::MAX] {
            assert_eq!(hasher.hash(id), hash(&derive(b"secret", "s1", id)));
        }
        let long_key = [7u8; 100];
        assert_eq!(
            TokenHasher::new(&long_key, "s2").hash(5),
            hash(&derive(&long_key, "s2", 5))
        );
        assert_eq!(hex(&[0x00, 0x9f, 0xff]), "009fff");
    }
}
