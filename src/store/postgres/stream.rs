//! A large store's members, read on a connection of their own in the snapshot of the reading
//! transaction (`pg_export_snapshot`), driven by one async loop. The store's connection is the
//! blocking client, which steps its runtime once for every row it hands out: a third of a 1M
//! snapshot's reading thread went on those steps. Here the runtime is entered once, and the
//! rows are visited as they arrive.

use super::connect::{configured, pg, session_settings};
use super::read::no_params;
use super::url::Target;
use crate::error::StoreError;
use futures_util::{TryStreamExt, pin_mut};
use postgres::Row;

/// Visits every row of `sql`, read in the exported snapshot `snapshot` of the store in `schema`.
pub fn rows(
    target: &Target,
    schema: &str,
    snapshot: &str,
    sql: &str,
    visit: &mut dyn FnMut(&Row) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (client, connection) = configured(target)
            .connect(target.tls.clone())
            .await
            .map_err(pg)?;
        // Spawned on this thread's runtime: it reads the socket whenever the loop waits.
        let driver = tokio::spawn(connection);
        client
            .batch_execute(&format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
                 SET TRANSACTION SNAPSHOT {}; {}",
                quote_literal(snapshot),
                session_settings(schema)
            ))
            .await
            .map_err(pg)?;
        let rows = client.query_raw(sql, no_params()).await.map_err(pg)?;
        pin_mut!(rows);
        while let Some(row) = rows.try_next().await.map_err(pg)? {
            visit(&row)?;
        }
        client.batch_execute("COMMIT").await.map_err(pg)?;
        drop(client);
        // The connection ends once its client is gone; how it ended changes nothing read.
        let _ = driver.await;
        Ok(())
    })
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
