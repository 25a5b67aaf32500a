//! `Session`: one REPL session — runs the runbook under the debugger hook, pausing where the
//! operator asked, and hands every pause to the prompt.

use crate::command::{Breakpoint, Command, COMMANDS};
use crate::console::{Console, Input};
use crate::gate::Gate;
use crate::helper::Words;
use crate::replay::rest_of_plan;
use crate::show;
use crate::world::{Live, SessionBackend, World};
use ripcord_core::render::{steps_text, TextStyle};
use ripcord_core::{BackendError, Intent, InventoryInfo, Outcome, RunbookMeta};
use ripcord_interp::debug::{step_primitives, Paused, StopKind, PROMPT_FILE};
use ripcord_interp::{Interpreter, PendingStep, Runbook, RunbookError, Sources, PRIMITIVES};
use ripcord_journal::{JournalWriter, RunStatus};
use ripcord_sim::SimBackend;
use std::cell::{Cell, RefCell};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

/// Everything a session starts from; the CLI builds it.
pub struct SessionConfig {
    /// The runbook to step through, compiled (`None`: an empty session).
    pub runbook: Option<(Interpreter, Runbook)>,
    /// The simulated world: the inventory (dry), or the capture of the live state (live).
    pub sim: SimBackend,
    pub inventory: Option<InventoryInfo>,
    pub live: Option<Live>,
    pub journal: Option<Arc<JournalWriter>>,
    /// Live: ask before each mutating call (the CLI turns it off only on an explicit flag).
    pub confirm: bool,
    pub color: bool,
    pub history: Option<PathBuf>,
    /// Shows a diagnostic (the binary's fancy handler).
    pub report: Box<dyn Fn(RunbookError)>,
    /// A resumed live session: the earlier session's steps done, which the live backend (a
    /// `Replay` of its journal) gives back, and the flag it sets when it does (`World`).
    pub earlier: Vec<Intent>,
    pub replayed: Rc<Cell<bool>>,
}

/// How the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The runbook ran to its end (or there was none).
    Completed,
    /// The operator quit before the runbook's end.
    Quit,
    /// The operator stopped the runbook (refused a call, aborted a cancelled wait); the
    /// session went on after it.
    Cancelled,
    /// The runbook stopped on an error.
    Failed,
}

/// What the operator asked to run to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Stop before the next DR call.
    Step,
    /// Stop before the next statement at this call depth or shallower.
    Next { depth: usize },
    /// Stop only at breakpoints, approvals and the end.
    Continue,
}

/// The state the debugger hook works on.
struct Pauser {
    mode: Mode,
    breakpoints: Vec<Breakpoint>,
    /// The (file, line) of the last statement or call reached: a line breakpoint fires on
    /// entering its line, not at every expression on it.
    last_line: Option<(String, u32)>,
    quitting: bool,
    /// Inside a runbook run (else: the free prompt after it, or an empty session).
    in_runbook: bool,
    runbook_file: String,
    runbook_source: String,
    sources: Sources,
    world: Rc<RefCell<World>>,
    gate: Rc<RefCell<Gate>>,
    console: Rc<RefCell<Console>>,
    color: bool,
    report: Rc<dyn Fn(RunbookError)>,
    prompt: String,
    /// The primitives `break` accepts: those the run pauses before.
    step_primitives: Vec<&'static str>,
}

pub struct Session {
    config: SessionConfig,
}

impl Session {
    pub fn new(config: SessionConfig) -> Session {
        Session { config }
    }

