//! `ripcord check`: compile the runbook and run the static checks.

use crate::cli::CheckArgs;
use crate::exit::Exit;
use crate::output::report;
use miette::Severity;
use ripcord_interp::Interpreter;

pub fn run(args: &CheckArgs) -> Exit {
    let file = args.runbook.display().to_string();
    let source = match std::fs::read_to_string(&args.runbook) {
        Ok(source) => source,
        Err(err) => {
            eprintln!("error: cannot read runbook {file}: {err}");
            return Exit::BadInput;
        }
    };
    let mut interpreter = Interpreter::new(&file);
    let runbook = match interpreter.compile(&source) {
        Ok(runbook) => runbook,
        Err(err) => {
            report(err);
            return Exit::RunbookFailed;
        }
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
