//! `ripcord deploy PLAN --engine step-functions`: the reviewed plan's state machine created or
//! updated in the region given, tagged with the plan's hash so that `apply --engine
//! step-functions` runs only the plan that was deployed.

use crate::cli::{DeployArgs, Engine};
use crate::exit::Exit;
use crate::{live, reviewed};
use ripcord_core::asl;
use ripcord_core::Plan;
use std::collections::BTreeMap;
use std::path::Path;

/// The tags ripcord puts on a state machine it deploys.
pub const TAG_PLAN: &str = "ripcord:plan-sha256";
pub const TAG_RUNBOOK: &str = "ripcord:runbook";
pub const TAG_APPROVAL_TOPIC: &str = "ripcord:approval-topic";
/// On the parent of a plan exported as parts: how many (`asl::part_suffix`).
pub const TAG_PARTS: &str = "ripcord:parts";
/// On each stage of a plan in several regions: how many (`asl::stage_suffix`).
pub const TAG_STAGES: &str = "ripcord:stages";

pub fn run(args: &DeployArgs) -> Exit {
    match args.engine {
        Engine::StepFunctions => step_functions(args),
    }
}

fn step_functions(args: &DeployArgs) -> Exit {
    let (plan, sha256) = match load_hashed(&args.plan) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let options = args.asl.options(args.live.region.clone());
    let stages = match asl::compile_stages(&plan, &options) {
        Ok(stages) => stages,
        Err(err) => {
            eprintln!("error: {} cannot be deployed: {err}", args.plan.display());
            return Exit::BadInput;
        }
    };
    let Some(regions) = stages
        .iter()
        .map(|stage| stage.region.clone())
        .collect::<Option<Vec<String>>>()
    else {
        eprintln!("error: --region is required: no step of the plan names a region, so the state machine runs where you say");
        return Exit::Usage;
    };
    let name = args.name.clone().unwrap_or_else(|| machine_name(&plan));
    let backend = match live::backend(&args.live, &regions) {
        Ok(backend) => backend,
        Err(err) => {
            eprintln!("error: cannot set up the AWS clients: {err}");
            return Exit::Aws;
        }
    };
    let parts: usize = stages.iter().map(|s| s.exported.parts.len()).sum();
    let role_arn = match (&args.role_arn, &args.create_role) {
        (Some(arn), _) => arn.clone(),
        (None, Some(role)) => match ensure_role(&backend, &plan, args, role, parts) {
            Ok(arn) => arn,
            Err(exit) => return exit,
        },
        // clap requires one of them.
        (None, None) => return Exit::Usage,
    };
    let total = stages.len();
    let mut tags = BTreeMap::from([
        (TAG_PLAN.to_string(), sha256.clone()),
        (TAG_RUNBOOK.to_string(), plan.runbook.path.clone()),
    ]);
    if total > 1 {
        tags.insert(TAG_STAGES.to_string(), total.to_string());
    }
    for (k, (stage, region)) in stages.iter().zip(&regions).enumerate() {
        let stage_name = stage_machine_name(&name, k + 1, total);
        let deployed = deploy_stage(args, &backend, &stage_name, region, stage, &tags, &role_arn);
        if let Err(exit) = deployed {
            return exit;
        }
    }
    let how = match (total, parts) {
        (1, 0) => String::new(),
        (1, n) => format!(" as {name} and its {n} parts"),
        (n, _) => format!(
            " as {n} stages, one after the other: {}",
            regions
                .iter()
                .enumerate()
                .map(|(k, r)| format!("{} in {r}", stage_machine_name(&name, k + 1, n)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let region_arg = match args.live.region.as_deref() {
        Some(region) => format!(" --region {region}"),
        None => String::new(),
    };
    eprintln!(
        "deployed {} (plan sha256 {}){how}: run it with ripcord apply --plan {} --engine step-functions{region_arg}",
        args.plan.display(),
        &sha256[..12.min(sha256.len())],
        args.plan.display()
    );
    Exit::Ok
}

/// One stage's state machines in its region: its parts first, under the stage's name and
/// their suffix (the parent finds them so), then its own.
fn deploy_stage(
    args: &DeployArgs,
    backend: &crate::live::LiveBackend,
    name: &str,
    region: &str,
    stage: &asl::Stage,
    tags: &BTreeMap<String, String>,
    role_arn: &str,
) -> Result<(), Exit> {
    let exported = &stage.exported;
    let mut machines: Vec<(String, &asl::StateMachine)> = exported
        .parts
        .iter()
        .enumerate()
        .map(|(k, part)| (format!("{name}{}", asl::part_suffix(k + 1)), part))
        .collect();
    machines.push((name.to_string(), &exported.main));
    let mut tags = tags.clone();
    if let Some(topic) = &args.asl.approval_topic {
        tags.insert(TAG_APPROVAL_TOPIC.to_string(), asl::topic_in(topic, region));
    }
    let sfn = backend.step_functions(region);
    let parts = exported.parts.len();
    for (machine_name, machine) in machines {
        let definition = serde_json::to_string(machine).map_err(|err| {
            eprintln!("error: cannot serialize the state machine: {err}");
            Exit::BadInput
        })?;
        let mut tags = tags.clone();
        if machine_name == name && parts > 0 {
            tags.insert(TAG_PARTS.to_string(), parts.to_string());
        }
        match sfn.deploy(&machine_name, &definition, role_arn, &tags) {
            Ok(deployed) => {
                let verb = if deployed.created {
                    "created"
                } else {
                    "updated"
                };
                println!("{}", deployed.arn);
                eprintln!("{verb} state machine {machine_name} in {region}");
            }
            Err(err) => {
                eprintln!("error: cannot deploy {machine_name} in {region}: {err}");
                return Err(Exit::Aws);
            }
        }
    }
    Ok(())
}

/// The state machine of stage `k` (1-based) of `total`: the plan's own name when it is the
/// only one.
pub fn stage_machine_name(name: &str, k: usize, total: usize) -> String {
    match total {
        1 => name.to_string(),
        _ => format!("{name}{}", asl::stage_suffix(k)),
    }
}

/// The role `name`, created when missing, with the plan's policy (the one `export -o`
/// writes) as its inline policy: its ARN.
fn ensure_role(
    backend: &crate::live::LiveBackend,
    plan: &Plan,
    args: &DeployArgs,
    name: &str,
    parts: usize,
) -> Result<String, Exit> {
    let (world, account) = crate::export::scope_of(plan)?;
    let scope = ripcord_core::iam::Scope {
        account: &account,
        world: &world,
    };
    let document = ripcord_core::policy::PolicyDocument::allowing(asl::role_permissions(
        plan,
        &scope,
        args.asl.approval_topic.as_deref(),
        parts,
    ));
    // IAM's quota on a role's inline policies: fitted before AWS refuses it.
    let document = crate::iam_policy::fitted(
        document,
        ripcord_core::policy::ROLE_INLINE_POLICY_MAX_CHARS,
        "IAM's quota on a role's inline policies",
    )?;
    let policy = serde_json::to_string(&document).map_err(|err| {
        eprintln!("error: cannot serialize the policy: {err}");
        Exit::BadInput
    })?;
    match backend.roles().ensure_for_step_functions(name, &policy) {
        Ok(role) => {
            let verb = if role.created { "created" } else { "updated" };
            eprintln!(
                "{verb} role {name} ({}) with the plan's policy as its inline policy {}",
                role.arn,
                crate::live::POLICY_NAME
            );
            Ok(role.arn)
        }
        Err(err) => {
            eprintln!("error: cannot create or update the role {name}: {err}");
            Err(Exit::Aws)
        }
    }
}

/// A saved plan and the SHA-256 of its file, which names what was deployed.
pub fn load_hashed(path: &Path) -> Result<(Plan, String), Exit> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        eprintln!("error: cannot read the plan {}: {err}", path.display());
        Exit::BadInput
    })?;
    Ok((
        reviewed::parse(&text, path)?,
        ripcord_core::sha256_hex(text.as_bytes()),
    ))
}

/// `ripcord-` and the runbook's name (else its file's stem), in the characters a state
/// machine's name may have, at most 62 (a stage's suffix and a part's take the 18 left of 80).
pub fn machine_name(plan: &Plan) -> String {
    let runbook = &plan.runbook;
    let base = runbook.meta.name.clone().unwrap_or_else(|| {
        Path::new(&runbook.path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "runbook".to_string())
    });
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    // Room for a stage's and a part's suffix within Step Functions' 80 characters.
    format!("ripcord-{clean}")
        .chars()
        .take(80 - 9 - 9)
        .collect()
}
