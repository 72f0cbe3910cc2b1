//! `roster serve`: the REST sync API (SPEC §12) over the same library pipeline as the CLI.
//! One route table ([`router`]); a module per concern: `listen` (connections: header timeout,
//! cap, graceful shutdown), `log` (request id, client address, common headers, one line per
//! request), `client` (`--trusted-proxy`), `auth` (keys), `limits` (rates), `slots` (imports at
//! once), `sync`, `body` and `pipeline` (POST /v1/sync), `negotiate` (`Accept`), `read` (GET
//! endpoints), `directory` (member counts and search), `problem` (problem+json), `schemas`, `openapi`, `db` (the store off the async
//! threads), `page` (the admin page: sign-in, sessions in the store, the plan preview), `accept`
//! (the invitation link's pages), `outbox` (`--send-invitations`), `invitation_preview` (the
//! invitation's HTML).

mod accept;
mod auth;
mod body;
mod client;
mod db;
mod directory;
mod invitation_preview;
mod limits;
mod listen;
mod log;
mod negotiate;
mod openapi;
mod outbox;
mod page;
mod params;
mod pipeline;
mod problem;
mod read;
mod revert;
mod schemas;
mod scim;
mod slots;
mod stream;
mod sync;

pub use client::TrustedProxies;
pub use limits::Rate;
pub use listen::Connections;
pub use openapi::document as openapi_document;
pub use slots::Slots;

use crate::error::{Error, Result};
use axum::Router;
use axum::routing::{get, post};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failed authentications an address may make per [`FAILURE_WINDOW`].
const MAX_FAILURES: u32 = 20;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// A key's last-used time is written at most this often.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

pub struct Config {
    pub db: crate::store::Location,
    pub listen: String,
    pub rate: Rate,
    /// A request body's deadline: this, plus a second per `sync::MIN_BODY_RATE` bytes; and the
    /// longest pause within it.
    pub body_timeout: Duration,
    pub connections: Connections,
    /// Pipelines running at once (`--max-concurrent-imports`).
    pub max_imports: usize,
    /// How long an import waits for a slot before `503`.
    pub import_wait: Duration,
    /// Proxies whose `Forwarded` / `X-Forwarded-For` name the client (`--trusted-proxy`).
    pub proxies: TrustedProxies,
    /// Drain the invitation outbox this often (`--send-invitations`).
    pub send_every: Option<Duration>,
    /// How long a SCIM write waits for a running import before `503` (`--scim-wait`).
    pub scim_wait: Duration,
}

/// What every request shares.
pub struct App {
    db: Arc<db::Db>,
    rates: limits::KeyRates,
    failures: limits::Failures,
    /// Failed sign-ins on the admin page, per client address (apart from the API's).
    login_failures: limits::Failures,
    proxies: TrustedProxies,
    slots: Slots,
    /// Requests per client address on the invitation link's pages.
    link_rates: limits::KeyRates,
    body_timeout: Duration,
    /// Phase timings of each sync on stderr (`ROSTER_TIMINGS`, as the CLI's import).
    timings: bool,
    touched: Mutex<HashMap<String, Instant>>,
    /// The progress of the import this server is applying (one at a time per store).
    progress: Mutex<Option<serde_json::Value>>,
    scim_wait: Duration,
}

impl App {
    /// Records a key's use (at most every [`TOUCH_EVERY`]), off the request's path.
    fn touch(self: &Arc<Self>, name: &str) {
        let mut touched = self.touched.lock().unwrap_or_else(|e| e.into_inner());
        if touched.get(name).is_some_and(|t| t.elapsed() < TOUCH_EVERY) {
            return;
        }
        touched.insert(name.to_string(), Instant::now());
        let (app, name) = (Arc::clone(self), name.to_string());
        tokio::task::spawn_blocking(move || {
            let at = crate::store::Timestamp::now().to_string();
            app.db.with(|s| s.touch_key(&name, &at)).ok();
        });
    }

