//! `ripcord check`: compile runbooks and modules and run the static checks, for people (text)
//! and pipelines (JSON, GitHub workflow commands).

use crate::cli::{CheckArgs, CheckFormat};
use crate::exit::Exit;
use crate::output::report;
use crate::prepare;
use miette::Severity;
use ripcord_interp::RunbookError;
use std::path::{Path, PathBuf};

pub fn run(args: &CheckArgs) -> Exit {
    let mut unreadable = false;
    let mut files = Vec::new();
    for path in &args.paths {
        match runbooks_in(path) {
            Ok(found) if found.is_empty() => {
                eprintln!("error: no .rhai file in {}", path.display());
                unreadable = true;
            }
            Ok(found) => files.extend(found),
            Err(err) => {
                eprintln!("error: cannot read {}: {err}", path.display());
                unreadable = true;
            }
        }
    }
    let mut checked: Vec<(String, Vec<RunbookError>)> = Vec::new();
    for file in &files {
        let name = file.display().to_string();
        match problems_of(file) {
            Ok(problems) => checked.push((name, problems)),
            Err(err) => {
                eprintln!("error: cannot read runbook {name}: {err}");
                unreadable = true;
            }
        }
    }
    let all = || checked.iter().flat_map(|(_, problems)| problems);
    let errors = all().filter(|p| p.severity == Severity::Error).count();
    let warnings = all().count() - errors;
    match args.format {
        CheckFormat::Text => text(&checked),
        CheckFormat::Json => println!("{}", json(&checked, errors, warnings)),
        CheckFormat::Github => print!("{}", github(&checked)),
    }
    if checked.len() > 1 || args.format != CheckFormat::Text {
        eprintln!(
            "checked {} file(s): {errors} error(s), {warnings} warning(s)",
            checked.len()
        );
    }
    if errors > 0 {
        Exit::RunbookFailed
    } else if unreadable {
        Exit::BadInput
    } else if warnings > 0 && args.fail_on_warnings {
        Exit::Warnings
    } else {
        Exit::Ok
    }
}

/// `path` itself when it is a file, else every `.rhai` file under it, sorted.
fn runbooks_in(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !std::fs::metadata(path)?.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            found.extend(runbooks_in(&entry)?);
        } else if entry.extension().is_some_and(|ext| ext == "rhai") {
            found.push(entry);
        }
    }
    Ok(found)
}

/// The syntax error, or the static checks' findings, of one file.
fn problems_of(path: &Path) -> std::io::Result<Vec<RunbookError>> {
    let (interpreter, compiled) = prepare::read_and_compile(path)?;
    Ok(match compiled {
        Ok(runbook) => interpreter.check(&runbook),
        Err(err) => vec![err],
    })
}

fn text(checked: &[(String, Vec<RunbookError>)]) {
    for (file, problems) in checked {
        let errors = problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        let warnings = problems.len() - errors;
        for problem in problems {
            report(problem.clone());
        }
        if errors > 0 {
            eprintln!("{file}: {errors} error(s), {warnings} warning(s)");
        } else {
            println!("{file}: ok ({warnings} warning(s))");
        }
    }
}

fn severity(problem: &RunbookError) -> &'static str {
    match problem.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "notice",
    }
}

/// `{"files": [...], "problems": [...], "errors": N, "warnings": N}`; each problem names the
/// file checked (`runbook`) and the file it points into (`file`: a module it imports).
fn json(checked: &[(String, Vec<RunbookError>)], errors: usize, warnings: usize) -> String {
    let problems: Vec<serde_json::Value> = checked
        .iter()
        .flat_map(|(runbook, problems)| {
            problems.iter().map(move |p| {
                serde_json::json!({
                    "runbook": runbook,
                    "severity": severity(p),
                    "code": p.code,
                    "message": p.message,
                    "help": p.help,
                    "file": p.file,
                    "line": p.line,
                    "column": p.column,
                    "label": p.label,
                })
            })
        })
        .collect();
    let document = serde_json::json!({
        "files": checked.iter().map(|(file, _)| file).collect::<Vec<_>>(),
        "problems": problems,
        "errors": errors,
        "warnings": warnings,
    });
    // A tree of strings and numbers always serializes.
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// One workflow command per problem (`::error file=F,line=L,col=C,title=CODE::MESSAGE`), the
/// help on the annotation's second line. A problem reported twice (a module imported by two
/// runbooks) is annotated once.
fn github(checked: &[(String, Vec<RunbookError>)]) -> String {
    let mut out = String::new();
    let mut seen = std::collections::HashSet::new();
    for problem in checked.iter().flat_map(|(_, problems)| problems) {
        let mut message = problem.message.clone();
        if let Some(help) = &problem.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let line = format!(
            "::{} file={},line={},col={},title={}::{}\n",
            severity(problem),
            property(&problem.file),
            problem.line.max(1),
            problem.column.max(1),
            property(&problem.code),
            data(&message)
        );
        if seen.insert(line.clone()) {
            out.push_str(&line);
        }
    }
    out
}

/// A workflow command's message: `%`, CR and LF escaped (GitHub's toolkit rules).
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as a message, and `:` and `,` too.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
