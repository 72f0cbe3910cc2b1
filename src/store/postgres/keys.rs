//! [`KeyStore`] on PostgreSQL: the `api_keys` and `idempotency` tables (migration 0003), as
//! the SQLite store keeps them, so that `roster serve` replicas share keys and kept answers.

use super::{PostgresStore, now, pg};
use crate::error::StoreError;
use crate::store::keys::{ApiKey, KeyRotation, KeyStore, StoredResponse};
use postgres::Row;

/// Kept responses older than this are dropped when a new one is kept.
const IDEMPOTENCY_DAYS: i64 = 1;

const KEY_COLUMNS: &str =
    "name, scope, prefix, created_at, last_used_at, revoked_at, hash, operator, expires_at";

fn key_from_row(r: &Row) -> (ApiKey, String) {
    (
        ApiKey {
            name: r.get(0),
            scope: r.get(1),
            prefix: r.get(2),
            created_at: r.get(3),
            last_used_at: r.get(4),
            revoked_at: r.get(5),
            operator: r.get(7),
            expires_at: r.get(8),
        },
        r.get(6),
    )
}

impl KeyStore for PostgresStore {
    fn create_key(
        &mut self,
        name: &str,
        scope: &str,
        prefix: &str,
        hash: &str,
        rotation: &KeyRotation,
    ) -> Result<bool, StoreError> {
        let mut client = self.conn()?;
        let mut tx = client.transaction().map_err(pg)?;
        // Ids are `max + 1`: one creator at a time.
        tx.batch_execute("LOCK TABLE api_keys IN EXCLUSIVE MODE")
            .map_err(pg)?;
        tx.execute(
            "DELETE FROM api_keys WHERE name = $1 AND revoked_at IS NOT NULL",
            &[&name],
        )
        .map_err(pg)?;
        let added = tx
            .execute(
                "INSERT INTO api_keys (id, name, scope, prefix, hash, created_at, operator, \
                 expires_at) SELECT coalesce(max(id), 0) + 1, $1, $2, $3, $4, $5, $6, $7 \
                 FROM api_keys ON CONFLICT (name) DO NOTHING",
                &[
                    &name,
                    &scope,
                    &prefix,
                    &hash,
                    &now(),
                    &rotation.operator,
                    &rotation.expires_at,
                ],
            )
            .map_err(pg)?;
        tx.commit().map_err(pg)?;
        Ok(added == 1)
    }

    fn keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys ORDER BY name");
        let rows = self.conn()?.query(&sql, &[]).map_err(pg)?;
        Ok(rows.iter().map(|r| key_from_row(r).0).collect())
    }

    fn revoke_key(&mut self, name: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()?
            .execute(
                "UPDATE api_keys SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
                &[&name, &now()],
            )
            .map_err(pg)?;
        Ok(n == 1)
    }

    fn key_by_hash(&self, hash: &str) -> Result<Option<(ApiKey, String)>, StoreError> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE hash = $1");
        let row = self.conn()?.query_opt(&sql, &[&hash]).map_err(pg)?;
        Ok(row.as_ref().map(key_from_row))
    }

    fn touch_key(&mut self, name: &str, at: &str) -> Result<(), StoreError> {
        self.conn()?
            .execute(
                "UPDATE api_keys SET last_used_at = $2 WHERE name = $1",
                &[&name, &at],
            )
            .map_err(pg)?;
        Ok(())
    }

    fn stored_response(
        &self,
        key_name: &str,
        idempotency_key: &str,
    ) -> Result<Option<StoredResponse>, StoreError> {
        let row = self
            .conn()?
            .query_opt(
                "SELECT request_sha256, status, content_type, body FROM idempotency \
                 WHERE key_name = $1 AND idempotency_key = $2",
                &[&key_name, &idempotency_key],
            )
            .map_err(pg)?;
        Ok(row.map(|r| {
            let status: i64 = r.get(1);
            StoredResponse {
                request_sha256: r.get(0),
                status: u16::try_from(status).unwrap_or(500),
                content_type: r.get(2),
                body: r.get(3),
            }
        }))
    }

    fn store_response(
        &mut self,
        key_name: &str,
        idempotency_key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        let mut client = self.conn()?;
        let mut tx = client.transaction().map_err(pg)?;
        let oldest = (chrono::Utc::now() - chrono::Duration::days(IDEMPOTENCY_DAYS))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        tx.execute("DELETE FROM idempotency WHERE created_at < $1", &[&oldest])
            .map_err(pg)?;
        tx.execute(
            "INSERT INTO idempotency (key_name, idempotency_key, request_sha256, status, \
             content_type, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT DO NOTHING",
            &[
                &key_name,
                &idempotency_key,
                &response.request_sha256,
                &i64::from(response.status),
                &response.content_type,
                &response.body,
                &now(),
            ],
        )
        .map_err(pg)?;
        tx.commit().map_err(pg)?;
        Ok(())
    }
}
