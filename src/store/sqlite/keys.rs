//! [`KeyStore`] on SQLite: the `api_keys` and `idempotency` tables (migration 0003).

use super::{SqliteStore, now};
use crate::error::StoreError;
use crate::store::keys::{ApiKey, KeyRotation, KeyStore, StoredResponse};
use rusqlite::{OptionalExtension, params};

/// Kept responses older than this are dropped when a new one is kept.
const IDEMPOTENCY_DAYS: i64 = 1;

const KEY_COLUMNS: &str =
    "name, scope, prefix, created_at, last_used_at, revoked_at, hash, operator, expires_at";

fn key_from_row(r: &rusqlite::Row) -> rusqlite::Result<(ApiKey, String)> {
    Ok((
        ApiKey {
            name: r.get(0)?,
            scope: r.get(1)?,
            prefix: r.get(2)?,
            created_at: r.get(3)?,
            last_used_at: r.get(4)?,
            revoked_at: r.get(5)?,
            operator: r.get(7)?,
            expires_at: r.get(8)?,
        },
        r.get(6)?,
    ))
}

impl KeyStore for SqliteStore {
    fn create_key(
        &mut self,
        name: &str,
        scope: &str,
        prefix: &str,
        hash: &str,
        rotation: &KeyRotation,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM api_keys WHERE name = ?1 AND revoked_at IS NOT NULL",
            [name],
        )?;
        let added = tx.execute(
            "INSERT INTO api_keys (name, scope, prefix, hash, created_at, operator, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) DO NOTHING",
            params![
                name,
                scope,
                prefix,
                hash,
                now(),
                rotation.operator,
                rotation.expires_at
            ],
        )?;
        tx.commit()?;
        Ok(added == 1)
    }

    fn keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {KEY_COLUMNS} FROM api_keys ORDER BY name"))?;
        let rows = stmt.query_map([], key_from_row)?;
        Ok(rows.map(|r| r.map(|(k, _)| k)).collect::<Result<_, _>>()?)
    }

    fn revoke_key(&mut self, name: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE api_keys SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
            params![name, now()],
        )?;
        Ok(n == 1)
    }

    fn key_by_hash(&self, hash: &str) -> Result<Option<(ApiKey, String)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE hash = ?1"),
                [hash],
                key_from_row,
            )
            .optional()?)
    }

    fn touch_key(&mut self, name: &str, at: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE api_keys SET last_used_at = ?2 WHERE name = ?1",
            params![name, at],
        )?;
        Ok(())
    }

    fn stored_response(
        &self,
        key_name: &str,
        idempotency_key: &str,
    ) -> Result<Option<StoredResponse>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT request_sha256, status, content_type, body FROM idempotency \
                 WHERE key_name = ?1 AND idempotency_key = ?2",
                [key_name, idempotency_key],
                |r| {
                    Ok(StoredResponse {
                        request_sha256: r.get(0)?,
                        status: r.get(1)?,
                        content_type: r.get(2)?,
                        body: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    fn store_response(
        &mut self,
        key_name: &str,
        idempotency_key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let at = now();
        let oldest = (chrono::Utc::now() - chrono::Duration::days(IDEMPOTENCY_DAYS))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        tx.execute("DELETE FROM idempotency WHERE created_at < ?1", [oldest])?;
        tx.execute(
            "INSERT INTO idempotency (key_name, idempotency_key, request_sha256, status, \
             content_type, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT DO NOTHING",
            params![
                key_name,
                idempotency_key,
                response.request_sha256,
                response.status,
                response.content_type,
                response.body,
                at
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}
