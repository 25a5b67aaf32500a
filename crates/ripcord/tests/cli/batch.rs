//! Route 53 change batches against moto (issue 14): a `flip_dns_batch` of 1,000 records of one
//! zone is one step and, within Route 53's limits per request, one request; above them it goes
//! out as the requests the plan announced. Plan and apply agree call by call and in the end
//! state, and the requests are counted in the fault proxy's log.

use super::live::{facts, plan_and_apply_with, Faults};
use std::fmt::Write as _;
use std::time::Instant;

const RECORDS: usize = 1000;

/// A zone of 1,000 alias records (the fleet's hosts behind the primary's load balancer), and a
/// runbook that points them all at fixed addresses (1,000 one-value UPSERTs: 2,000 values as
/// Route 53 counts them, so two requests) and waits for the change, then all back to an alias
/// (no values: one request of 1,000 changes).
fn write_fleet(dir: &std::path::Path) -> std::path::PathBuf {
    let mut inventory = String::from(
        "version: 1\naccount: \"123456789012\"\ncaptured_at: 2026-11-24T03:00:00Z\nregions:\n  us-east-1: {}\nhosted_zones:\n  - id: Z1FLEET\n    name: fleet.example.com\n    records:\n",
    );
    for i in 0..RECORDS {
        writeln!(
            inventory,
            "      - {{ name: h{i:04}.fleet.example.com, type: A, alias: {{ zone_id: Z2EXAMPLE, dns_name: primary-alb.us-east-1.elb.amazonaws.com, evaluate_target_health: true }} }}"
        )
        .unwrap();
    }
    std::fs::write(dir.join("inventory.yaml"), inventory).unwrap();
    let runbook = dir.join("batch.rhai");
    std::fs::write(
        &runbook,
        format!(
            r#"runbook(#{{ name: "dns-batch", rto: "15m", regions: ["us-east-1"] }});
let z = zone("fleet.example.com");
let hosts = [];
for i in 0..{RECORDS} {{
    let n = `000${{i}}`;
    hosts.push(record(z, `h${{n.sub_string(n.len() - 4)}}.fleet.example.com`, "A"));
}}
let pinned = hosts.map(|r| #{{ record: r, values: ["203.0.113.9"], ttl: 60 }});
wait(flip_dns_batch(pinned), "in_sync", "5m");
let dr = #{{ zone_id: "Z3EXAMPLE", dns_name: "dr-alb.us-west-2.elb.amazonaws.com" }};
flip_dns_batch(hosts.map(|r| #{{ record: r, alias: dr }}));
"#
        ),
    )
    .unwrap();
    runbook
}

#[test]
fn a_thousand_record_flip_is_one_batch_split_only_above_route53s_limits() {
    let dir = tempfile::tempdir().unwrap();
    let runbook = write_fleet(dir.path());
    let started = Instant::now();
    let run = plan_and_apply_with(
        runbook.to_str().unwrap(),
        Some(Faults {
            seed: 1,
            rules: "[]",
        }),
    );
    println!(
        "seeded, planned, applied and captured in {:?}",
        started.elapsed()
    );
    assert_eq!(
        facts(&run.simulated),
        facts(&run.live),
        "simulated and live end states differ"
    );
    let live = facts(&run.live);
    let records: Vec<&String> = live
        .iter()
        .filter(|f| f.starts_with("record fleet.example.com"))
        .collect();
    assert_eq!(records.len(), RECORDS);
    assert!(
        records
            .iter()
            .all(|f| f.ends_with("alias dr-alb.us-west-2.elb.amazonaws.com")),
        "{:?}",
        &records[..3]
    );

    // Two steps that change records, one wait: the batches are one call each.
    let calls: Vec<&serde_json::Value> = run
        .journal
        .iter()
        .filter(|r| r["type"] == "intent" && r["intent"]["type"] == "call")
        .collect();
    assert_eq!(calls.len(), 2, "{}", run.said);
    for call in &calls {
        assert_eq!(
            call["intent"]["call"]["Changes"].as_array().map(Vec::len),
            Some(RECORDS)
        );
    }
    // The plan announced the split; the requests that reached moto are 2 + 1.
    assert!(
        run.said.contains("1000 UPSERT, in 2 requests"),
        "{}",
        &run.said[..run.said.len().min(3000)]
    );
    let sent = run
        .requests
        .iter()
        .filter(|r| {
            r.forwarded && r.service == "route53" && r.operation == "ChangeResourceRecordSets"
        })
        .count();
    assert_eq!(
        sent, 3,
        "ChangeResourceRecordSets requests: 2 for the values, 1 for the aliases"
    );
}
