//! The connections of `roster serve` (issue 23): hyper's HTTP/1 server driven by hand rather
//! than `axum::serve`, for what a hostile network needs: a header-read timeout (which hyper
//! also applies to an idle keep-alive connection waiting for its next request), a cap on open
//! connections (the connection over the cap is answered `503` at once and closed), and a
//! graceful shutdown that gives up on connections still open after a grace period.

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How the server treats its connections.
#[derive(Debug, Clone, Copy)]
pub struct Connections {
    /// The longest wait for a request's headers, and for the next request of an idle
    /// keep-alive connection.
    pub header_timeout: Duration,
    /// Connections open at once; more are answered `503` and closed.
    pub max: usize,
    /// After SIGTERM, how long open connections may take to finish before they are closed.
    pub grace: Duration,
}

/// Accepts and serves connections until `stop` resolves; then stops accepting, waits up to
/// the grace period for open connections, and returns.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: Connections,
    stop: impl std::future::Future<Output = ()>,
) {
    let open = Arc::new(Semaphore::new(limits.max));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors (or a connection reset before it was accepted):
                // wait a little rather than spin; the timeouts free descriptors soon.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let Ok(permit) = Arc::clone(&open).try_acquire_owned() else {
            tokio::spawn(refuse(stream));
            continue;
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            watched.await.ok();
            drop(permit);
        });
    }
    drop(listener);
    let open_now = limits.max - open.available_permits();
    if open_now > 0 {
        eprintln!(
            "waiting up to {}s for {open_now} open connection(s)",
            limits.grace.as_secs()
        );
    }
    if tokio::time::timeout(limits.grace, graceful.shutdown())
        .await
        .is_err()
    {
        let left = limits.max - open.available_permits();
        eprintln!("grace period over: closing {left} connection(s)");
    }
}

/// The answer of a connection over the cap: `503` with `Retry-After`, then the connection
/// is closed without reading the request.
async fn refuse(mut stream: TcpStream) {
    let body = super::problem::Problem::of(crate::error::ServeError::TooManyConnections).body();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n\
         retry-after: 1\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let write = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&body).await?;
        stream.shutdown().await
    };
    tokio::time::timeout(Duration::from_secs(2), write)
        .await
        .ok();
}
