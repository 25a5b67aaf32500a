//! AWS's request quotas (issue 14): parallel branches above a quota are paced and complete
//! against moto behind the fault proxy enforcing that quota, and the plan's estimate of the
//! quota-bound group is within 20% of the measured execution.

use super::live::journal_lines;
use super::moto::{ripcord_env, Moto};
use super::{stderr, stdout};
use ripcord_testkit::FaultProxy;
use serde_json::Value;
use std::path::Path;

/// Groups scaled at once: at 10 a second after a burst of 9 (AWS's 10, one in reserve),
/// (59 - 9) / 10 = 5 s, long enough to measure, short enough for the suite.
const GROUPS: usize = 59;

/// The quota the proxy enforces and ripcord paces by (`--quotas`).
const RATE: f64 = 10.0;
const BURST: u32 = 10;

fn group(i: usize) -> String {
    format!("q-asg-{i:02}")
}

/// The world (59 groups in us-west-2, calls estimated at 0 s so that the estimate is the
/// quota's alone) and the runbook scaling every group in a branch of its own.
fn write_fixture(dir: &Path) -> (String, String, String) {
    let groups: Vec<String> = (1..=GROUPS)
        .map(|i| {
            format!(
                "      - {{ name: {}, min_size: 0, max_size: 2, desired_capacity: 0 }}",
                group(i)
            )
        })
        .collect();
    let inventory = format!(
        "version: 1\naccount: \"123456789012\"\ncaptured_at: 2026-11-24T03:00:00Z\n\
         estimates:\n  call.UpdateAutoScalingGroup: 0\n\
         regions:\n  us-west-2:\n    availability_zones: [us-west-2a]\n    auto_scaling_groups:\n{}\n",
        groups.join("\n")
    );
    let runbook = format!(
        r#"runbook(#{{
    name: "quota-paced",
    rto: "15m",
    accounts: ["123456789012"],
    regions: ["us-west-2"],
}});

fn scale_branch(name) {{
    || {{
        scale(asg(name, "us-west-2"), #{{ min: 0, max: 3, desired: 0 }});
    }}
}}

let branches = [];
for i in 1..={GROUPS} {{
    let n = if i < 10 {{ `0${{i}}` }} else {{ `${{i}}` }};
    branches.push(scale_branch(`q-asg-${{n}}`));
}}
parallel(branches);
"#
    );
    let quotas = format!("autoscaling: {{rate: {RATE}, burst: {BURST}}}\n");
    let paths = [
        ("quota.inventory.yaml", inventory),
        ("quota.rhai", runbook),
        ("quotas.yaml", quotas),
    ];
    for (name, text) in &paths {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    (
        path("quota.inventory.yaml"),
        path("quota.rhai"),
        path("quotas.yaml"),
    )
}

