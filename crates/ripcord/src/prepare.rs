//! Reading, compiling and statically checking a runbook: the first steps of check, plan, apply.

use crate::exit::Exit;
use crate::output::report;
use miette::Severity;
use ripcord_interp::{Interpreter, Runbook, RunbookError};
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
    let (interpreter, compiled) = read_and_compile(path).map_err(|err| {
        eprintln!("error: cannot read runbook {}: {err}", path.display());
        Exit::BadInput
    })?;
    let runbook = compiled.map_err(|err| {
        report(err);
        Exit::RunbookFailed
    })?;
    Ok((interpreter, runbook))
}

/// The interpreter and the compiled runbook or its syntax error; `Err` when the file cannot
/// be read. For callers that report problems their own way (`check --format`).
pub fn read_and_compile(
    path: &Path,
) -> std::io::Result<(Interpreter, Result<Runbook, RunbookError>)> {
    let source = std::fs::read_to_string(path)?;
    let mut interpreter = Interpreter::new(&path.display().to_string());
    let compiled = interpreter.compile(&source);
    Ok((interpreter, compiled))
}
