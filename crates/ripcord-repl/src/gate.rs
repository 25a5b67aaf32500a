//! `Gate`: the last word before a step reaches the backend — skip it, replay it, or (live)
//! ask the operator before a mutating call nobody has confirmed yet.

use crate::console::Console;
use crate::show;
use crate::world::{Done, World};
use ripcord_core::{Intent, Origin, Outcome, StepKind};
use ripcord_interp::{HookDecision, PendingStep};
use std::cell::RefCell;
use std::rc::Rc;

pub struct Gate {
    pub world: Rc<RefCell<World>>,
    pub console: Rc<RefCell<Console>>,
    /// The call at this origin is to be skipped with this (dry-run) outcome.
    pub skip: Option<(Origin, Outcome)>,
    /// The operator saw the call at this origin at a pause and ran it on: no second question.
    pub confirmed: Option<Origin>,
    /// Live: ask before every mutating call not confirmed at a pause (off with `--yes`).
    pub confirm: bool,
    pub color: bool,
}

impl Gate {
    pub fn decide(&mut self, pending: &PendingStep) -> HookDecision {
        if let Some((origin, outcome)) = self.skip.take() {
            if origin == pending.origin {
                return self.skipped(pending, outcome);
            }
        }
        // Done by the earlier session (`repl --live --resume`): given back, not sent or asked.
        if self.world.borrow_mut().take_earlier(pending) {
            self.world.borrow_mut().done.push(Done {
                pending: pending.clone(),
                outcome: None,
                error: None,
                skipped: false,
            });
            return HookDecision::Run;
        }
        let confirmed = self.confirmed.take().is_some_and(|o| o == pending.origin);
        let live = self.world.borrow().is_live();
        let needs_yes = match &pending.kind {
            StepKind::Call { .. } => self.confirm,
            // A human gate always stops in live mode.
            StepKind::Approval { .. } => true,
            _ => false,
        };
        if live && needs_yes && !confirmed {
            let dry_run = self.world.borrow().dry_run(pending);
            let number = self.world.borrow().done.len() as u32 + 1;
            let behind = self.world.borrow().mirror_behind.clone();
            print!(
                "{}",
                show::pending_step(pending, number, 0, &dry_run, behind.as_deref(), self.color)
            );
            let question = match &pending.kind {
                StepKind::Approval { .. } => {
                    "approve? [y]es / [n]o, stop the runbook: ".to_string()
                }
                _ => format!(
                    "send this call to AWS ({})? [y]es / [s]kip it / [n]o, stop the runbook: ",
                    show::location(&pending.origin)
                ),
            };
            let choices: &[char] = match &pending.kind {
                StepKind::Approval { .. } => &['y', 'n'],
                _ => &['y', 's', 'n'],
            };
            let answer = self.console.borrow_mut().choose(&question, choices);
            match answer {
                Some('y') => {}
                Some('s') => match dry_run {
                    Ok(outcome) => return self.skipped(pending, outcome),
                    Err(_) => {
                        println!("cannot skip a call the dry-run refuses (no result to go on with): stopping");
                        self.world.borrow_mut().stopped_by_operator = true;
                        return HookDecision::Stop;
                    }
                },
                _ => {
                    self.world.borrow_mut().stopped_by_operator = true;
                    return HookDecision::Stop;
                }
            }
        }
        self.world.borrow_mut().done.push(Done {
            pending: pending.clone(),
            outcome: None,
            error: None,
            skipped: false,
        });
        HookDecision::Run
    }

    fn skipped(&mut self, pending: &PendingStep, outcome: Outcome) -> HookDecision {
        let mut world = self.world.borrow_mut();
        if let (Some(journal), Some(intent)) = (&world.journal, Intent::of(&pending.kind)) {
            if let Err(err) = journal.skipped(&intent) {
                println!("warning: the journal did not record the skip: {err}");
            }
        }
        world.done.push(Done {
            pending: pending.clone(),
            outcome: Some(outcome.clone()),
            error: None,
            skipped: true,
        });
        println!(
            "  ↷ skipped, not sent: {} (the runbook goes on with the dry-run's result)",
            show::label(&pending.kind)
        );
        HookDecision::Skip(outcome)
    }
}
