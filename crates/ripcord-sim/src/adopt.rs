//! Adopting recorded outcomes: the simulation follows what really happened (a live step in the
//! REPL, a journaled step of a resumed run) instead of inventing its own result.

use crate::backend::SimBackend;
use ripcord_core::{Backend, BackendError, Call, Creates, Outcome, WaitSpec};

impl SimBackend {
    /// Applies `call` as it was carried out elsewhere, with `recorded` as its outcome: what it
    /// created takes the id AWS gave it (a snapshot id, a volume id, a Route 53 change id),
    /// so later steps that use that id find it here. The simulation still checks the call:
    /// an error means it cannot follow (its state differs from what the call met), and it is
    /// then unchanged, as after any failed step.
    pub fn adopt(&mut self, call: &Call, recorded: &Outcome) -> Result<Outcome, BackendError> {
        let new_id = matches!(call.descriptor().creates, Creates::NewId(_));
        if let (true, Some(id)) = (new_id, &recorded.creates) {
            self.ids.adopt(id.clone());
        }
        let result = self.execute(call);
        self.ids.clear_adopted();
        let outcome = result?;
        if let (Some(recorded), Some(simulated)) = (&recorded.creates, &outcome.creates) {
            // RDS stores identifiers in lower case; the recorded one is as AWS answered.
            if !recorded.eq_ignore_ascii_case(simulated) {
                return Err(ripcord_core::Op::of(call).rejected(
                    "MirrorDiverged",
                    format!("the simulation made {simulated} where AWS made {recorded}"),
                ));
            }
        }
        Ok(outcome)
    }

    /// A wait that held elsewhere holds here: the resource is settled whatever the estimate of
    /// its transition says (a live restore can take less time than the estimate's timeout).
    pub fn adopt_wait(&mut self, spec: &WaitSpec) -> Result<Outcome, BackendError> {
        self.wait(&WaitSpec {
            timeout_secs: u64::MAX,
            ..spec.clone()
        })
    }
}
