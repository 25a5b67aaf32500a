//! Reading, compiling and statically checking a runbook: the first steps of check, plan, apply.

use crate::exit::Exit;
use crate::output::report;
use miette::Severity;
use ripcord_interp::{Interpreter, Runbook};
use std::path::Path;

/// The interpreter and the compiled runbook, or the exit code after the diagnostics were shown.
/// Static warnings are shown and do not stop it; static errors do.
pub fn runbook(path: &Path) -> Result<(Interpreter, Runbook), Exit> {
    let (interpreter, runbook) = compile(path)?;
    let mut failed = false;
    for problem in interpreter.check(&runbook) {
        failed |= problem.severity == Severity::Error;
        report(problem);
    }
    if failed {
        return Err(Exit::RunbookFailed);
    }
    Ok((interpreter, runbook))
}

/// Reads and compiles the runbook (syntax and undeclared variables), without the static checks.
pub fn compile(path: &Path) -> Result<(Interpreter, Runbook), Exit> {
    let file = path.display().to_string();
    let source = std::fs::read_to_string(path).map_err(|err| {
        eprintln!("error: cannot read runbook {file}: {err}");
        Exit::BadInput
    })?;
    let mut interpreter = Interpreter::new(&file);
    let runbook = interpreter.compile(&source).map_err(|err| {
        report(err);
        Exit::RunbookFailed
    })?;
    Ok((interpreter, runbook))
}
