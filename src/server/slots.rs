//! At most N pipelines at once (`--max-concurrent-imports`, issue 23): each holds a whole body
//! and its parsed rows in memory, so forty concurrent dry runs of 30,000 rows once took the
//! server past a gigabyte. A sync beyond N waits for a slot a bounded time, then gets `503`
//! with `Retry-After`. The slot is held by the import itself, not by its request: an import
//! whose client went away still counts until it ends.

use super::problem::Problem;
use crate::error::ServeError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What a `503` tells the client to wait.
const RETRY_AFTER: u64 = 5;

pub struct Slots {
    free: Arc<Semaphore>,
    count: usize,
    wait: Duration,
}

/// A running import's slot; dropping it frees the slot.
pub type Slot = OwnedSemaphorePermit;

impl Slots {
    pub fn new(count: usize, wait: Duration) -> Slots {
        let count = count.max(1);
        Slots {
            free: Arc::new(Semaphore::new(count)),
            count,
            wait,
        }
    }

    /// The default N: the machine's cores (at least 2, so that a dry run can run beside a sync).
    pub fn default_count() -> usize {
        std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .max(2)
    }

    /// A slot, waited for at most the queue's wait; else `503` with `Retry-After`.
    pub async fn take(&self) -> Result<Slot, Problem> {
        let waited = tokio::time::timeout(self.wait, Arc::clone(&self.free).acquire_owned()).await;
        match waited {
            Ok(Ok(slot)) => Ok(slot),
            _ => Err(Problem::retry_after(
                ServeError::ImportsBusy(self.count, RETRY_AFTER),
                RETRY_AFTER,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[tokio::test]
    async fn a_sync_beyond_the_slots_waits_then_gets_503() {
        let slots = Slots::new(1, Duration::from_millis(50));
        let held = slots.take().await.expect("a free slot");
        let refused = slots.take().await.expect_err("no free slot");
        assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
        // Its own code: `import_busy` is the 409 of a store that another import holds.
        assert_eq!(refused.code, crate::error::Code::ImportSlotsFull);
        assert!(
            refused
                .headers
                .iter()
                .any(|(k, v)| k == "retry-after" && v == "5")
        );
        drop(held);
        assert!(slots.take().await.is_ok());
    }
}
