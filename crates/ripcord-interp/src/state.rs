//! `RunState`: what one run shares between primitives — the backend, the recorder, the meta.

use crate::codes;
use crate::failure::Failure;
use crate::recorder::Recorder;
use crate::sources::Sources;
use ripcord_core::{
    Backend, BackendError, Call, CheckSpec, Origin, Outcome, Plan, Query, RunbookMeta, Step,
    StepKind, Target, WaitSpec,
};

/// A step about to be sent, shown to a step hook (the REPL) before the backend sees it.
#[derive(Debug, Clone)]
pub struct PendingStep {
    pub kind: StepKind,
    pub target: Option<Target>,
    pub origin: Origin,
}

impl PendingStep {
    /// The step as the plan would record it with this outcome (the REPL's preview).
    pub fn to_step(&self, index: u32, at_secs: u64, outcome: &Outcome) -> Step {
        let (service, operation, region) = labels(&self.kind);
        Step {
            index,
            kind: self.kind.clone(),
            service: service.to_string(),
            operation: operation.to_string(),
            region,
            target: self.target.clone(),
            resolved: outcome.resolved.clone(),
            creates: outcome.creates.clone(),
            changes: outcome.changes.clone(),
            at_secs,
            duration_secs: outcome.duration_secs,
            warnings: outcome.warnings.clone(),
            notes: Step::notes_for(&self.kind)
                .into_iter()
                .chain(outcome.settled.as_ref().map(|s| s.note()))
                .collect(),
            origin: self.origin.clone(),
        }
    }
}

/// A step's service, operation and region, from what it is.
fn labels(kind: &StepKind) -> (&'static str, &'static str, Option<String>) {
    match kind {
        StepKind::Call { call } => (
            call.service(),
            call.operation(),
            call.region().map(str::to_string),
        ),
        StepKind::Wait { wait } => (
            wait.target.kind().service(),
            wait.operation(),
            wait.target.region().map(str::to_string),
        ),
        StepKind::Check { check } => (
            check.service(),
            check.operation(),
            check.target().region().map(str::to_string),
        ),
        StepKind::Approval { .. } => ("ripcord", "approve", None),
        StepKind::Note { .. } => ("ripcord", "print", None),
    }
}

/// What a step hook decides for a pending step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookDecision {
    /// Send it.
    Run,
    /// Stop the run here, as cancelled.
    Stop,
    /// Do not send it: the operator skipped it (REPL `skip`). The runbook goes on with this
    /// outcome (the dry-run's), and the step is recorded with a warning saying so.
    Skip(Outcome),
    /// Do not send it: it was already carried out, with this outcome (replaying a session
    /// to compute the rest of its plan).
    Replay(Outcome),
}

/// Called before every step reaches the backend (the REPL's stepping point).
pub type StepHook = Box<dyn FnMut(&PendingStep) -> HookDecision>;

/// Called at every point where the REPL may pause (see `crate::debug`).
pub type DebugHook = Box<dyn FnMut(&mut dyn crate::debug::Paused)>;

/// The state of one run.
pub struct RunState {
    backend: Option<Box<dyn Backend>>,
    recorder: Recorder,
    pub meta: Option<RunbookMeta>,
    /// The runbook's file name, as origins and diagnostics name it.
    pub runbook_file: String,
    /// Whether any primitive has run yet (`runbook()` must come first).
    pub started: bool,
    hook: Option<StepHook>,
    /// The error that ended the run, with the step's origin, for the plan's failure record.
    pub failed_at: Option<Origin>,
    /// While a stop previews its call: the first step reached is kept here and not run.
    capture: Option<Option<PendingStep>>,
    /// The REPL's debugger; taken out while it runs, so that what it evaluates can use the state.
    debug_hook: Option<DebugHook>,
    /// The texts diagnostics point into (the REPL's pauses report errors with them).
    pub(crate) sources: Sources,
    /// The runbook's functions, callable from the REPL prompt.
    pub(crate) functions: Option<rhai::AST>,
}

impl RunState {
    pub fn new(runbook_file: &str) -> RunState {
        RunState {
            backend: None,
            recorder: Recorder::default(),
            meta: None,
            runbook_file: runbook_file.to_string(),
            started: false,
            hook: None,
            failed_at: None,
            capture: None,
            debug_hook: None,
            sources: Sources::default(),
            functions: None,
        }
    }