    /// Runs the session to its end and returns how it ended.
    pub fn run(self) -> SessionEnd {
        let SessionConfig {
            runbook,
            sim,
            inventory,
            live,
            journal,
            confirm,
            color,
            history,
            report,
            earlier,
            replayed,
        } = self.config;
        let words = words(&sim, runbook.as_ref().map(|(_, r)| r));
        let console = Rc::new(RefCell::new(Console::new(words, history)));
        let prompt = match &live {
            Some(live) => format!("ripcord[LIVE {}]> ", live.account),
            None => "ripcord[dry-run]> ".to_string(),
        };
        let world = Rc::new(RefCell::new(World {
            sim,
            live,
            journal,
            done: Vec::new(),
            console: console.clone(),
            open_group: None,
            stopped_by_operator: false,
            clock_reads: Vec::new(),
            mirror_behind: None,
            earlier,
            replayed,
        }));
        let gate = Rc::new(RefCell::new(Gate {
            world: world.clone(),
            console: console.clone(),
            skip: None,
            confirmed: None,
            confirm,
            color,
        }));
        let report: Rc<dyn Fn(RunbookError)> = Rc::from(report);
        let started = Instant::now();
        let (file, source, sources) = match &runbook {
            Some((interpreter, runbook)) => (
                runbook.file.clone(),
                runbook.source.clone(),
                interpreter.sources().clone(),
            ),
            None => (String::new(), String::new(), Sources::default()),
        };
        let pauser = Rc::new(RefCell::new(Pauser {
            mode: Mode::Step,
            breakpoints: Vec::new(),
            last_line: None,
            quitting: false,
            in_runbook: runbook.is_some(),
            runbook_file: file,
            runbook_source: source,
            sources,
            world: world.clone(),
            gate: gate.clone(),
            console,
            color,
            report: report.clone(),
            prompt,
            step_primitives: step_primitives(),
        }));
        println!(
            "{}",
            banner(&world.borrow(), runbook.as_ref().map(|(_, r)| r))
        );

        let mut backend: Box<dyn ripcord_core::Backend> = Box::new(SessionBackend {
            world: world.clone(),
        });
        let mut end = SessionEnd::Completed;
        let mut meta = RunbookMeta::default();
        let mut error_text = None;
        if let Some((mut interpreter, runbook)) = runbook {
            install(&mut interpreter, &pauser, &gate);
            let result = interpreter.run(&runbook, backend, inventory);
            meta = result.plan.runbook.meta.clone();
            backend = match result.backend {
                Some(backend) => backend,
                None => Box::new(SessionBackend {
                    world: world.clone(),
                }),
            };
            let quitting = pauser.borrow().quitting;
            let stopped = world.borrow().stopped_by_operator;
            match result.error {
                None => println!("the runbook finished."),
                Some(_) if quitting => end = SessionEnd::Quit,
                Some(err) if stopped => {
                    end = SessionEnd::Cancelled;
                    error_text = Some(format!("stopped by the operator at {}", err.location()));
                    println!(
                        "the runbook was stopped by the operator at {}. The session goes on: inspect, call primitives by hand, or quit.",
                        err.location()
                    );
                }
                Some(err) => {
                    end = SessionEnd::Failed;
                    error_text = Some(format!("{} at {}", err.message, err.location()));
                    report(err);
                    println!(
                        "the runbook stopped. The session goes on: inspect, call primitives by hand, or quit."
                    );
                }
            }
        }
        // The free prompt: after a runbook that failed, or an empty session.
        if !pauser.borrow().quitting {
            let mut free = Interpreter::new(PROMPT_FILE);
            {
                let mut p = pauser.borrow_mut();
                p.in_runbook = false;
            }
            match free.compile("") {
                Ok(empty) => {
                    install(&mut free, &pauser, &gate);
                    let _ = free.run(&empty, backend, None);
                }
                Err(err) => report(err),
            }
        }
        summary(&pauser.borrow(), end, &world.borrow());
        let world = world.borrow();
        if let Some(journal) = &world.journal {
            let status = match end {
                SessionEnd::Completed => RunStatus::Completed,
                SessionEnd::Quit | SessionEnd::Cancelled => RunStatus::Cancelled,
                SessionEnd::Failed => RunStatus::Failed,
            };
            let error_text = match end {
                SessionEnd::Quit => Some("the operator ended the session".to_string()),
                _ => error_text,
            };
            // A dry session's duration is the simulated one (what the steps would take);
            // the time spent at the prompt rehearsing is not the runbook's.
            let total = if world.is_live() {
                started.elapsed().as_secs()
            } else {
                ripcord_core::Backend::elapsed_secs(&world.sim)
            };
            if let Err(err) = journal.finish(status, error_text, total, meta.rto_secs) {
                println!("warning: the journal's last record was not written: {err}");
            }
            println!(
                "journal: {} (ripcord runs show {})",
                journal.dir().display(),
                journal.run_id()
            );
        }
        end
    }
}

