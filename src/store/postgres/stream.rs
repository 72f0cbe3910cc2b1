//! A large store's rows, read on a connection of their own in the snapshot of the reading
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

    /// Visits every row of `sql`, then ends the transaction and the connection.
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
        runtime.block_on(async {
            let read = async {
                let rows = client.query_raw(sql, no_params()).await.map_err(pg)?;
                pin_mut!(rows);
                while let Some(row) = rows.try_next().await.map_err(pg)? {
                    visit(&row)?;
                }
                client.batch_execute("COMMIT").await.map_err(pg)
            }
            .await;
            drop(client);
            // How the connection ended changes nothing read.
            let _ = driver.await;
            read
        })
    }
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
