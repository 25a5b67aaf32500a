//! Outages in the dry-run: a request whose endpoint the inventory lists as unreachable fails
//! as the live one will, before the world is consulted.

use crate::backend::SimBackend;
use ripcord_core::{unreachable_error, BackendError, Endpoint, Outage};

impl SimBackend {
    /// `Err` when an outage stops a request of `service` `operation` to `endpoint`.
    pub(crate) fn reach(
        &self,
        service: &str,
        operation: &str,
        endpoint: &Endpoint,
    ) -> Result<(), BackendError> {
        let world = &self.world;
        if world.unreachable.is_empty() {
            return Ok(());
        }
        let outage = Outage::new(&world.unreachable);
        let bucket_region = |name: &str| world.buckets.get(name).map(|b| b.region.clone());
        // An account-wide read can go to any region the world knows of, captured or not.
        let mut regions: Vec<&str> = world.region_names();
        for entry in &world.unreachable {
            if let Some(region) = entry.region.as_deref() {
                if !regions.contains(&region) {
                    regions.push(region);
                }
            }
        }
        match outage.blocking(endpoint, bucket_region, regions) {
            Some(entry) => Err(unreachable_error(service, operation, entry)),
            None => Ok(()),
        }
    }

    /// `reachable(region)`: not down as a whole.
    pub(crate) fn reachable(&self, region: &str) -> bool {
        Outage::new(&self.world.unreachable)
            .region_down(region)
            .is_none()
    }
}
