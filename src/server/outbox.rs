//! `roster serve --send-invitations`: the invitation outbox drained in the background, every
//! `--send-every` seconds, by `invitations::send_pending` on a blocking thread (SMTP blocks).
//! One sender at a time per store still holds: a round that finds another sender (a cron job,
//! another server) skips quietly. The loop stops at shutdown; a round under way finishes.

use super::db::Db;
use crate::error::InvitationError;
use crate::invitations::{self, SendOptions};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Runs rounds every `every` until `stop` turns true.
pub async fn drain(db: Arc<Db>, every: Duration, mut stop: watch::Receiver<bool>) {
    // A round ends by the next tick (at least 30 s): a shutdown waits for no long round.
    let options = SendOptions {
        password: std::env::var("ROSTER_SMTP_PASSWORD").ok(),
        deadline: every.max(Duration::from_secs(30)),
        ..SendOptions::default()
    };
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_error = None;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        let (db, options) = (Arc::clone(&db), options.clone());
        let round = tokio::task::spawn_blocking(move || {
            db.with(|s| invitations::send_pending(s, &options, &mut |_| {}))
        })
        .await;
        match round {
            Ok(Ok(summary)) if summary.sent + summary.failed > 0 => eprintln!(
                "{}",
                crate::error::msg::outbox_round(summary.sent, summary.failed, summary.pending)
            ),
            Ok(Ok(_)) | Ok(Err(InvitationError::SenderBusy)) => {}
            Ok(Err(e)) => {
                // Said once, not at every round, until it changes.
                let message = e.to_string();
                if last_error.as_ref() != Some(&message) {
                    eprintln!("invitations: {message}");
                    last_error = Some(message);
                }
                continue;
            }
            Err(e) => eprintln!("invitations: {e}"),
        }
        last_error = None;
    }
}
