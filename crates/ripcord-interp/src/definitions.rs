//! Rhai definition files (`.d.rhai`) of everything a runbook can call, for the Rhai language
//! server and editors (`ripcord definitions`).

use crate::register::{build_engine, Limits, Shared};
use crate::sources::parse_signatures;
use crate::state::RunState;
use rhai::Engine;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// One definition file: its name (`__static__.d.rhai`, ...) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionFile {
    pub name: String,
    pub text: String,
}

/// The definition files of the engine a runbook runs in, made by Rhai's own
/// `Engine::definitions` from the very engine `register.rs` builds: `__static__.d.rhai` holds
/// ripcord's primitives, handle constructors, queries and getters (each with its doc line
/// from the primitive table), then the standard package's functions; `__builtin__.d.rhai` and
/// `__builtin-operators__.d.rhai` are Rhai's built-in functions and operators.
///
/// The standard library (`import "ripcord/..."`) is not among them: it reaches runbooks
/// through a module resolver, not as static modules, which are all Rhai writes definitions of.
pub fn definition_files() -> Vec<DefinitionFile> {
    let engine = engine();
    let returns = return_types(&engine);
    engine
        .definitions()
        .include_standard_packages(true)
        .iter_files()
        .map(|(name, text)| DefinitionFile {
            name,
            text: mend(&text, &returns),
        })
        .collect()
}

/// The same definitions as one file (`module static;`), for `ripcord definitions` without a
/// directory.
pub fn definitions_file() -> String {
    let engine = engine();
    let returns = return_types(&engine);
    let text = engine
        .definitions()
        .include_standard_packages(true)
        .single_file();
    mend(&text, &returns)
}

fn engine() -> Engine {
    let state: Shared = Rc::new(RefCell::new(RunState::new("definitions.rhai")));
    build_engine(state, Limits::default())
}

/// Return types by function name and arity, from the engine's signatures, where Rhai's
/// definitions lose them (`mend`).
fn return_types(engine: &Engine) -> BTreeMap<(String, usize), BTreeSet<String>> {
    let mut returns: BTreeMap<(String, usize), BTreeSet<String>> = BTreeMap::new();
    for line in engine.gen_fn_signatures(true) {
        let Some((_, ret)) = line.rsplit_once(") -> ") else {
            continue;
        };
        for known in parse_signatures(std::slice::from_ref(&line)) {
            returns
                .entry((known.name, known.arity))
                .or_default()
                .insert(definition_type(ret));
        }
    }
    returns
}

/// A Rust return type as definition files write types.
fn definition_type(rust: &str) -> String {
    let inner = rust
        .strip_prefix("core::result::Result<")
        .and_then(|r| r.split_once(",alloc::boxed::Box<"))
        .map_or(rust, |(ok, _)| ok);
    if inner.starts_with("alloc::vec::Vec<") {
        return "array".to_string();
    }
    match inner.rsplit("::").next().unwrap_or(inner) {
        "Dynamic" => "?".to_string(),
        other => other.to_string(),
    }
}

/// Mends two things Rhai 1.27's definitions get wrong for ripcord's functions: a fallible
/// native function's return type (`Result<T, Box<EvalAltResult>>`, written `EvalAltResult>>`),
/// and functions named like a keyword (`print`, `debug`), written as operators
/// (`op print(string)`), which the language server would read as custom operators.
fn mend(text: &str, returns: &BTreeMap<(String, usize), BTreeSet<String>>) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(&mend_line(line, returns));
        out.push('\n');
    }
    // One final newline, as the other checked-in files have.
    format!("{}\n", out.trim_end())
}

fn mend_line(line: &str, returns: &BTreeMap<(String, usize), BTreeSet<String>>) -> String {
    let (keyword, rest) = match (line.strip_prefix("fn "), line.strip_prefix("op ")) {
        (Some(rest), _) => ("fn", rest),
        (None, Some(rest)) => ("op", rest),
        _ => return line.to_string(),
    };
    let (Some(open), Some(close)) = (rest.find('('), rest.rfind(") -> ")) else {
        return line.to_string();
    };
    let name = &rest[..open];
    let params = &rest[open + 1..close];
    let ret = rest[close + ") -> ".len()..].trim_end_matches(';');
    let params: Vec<&str> = if params.is_empty() {
        Vec::new()
    } else {
        params.split(", ").collect()
    };
    let is_ident = name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if keyword == "op" && !is_ident {
        return line.to_string();
    }
    let ret = if ret.ends_with("EvalAltResult>>") {
        match returns.get(&(name.to_string(), params.len())) {
            Some(types) if types.len() == 1 => types.iter().next().cloned().unwrap_or_default(),
            _ => "?".to_string(),
        }
    } else {
        ret.to_string()
    };
    let params: Vec<String> = if keyword == "op" {
        params.iter().map(|ty| format!("_: {ty}")).collect()
    } else {
        params.iter().map(|p| p.to_string()).collect()
    };
    format!("fn {name}({}) -> {ret};", params.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::table::PRIMITIVES;

    /// Every primitive is declared with its doc line, so an editor completes and documents it.
    #[test]
    fn every_primitive_is_defined_with_its_doc_line() {
        let files = definition_files();
        let text: String = files.iter().map(|f| f.text.as_str()).collect();
        let mut problems = Vec::new();
        for p in PRIMITIVES {
            let documented = format!("/// {}\nfn {}(", p.doc, p.name);
            if !text.contains(&documented) {
                problems.push(format!("`{}` is not defined after `/// {}`", p.name, p.doc));
            }
            for arity in p.arities {
                let declared = text.lines().any(|line| {
                    line.strip_prefix("fn ")
                        .and_then(|rest| rest.strip_prefix(p.name))
                        .and_then(|rest| rest.strip_prefix('('))
                        .and_then(|rest| rest.split_once(')'))
                        .is_some_and(|(params, _)| {
                            let count = if params.is_empty() {
                                0
                            } else {
                                params.split(", ").count()
                            };
                            count == *arity
                        })
                });
                if !declared {
                    problems.push(format!(
                        "`{}` is not defined with {arity} arguments",
                        p.name
                    ));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn files_are_named_and_static() {
        let files = definition_files();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert!(names.contains(&"__static__.d.rhai"), "{names:?}");
        for file in &files {
            assert!(file.name.ends_with(".d.rhai"), "{}", file.name);
            assert!(file.text.starts_with("module static;"), "{}", file.name);
        }
    }
}