    fn note_progress(&self, progress: serde_json::Value) {
        *self.progress.lock().unwrap_or_else(|e| e.into_inner()) = Some(progress);
    }

    fn clear_progress(&self) {
        *self.progress.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn progress_of(&self, _import_id: i64) -> Option<serde_json::Value> {
        self.progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Every route, in one place.
fn router(app: Arc<App>) -> Router {
    let keyed = Router::new()
        // Only a sync's body may come compressed: elsewhere (and for other methods, which get
        // 405) a Content-Encoding is not looked at.
        .route(
            "/v1/sync",
            post(sync::sync).layer(tower_http::decompression::RequestDecompressionLayer::new()),
        )
        .route("/v1/imports", get(read::imports))
        .route("/v1/imports/{id}", get(read::import))
        .route("/v1/imports/{id}/errors", get(read::import_errors))
        .route("/v1/imports/{id}/original", get(read::import_original))
        .route("/v1/imports/{id}/revert", post(revert::revert))
        .route("/v1/members", get(read::members))
        .route("/v1/members/counts", get(directory::counts))
        .route("/v1/members/search", get(directory::search))
        .route("/v1/members/{id}", get(read::member))
        .route("/v1/log", get(read::log))
        .route(
            "/v1/invitations/preview",
            get(invitation_preview::invitation_preview),
        )
        .route("/v1/openapi.json", get(openapi::openapi))
        .merge(page::keyed_routes())
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            auth::authenticate,
        ))
        .layer(axum::middleware::map_response(
            problem::framework_rejections,
        ));
    Router::new()
        .route("/healthz", get(read::healthz))
        .route(
            "/v1/schemas/{name}",
            get(schemas::schema).layer(axum::middleware::map_response(
                problem::framework_rejections,
            )),
        )
        .route(
            "/invitations/{token}",
            get(accept::confirm).post(accept::accept),
        )
        .merge(keyed)
        .merge(scim::routes(Arc::clone(&app)))
        .merge(page::routes())
        .fallback(problem::no_route)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .layer(axum::middleware::from_fn(problem::normalize))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            log::log_request,
        ))
        .with_state(app)
}

/// Serves until SIGTERM or SIGINT, then stops accepting, lets running requests (and the import
/// they run) finish, and returns.
pub fn serve(config: Config) -> Result<()> {
    let db = db::Db::open(config.db.clone())?;
    let app = Arc::new(App {
        db: Arc::clone(&db),
        rates: limits::KeyRates::new(config.rate),
        failures: limits::Failures::new(MAX_FAILURES, FAILURE_WINDOW),
        login_failures: limits::Failures::new(MAX_FAILURES, FAILURE_WINDOW),
        proxies: config.proxies.clone(),
        slots: Slots::new(config.max_imports, config.import_wait),
        link_rates: accept::rates(),
        body_timeout: config.body_timeout,
        timings: std::env::var_os("ROSTER_TIMINGS").is_some(),
        touched: Mutex::new(HashMap::new()),
        progress: Mutex::new(None),
        scim_wait: config.scim_wait,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(32)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        // Installed before the address is announced: a signal sent at once is not lost.
        let signal = shutdown_signal()?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let shutdown = async move {
            signal.await;
            stop.send(true).ok();
        };
        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .map_err(|e| {
                Error::Refusal(
                    crate::error::Code::CannotListen,
                    crate::error::msg::cannot_listen(&config.listen, e),
                )
            })?;
        let bound = listener.local_addr()?;
        eprintln!("listening on http://{bound}");
        if let Some(every) = config.send_every {
            tokio::spawn(outbox::drain(db, every, stopped));
        }
        listen::run(listener, router(app), config.connections, shutdown).await;
        eprintln!("stopped");
        Ok::<_, Error>(())
    })?;
    // Dropping the runtime waits for blocking tasks: an import still applying finishes.
    drop(runtime);
    Ok(())
}

/// Resolves on the first SIGTERM or SIGINT.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
        eprintln!("shutting down: no new requests; running ones finish");
    })
}
