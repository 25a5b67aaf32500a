//! The effect checks that settle lost answers (`ripcord_core::Effect`) hold in the simulated
//! world after every call of every bundled runbook and example: a check that would not see
//! a call's own effect would make a live run send it again, or stop a failover for nothing.

use ripcord_core::{
    Backend, BackendError, Call, CheckSpec, Effect, Inventory, Outcome, Query, Verdict, WaitSpec,
};
use ripcord_interp::Interpreter;
use ripcord_sim::SimBackend;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The simulation, judging each successful call's effect check right after it.
struct Judging {
    sim: SimBackend,
    judged: Rc<RefCell<Vec<String>>>,
    failures: Rc<RefCell<Vec<String>>>,
}

impl Judging {
    fn judge(&mut self, call: &Call) {
        let effect = call.effect();
        let Some(target) = effect.read_target() else {
            // A tag search needs the live request's token; a resend and an unobservable
            // effect read nothing.
            assert!(matches!(
                effect,
                Effect::Tagged { .. } | Effect::Resend { .. } | Effect::Unobservable { .. }
            ));
            return;
        };
        let found = self.sim.query(&Query::Describe { target });
        let label = format!("{} {}", call.operation(), call.target());
        match found {
            Ok(found) => match effect.judge(found.as_ref()) {
                Verdict::Holds(_) | Verdict::Started(_) => self.judged.borrow_mut().push(label),
                Verdict::NotHeld(why) => self
                    .failures
                    .borrow_mut()
                    .push(format!("{label}: not held after the call: {why}")),
            },
            Err(err) => self
                .failures
                .borrow_mut()
                .push(format!("{label}: the check could not read: {err}")),
        }
    }
}

impl Backend for Judging {
    fn now(&self) -> jiff::Timestamp {
        self.sim.now()
    }
    fn elapsed_secs(&self) -> u64 {
        self.sim.elapsed_secs()
    }
    fn execute(&mut self, call: &Call) -> Result<Outcome, BackendError> {
        let outcome = self.sim.execute(call)?;
        self.judge(call);
        Ok(outcome)
    }
    fn wait(&mut self, spec: &WaitSpec) -> Result<Outcome, BackendError> {
        self.sim.wait(spec)
    }
    fn check(&mut self, spec: &CheckSpec) -> Result<Outcome, BackendError> {
        self.sim.check(spec)
    }
    fn approve(&mut self, message: &str) -> Result<Outcome, BackendError> {
        self.sim.approve(message)
    }
    fn query(&mut self, query: &Query) -> Result<Option<serde_json::Value>, BackendError> {
        self.sim.query(query)
    }
    fn begin_parallel(&mut self) -> Result<(), BackendError> {
        self.sim.begin_parallel()
    }
    fn begin_branch(&mut self) -> Result<(), BackendError> {
        self.sim.begin_branch()
    }
    fn end_parallel(&mut self) -> Result<Vec<String>, BackendError> {
        self.sim.end_parallel()
    }
}

/// Every bundled runbook and example, with the world it is planned against.
fn runbooks() -> Vec<(PathBuf, PathBuf)> {
    let mut found = Vec::new();
    let dir_of = |dir: &Path| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .collect();
        files.sort();
        files
    };
    for dir in dir_of(&workspace().join("runbooks")) {
        for file in dir_of(&dir) {
            if file.extension().is_some_and(|e| e == "rhai") {
                let own = file.with_extension("inventory.yaml");
                let world = if own.exists() {
                    own
                } else {
                    dir.join("inventory.yaml")
                };
                found.push((file, world));
            }
        }
    }
    for file in dir_of(&workspace().join("examples")) {
        if file.extension().is_some_and(|e| e == "rhai") {
            found.push((file, workspace().join("examples/inventory.yaml")));
        }
    }
    found
}

#[test]
fn every_calls_effect_holds_right_after_it_in_the_simulation() {
    let judged = Rc::new(RefCell::new(Vec::new()));
    let failures = Rc::new(RefCell::new(Vec::new()));
    for (file, world) in runbooks() {
        let source = std::fs::read_to_string(&file).expect("the runbook reads");
        let inventory = Inventory::load(&world)
            .unwrap_or_else(|e| panic!("{}: {e}", world.display()))
            .0;
        let mut interp = Interpreter::new(&file.display().to_string());
        let Ok(runbook) = interp.compile(&source) else {
            panic!("{} compiles", file.display());
        };
        let backend = Judging {
            sim: SimBackend::new(inventory),
            judged: judged.clone(),
            failures: failures.clone(),
        };
        interp.run(&runbook, Box::new(backend), None);
    }
    let failures = failures.borrow();
    assert!(failures.is_empty(), "{failures:#?}");
    let judged = judged.borrow();
    // The bundled runbooks promote, detach, switch over, scale, change health checks and
    // replication.
    for operation in [
        "UpdateAutoScalingGroup",
        "PromoteReadReplica",
        "UpdateHealthCheck",
        "RemoveFromGlobalCluster",
        "SwitchoverGlobalCluster",
        "PutBucketReplication",
    ] {
        assert!(
            judged.iter().any(|label| label.starts_with(operation)),
            "no {operation} was judged: {judged:#?}"
        );
    }
}