    /// Starts a new run in the same state: the hooks stay, everything else is reset.
    /// Records a value the runbook read from the clock (the plan's `clock`).
    pub fn read_clock(&mut self, source: ripcord_core::ClockSource, text: String, at_secs: u64) {
        self.recorder.read_clock(ripcord_core::ClockRead {
            source,
            text,
            at_secs,
        });
    }

    pub fn reset(&mut self) {
        let hook = self.hook.take();
        let debug_hook = self.debug_hook.take();
        *self = RunState::new(&self.runbook_file);
        self.hook = hook;
        self.debug_hook = debug_hook;
    }

    pub fn set_debug_hook(&mut self, hook: Option<DebugHook>) {
        self.debug_hook = hook;
    }

    pub(crate) fn take_debug_hook(&mut self) -> Option<DebugHook> {
        self.debug_hook.take()
    }

    pub(crate) fn put_debug_hook(&mut self, hook: DebugHook) {
        self.debug_hook = Some(hook);
    }

    /// From now on the first step reached is kept, not run (a preview).
    pub(crate) fn begin_capture(&mut self) {
        self.capture = Some(None);
    }

    pub(crate) fn end_capture(&mut self) -> Option<PendingStep> {
        self.capture.take().flatten()
    }

    pub fn attach(&mut self, backend: Box<dyn Backend>) {
        self.backend = Some(backend);
    }

    pub fn detach(&mut self) -> Option<Box<dyn Backend>> {
        self.backend.take()
    }

    pub fn set_hook(&mut self, hook: Option<StepHook>) {
        self.hook = hook;
    }

    pub fn backend(&mut self) -> Result<&mut dyn Backend, Failure> {
        match self.backend.as_deref_mut() {
            Some(backend) => Ok(backend),
            None => Err(Failure::invalid(
                "no backend: primitives run only in `plan`, `apply` or the REPL, not in `check`",
            )
            .with_code(codes::NO_BACKEND)),
        }
    }

    /// Refuses a region the runbook did not declare (when it declared any).
    pub fn check_region(&self, region: Option<&str>) -> Result<(), Failure> {
        let (Some(region), Some(meta)) = (region, &self.meta) else {
            return Ok(());
        };
        if meta.regions.is_empty() || meta.regions.iter().any(|r| r == region) {
            return Ok(());
        }
        Err(Failure::invalid(format!(
            "region {region} is not one of the runbook's regions ({})",
            meta.regions.join(", ")
        ))
        .with_code(codes::REGION)
        .with_help("add it to `regions` in runbook(#{...}) if the runbook really touches it"))
    }

    fn ask_hook(&mut self, pending: PendingStep) -> Result<HookDecision, Failure> {
        if let Some(slot) = &mut self.capture {
            *slot = Some(pending);
            return Err(Failure::invalid("previewed, not run").with_code(codes::PREVIEW));
        }
        let decision = match &mut self.hook {
            Some(hook) => hook(&pending),
            None => HookDecision::Run,
        };
        if decision == HookDecision::Stop {
            return Err(Failure::invalid("stopped by the operator before this step")
                .with_code(codes::CANCELLED));
        }
        Ok(decision)
    }

    /// Runs one step through the backend and records it; a refusal is recorded as the
    /// failure's origin and returned.
    fn step(
        &mut self,
        pending: PendingStep,
        run: impl FnOnce(&mut dyn Backend) -> Result<Outcome, BackendError>,
    ) -> Result<Outcome, Failure> {
        self.started = true;
        let (_, _, region) = labels(&pending.kind);
        self.check_region(region.as_deref())?;
        let decision = self.ask_hook(pending.clone())?;
        let backend = self.backend()?;
        let at_secs = backend.elapsed_secs();
        let outcome = match decision {
            HookDecision::Skip(mut outcome) => {
                outcome.warnings.insert(
                    0,
                    "skipped by the operator: not sent; the runbook went on with the dry-run's result"
                        .to_string(),
                );
                outcome
            }
            HookDecision::Replay(outcome) => outcome,
            HookDecision::Run | HookDecision::Stop => match run(backend) {
                Ok(outcome) => outcome,
                Err(err) => {
                    self.failed_at = Some(pending.origin);
                    return Err(Failure::from_backend(err));
                }
            },
        };
        let index = self.recorder.next_index();
        self.recorder
            .push(pending.to_step(index, at_secs, &outcome));
        Ok(outcome)
    }

