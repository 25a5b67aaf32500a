//! `ripcord iam-policy`: the least-privilege IAM policy `apply` of a runbook needs, derived
//! from the same dry-run `plan` makes (`ripcord_core::iam`).

use crate::cli::IamPolicyArgs;
use crate::exit::Exit;
use crate::output::report;
use crate::prepare;
use crate::world_file::{self, Loaded};
use ripcord_core::iam::{needs, Scope};
use ripcord_core::policy::PolicyDocument;
use ripcord_core::{Backend, BackendError, Call, CheckSpec, Outcome, Query, WaitSpec};
use ripcord_sim::SimBackend;
use std::cell::RefCell;
use std::rc::Rc;

pub fn run(args: &IamPolicyArgs) -> Exit {
    let (mut interpreter, runbook) = match prepare::runbook(&args.runbook) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let Loaded {
        inventory, info, ..
    } = match world_file::load(&args.runbook, args.inventory.as_deref()) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let world = inventory.clone();
    let queries = Rc::new(RefCell::new(Vec::new()));
    let backend = QueryLog {
        inner: Box::new(SimBackend::new(inventory)),
        queries: Rc::clone(&queries),
    };
    let result = interpreter.run(&runbook, Box::new(backend), Some(info));
    if let Some(err) = result.error {
        report(err);
        eprintln!("error: the dry-run failed, so the policy would miss what the rest of the runbook needs");
        return Exit::RunbookFailed;
    }
    let declared = &result.plan.runbook.meta.accounts;
    let account = match (&world.account, declared.as_slice()) {
        (Some(account), _) => account.clone(),
        (None, [account]) => account.clone(),
        (None, _) => {
            eprintln!(
                "error: the inventory names no account and the runbook does not declare exactly one: ARNs need it (add `account:` to the inventory)"
            );
            return Exit::BadInput;
        }
    };
    let scope = Scope {
        account: &account,
        world: &world,
    };
    let queries = queries.borrow();
    let permissions = needs(&result.plan, &queries, &scope)
        .into_iter()
        .map(|(permission, _)| permission);
    let document = match fitted(
        PolicyDocument::allowing(permissions),
        args.max_chars,
        "--max-chars",
    ) {
        Ok(document) => document,
        Err(exit) => return exit,
    };
    match serde_json::to_string_pretty(&document) {
        Ok(text) => {
            println!("{text}");
            Exit::Ok
        }
        Err(err) => {
            eprintln!("error: cannot serialize the policy: {err}");
            Exit::BadInput
        }
    }
}

/// `document` within `max` characters (`PolicyDocument::fitted`), saying on stderr which
/// resources a pattern names when it had to widen them; refused (exit 3) when even `*` does
/// not fit. `budget` names where `max` came from.
pub fn fitted(document: PolicyDocument, max: usize, budget: &str) -> Result<PolicyDocument, Exit> {
    let (fitted, widened) = document.fitted(max);
    if fitted.size() > max {
        eprintln!(
            "error: the policy is {} characters (whitespace not counted) even with every resource `*`, over {max} ({budget})",
            fitted.size()
        );
        return Err(Exit::BadInput);
    }
    if widened.is_empty() {
        return Ok(fitted);
    }
    eprintln!(
        "note: the exact policy is {} characters (whitespace not counted), over {max} ({budget}; IAM allows {} for a managed policy, {} for a role's inline policies): {} resource lists are named by patterns, which allow more than the runbook touches:",
        document.size(),
        ripcord_core::policy::MANAGED_POLICY_MAX_CHARS,
        ripcord_core::policy::ROLE_INLINE_POLICY_MAX_CHARS,
        widened.len()
    );
    // Enough to review the widening; the document has the rest.
    const SHOWN: usize = 20;
    for w in widened.iter().take(SHOWN) {
        eprintln!(
            "  {} on {} ({} resources)",
            w.actions.join(", "),
            w.pattern,
            w.resources
        );
    }
    if widened.len() > SHOWN {
        eprintln!("  ... and {} more", widened.len() - SHOWN);
    }
    Ok(fitted)
}

/// The simulation, keeping the queries the runbook asks (they are not steps of the plan, but
/// the live backend sends reads for them).
struct QueryLog {
    inner: Box<dyn Backend>,
    queries: Rc<RefCell<Vec<Query>>>,
}

impl Backend for QueryLog {
    fn now(&self) -> jiff::Timestamp {
        self.inner.now()
    }

    fn elapsed_secs(&self) -> u64 {
        self.inner.elapsed_secs()
    }

    fn execute(&mut self, call: &Call) -> Result<Outcome, BackendError> {
        self.inner.execute(call)
    }

    fn wait(&mut self, spec: &WaitSpec) -> Result<Outcome, BackendError> {
        self.inner.wait(spec)
    }

    fn check(&mut self, spec: &CheckSpec) -> Result<Outcome, BackendError> {
        self.inner.check(spec)
    }

    fn approve(&mut self, message: &str) -> Result<Outcome, BackendError> {
        self.inner.approve(message)
    }

    fn query(&mut self, query: &Query) -> Result<Option<serde_json::Value>, BackendError> {
        self.queries.borrow_mut().push(query.clone());
        self.inner.query(query)
    }

    fn begin_parallel(&mut self) -> Result<(), BackendError> {
        self.inner.begin_parallel()
    }

    fn begin_branch(&mut self) -> Result<(), BackendError> {
        self.inner.begin_branch()
    }

    fn end_parallel(&mut self) -> Result<Vec<String>, BackendError> {
        self.inner.end_parallel()
    }

    fn note(&mut self, text: &str) {
        self.inner.note(text);
    }

    fn settle_journaled(&mut self, call: &Call, seq: u64) -> Result<Option<Outcome>, BackendError> {
        self.inner.settle_journaled(call, seq)
    }

    fn world(&self) -> Option<ripcord_core::Inventory> {
        self.inner.world()
    }
}
