//! A large store's rows, read on a connection of their own in the snapshot of the reading
//! transaction (`pg_export_snapshot`), on the async client under the blocking one. The store's
//! connection is the blocking client, which steps its runtime once for every row it hands out:
//! a third of a 1M snapshot's reading thread went on those steps. Here the runtime is stepped
//! once per batch of rows.

use super::connect::{configured, pg, session_settings};
use super::read::no_params;
use super::url::Target;
use crate::error::StoreError;
use futures_util::TryStreamExt;
use postgres::Row;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// A connection in a transaction that imported an exported snapshot.
pub struct Stream {
    runtime: Runtime,
    client: tokio_postgres::Client,
    driver: JoinHandle<Result<(), tokio_postgres::Error>>,
}

impl Stream {
    /// Connects as the store does and takes up `snapshot`; an error here (the server's
    /// connection limit, say) leaves the read to the store's own connection.
    pub fn open(target: &Target, schema: &str, snapshot: &str) -> Result<Stream, StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (client, driver) = runtime.block_on(async {
            let (client, connection) = configured(target)
                .connect(target.tls.clone())
                .await
                .map_err(pg)?;
            // Spawned on this thread's runtime: it reads the socket whenever a loop waits,
            // and says goodbye to the server once the client is dropped.
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
            Ok::<_, StoreError>((client, driver))
        })?;
        Ok(Stream {
            runtime,
            client,
            driver,
        })
    }

    /// Visits every row of `sql`, then ends the transaction and the connection. The rows are
    /// taken a batch at a time inside the runtime and visited outside it, so that a visitor may
    /// block (on another client, say) as it could under the blocking client.
    pub fn rows(
        self,
        sql: &str,
        visit: &mut dyn FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let Stream {
            runtime,
            client,
            driver,
        } = self;
        let read = (|| {
            let rows = runtime
                .block_on(client.query_raw(sql, no_params()))
                .map_err(pg)?;
            let mut rows = std::pin::pin!(rows);
            let mut batch = Vec::with_capacity(BATCH);
            loop {
                let more = runtime
                    .block_on(async {
                        while batch.len() < BATCH {
                            let Some(row) = rows.try_next().await? else {
                                return Ok(false);
                            };
                            batch.push(row);
                        }
                        Ok::<_, tokio_postgres::Error>(true)
                    })
                    .map_err(pg)?;
                batch.drain(..).try_for_each(|row| visit(&row))?;
                if !more {
                    break;
                }
            }
            runtime.block_on(client.batch_execute("COMMIT")).map_err(pg)
        })();
        drop(client);
        // How the connection ended changes nothing read.
        let _ = runtime.block_on(driver);
        read
    }
}

/// Rows taken from the connection per step of the runtime.
const BATCH: usize = 256;

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