fn install(interpreter: &mut Interpreter, pauser: &Rc<RefCell<Pauser>>, gate: &Rc<RefCell<Gate>>) {
    let p = pauser.clone();
    interpreter.set_debug_hook(Some(Box::new(move |paused| {
        p.borrow_mut().on_pause(paused)
    })));
    let g = gate.clone();
    interpreter.set_step_hook(Some(Box::new(move |pending| {
        g.borrow_mut().decide(pending)
    })));
}

fn banner(world: &World, runbook: Option<&Runbook>) -> String {
    let mode = match &world.live {
        Some(live) => format!(
            "LIVE against account {}: calls are sent to AWS{}",
            live.account, ""
        ),
        None => "dry-run: nothing is sent, the world is simulated".to_string(),
    };
    let what = match runbook {
        Some(r) => format!("ripcord repl: {} ({mode})", r.file),
        None => format!("ripcord repl: empty session ({mode})"),
    };
    format!("{what}\ntype `help` for commands; anything else is Rhai")
}

/// Commands, function names (the interpreter's table of primitives and the runbook's own
/// functions) and the inventory's resource names, for tab completion.
fn words(sim: &SimBackend, runbook: Option<&Runbook>) -> Words {
    let mut functions: Vec<String> = PRIMITIVES
        .iter()
        .filter(|p| p.offered())
        .map(|p| p.name.to_string())
        .chain(runbook.map(Runbook::function_names).unwrap_or_default())
        .collect();
    functions.sort();
    functions.dedup();
    let mut commands: Vec<String> = COMMANDS.iter().map(|(c, _, _)| c.to_string()).collect();
    commands.push("exit".to_string());
    let mut resources = Vec::new();
    if let Ok(json) = serde_json::to_value(sim.world()) {
        collect_names(&json, &mut resources);
    }
    resources.sort();
    resources.dedup();
    Words {
        commands,
        functions,
        resources,
    }
}

fn collect_names(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("name" | "id", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => collect_names(value, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_names(v, out)),
        _ => {}
    }
}

/// What a pause shows about the call about to run.
struct Preview {
    pending: PendingStep,
    dry_run: Result<Outcome, BackendError>,
}

impl Pauser {
    /// The call about to run, its arguments evaluated. That evaluation reads the clock: those
    /// reads are not the runbook's (the step reads it again when it runs), so the replay behind
    /// `plan` must not be given them.
    fn preview(&self, paused: &mut dyn Paused) -> Result<Option<PendingStep>, RunbookError> {
        let mark = self.world.borrow().clock_reads.len();
        let preview = paused.preview();
        self.world.borrow_mut().clock_reads.truncate(mark);
        preview
    }

