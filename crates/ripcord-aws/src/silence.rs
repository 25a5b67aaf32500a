//! A capture's verdict on a silent region: once one part of a region that has answered
//! nothing gives up, the region's other parts that are failing too stop waiting for their
//! own retries, so that a dead region costs one part's patience, not the slowest's.
//!
//! Only parts whose own attempts got no answer are cut (`Liveness::failing`): a part still
//! waiting for its first answer, or whose service answered, goes on, so that one service
//! down in a region (its part giving up early with a short backoff) never hides the
//! region's other services.

use crate::context::Ctx;
use ripcord_core::{BackendError, ErrorKind};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use tokio::sync::Notify;

/// The regions of one capture found silent, with the failure that found each.
#[derive(Debug, Default)]
pub(crate) struct SilentRegions {
    found: Mutex<HashMap<String, BackendError>>,
    /// Woken when a region is found silent.
    decided: Notify,
}

impl SilentRegions {
    /// `part` of `service` in `region`, or, once the region is found silent while this
    /// service's attempts get no answer either, the failure that found it (unreachable).
    pub(crate) async fn part<T>(
        &self,
        ctx: &Ctx,
        region: &str,
        service: &str,
        part: impl Future<Output = Result<T, BackendError>>,
    ) -> Result<T, BackendError> {
        tokio::select! {
            out = part => {
                if let Err(err) = &out {
                    if err.kind == ErrorKind::Unreachable && !ctx.clients.liveness().lively(region) {
                        self.decide(region, err);
                    }
                }
                out
            }
            err = self.cut(ctx, region, service) => Err(err),
        }
    }

    /// The failure that found `region` silent, if it was.
    pub(crate) fn found(&self, region: &str) -> Option<BackendError> {
        self.locked().get(region).cloned()
    }

    fn decide(&self, region: &str, err: &BackendError) {
        self.locked()
            .entry(region.to_string())
            .or_insert_with(|| err.clone());
        self.decided.notify_waiters();
    }

    /// Resolves when `region` is found silent and `service`'s attempts there get no answer.
    async fn cut(&self, ctx: &Ctx, region: &str, service: &str) -> BackendError {
        let liveness = ctx.clients.liveness();
        loop {
            // Both registered before the check, so that a change in between wakes this.
            let unanswered = liveness.next_unanswered();
            let decided = self.decided.notified();
            tokio::pin!(unanswered, decided);
            unanswered.as_mut().enable();
            decided.as_mut().enable();
            if let Some(found) = self.found(region) {
                if liveness.failing(region, service) && !liveness.lively(region) {
                    return cut_short(found, region, service);
                }
            }
            tokio::select! {
                () = unanswered => {}
                () = decided => {}
            }
        }
    }

    fn locked(&self) -> std::sync::MutexGuard<'_, HashMap<String, BackendError>> {
        // A poisoned lock only means another part panicked while inserting; the map holds
        // whole entries.
        self.found
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The error of a part given up with its region: the failure that found the region silent,
/// saying so.
fn cut_short(found: BackendError, region: &str, service: &str) -> BackendError {
    BackendError {
        message: format!(
            "{} ({service} given up with it: nothing in {region} answered)",
            found.message
        ),
        ..found
    }
}
