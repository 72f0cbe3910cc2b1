//! One SCIM write: on a blocking thread, it takes the store's import lock (so that a running
//! import and a SCIM write never interleave), waiting a bounded time (`--scim-wait`) before
//! `503` with `Retry-After`; reads a snapshot; lets the caller plan one member's (or one
//! team's) change; checks the plan against section 8's rules and SCIM's hourly deactivation
//! limit; and applies it with its audit events. A snapshot outdated by a write outside the lock
//! (`roster members ban`) is read again.

use super::super::App;
use super::answer::internal;
use crate::error::{Rule, ScimError, StoreError};
use crate::model::Field;
use crate::plan::{Change, Plan};
use crate::policy::{self, Limit, Policy};
use crate::snapshot::Snapshot;
use crate::store::{Guard, Store, Timestamp};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often a waiting write tries the lock again.
const POLL: Duration = Duration::from_millis(50);
/// What a `503` tells the identity provider to wait.
const RETRY_AFTER: u64 = 5;
/// The window of `scim-max-deactivations`.
const HOUR: i64 = 3600;

/// Why a write changed nothing.
#[derive(Debug)]
pub enum Fail {
    Scim(ScimError),
    /// Section 8's rules: `422`, the first rule's sentence as `detail`.
    Rules(Vec<Rule>),
    Store(StoreError),
}

impl From<ScimError> for Fail {
    fn from(e: ScimError) -> Fail {
        Fail::Scim(e)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Fail {
        Fail::Store(e)
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        match self {
            Fail::Scim(e) => e.into_response(),
            Fail::Rules(rules) => {
                let detail: Vec<String> = rules.iter().map(ToString::to_string).collect();
                super::answer::error_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    &detail.join(" "),
                )
            }
            Fail::Store(e) => internal(e),
        }
    }
}

/// Runs `f` with the store, the import lock held, and a fresh snapshot.
pub async fn run<T: Send + 'static>(
    app: &Arc<App>,
    f: impl Fn(&mut Store, &Snapshot) -> Result<T, Fail> + Send + 'static,
) -> Result<T, Fail> {
    let (db, wait) = (Arc::clone(&app.db), app.scim_wait);
    let joined = tokio::task::spawn_blocking(move || {
        db.with(|store| {
            let _guard = lock(store, wait)?;
            // A write outside the import lock (an admin command) may outdate the snapshot.
            for _ in 0..3 {
                let snapshot = store.snapshot()?;
                match f(store, &snapshot) {
                    Err(Fail::Store(StoreError::Changed)) => continue,
                    done => return done,
                }
            }
            Err(Fail::Store(StoreError::Changed))
        })
    })
    .await;
    joined.unwrap_or_else(|e| {
        Err(Fail::Store(StoreError::Io(std::io::Error::other(
            e.to_string(),
        ))))
    })
}

/// The import lock, waited for at most `wait`.
fn lock(store: &Store, wait: Duration) -> Result<Guard, Fail> {
    let start = Instant::now();
    loop {
        match store.lock_imports() {
            Err(StoreError::Busy) if start.elapsed() < wait => std::thread::sleep(POLL),
            Err(StoreError::Busy) => {
                return Err(ScimError::Busy(wait.as_secs(), RETRY_AFTER).into());
            }
            taken => return Ok(taken?),
        }
    }
}

/// Section 8's rules on a write's plan, and SCIM's deactivations per rolling hour.
pub fn check(store: &Store, plan: &Plan, snapshot: &Snapshot) -> Result<(), Fail> {
    let rules = Policy {
        seat_limit: snapshot.settings.seat_limit,
        max_deactivations: None,
        shrink: None,
    };
    if let Err(broken) = policy::check(plan, snapshot, &rules) {
        let broken: Vec<Rule> = broken
            .into_iter()
            .filter(|r| !matches!(r, Rule::Deactivations { .. }))
            .collect();
        if !broken.is_empty() {
            return Err(Fail::Rules(broken));
        }
    }
    let now = Timestamp::now().as_datetime();
    let since = Timestamp::from(now - chrono::Duration::seconds(HOUR)).to_string();
    let recent = store.scim_deactivations_since(&since)?;
    let limit = store
        .setting("scim-max-deactivations")?
        .and_then(|v| v.parse::<Limit>().ok());
    if let Some(text) = policy::scim_deactivations(plan, snapshot, recent.len() as u64, limit) {
        let oldest = recent.first().and_then(|t| Timestamp::parse(t));
        let retry_after = oldest.map_or(HOUR, |t| {
            (t.as_datetime() + chrono::Duration::seconds(HOUR) - now).num_seconds()
        });
        return Err(ScimError::Deactivations {
            done: recent.len() as u64,
            limit: text,
            retry_after: retry_after.max(1) as u64,
        }
        .into());
    }
    Ok(())
}

/// Refuses a write to a `BANNED` or `protected` member.
pub fn changeable(snapshot: &Snapshot, i: usize) -> Result<(), Fail> {
    let m = &snapshot.members[i];
    if m.status == crate::model::Status::Banned {
        return Err(ScimError::Banned(m.label()).into());
    }
    if m.protected {
        return Err(ScimError::Protected(m.label()).into());
    }
    Ok(())
}

/// Refuses identifiers that another member holds (`409 uniqueness`).
pub fn unique(
    snapshot: &Snapshot,
    own: Option<usize>,
    values: &[(Field, Option<&str>)],
) -> Result<(), Fail> {
    for &(field, value) in values {
        let Some(v) = value else { continue };
        if !field.is_identifier() {
            continue;
        }
        if let Some(holder) = snapshot.holder(field, v)
            && Some(holder) != own
        {
            let attribute = match field {
                Field::Email => "emails",
                Field::ExternalId => "externalId",
                _ => "phoneNumbers",
            };
            return Err(ScimError::Uniqueness {
                attribute,
                value: v.to_string(),
                resource: "User",
            }
            .into());
        }
    }
    Ok(())
}

/// A plan of one change.
pub fn one_change(change: Option<Change<'_>>) -> Plan<'_> {
    Plan {
        changes: change.into_iter().collect(),
        ..Plan::default()
    }
}