    fn on_pause(&mut self, paused: &mut dyn Paused) {
        if self.quitting {
            paused.stop_run();
            return;
        }
        let kind = paused.kind().clone();
        let origin = paused.origin().clone();
        let is_node = matches!(kind, StopKind::Statement | StopKind::Call { .. });
        let line_key = (origin.file.clone(), origin.line);
        let entered = is_node && self.last_line.as_ref() != Some(&line_key);
        if is_node {
            self.last_line = Some(line_key);
        }
        let in_runbook_file = origin.file == self.runbook_file;
        let line_break =
            entered && in_runbook_file && self.breakpoints.contains(&Breakpoint::Line(origin.line));
        let statement = matches!(
            kind,
            StopKind::Statement
                | StopKind::Call {
                    statement: true,
                    ..
                }
        );
        let next_here =
            matches!(self.mode, Mode::Next { depth } if statement && paused.depth() <= depth);
        let stop = match &kind {
            StopKind::Start => !self.in_runbook,
            StopKind::End => true,
            StopKind::Statement => line_break || next_here,
            StopKind::Call { primitive, .. } => {
                line_break
                    || next_here
                    || self.mode == Mode::Step
                    || primitive == "approve"
                    || self
                        .breakpoints
                        .iter()
                        .any(|b| *b == Breakpoint::Primitive(primitive.clone()))
            }
        };
        if !stop {
            return;
        }
        let pending = match &kind {
            StopKind::Call { .. } => Some(self.preview(paused)),
            _ => None,
        };
        // A resumed session goes on through what the earlier one did without pausing.
        if let Some(Ok(Some(pending))) = &pending {
            if self.world.borrow().done_earlier(pending) {
                return;
            }
        }
        let preview = match pending {
            Some(Ok(Some(pending))) => {
                let dry_run = self.world.borrow().dry_run(&pending);
                Some(Ok(Preview { pending, dry_run }))
            }
            Some(Ok(None)) | None => None,
            Some(Err(err)) => Some(Err(err)),
        };
        self.show_pause(&kind, &origin, preview.as_ref(), line_break);
        self.prompt(paused, &kind, preview);
    }

    fn show_pause(
        &self,
        kind: &StopKind,
        origin: &ripcord_core::Origin,
        preview: Option<&Result<Preview, RunbookError>>,
        line_break: bool,
    ) {
        match kind {
            StopKind::Start => return,
            StopKind::End => {
                if self.in_runbook {
                    println!("── the runbook has run to its end. `journal` lists what was done; `quit` ends the session.");
                }
                return;
            }
            StopKind::Statement => println!(
                "── {} at {}",
                if line_break { "breakpoint" } else { "paused" },
                show::location(origin)
            ),
            StopKind::Call { primitive, .. } => {
                let number = self.runbook_steps_done() + 1;
                println!(
                    "── next: {primitive}(...) at {}{}",
                    show::location(origin),
                    if line_break { "  (breakpoint)" } else { "" }
                );
                match preview {
                    Some(Ok(p)) => {
                        let world = self.world.borrow();
                        let at = ripcord_core::Backend::elapsed_secs(&world.sim);
                        print!(
                            "{}",
                            show::pending_step(
                                &p.pending,
                                number as u32,
                                at,
                                &p.dry_run,
                                world.behind(),
                                self.color
                            )
                        );
                    }
                    Some(Err(err)) => {
                        println!("   this call cannot run:");
                        (self.report)(err.clone());
                    }
                    None => {}
                }
            }
        }
        print!("{}", self.excerpt(origin, 2));
    }

    fn runbook_steps_done(&self) -> usize {
        self.world
            .borrow()
            .done
            .iter()
            .filter(|d| d.pending.origin.file != PROMPT_FILE)
            .count()
    }

    fn excerpt(&self, origin: &ripcord_core::Origin, around: u32) -> String {
        let text = if origin.file == self.runbook_file {
            Some(self.runbook_source.as_str())
        } else {
            self.sources.text(&origin.file)
        };
        match text {
            Some(text) if origin.line > 0 => show::excerpt(text, origin.line, around, self.color),
            _ => String::new(),
        }
    }

