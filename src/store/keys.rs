//! What `roster serve` keeps beside the roster: API keys (only their hashes) and the responses
//! of syncs sent with an `Idempotency-Key`. Backend-neutral: each store implements
//! [`KeyStore`] (`store::sqlite::keys`, `store::postgres::keys`).

use super::{Location, SqliteStore, Store};
use crate::error::StoreError;
use serde::Serialize;

/// One API key as listed: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    pub name: String,
    /// `sync` or `read`.
    pub scope: String,
    /// `rst_` and the first characters, to tell keys apart.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// The operator this key acts as when it replaces another (`--replaces`); else its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// When the key stops working (RFC 3339, UTC), if it was given an expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

impl ApiKey {
    /// The operator recorded in history and the audit log for this key's requests.
    pub fn operator(&self) -> &str {
        self.operator.as_deref().unwrap_or(&self.name)
    }
}

/// What a new key carries beside its name and scope (issue 23).
#[derive(Debug, Clone, Default)]
pub struct KeyRotation {
    /// The operator of the key it replaces.
    pub operator: Option<String>,
    pub expires_at: Option<String>,
}

/// The response a sync gave, kept to answer a repeat of it with the same `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// SHA-256 (hex) of what identifies the request: its options and its body.
    pub request_sha256: String,
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

pub trait KeyStore {
    /// Adds a key; `false` when a key that is not revoked already has the name. A revoked key
    /// of the same name is replaced.
    fn create_key(
        &mut self,
        name: &str,
        scope: &str,
        prefix: &str,
        hash: &str,
        rotation: &KeyRotation,
    ) -> Result<bool, StoreError>;
    /// Every key, revoked ones included, by name.
    fn keys(&self) -> Result<Vec<ApiKey>, StoreError>;
    /// Marks a key revoked; `false` when no live key has the name.
    fn revoke_key(&mut self, name: &str) -> Result<bool, StoreError>;
    /// The key whose hash is `hash`, with that stored hash (for a constant-time comparison).
    fn key_by_hash(&self, hash: &str) -> Result<Option<(ApiKey, String)>, StoreError>;
    /// Records that the key was used at `at` (RFC 3339).
    fn touch_key(&mut self, name: &str, at: &str) -> Result<(), StoreError>;
    /// The response kept for this key name and `Idempotency-Key`.
    fn stored_response(
        &self,
        key_name: &str,
        idempotency_key: &str,
    ) -> Result<Option<StoredResponse>, StoreError>;
    /// Keeps a response for this key name and `Idempotency-Key` (the first one wins).
    fn store_response(
        &mut self,
        key_name: &str,
        idempotency_key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError>;
}

/// A whole store with its keys: what `roster serve` and `roster keys` work on.
pub trait KeyedStore: Store + KeyStore {}

impl<T: Store + KeyStore> KeyedStore for T {}

/// Opens the store at `location` with its keys, creating and migrating it on first use.
pub fn open(location: &Location) -> Result<Box<dyn KeyedStore>, StoreError> {
    match location {
        Location::Sqlite(path) => Ok(Box::new(SqliteStore::open(path)?)),
        Location::Postgres(url) => Ok(Box::new(super::postgres::PostgresStore::open(url)?)),
    }
}
