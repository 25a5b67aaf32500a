//! The documentation kept true by the code: docs/reference.md describes and runs every
//! primitive of the interpreter's table, docs/repl.md lists where the REPL pauses, and
//! docs/errors.md explains every diagnostic code the interpreter raises.
//!
//! Each failure says what to add and where.

use ripcord_core::{Inventory, StepKind};
use ripcord_interp::debug::step_primitives;
use ripcord_interp::{codes, Group, Interpreter, PRIMITIVES};
use ripcord_sim::SimBackend;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    let full = workspace().join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Fails with every problem found, one per line.
fn report(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "\n{}\n",
        problems
            .iter()
            .map(|p| format!("- {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ---------------------------------------------------------------- docs/reference.md

/// A ```rhai block of the reference with `// expect:` lines: it runs, and makes exactly
/// these operations (`// expect: no steps` for none).
struct Example {
    code: String,
    expected: Vec<String>,
}

fn reference_examples(doc: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    for block in doc.split("```rhai\n").skip(1) {
        let code = block.split("```").next().unwrap_or_default();
        let expects: Vec<&str> = code
            .lines()
            .filter_map(|l| l.trim().strip_prefix("// expect:"))
            .map(str::trim)
            .collect();
        if expects.is_empty() {
            continue;
        }
        let expected = expects
            .iter()
            .filter(|l| **l != "no steps")
            .flat_map(|l| l.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        examples.push(Example {
            code: code.to_string(),
            expected,
        });
    }
    examples
}

/// The reference's prose and tables: the text outside code blocks.
fn prose(doc: &str) -> String {
    doc.split("```").step_by(2).collect::<Vec<_>>().join("\n")
}

/// True when `code` calls `name(...)` (not `other_name(` nor `module::name(`).
fn calls(code: &str, name: &str) -> bool {
    let pattern = format!("{name}(");
    code.match_indices(&pattern).any(|(at, _)| {
        !code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '.')
    })
}

/// Every ```rhai block with `// expect:` lines runs against examples/inventory.yaml and makes
/// exactly those operations, in order.
#[test]
fn reference_examples_run() {
    let doc = read("docs/reference.md");
    let examples = reference_examples(&doc);
    assert!(
        examples.len() >= 17,
        "only {} runnable examples found",
        examples.len()
    );
    let inventory = Inventory::load(&workspace().join("examples/inventory.yaml"))
        .expect("examples/inventory.yaml loads")
        .0;
    for example in examples {
        let mut interp = Interpreter::new("reference.rhai");
        let runbook = interp
            .compile(&example.code)
            .unwrap_or_else(|e| panic!("{e}: {}\nexample:\n{}", e.location(), example.code));
        let result = interp.run(&runbook, Box::new(SimBackend::new(inventory.clone())), None);
        if let Some(err) = result.error {
            panic!(
                "{} {} at {}\nexample:\n{}",
                err.code,
                err.message,
                err.location(),
                example.code
            );
        }
        let operations: Vec<String> = result
            .plan
            .steps()
            .filter(|s| !matches!(s.kind, StepKind::Note { .. }))
            .map(|s| s.operation.clone())
            .collect();
        assert_eq!(operations, example.expected, "example:\n{}", example.code);
    }
}

/// Every function of the table is described in docs/reference.md (`name(...)` outside code
/// blocks) and called in a runnable example; the refused ones need only the description.
#[test]
fn every_primitive_is_in_the_reference_with_a_runnable_example() {
    let doc = read("docs/reference.md");
    let prose = prose(&doc);
    let examples = reference_examples(&doc);
    let mut problems = Vec::new();
    for p in PRIMITIVES {
        if !prose.contains(&format!("`{}(", p.name)) {
            problems.push(format!(
                "docs/reference.md does not describe `{}` ({}): add `{}(...)` to the table or \
                 list of its section ({:?})",
                p.name, p.doc, p.name, p.group
            ));
        }
        let runnable = examples.iter().any(|e| calls(&e.code, p.name));
        if p.group != Group::Refused && !runnable {
            problems.push(format!(
                "docs/reference.md has no runnable example calling `{}`: add a call of it to a \
                 ```rhai block with an `// expect: Operation, ...` line (`// expect: no steps` \
                 if it makes none) in its section ({:?})",
                p.name, p.group
            ));
        }
    }
    report(problems);
}

// ---------------------------------------------------------------- docs/repl.md

/// The names listed in docs/repl.md's "Where it pauses": the backticked words inside the
/// parentheses after "DR primitive".
fn repl_pause_list(doc: &str) -> Vec<String> {
    let section = doc
        .split("## Where it pauses")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("docs/repl.md has a section \"## Where it pauses\"");
    let list = section
        .split_once("DR primitive (")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(list, _)| list)
        .expect("\"Where it pauses\" lists the primitives as \"a DR primitive (`snapshot`, ...)\"");
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn the_repl_pause_list_is_the_tables_steps() {
    let doc = read("docs/repl.md");
    let listed = repl_pause_list(&doc);
    let steps = step_primitives();
    let mut problems = Vec::new();
    for step in &steps {
        if !listed.iter().any(|l| l == step) {
            problems.push(format!(
                "the REPL pauses before `{step}`: add `{step}` to the list of DR primitives in \
                 docs/repl.md, \"Where it pauses\""
            ));
        }
    }
    for name in &listed {
        if !steps.contains(&name.as_str()) {
            problems.push(format!(
                "docs/repl.md, \"Where it pauses\", lists `{name}`, which is no step the REPL \
                 pauses before: remove it"
            ));
        }
    }
    report(problems);
}

// ---------------------------------------------------------------- docs/errors.md

#[test]
fn every_diagnostic_code_is_in_docs_errors() {
    let doc = read("docs/errors.md");
    let mut problems = Vec::new();
    for code in codes::ALL {
        // A prefix (`ripcord::aws::`) is documented as a family: `ripcord::aws::CODE`.
        let written = if code.ends_with("::") {
            format!("`{code}")
        } else {
            format!("`{code}`")
        };
        if !doc.contains(&written) {
            problems.push(format!(
                "the interpreter raises `{code}`: add a row `| `{code}` | what it means | what \
                 to do |` to the \"Runbook\" table of docs/errors.md"
            ));
        }
    }
    // The other way: the Runbook table documents no code the interpreter cannot raise.
    let runbook = doc
        .split("## Runbook")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("docs/errors.md has a section \"## Runbook\"");
    for code in runbook
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| w.starts_with("ripcord::"))
    {
        if !codes::ALL.contains(&code) {
            problems.push(format!(
                "docs/errors.md's \"Runbook\" table documents `{code}`, which the interpreter \
                 never raises (crates/ripcord-interp/src/codes.rs): remove it, or declare it there"
            ));
        }
    }
    report(problems);
}

/// Codes are named only in src/codes.rs, so that its list is all of them.
#[test]
fn diagnostic_codes_are_written_only_in_codes_rs() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path == src.join("codes.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            for (n, line) in text.lines().enumerate() {
                if line.contains("\"ripcord::") {
                    problems.push(format!(
                        "{}:{}: a diagnostic code written as a string; declare it in \
                         src/codes.rs and use the constant (`codes::...`)",
                        path.strip_prefix(&src).unwrap_or(&path).display(),
                        n + 1
                    ));
                }
            }
        }
    }
    report(problems);
}
