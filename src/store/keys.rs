//! What `roster serve` keeps beside the roster: API keys (only their hashes) and the responses
//! of syncs sent with an `Idempotency-Key` (the `api_keys` and `idempotency` tables).

use super::Store;
use super::history::now;
use super::sql::{self, Begin, Row, args};
use crate::error::StoreError;
use serde::Serialize;

/// Kept responses older than this are dropped when a new one is kept.
const IDEMPOTENCY_DAYS: i64 = 1;

const KEY_COLUMNS: &str =
    "name, scope, prefix, created_at, last_used_at, revoked_at, hash, operator, expires_at";

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

fn key_from_row(mut r: Row) -> Result<(ApiKey, String), StoreError> {
    let key = ApiKey {
        name: r.get(0)?,
        scope: r.get(1)?,
        prefix: r.get(2)?,
        created_at: r.get(3)?,
        last_used_at: r.get(4)?,
        revoked_at: r.get(5)?,
        operator: r.get(7)?,
        expires_at: r.get(8)?,
    };
    Ok((key, r.get(6)?))
}

impl Store {
    /// Adds a key; `false` when a key that is not revoked already has the name. A revoked key
    /// of the same name is replaced.
    pub fn create_key(
        &mut self,
        name: &str,
        scope: &str,
        prefix: &str,
        hash: &str,
        rotation: &KeyRotation,
    ) -> Result<bool, StoreError> {
        // Ids are `max + 1`: one creator at a time.
        sql::transaction(&*self.db, Begin::Exclusive("api_keys"), |db| {
            db.execute(
                "DELETE FROM api_keys WHERE name = $1 AND revoked_at IS NOT NULL",
                args![name],
            )?;
            let added = db.execute(
                "INSERT INTO api_keys (id, name, scope, prefix, hash, created_at, operator, \
                 expires_at) SELECT coalesce(max(id), 0) + 1, $1, $2, $3, $4, $5, $6, $7 \
                 FROM api_keys WHERE true ON CONFLICT (name) DO NOTHING",
                args![
                    name,
                    scope,
                    prefix,
                    hash,
                    now(),
                    rotation.operator.clone(),
                    rotation.expires_at.clone()
                ],
            )?;
            Ok(added == 1)
        })
    }

    /// Every key, revoked ones included, by name.
    pub fn keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys ORDER BY name");
        let rows = sql::all(&*self.db, &sql, &[])?;
        rows.into_iter().map(|r| Ok(key_from_row(r)?.0)).collect()
    }

    /// Marks a key revoked; `false` when no live key has the name.
    pub fn revoke_key(&mut self, name: &str) -> Result<bool, StoreError> {
        let n = self.db.execute(
            "UPDATE api_keys SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
            args![name, now()],
        )?;
        Ok(n == 1)
    }

    /// The key whose hash is `hash`, with that stored hash (for a constant-time comparison).
    pub fn key_by_hash(&self, hash: &str) -> Result<Option<(ApiKey, String)>, StoreError> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE hash = $1");
        sql::first(&*self.db, &sql, args![hash])?
            .map(key_from_row)
            .transpose()
    }

    /// Records that the key was used at `at` (RFC 3339).
    pub fn touch_key(&mut self, name: &str, at: &str) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE api_keys SET last_used_at = $2 WHERE name = $1",
            args![name, at],
        )?;
        Ok(())
    }

    /// The response kept for this key name and `Idempotency-Key`.
    pub fn stored_response(
        &self,
        key_name: &str,
        idempotency_key: &str,
    ) -> Result<Option<StoredResponse>, StoreError> {
        let row = sql::first(
            &*self.db,
            "SELECT request_sha256, status, content_type, body FROM idempotency \
             WHERE key_name = $1 AND idempotency_key = $2",
            args![key_name, idempotency_key],
        )?;
        let Some(mut r) = row else { return Ok(None) };
        Ok(Some(StoredResponse {
            request_sha256: r.get(0)?,
            status: u16::try_from(r.get::<i64>(1)?).unwrap_or(500),
            content_type: r.get(2)?,
            body: r.get(3)?,
        }))
    }

    /// Keeps a response for this key name and `Idempotency-Key` (the first one wins).
    pub fn store_response(
        &mut self,
        key_name: &str,
        idempotency_key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        let oldest = (chrono::Utc::now() - chrono::Duration::days(IDEMPOTENCY_DAYS))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        sql::transaction(&*self.db, Begin::Plain, |db| {
            db.execute(
                "DELETE FROM idempotency WHERE created_at < $1",
                args![oldest],
            )?;
            db.execute(
                "INSERT INTO idempotency (key_name, idempotency_key, request_sha256, status, \
                 content_type, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT DO NOTHING",
                args![
                    key_name,
                    idempotency_key,
                    response.request_sha256.as_str(),
                    i64::from(response.status),
                    response.content_type.as_str(),
                    response.body.as_slice(),
                    now()
                ],
            )?;
            Ok(())
        })
    }
}
