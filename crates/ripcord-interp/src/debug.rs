//! Stepping: Rhai's debugger events as the places a REPL can pause, with what it can do there.
//!
//! Rhai calls the debugger before every statement and expression. `register.rs` hands the
//! REPL's hook one [`Paused`] per statement and per call of a primitive that makes a step
//! ([`step_primitives`], from the table of primitives); there the REPL can read and change the
//! runbook's variables, evaluate input in the runbook's scope, and preview the call, which
//! evaluates its arguments and stops the step before it reaches the backend.

use crate::diagnostic::RunbookError;
use crate::failure::Failure;
use crate::handle::Handle;
use crate::register::Shared;
use crate::state::PendingStep;
use rhai::debugger::CallStackFrame;
use rhai::{Dynamic, EvalContext, Expression, Position, AST};
use ripcord_core::Origin;

pub use crate::primitives::table::step_primitives;

/// The file name of code typed at the REPL prompt, in origins and diagnostics.
pub const PROMPT_FILE: &str = "<prompt>";

/// Where the run is paused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopKind {
    /// Before the first statement.
    Start,
    /// Before a statement that is not itself a primitive call.
    Statement,
    /// Before a call of a DR primitive (its arguments not yet evaluated); `statement` when the
    /// call is a whole statement (`scale(...);`) rather than part of one (`let s = snapshot(v);`).
    Call { primitive: String, statement: bool },
    /// After the last statement, the runbook done.
    End,
}

/// A variable in scope at a pause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    pub constant: bool,
    /// Rhai's debug rendering of the value (strings quoted).
    pub value: String,
}

/// A pause, as the REPL sees it. Only valid during the hook call.
pub trait Paused {
    fn kind(&self) -> &StopKind;

    /// Where: file (the runbook, a stdlib module or `<prompt>`), line, column and, inside a
    /// library function, the runbook line that called into it.
    fn origin(&self) -> &Origin;

    /// Function call depth: 0 at the runbook's top level.
    fn depth(&self) -> usize;

    /// The variables in scope, outermost first.
    fn vars(&self) -> Vec<Var>;

    /// Evaluates input in the runbook's scope (assignments stick; `let` adds a variable) and
    /// returns the value's rendering, or `None` for `()`.
    fn eval(&mut self, input: &str) -> Result<Option<String>, RunbookError>;

    /// For a call: evaluates its arguments and returns the step it would make, without running
    /// it (`Ok(None)` when it makes none). An argument that fails gives that error, which is
    /// also what running it will give.
    fn preview(&mut self) -> Result<Option<PendingStep>, RunbookError>;

    /// Ends the run here, as cancelled by the operator (REPL `quit`).
    fn stop_run(&mut self);
}

/// The runbook origin of a position in `source` (a module, or the runbook when `None`).
pub(crate) fn origin_in(
    runbook: &str,
    source: Option<&str>,
    pos: Position,
    call_stack: &[CallStackFrame],
) -> Origin {
    let file = source.filter(|s| !s.is_empty()).unwrap_or(runbook);
    let via = if file == runbook || file == PROMPT_FILE {
        None
    } else {
        // The outermost frame is the call the runbook's top level made into the library
        // (a frame's `source` names the callee, its `pos` the call site in the caller).
        call_stack
            .first()
            .map(|frame| Box::new(at(runbook, frame.pos, None)))
    };
    at(file, pos, via)
}

pub(crate) fn at(file: &str, pos: Position, via: Option<Box<Origin>>) -> Origin {
    Origin {
        file: file.to_string(),
        line: pos.line().unwrap_or(0) as u32,
        column: pos.position().unwrap_or(0) as u32,
        via,
    }
}

/// A pause inside Rhai's debugger callback.
pub(crate) struct RhaiPause<'x, 'a, 's, 'ps, 'g, 'c, 't> {
    pub ctx: &'x mut EvalContext<'a, 's, 'ps, 'g, 'c, 't>,
    pub kind: StopKind,
    pub origin: Origin,
    /// The primitive call's expression, re-evaluated by `preview`.
    pub call: Option<rhai::Expr>,
    pub state: Shared,
    pub stop: bool,
}

impl Paused for RhaiPause<'_, '_, '_, '_, '_, '_, '_> {
    fn kind(&self) -> &StopKind {
        &self.kind
    }

    fn origin(&self) -> &Origin {
        &self.origin
    }

    fn depth(&self) -> usize {
        self.ctx.call_level()
    }

    fn vars(&self) -> Vec<Var> {
        self.ctx
            .scope()
            .iter()
            .map(|(name, constant, value)| Var {
                name: name.to_string(),
                constant,
                value: render(&value),
            })
            .collect()
    }

    fn eval(&mut self, input: &str) -> Result<Option<String>, RunbookError> {
        let (mut sources, functions) = {
            let state = self.state.borrow();
            (state.sources.clone(), state.functions.clone())
        };
        sources.add(PROMPT_FILE, input);
        let engine = self.ctx.engine();
        // Compiled against the scope, so strict variables know the runbook's variables.
        let mut ast = engine
            .compile_with_scope(self.ctx.scope(), input)
            .map_err(|err| RunbookError::from_parse(&sources, PROMPT_FILE, &err))?;
        ast.set_source(PROMPT_FILE);
        // The runbook's own functions can be called by hand too.
        let ast = match functions {
            Some(functions) => functions.merge(&ast),
            None => ast,
        };
        let value = engine
            .eval_ast_with_scope::<Dynamic>(self.ctx.scope_mut(), &ast)
            .map_err(|err| RunbookError::from_eval(&sources, PROMPT_FILE, &err))?;
        Ok((!value.is_unit()).then(|| render(&value)))
    }

    fn stop_run(&mut self) {
        self.stop = true;
    }

    fn preview(&mut self) -> Result<Option<PendingStep>, RunbookError> {
        let Some(call) = self.call.clone() else {
            return Ok(None);
        };
        self.state.borrow_mut().begin_capture();
        let result = self.ctx.eval_expression_tree(&Expression::from(&call));
        let (captured, sources, runbook) = {
            let mut state = self.state.borrow_mut();
            (
                state.end_capture(),
                state.sources.clone(),
                state.runbook_file.clone(),
            )
        };
        match (captured, result) {
            (Some(pending), _) => Ok(Some(pending)),
            (None, Err(err)) => Err(RunbookError::from_eval(&sources, &runbook, &err)),
            (None, Ok(_)) => Ok(None),
        }
    }
}

/// A value as the REPL prints it: strings quoted, handles by what they name, arrays and maps
/// element by element.
pub fn render(value: &Dynamic) -> String {
    if value.is_string() {
        return format!("{value:?}");
    }
    if let Some(handle) = value.read_lock::<Handle>() {
        return handle.to_string();
    }
    if let Some(failure) = value.read_lock::<Failure>() {
        return format!("failure: {}", failure.message);
    }
    if let Some(array) = value.read_lock::<rhai::Array>() {
        let items: Vec<String> = array.iter().map(render).collect();
        return format!("[{}]", items.join(", "));
    }
    if let Some(map) = value.read_lock::<rhai::Map>() {
        let items: Vec<String> = map
            .iter()
            .map(|(k, v)| format!("{k}: {}", render(v)))
            .collect();
        return format!("#{{{}}}", items.join(", "));
    }
    value.to_string()
}

/// The runbook's functions, for code typed at the prompt.
pub(crate) fn functions_of(ast: &AST) -> AST {
    ast.clone_functions_only()
}
