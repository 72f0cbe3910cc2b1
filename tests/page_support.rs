//! The browser tests' harness: a real `roster serve` on a free loopback port, chromedriver on
//! another, and headless Chromium driven over WebDriver (fantoccini).
//!
//! Without Chromium or chromedriver the tests print a notice and pass as skipped, unless
//! `ROSTER_REQUIRE_BROWSER=1` (set by .ci/run), which makes them fail. `ROSTER_CHROMIUM` and
//! `ROSTER_CHROMEDRIVER` name other binaries.

use crate::harness::Roster;
use fantoccini::{Client, ClientBuilder, Locator};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Chromium's flags: headless, nothing fetched from anywhere but the page.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,800",
];
/// The longest wait for a process to listen, or for the page to show something.
const PATIENCE: Duration = Duration::from_secs(30);

fn program(env: &str, name: &str) -> Option<PathBuf> {
    let name = std::env::var(env).unwrap_or_else(|_| name.to_string());
    let path = Path::new(&name);
    if path.is_absolute() {
        return path.exists().then(|| path.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|dirs| {
        std::env::split_paths(&dirs)
            .map(|d| d.join(&name))
            .find(|p| p.is_file())
    })
}

/// Chromium and chromedriver, or `None` (with a notice) when the tests should skip.
fn browser_programs() -> Option<(PathBuf, PathBuf)> {
    let found =
        program("ROSTER_CHROMIUM", "chromium").zip(program("ROSTER_CHROMEDRIVER", "chromedriver"));
    if found.is_none() {
        let required = std::env::var("ROSTER_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "ROSTER_REQUIRE_BROWSER=1 but chromium or chromedriver is missing (.ci/browser install)"
        );
        eprintln!("skipped: chromium and chromedriver are not installed (.ci/browser install)");
    }
    found
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

/// A child process killed when dropped.
pub struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// `roster serve` on the test's store; `url` is its address.
pub struct Server {
    pub url: String,
    _process: Process,
}

impl Server {
    pub fn start(r: &Roster) -> Server {
        Server::start_on(Path::new(r.store()), &[])
    }

    /// `roster serve` on the store at `store`, with `extra` arguments; `ROSTER_SERVE_BIN`
    /// names another binary (the measurements compare a build before and after a change).
    pub fn start_on(store: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(server_binary())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .arg("--db")
            .arg(store)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("roster serve");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.strip_prefix("listening on ").map(str::to_string))
            .expect("roster serve says where it listens");
        // Drain the request log, so that the server never blocks on a full pipe.
        std::thread::spawn(move || {
            lines
                .map_while(Result::ok)
                .for_each(|l| eprintln!("SERVE {l}"))
        });
        Server {
            url,
            _process: Process(child),
        }
    }
}

/// The `roster` binary that serves: this build's, or `ROSTER_SERVE_BIN`.
pub fn server_binary() -> PathBuf {
    std::env::var_os("ROSTER_SERVE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_roster")))
}

/// Headless Chromium through chromedriver, with a fresh profile.
pub struct Browser {
    pub client: Client,
    pub runtime: tokio::runtime::Runtime,
    _profile: tempfile::TempDir,
    _driver: Process,
}

impl Browser {
    /// `None` when the tests skip (see the module's doc).
    pub fn start() -> Option<Browser> {
        Browser::start_with(&[])
    }

    /// Headless Chromium in dark mode (`prefers-color-scheme: dark`).
    pub fn dark() -> Option<Browser> {
        Browser::start_with(&[
            "--blink-settings=preferredColorScheme=0",
            "--force-dark-mode",
        ])
    }