/// The parallel group of a plan's JSON.
fn group_of(plan: &Value) -> &Value {
    plan["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["item"] == "parallel"))
        .unwrap_or_else(|| panic!("no parallel group in {plan}"))
}

fn seconds(at: &Value) -> f64 {
    let at: jiff::Timestamp = at.as_str().unwrap().parse().unwrap();
    at.as_millisecond() as f64 / 1000.0
}

#[test]
fn parallel_branches_above_a_quota_are_paced_and_estimated() {
    let home = tempfile::tempdir().unwrap();
    let (inventory, runbook, quotas) = write_fixture(home.path());

    // The plan: the group takes the quota's time, not one round trip, and says why.
    let planned = ripcord_env(
        &[
            "plan", &runbook, "-i", &inventory, "--quotas", &quotas, "-f", "json",
        ],
        home.path(),
        &[],
    );
    assert!(planned.status.success(), "{}", stderr(&planned));
    let plan: Value = serde_json::from_str(&stdout(&planned)).unwrap();
    let estimate = group_of(&plan)["duration_secs"].as_u64().unwrap();
    assert_eq!(estimate, 5, "{}", group_of(&plan)["notes"]);
    let note = group_of(&plan)["notes"][0].as_str().unwrap_or_default();
    assert!(
        note.starts_with("paced by autoscaling in us-west-2: 10 requests/s, burst 10 (--quotas)"),
        "{note}"
    );
    // A raised (here: lowered) quota changes the estimate; the text plan shows the note.
    let slower = home.path().join("slower.yaml");
    std::fs::write(&slower, "autoscaling: {rate: 5, burst: 10}\n").unwrap();
    let text = ripcord_env(
        &[
            "plan",
            &runbook,
            "-i",
            &inventory,
            "--quotas",
            slower.to_str().unwrap(),
        ],
        home.path(),
        &[],
    );
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(
        stdout(&text).contains("· paced by autoscaling in us-west-2: 5 requests/s"),
        "{}",
        stdout(&text)
    );
    let bad = home.path().join("bad.yaml");
    std::fs::write(&bad, "autoscalling: {rate: 5, burst: 10}\n").unwrap();
    let refused = ripcord_env(
        &[
            "plan",
            &runbook,
            "-i",
            &inventory,
            "--quotas",
            bad.to_str().unwrap(),
        ],
        home.path(),
        &[],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("`autoscalling` is not a bucket"),
        "{}",
        stderr(&refused)
    );

    // The run, through the proxy enforcing the same quota.
    let moto = Moto::start();
    moto.seed(Path::new(&inventory));
    let rule = format!("[{}]", FaultProxy::quota("autoscaling", RATE, BURST));
    let proxy = FaultProxy::start(&moto, 14, &rule);
    let runs = home.path().join("runs");
    let applied = ripcord_env(
        &[
            "apply",
            &runbook,
            "--yes",
            "--quotas",
            &quotas,
            "--runs-dir",
            runs.to_str().unwrap(),
            "--endpoint-url",
            &proxy.endpoint(),
            "--region",
            "us-west-2",
            "--request-timeout",
            "20s",
        ],
        home.path(),
        &[],
    );
    assert!(
        applied.status.success(),
        "{}\n{}",
        stdout(&applied),
        stderr(&applied)
    );
    // The queue was told once, on stderr, with its length.
    let said = stderr(&applied);
    let queued: Vec<&str> = said.lines().filter(|l| l.contains("⧗")).collect();
    assert_eq!(queued.len(), 1, "{said}");
    assert!(
        queued[0].contains("autoscaling in us-west-2: ")
            && queued[0].contains(" requests queued at 10/s, ~"),
        "{}",
        queued[0]
    );
    let journal = journal_lines(&runs);
    let results: Vec<&Value> = journal.iter().filter(|r| r["type"] == "result").collect();
    assert_eq!(results.len(), GROUPS, "one result per group");
    let failed: Vec<&&Value> = results.iter().filter(|r| r["ok"] != true).collect();
    assert!(failed.is_empty(), "failed steps: {failed:?}");

    // Few or no throttling answers: pacing, not the SDK's retries, kept the rate.
    let throttled = proxy.throttled("autoscaling");
    let updates = proxy.count("autoscaling", "UpdateAutoScalingGroup");
    assert_eq!(updates, GROUPS, "each group scaled once");
    assert!(
        throttled * 10 <= GROUPS,
        "{throttled} throttling answers for {GROUPS} requests"
    );

    // The estimate against the execution (first request to last answer), within 20%.
    let times: Vec<f64> = journal
        .iter()
        .filter(|r| r["type"] == "intent" || r["type"] == "result")
        .map(|r| seconds(&r["at"]))
        .collect();
    let measured = times.last().unwrap() - times.first().unwrap();
    let error = (estimate as f64 - measured).abs() / measured;
    // For the record (`--nocapture`): what the assertions compared.
    eprintln!(
        "quota: estimated {estimate} s, measured {measured:.2} s; {throttled} of {updates} requests throttled; told: {}",
        queued[0].trim()
    );
    assert!(
        error <= 0.2,
        "estimated {estimate} s, measured {measured:.2} s ({:.0}% off)",
        error * 100.0
    );
}
