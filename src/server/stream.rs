//! Answers written on a blocking thread and sent as they are written: `GET /v1/members` of a
//! million members never sits in the server's memory whole. The status waits for the first
//! piece, so a failure before it is still a problem document rather than a cut-off `200`.

use super::App;
use super::problem::Problem;
use crate::error::StoreError;
use crate::store::Store;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::io::Write;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Bytes gathered before a piece is sent.
const PIECE: usize = 256 * 1024;
/// Pieces written ahead of the client: how far the writer may run before it waits.
const AHEAD: usize = 8;

/// A piece of the answer, or why the writer stopped.
type Piece = Result<Bytes, Problem>;

/// Runs `write` with a store on a blocking thread; answers with what it writes, as
/// `content_type`, piece by piece.
pub async fn streamed(
    app: &Arc<App>,
    content_type: &'static str,
    write: impl FnOnce(&mut Store, &mut Pieces) -> Result<(), StoreError> + Send + 'static,
) -> Result<Response, Problem> {
    let (tx, mut rx) = mpsc::channel::<Piece>(AHEAD);
    let db = Arc::clone(&app.db);
    let failed = tx.clone();
    tokio::task::spawn_blocking(move || {
        let mut pieces = Pieces {
            tx,
            buf: Vec::with_capacity(PIECE),
        };
        let written = db.with(|store| {
            write(store, &mut pieces)?;
            pieces.send().map_err(StoreError::Io)
        });
        if let Err(e) = written {
            failed.blocking_send(Err(Problem::from(e))).ok();
        }
    });
    let first = match rx.recv().await {
        Some(Ok(piece)) => piece,
        Some(Err(problem)) => return Err(problem),
        None => Bytes::new(),
    };
    let first = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) });
    // A failure after the status was sent can only cut the answer off, which the client sees
    // as a transfer that did not complete.
    let rest = futures_util::stream::unfold(rx, |mut rx| async move {
        let piece = rx.recv().await?;
        Some((piece.map_err(|p| std::io::Error::other(p.detail)), rx))
    });
    use futures_util::StreamExt;
    // Fused: the compression layer may poll once more after the end.
    let body = Body::from_stream(first.chain(rest).fuse());
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

/// The writer the blocking thread writes to: full pieces go to the client as they fill.
pub struct Pieces {
    tx: mpsc::Sender<Piece>,
    buf: Vec<u8>,
}

impl Pieces {
    /// Sends what was gathered; fails when the client has gone away.
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(PIECE));
        self.tx
            .blocking_send(Ok(Bytes::from(piece)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}

impl Write for Pieces {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= PIECE {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