    pub fn execute(&mut self, call: Call, origin: Origin) -> Result<Outcome, Failure> {
        let target = Some(call.target());
        let sent = call.clone();
        let kind = StepKind::Call { call };
        self.step(
            PendingStep {
                kind,
                target,
                origin,
            },
            move |b| b.execute(&sent),
        )
    }

    pub fn wait(&mut self, spec: WaitSpec, origin: Origin) -> Result<Outcome, Failure> {
        let target = Some(spec.target.clone());
        let sent = spec.clone();
        let kind = StepKind::Wait { wait: spec };
        self.step(
            PendingStep {
                kind,
                target,
                origin,
            },
            move |b| b.wait(&sent),
        )
    }

    pub fn check(&mut self, spec: CheckSpec, origin: Origin) -> Result<Outcome, Failure> {
        let target = Some(spec.target());
        let sent = spec.clone();
        let kind = StepKind::Check { check: spec };
        self.step(
            PendingStep {
                kind,
                target,
                origin,
            },
            move |b| b.check(&sent),
        )
    }

    /// Whether the run has passed an approval: destructive calls need one before them.
    pub fn approved(&self) -> bool {
        self.recorder.has_approval()
    }

    pub fn approve(&mut self, message: String, origin: Origin) -> Result<Outcome, Failure> {
        let sent = message.clone();
        let kind = StepKind::Approval { message };
        self.step(
            PendingStep {
                kind,
                target: None,
                origin,
            },
            move |b| b.approve(&sent),
        )
    }

    /// Records a printed line; notes never stop a run.
    pub fn note(&mut self, text: String, origin: Origin) {
        self.record_note(text, false, origin);
    }

    /// Records a warning (`warn`): a note the plan and the report count and mark as a
    /// warning; the run goes on.
    pub fn warn(&mut self, text: String, origin: Origin) {
        self.record_note(text, true, origin);
    }

    fn record_note(&mut self, text: String, warning: bool, origin: Origin) {
        if self.capture.is_some() {
            // A preview evaluates the call's arguments once more; their output is not news.
            return;
        }
        let Some(backend) = self.backend.as_deref_mut() else {
            return;
        };
        backend.note(&text);
        let at_secs = backend.elapsed_secs();
        let warnings = if warning {
            vec![text.clone()]
        } else {
            Vec::new()
        };
        // Notes are not steps: index 0 keeps the steps' numbers contiguous.
        self.recorder.push(Step {
            index: 0,
            kind: StepKind::Note { text },
            service: "ripcord".to_string(),
            operation: "print".to_string(),
            region: None,
            target: None,
            resolved: None,
            creates: None,
            changes: Vec::new(),
            at_secs,
            duration_secs: 0,
            warnings,
            notes: Vec::new(),
            origin,
        });
    }

    pub fn query(&mut self, query: Query) -> Result<Option<serde_json::Value>, Failure> {
        self.backend()?.query(&query).map_err(Failure::from_backend)
    }

    pub fn begin_parallel(&mut self) -> Result<u64, Failure> {
        if self.recorder.in_group() {
            return Err(Failure::invalid("parallel groups cannot be nested")
                .with_help("put the inner steps directly in the outer group's closures"));
        }
        self.started = true;
        let backend = self.backend()?;
        let at = backend.elapsed_secs();
        backend.begin_parallel().map_err(Failure::from_backend)?;
        self.recorder.open_group(at);
        Ok(at)
    }

    pub fn begin_branch(&mut self) -> Result<(), Failure> {
        self.backend()?
            .begin_branch()
            .map_err(Failure::from_backend)?;
        self.recorder.open_branch();
        Ok(())
    }

    pub fn end_parallel(&mut self, started_at: u64) -> Result<(), Failure> {
        let backend = self.backend()?;
        let result = backend.end_parallel().map_err(Failure::from_backend);
        let duration = backend.elapsed_secs().saturating_sub(started_at);
        let (result, notes) = match result {
            Ok(notes) => (Ok(()), notes),
            Err(failure) => (Err(failure), Vec::new()),
        };
        self.recorder.close_group(duration, notes);
        result
    }

    /// Moves the recorded steps into the plan.
    pub fn finish(&mut self, plan: &mut Plan) {
        let total = self
            .backend
            .as_deref()
            .map(|b| b.elapsed_secs())
            .unwrap_or(0);
        self.recorder.finish(plan, total);
        if let Some(meta) = &self.meta {
            plan.runbook.meta = meta.clone();
        }
    }
}
