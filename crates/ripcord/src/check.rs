//! `ripcord check`: compile the runbook and run the static checks.

use crate::cli::CheckArgs;
use crate::exit::Exit;
use crate::output::report;
use crate::prepare;
use miette::Severity;

pub fn run(args: &CheckArgs) -> Exit {
    let file = args.runbook.display().to_string();
    let (interpreter, runbook) = match prepare::compile(&args.runbook) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let problems = interpreter.check(&runbook);
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = problems.len() - errors;
    for problem in problems {
        report(problem);
    }
    if errors > 0 {
        eprintln!("{file}: {errors} error(s), {warnings} warning(s)");
        Exit::RunbookFailed
    } else {
        println!("{file}: ok ({warnings} warning(s))");
        Exit::Ok
    }
}
