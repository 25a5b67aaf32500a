//! `ripcord export PLAN.json --engine step-functions`: a reviewed plan compiled to an AWS Step
//! Functions state machine (`ripcord_core::asl`), and the IAM policy of its execution role
//! (the derivation `ripcord iam-policy` uses, `ripcord_core::iam`).

use crate::cli::{Engine, ExportArgs};
use crate::exit::Exit;
use crate::reviewed;
use ripcord_core::asl;
use ripcord_core::iam::Scope;
use ripcord_core::policy::PolicyDocument;
use ripcord_core::Inventory;
use std::path::{Path, PathBuf};

pub fn run(args: &ExportArgs) -> Exit {
    match args.engine {
        Engine::StepFunctions => step_functions(args),
    }
}

fn step_functions(args: &ExportArgs) -> Exit {
    let plan = match reviewed::load(&args.plan, "plan") {
        Ok(plan) => plan,
        Err(exit) => return exit,
    };
    let options = args.asl.options(None);
    let exported = match asl::compile_parts(&plan, &options) {
        Ok(exported) => exported,
        Err(err) => {
            eprintln!("error: {} cannot be exported: {err}", args.plan.display());
            return Exit::BadInput;
        }
    };
    let text = match to_json(serde_json::to_string_pretty(&exported.main)) {
        Ok(text) => text,
        Err(exit) => return exit,
    };
    let Some(output) = &args.output else {
        if !exported.parts.is_empty() {
            eprintln!(
                "error: {} exports as {} state machines (a parent and {} parts: docs/step-functions.md, \"Large plans\"): write them with -o FILE",
                args.plan.display(),
                exported.parts.len() + 1,
                exported.parts.len()
            );
            return Exit::BadInput;
        }
        print!("{text}");
        eprintln!("note: the IAM policy of the state machine's role is written with -o FILE (beside it, as FILE.iam.json)");
        return Exit::Ok;
    };
    // The ARNs of the policy: the account and the world the plan was made against.
    let (world, account) = match scope_of(&plan) {
        Ok(scope) => scope,
        Err(exit) => return exit,
    };
    let scope = Scope {
        account: &account,
        world: &world,
    };
    let document = PolicyDocument::allowing(asl::role_permissions(
        &plan,
        &scope,
        args.asl.approval_topic.as_deref(),
        exported.parts.len(),
    ));
    let policy = match to_json(serde_json::to_string_pretty(&document)) {
        Ok(text) => text,
        Err(exit) => return exit,
    };
    let policy_path = policy_path(output);
    let mut files = vec![(output.clone(), text), (policy_path.clone(), policy)];
    for (k, part) in exported.parts.iter().enumerate() {
        match to_json(serde_json::to_string_pretty(part)) {
            Ok(text) => files.push((part_path(output, k + 1), text)),
            Err(exit) => return exit,
        }
    }
    for (path, text) in &files {
        if let Err(err) = std::fs::write(path, text) {
            eprintln!("error: cannot write {}: {err}", path.display());
            return Exit::BadInput;
        }
    }
    match exported.parts.len() {
        0 => eprintln!(
            "wrote {} (the state machine) and {} (its role's IAM policy)",
            output.display(),
            policy_path.display()
        ),
        n => eprintln!(
            "wrote {} (the parent state machine), {n} parts ({} ... {}) and {} (the IAM policy of the role of all of them)",
            output.display(),
            part_path(output, 1).display(),
            part_path(output, n).display(),
            policy_path.display()
        ),
    }
    Exit::Ok
}

/// `failover.asl.json` -> `failover.asl.part-001.json`, the state machine of part `k`.
pub fn part_path(output: &Path, k: usize) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".json").unwrap_or(&name);
    output.with_file_name(format!("{stem}.part-{k:03}.json"))
}

/// Serialized JSON, with a final newline; an error as the exit.
fn to_json(text: serde_json::Result<String>) -> Result<String, Exit> {
    text.map(|text| text + "\n").map_err(|err| {
        eprintln!("error: cannot serialize: {err}");
        Exit::BadInput
    })
}

/// `failover.asl.json` -> `failover.asl.iam.json`; a name without `.json` gets `.iam.json`.
fn policy_path(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".json").unwrap_or(&name);
    output.with_file_name(format!("{stem}.iam.json"))
}

/// The world (for ids of resources named by tag) and the account the plan was made against:
/// its inventory file when it can still be read, else no world (ids become `*`).
pub fn scope_of(plan: &ripcord_core::Plan) -> Result<(Inventory, String), Exit> {
    let info = plan.inventory.as_ref();
    let world = info
        .and_then(|info| Inventory::load(Path::new(&info.path)).ok())
        .map(|(inventory, _)| inventory);
    let world = match (world, info) {
        (Some(world), _) => world,
        (None, info) => {
            eprintln!(
                "note: the plan's inventory {} cannot be read: resources named by tag are allowed as `*`",
                info.map_or("(none)", |i| i.path.as_str())
            );
            Inventory::empty(jiff::Timestamp::UNIX_EPOCH)
        }
    };
    let declared = &plan.runbook.meta.accounts;
    let account = match (info.and_then(|i| i.account.clone()), declared.as_slice()) {
        (Some(account), _) => account,
        (None, [account]) => account.clone(),
        (None, _) => {
            eprintln!("error: the plan names no account and its runbook does not declare exactly one: the policy's ARNs need it");
            return Err(Exit::BadInput);
        }
    };
    Ok((world, account))
}

#[cfg(test)]
mod tests {
    use super::policy_path;
    use std::path::{Path, PathBuf};

    #[test]
    fn the_policy_is_written_beside_the_state_machine() {
        assert_eq!(
            policy_path(Path::new("out/failover.asl.json")),
            PathBuf::from("out/failover.asl.iam.json")
        );
        assert_eq!(
            policy_path(Path::new("failover")),
            PathBuf::from("failover.iam.json")
        );
    }
}