    /// Reads commands until one resumes the run.
    fn prompt(
        &mut self,
        paused: &mut dyn Paused,
        kind: &StopKind,
        preview: Option<Result<Preview, RunbookError>>,
    ) {
        let at_call = matches!(kind, StopKind::Call { .. });
        let at_end = matches!(kind, StopKind::End | StopKind::Start) || !self.in_runbook;
        loop {
            let input = self.console.borrow_mut().read_input(&self.prompt);
            let line = match input {
                Input::Line(line) => line,
                Input::Interrupted => {
                    println!("(Ctrl-C clears the line; `quit` or Ctrl-D ends the session)");
                    continue;
                }
                Input::Eof => {
                    self.quit(paused, at_end);
                    return;
                }
            };
            match Command::parse(&line, &self.step_primitives) {
                Command::Empty => {}
                Command::Step | Command::Next | Command::Continue if at_end => {
                    println!("nothing left to run: `quit` ends the session");
                }
                cmd @ (Command::Step | Command::Next | Command::Continue) => {
                    self.mode = match cmd {
                        Command::Step => Mode::Step,
                        Command::Next => Mode::Next {
                            depth: paused.depth(),
                        },
                        _ => Mode::Continue,
                    };
                    if at_call {
                        self.gate.borrow_mut().confirmed = Some(paused.origin().clone());
                    }
                    return;
                }
                Command::Skip => match &preview {
                    Some(Ok(Preview { pending, .. }))
                        if matches!(pending.kind, ripcord_core::StepKind::Approval { .. }) =>
                    {
                        println!(
                            "an approval cannot be skipped: `step` gives it, `quit` ends the session without it"
                        );
                    }
                    Some(Ok(Preview {
                        pending,
                        dry_run: Ok(outcome),
                    })) => {
                        self.gate.borrow_mut().skip =
                            Some((pending.origin.clone(), outcome.clone()));
                        self.mode = Mode::Step;
                        return;
                    }
                    Some(Ok(Preview {
                        dry_run: Err(err), ..
                    })) => println!(
                        "cannot skip: the dry-run refuses this call too ({}), so there is no result to go on with",
                        err.code
                    ),
                    _ => println!("nothing to skip here: `skip` applies when paused before a DR call"),
                },
                Command::Break(bp) => {
                    if let Breakpoint::Line(line) = bp {
                        let lines = self.runbook_source.lines().count() as u32;
                        if self.runbook_file.is_empty() || line > lines {
                            println!("no line {line} in the runbook ({lines} lines)");
                            continue;
                        }
                    }
                    if !self.breakpoints.contains(&bp) {
                        self.breakpoints.push(bp.clone());
                    }
                    let n = self.breakpoints.iter().position(|b| *b == bp).unwrap_or(0) + 1;
                    println!("breakpoint {n}: {bp}");
                }
                Command::ListBreaks => {
                    if self.breakpoints.is_empty() {
                        println!("no breakpoints");
                    }
                    for (i, bp) in self.breakpoints.iter().enumerate() {
                        println!("  {}  {bp}", i + 1);
                    }
                }
                Command::Delete(None) => {
                    println!("deleted {} breakpoint(s)", self.breakpoints.len());
                    self.breakpoints.clear();
                }
                Command::Delete(Some(n)) => {
                    if n <= self.breakpoints.len() {
                        let bp = self.breakpoints.remove(n - 1);
                        println!("deleted breakpoint {n}: {bp}");
                    } else {
                        println!("no breakpoint {n} (`break` lists them)");
                    }
                }
                Command::Plan => self.show_rest(),
                Command::Where => {
                    let origin = paused.origin().clone();
                    if !self.in_runbook {
                        println!("no runbook is running: `where` shows its source at a pause");
                    } else if origin.line == 0 {
                        println!("not in the runbook's code");
                    } else {
                        println!("{}", show::location(&origin));
                        print!("{}", self.excerpt(&origin, 5));
                    }
                }
                Command::Vars => print!("{}", show::vars(&paused.vars())),
                Command::Journal => self.show_journal(),
                Command::Help => help(),
                Command::Quit => {
                    self.quit(paused, at_end);
                    return;
                }
                Command::Invalid(message) => println!("{message}"),
                Command::Eval(input) => match paused.eval(&input) {
                    Ok(Some(value)) => println!("{value}"),
                    Ok(None) => {}
                    Err(err) => {
                        let undefined = err.code == "ripcord::undefined_variable";
                        (self.report)(err);
                        if undefined && paused.depth() > 0 {
                            println!(
                                "(paused inside a function or closure: only its own variables are in scope; `vars` lists them)"
                            );
                        }
                    }
                },
            }
        }
    }

