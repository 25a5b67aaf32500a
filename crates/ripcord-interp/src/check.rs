//! Static checks of a compiled runbook: unknown functions, wrong arity, imports, declaration.

use crate::codes;
use crate::diagnostic::RunbookError;
use crate::primitives::table;
use crate::sources::Sources;
use crate::suggest::{closest, closest_function};
use rhai::{ASTNode, Engine, Expr, Position, Stmt, AST};
use std::collections::HashMap;

/// Functions the parser treats as keywords; they are never in the engine's function list.
const KEYWORD_FUNCTIONS: &[&str] = &[
    "Fn",
    "call",
    "curry",
    "is_shared",
    "is_def_fn",
    "is_def_var",
    "type_of",
    "eval",
    "print",
    "debug",
    "this",
];

/// Finds what would fail at the first call, before anything runs: unknown functions (with a
/// did-you-mean), known functions called with the wrong number of arguments, imports of
/// modules that do not exist, calls to functions a module does not have. Also warns when the
/// runbook does not declare itself with `runbook(#{...})` (a module, which only defines
/// functions, need not).
pub fn check(engine: &Engine, sources: &Sources, file: &str, ast: &AST) -> Vec<RunbookError> {
    let mut problems = Vec::new();
    let script_fns: Vec<(String, usize)> = ast
        .iter_functions()
        .map(|f| (f.name.to_string(), f.params.len()))
        .collect();
    let mut aliases: HashMap<String, Vec<(String, usize)>> = HashMap::new();
    let mut declared = false;

    ast.walk(&mut |path: &[ASTNode]| {
        let Some(node) = path.last() else { return true };
        match node {
            ASTNode::Stmt(Stmt::Import(import, pos)) => {
                let (expr, alias) = &**import;
                if let Expr::StringConstant(name, _) = expr {
                    match module_functions(engine, name) {
                        Some(fns) => {
                            aliases.insert(alias.name.to_string(), fns);
                        }
                        None => problems.push(
                            RunbookError::at(
                                sources,
                                file,
                                *pos,
                                codes::IMPORT,
                                format!("no standard-library module named \"{name}\""),
                            )
                            .with_help(format!(
                                "runbooks can import only the embedded standard library: {}",
                                crate::stdlib::names()
                            )),
                        ),
                    }
                }
            }
            ASTNode::Expr(Expr::FnCall(call, pos)) | ASTNode::Stmt(Stmt::FnCall(call, pos)) => {
                if call.op_token.is_some() || call.name.starts_with("anon$") {
                    return true;
                }
                if call.namespace.is_empty() {
                    if call.name == "runbook" {
                        declared = true;
                    }
                    unknown_call(sources, &script_fns, file, &call.name, call.args.len(), *pos, &mut problems);
                } else {
                    let module = call.namespace.root().to_string();
                    if let Some(fns) = aliases.get(&module) {
                        let name = call.name.as_str();
                        if !fns.iter().any(|(n, a)| n == name && *a == call.args.len()) {
                            let names = fns.iter().map(|(n, _)| n.as_str());
                            let hint = closest(name, names.clone())
                                .map(|c| format!("did you mean `{module}::{c}`? "))
                                .unwrap_or_default();
                            let listed: Vec<String> = fns.iter().map(|(n, a)| format!("{n}/{a}")).collect();
                            problems.push(
                                RunbookError::at(
                                    sources,
                                    file,
                                    *pos,
                                    codes::UNKNOWN_FUNCTION,
                                    format!("module `{module}` has no function `{name}` taking {} arguments", call.args.len()),
                                )
                                .with_label("unknown function")
                                .with_help(format!("{hint}it has: {}", listed.join(", "))),
                            );
                        }
                    }
                }
            }
            ASTNode::Expr(Expr::MethodCall(call, pos)) => {
                unknown_call(sources, &script_fns, file, &call.name, call.args.len() + 1, *pos, &mut problems);
            }
            _ => {}
        }
        true
    });

    // A module (stdlib/, or a team's own) only defines functions for runbooks to import: it
    // has nothing to declare.
    let module = ast.iter_functions().next().is_some()
        && ast
            .statements()
            .iter()
            .all(|stmt| matches!(stmt, rhai::Stmt::Import(..)));
    if !declared && !module {
        problems.push(
            RunbookError::at(sources, file, Position::new(1, 1), codes::UNDECLARED, "the runbook does not declare itself")
                .with_label("add runbook(#{...}) here")
                .with_help("start with runbook(#{ name: \"...\", rto: \"15m\", rpo: \"5m\" }) so plans can be checked against the RTO")
                .warning(),
        );
    }
    problems
}

fn unknown_call(
    sources: &Sources,
    script_fns: &[(String, usize)],
    file: &str,
    name: &str,
    arity: usize,
    pos: Position,
    problems: &mut Vec<RunbookError>,
) {
    // The table's arities are the registered ones (register.rs's tests check it).
    let known = match table::find(name) {
        Some(primitive) => primitive.takes(arity),
        None => sources.knows(name, arity),
    };
    if KEYWORD_FUNCTIONS.contains(&name)
        || known
        || script_fns.iter().any(|(n, a)| n == name && *a == arity)
    {
        return;
    }
    let same_name: Vec<String> = sources
        .functions()
        .iter()
        .filter(|k| k.name == name)
        .map(|k| k.signature.clone())
        .chain(
            script_fns
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(n, a)| format!("{n}/{a}")),
        )
        .collect();
    let error = if same_name.is_empty() {
        let help = closest_function(
            name,
            script_fns.iter().map(|(n, _)| n.as_str()),
            sources.functions().iter().map(|k| k.name.as_str()),
        )
        .map(|c| format!("did you mean `{c}`? (docs/reference.md lists the primitives)"))
        .unwrap_or_else(|| "docs/reference.md lists the primitives and queries".to_string());
        RunbookError::at(
            sources,
            file,
            pos,
            codes::UNKNOWN_FUNCTION,
            format!("unknown function `{name}`"),
        )
        .with_label("unknown function")
        .with_help(help)
    } else {
        RunbookError::at(
            sources,
            file,
            pos,
            codes::ARGUMENT_COUNT,
            format!(
                "`{name}` does not take {arity} argument{}",
                if arity == 1 { "" } else { "s" }
            ),
        )
        .with_label("wrong number of arguments")
        .with_help(format!("expected {}", same_name.join(" or ")))
    };
    problems.push(error);
}

/// The functions (name, arity) of a standard-library module, or `None` if there is no such module.
fn module_functions(engine: &Engine, name: &str) -> Option<Vec<(String, usize)>> {
    let (_, text) = crate::stdlib::MODULES.iter().find(|(n, _)| *n == name)?;
    let ast = engine.compile(*text).ok()?;
    Some(
        ast.iter_functions()
            .filter(|f| f.access == rhai::FnAccess::Public)
            .map(|f| (f.name.to_string(), f.params.len()))
            .collect(),
    )
}
