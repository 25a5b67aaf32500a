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
    let stages = match asl::compile_stages(&plan, &options) {
        Ok(stages) => stages,
        Err(err) => {
            eprintln!("error: {} cannot be exported: {err}", args.plan.display());
            return Exit::BadInput;
        }
    };
    let parts: usize = stages.iter().map(|s| s.exported.parts.len()).sum();
    let Some(output) = &args.output else {
        let [stage] = stages.as_slice() else {
            eprintln!(
                "error: {} sends steps to several regions and exports as {} stages, a state machine per region (docs/step-functions.md, \"Plans in several regions\"): write them with -o FILE",
                args.plan.display(),
                stages.len()
            );
            return Exit::BadInput;
        };
        if !stage.exported.parts.is_empty() {
            eprintln!(
                "error: {} exports as {} state machines (a parent and {parts} parts: docs/step-functions.md, \"Large plans\"): write them with -o FILE",
                args.plan.display(),
                parts + 1,
            );
            return Exit::BadInput;
        }
        let text = match to_json(serde_json::to_string_pretty(&stage.exported.main)) {
            Ok(text) => text,
            Err(exit) => return exit,
        };
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
    // The role's inline policy (`deploy --create-role` puts this one): within IAM's quota.
    let document = match crate::iam_policy::fitted(
        PolicyDocument::allowing(asl::role_permissions(
            &plan,
            &scope,
            args.asl.approval_topic.as_deref(),
            parts,
        )),
        ripcord_core::policy::ROLE_INLINE_POLICY_MAX_CHARS,
        "IAM's quota on a role's inline policies",
    ) {
        Ok(document) => document,
        Err(exit) => return exit,
    };
    let policy = match to_json(serde_json::to_string_pretty(&document)) {
        Ok(text) => text,
        Err(exit) => return exit,
    };
    let policy_path = policy_path(output);
    let mut files = vec![(policy_path.clone(), policy)];
    let mut said = Vec::new();
    for (s, stage) in stages.iter().enumerate() {
        let main = match stages.len() {
            1 => output.clone(),
            _ => stage_path(output, s + 1),
        };
        let mut machines = vec![(main.clone(), &stage.exported.main)];
        for (k, part) in stage.exported.parts.iter().enumerate() {
            machines.push((part_path(&main, k + 1), part));
        }
        for (path, machine) in machines {
            match to_json(serde_json::to_string_pretty(machine)) {
                Ok(text) => files.push((path, text)),
                Err(exit) => return exit,
            }
        }
        let what = match (stages.len(), &stage.region) {
            (1, _) => "the state machine".to_string(),
            (n, Some(region)) => format!("stage {} of {n}, in {region}", s + 1),
            (n, None) => format!("stage {} of {n}", s + 1),
        };
        said.push(match stage.exported.parts.len() {
            0 => format!("{} ({what})", main.display()),
            n => format!(
                "{} ({what}: the parent of {n} parts, {} ... {})",
                main.display(),
                part_path(&main, 1).display(),
                part_path(&main, n).display()
            ),
        });
    }
    for (path, text) in &files {
        if let Err(err) = std::fs::write(path, text) {
            eprintln!("error: cannot write {}: {err}", path.display());
            return Exit::BadInput;
        }
    }
    eprintln!(
        "wrote {} and {} (the IAM policy of {})",
        said.join(", "),
        policy_path.display(),
        if files.len() > 2 {
            "the role of all of them"
        } else {
            "its role"
        }
    );
    Exit::Ok
}

/// `failover.asl.json` -> `failover.asl.stage-2.json`, the state machine of stage `k` of a
/// plan in several regions.
pub fn stage_path(output: &Path, k: usize) -> PathBuf {
    with_suffix(output, &format!("stage-{k}"))
}

/// `failover.asl.json` -> `failover.asl.part-001.json`, the state machine of part `k`.
pub fn part_path(output: &Path, k: usize) -> PathBuf {
    with_suffix(output, &format!("part-{k:03}"))
}

/// `failover.asl.json` -> `failover.asl.SUFFIX.json`; a name without `.json` gets
/// `.SUFFIX.json`.
fn with_suffix(output: &Path, suffix: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".json").unwrap_or(&name);
    output.with_file_name(format!("{stem}.{suffix}.json"))
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
    with_suffix(output, "iam")
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