    fn quit(&mut self, paused: &mut dyn Paused, at_end: bool) {
        self.quitting = true;
        if !at_end || matches!(paused.kind(), StopKind::Start) {
            paused.stop_run();
        }
    }

    fn show_rest(&self) {
        if !self.in_runbook {
            println!("no runbook is running");
            return;
        }
        let world = self.world.borrow();
        match rest_of_plan(&self.runbook_file, &self.runbook_source, &world) {
            Ok(rest) => {
                let steps = rest.plan.counts.steps;
                if steps == 0 {
                    println!("nothing left: the runbook makes no more steps from here");
                    return;
                }
                println!(
                    "the rest of the plan from here ({} done; a dry-run of a copy of the current state, nothing sent):",
                    rest.done
                );
                if let Some(why) = world.behind() {
                    println!(
                        "  ! the simulated mirror is behind AWS ({why}): what the rest says about the resources that step touched may be wrong"
                    );
                }
                print!(
                    "{}",
                    steps_text(
                        &rest.plan,
                        &TextStyle {
                            color: self.color,
                            summary_only: false,
                        }
                    )
                );
                println!(
                    "{} more step(s), about {}",
                    steps,
                    ripcord_core::duration::format_duration(
                        rest.plan
                            .total_secs
                            .saturating_sub(ripcord_core::Backend::elapsed_secs(&world.sim))
                    )
                );
            }
            Err(message) => println!("cannot compute the rest of the plan: {message}"),
        }
    }

    fn show_journal(&self) {
        let world = self.world.borrow();
        if world.done.is_empty() {
            println!("nothing done yet");
        }
        for (i, done) in world.done.iter().enumerate() {
            print!("{}", show::done_line(i + 1, done));
        }
        if let Some(journal) = &world.journal {
            println!(
                "journal file: {}",
                journal.dir().join("journal.jsonl").display()
            );
        }
    }
}

fn help() {
    for (command, alias, what) in COMMANDS {
        let name = if alias.is_empty() {
            command.to_string()
        } else {
            format!("{command} ({alias})")
        };
        println!("  {name:<14} {what}");
    }
    print!("\n{}", show::HELP_TAIL);
}

/// What was and was not done, printed when the session ends.
fn summary(pauser: &Pauser, end: SessionEnd, world: &World) {
    let done = world
        .done
        .iter()
        .filter(|d| !d.skipped && d.outcome.is_some())
        .count();
    let skipped = world.done.iter().filter(|d| d.skipped).count();
    let failed = world.done.iter().filter(|d| d.error.is_some()).count();
    println!(
        "session summary: {done} step(s) done, {skipped} skipped (not sent), {failed} failed{}",
        if world.is_live() {
            " — live"
        } else {
            " — dry-run"
        }
    );
    for (i, d) in world.done.iter().enumerate() {
        print!("{}", show::done_line(i + 1, d));
    }
    if matches!(end, SessionEnd::Quit | SessionEnd::Cancelled) && !pauser.runbook_file.is_empty() {
        match rest_of_plan(&pauser.runbook_file, &pauser.runbook_source, world) {
            Ok(rest) if rest.plan.counts.steps > 0 => {
                println!(
                    "not done: the rest of the runbook, {} step(s):",
                    rest.plan.counts.steps
                );
                for step in rest.plan.steps() {
                    if step.index > 0 {
                        println!("  {:>3}  {}", step.index, show::label(&step.kind));
                    }
                }
            }
            Ok(_) => println!("not done: nothing (the runbook had no steps left)"),
            Err(message) => println!("not done: the rest of the runbook ({message})"),
        }
    }
}