    /// With Chromium `flags` beside the usual ones.
    pub fn start_with(flags: &[&str]) -> Option<Browser> {
        let (chromium, driver) = browser_programs()?;
        let port = free_port();
        let process = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver");
        let driver = Process(process);
        wait_for_port(port);
        let profile = tempfile::tempdir().expect("a profile folder");
        let mut args: Vec<String> = FLAGS.iter().chain(flags).map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({"binary": chromium, "args": args}),
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = runtime
            .block_on(
                ClientBuilder::new(connector)
                    .capabilities(caps)
                    .connect(&format!("http://127.0.0.1:{port}")),
            )
            .expect("a WebDriver session");
        Some(Browser {
            client,
            runtime,
            _profile: profile,
            _driver: driver,
        })
    }

    /// Runs one step of the test on the browser.
    pub fn run<T>(&self, step: impl std::future::Future<Output = T>) -> T {
        self.runtime.block_on(step)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let client = self.client.clone();
        self.runtime.block_on(client.close()).ok();
    }
}

fn wait_for_port(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < PATIENCE, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until `script` (a JavaScript expression) is truthy in the page; returns its value.
/// A script that throws (its element not there yet, the page still loading) is not yet true.
pub async fn until(c: &Client, script: &str) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let value = c
            .execute(
                &format!("try {{ return ({script}); }} catch (e) {{ return null; }}"),
                vec![],
            )
            .await
            .unwrap_or(serde_json::Value::Null);
        if !matches!(
            value,
            serde_json::Value::Null | serde_json::Value::Bool(false)
        ) {
            return value;
        }
        if start.elapsed() >= PATIENCE {
            let page = c.source().await.unwrap_or_default();
            let url = c
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            panic!("never true: {script}\nURL {url}\n{page}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The value of a JavaScript expression.
pub async fn eval(c: &Client, script: &str) -> serde_json::Value {
    c.execute(&format!("return ({script});"), vec![])
        .await
        .expect("a script")
}

/// Signs in with `key` at the server's sign-in form.
pub async fn sign_in(c: &Client, server: &Server, key: &str) {
    c.goto(&format!("{}/", server.url)).await.expect("the page");
    let field = c.find(Locator::Id("key")).await.expect("the key field");
    field.send_keys(key).await.expect("typing");
    c.find(Locator::Id("sign-in"))
        .await
        .expect("the button")
        .click()
        .await
        .expect("a click");
}

/// Where screenshots go: `target/screenshots/` (kept as CI artifacts).
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("a screenshot folder");
    dir
}

/// Sizes the window so that the page's viewport is `width` x `height` CSS pixels.
pub async fn viewport(c: &Client, width: u32, height: u32) {
    c.set_window_size(width, height)
        .await
        .expect("a window size");
    let inner = eval(c, "[window.innerWidth, window.innerHeight]").await;
    let (iw, ih) = (inner[0].as_u64().expect("w"), inner[1].as_u64().expect("h"));
    let (w, h) = (u64::from(width) * 2 - iw, u64::from(height) * 2 - ih);
    c.set_window_size(w as u32, h as u32)
        .await
        .expect("a window size");
    let size = eval(c, "[window.innerWidth, window.innerHeight]").await;
    assert_eq!(size[0], width, "the viewport's width");
}

/// axe-core's `axe.min.js` (.ci/run installs it with npm into ~/.cache/roster-ci), or `None`
/// (with a notice; a failure under ROSTER_REQUIRE_BROWSER=1) when it is missing.
pub fn axe_source() -> Option<String> {
    let path = std::env::var_os("ROSTER_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            home.join(".cache/roster-ci/node_modules/axe-core/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) => {
            let required = std::env::var("ROSTER_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "ROSTER_REQUIRE_BROWSER=1 but {} is missing (.ci/run)",
                path.display()
            );
            eprintln!("skipped: axe-core is not installed at {}", path.display());
            None
        }
    }
}

/// axe-core's violations on the page as it is now (injected through WebDriver, not served),
/// each as `id: help (targets)`.
pub async fn axe_violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.expect("axe-core loads");
    let found = c
        .execute_async(
            "axe.run(document, {resultTypes: ['violations']}).then(r => arguments[0](\
             r.violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)));",
            vec![],
        )
        .await
        .expect("axe.run");
    serde_json::from_value(found).expect("a list")
}
