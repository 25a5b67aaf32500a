//! `Interpreter`: compiles, checks and runs a runbook against any `Backend`.

use crate::diagnostic::RunbookError;
use crate::register::{build_engine, Limits, Shared};
use crate::sources::{parse_signatures, Sources};
use crate::state::{DebugHook, RunState, StepHook};
use rhai::{Engine, Scope, AST};
use ripcord_core::{sha256_hex, Backend, InventoryInfo, Plan, PlanFailure, RunbookInfo};
use std::cell::RefCell;
use std::rc::Rc;

/// A compiled runbook.
#[derive(Debug, Clone)]
pub struct Runbook {
    /// The path as the user gave it; origins and diagnostics name it.
    pub file: String,
    pub source: String,
    pub sha256: String,
    ast: AST,
}

impl Runbook {
    /// The names of the runbook's own functions, for completion at the REPL prompt.
    pub fn function_names(&self) -> Vec<String> {
        self.ast
            .iter_functions()
            .map(|f| f.name.to_string())
            .collect()
    }
}

/// What a run produced: the plan (complete, or up to the failure) and the error, if any.
pub struct RunResult {
    pub plan: Plan,
    pub error: Option<RunbookError>,
    /// The backend, handed back so that its end state can be read (tests, the REPL).
    pub backend: Option<Box<dyn Backend>>,
}

/// A sandboxed Rhai engine with the primitives registered, bound to one runbook file.
pub struct Interpreter {
    engine: Engine,
    state: Shared,
    sources: Sources,
}

impl Interpreter {
    /// An interpreter for the runbook at `file` (the name used in origins and diagnostics).
    pub fn new(file: &str) -> Interpreter {
        Interpreter::with_limits(file, Limits::default())
    }

    pub fn with_limits(file: &str, limits: Limits) -> Interpreter {
        let state: Shared = Rc::new(RefCell::new(RunState::new(file)));
        let engine = build_engine(state.clone(), limits);
        let sources = Sources::new(parse_signatures(&engine.gen_fn_signatures(true)));
        Interpreter {
            engine,
            state,
            sources,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// Parses the runbook; syntax errors and undeclared variables are reported here.
    pub fn compile(&mut self, source: &str) -> Result<Runbook, RunbookError> {
        let file = self.state.borrow().runbook_file.clone();
        self.sources.add(&file, source);
        let mut ast = self
            .engine
            .compile(source)
            .map_err(|err| RunbookError::from_parse(&self.sources, &file, &err))?;
        ast.set_source(file.as_str());
        Ok(Runbook {
            file,
            source: source.to_string(),
            sha256: sha256_hex(source.as_bytes()),
            ast,
        })
    }

    /// Static checks (errors and warnings) on a compiled runbook; nothing runs.
    pub fn check(&self, runbook: &Runbook) -> Vec<RunbookError> {
        crate::check::check(&self.engine, &self.sources, &runbook.file, &runbook.ast)
    }

    /// Installs a hook called before every step reaches the backend (the REPL).
    pub fn set_step_hook(&mut self, hook: Option<StepHook>) {
        self.state.borrow_mut().set_hook(hook);
    }

    /// Installs the REPL's debugger hook, called at every statement and primitive call.
    pub fn set_debug_hook(&mut self, hook: Option<DebugHook>) {
        self.state.borrow_mut().set_debug_hook(hook);
    }

    /// Runs the runbook against the backend and returns the plan of what it did (or would do).
    pub fn run(
        &mut self,
        runbook: &Runbook,
        backend: Box<dyn Backend>,
        inventory: Option<InventoryInfo>,
    ) -> RunResult {
        {
            let mut state = self.state.borrow_mut();
            state.runbook_file = runbook.file.clone();
            state.reset();
            state.attach(backend);
            state.sources = self.sources.clone();
            state.functions = Some(crate::debug::functions_of(&runbook.ast));
        }
        let mut plan = Plan::new(
            RunbookInfo {
                path: runbook.file.clone(),
                sha256: runbook.sha256.clone(),
                meta: Default::default(),
            },
            inventory,
        );
        let outcome = self
            .engine
            .run_ast_with_scope(&mut Scope::new(), &runbook.ast);
        let error = outcome
            .err()
            .map(|err| RunbookError::from_eval(&self.sources, &runbook.file, &err));
        let mut state = self.state.borrow_mut();
        state.finish(&mut plan);
        if let Some(error) = &error {
            plan.failure = Some(PlanFailure {
                message: error.message.clone(),
                origin: state.failed_at.clone().or_else(|| {
                    (error.line > 0).then(|| ripcord_core::Origin {
                        file: error.file.clone(),
                        line: error.line as u32,
                        column: error.column as u32,
                        via: None,
                    })
                }),
            });
        }
        RunResult {
            plan,
            error,
            backend: state.detach(),
        }
    }
}
