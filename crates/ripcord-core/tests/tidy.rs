//! Docs tied to code: every AWS operation (`ripcord_core::ops`) has its rows in the docs, and
//! the facts a row states agree with the operation's descriptor.

use ripcord_core::{Call, Descriptor, ResourceKind};
use std::path::PathBuf;

fn doc(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rows of the tables under the heading `heading` (up to the next heading of any level),
/// as cells without the surrounding pipes; header and separator rows are left out.
fn table_rows(text: &str, heading: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with('#') {
            inside = line.trim_start_matches('#').trim() == heading;
            continue;
        }
        let line = line.trim();
        if !inside || !line.starts_with('|') {
            continue;
        }
        if line.starts_with("|---") {
            // The row above the separator is the table's header.
            rows.pop();
            continue;
        }
        let cells = line
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect();
        rows.push(cells);
    }
    assert!(!rows.is_empty(), "no table under the heading `{heading}`");
    rows
}

/// Whether `cell` names `word` as a whole word (`CreateDBSnapshot` is not in
/// `CreateDBSnapshots`, nor `Publish` in `Published`).
fn names(cell: &str, word: &str) -> bool {
    cell.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|token| token == word)
}

fn rows_naming<'a>(rows: &'a [Vec<String>], d: &Descriptor) -> Vec<&'a Vec<String>> {
    rows.iter()
        .filter(|row| row.first().is_some_and(|cell| names(cell, d.name)))
        .collect()
}

#[test]
fn every_operation_is_in_docs_live_what_each_call_sends() {
    let rows = table_rows(&doc("live.md"), "What each call sends");
    let missing: Vec<&str> = Call::DESCRIPTORS
        .iter()
        .filter(|d| rows_naming(&rows, d).is_empty())
        .map(|d| d.name)
        .collect();
    assert!(
        missing.is_empty(),
        "docs/live.md, section \"What each call sends\": add a row (| {} | request | resolution |) for {missing:?}",
        missing.first().copied().unwrap_or_default()
    );
}

#[test]
fn docs_live_lost_answers_table_agrees_with_the_descriptors() {
    let rows = table_rows(&doc("live.md"), "Lost answers: each step takes effect once");
    for d in Call::DESCRIPTORS {
        let found = rows_naming(&rows, d);
        assert_eq!(
            found.len(),
            1,
            "docs/live.md, section \"Lost answers\": add exactly one row `| {} {} | {} | guarantee | ... |`",
            d.service,
            d.name,
            d.idempotency.as_str()
        );
        let row = found[0];
        assert_eq!(
            row[0],
            format!("{} {}", d.service, d.name),
            "docs/live.md idempotency row: the first cell is `service Operation`"
        );
        assert_eq!(
            row.get(1).map(String::as_str),
            Some(d.idempotency.as_str()),
            "docs/live.md idempotency row of {}: the class is `{}` (its descriptor in ripcord_core::ops)",
            d.name,
            d.idempotency.as_str()
        );
        assert_eq!(
            row.get(2).map(String::as_str),
            Some(d.guarantee.as_str()),
            "docs/live.md lost-answers row of {}: the guarantee is `{}` (its descriptor)",
            d.name,
            d.guarantee.as_str()
        );
    }
    assert_eq!(
        rows.len(),
        Call::DESCRIPTORS.len(),
        "docs/live.md lost-answers table: one row per operation, no others"
    );
}

#[test]
fn every_operation_is_in_docs_simulation_states_and_transitions() {
    let rows = table_rows(&doc("simulation.md"), "States and transitions");
    for d in Call::DESCRIPTORS {
        assert!(
            rows.iter()
                .any(|row| row.first().is_some_and(|c| names(c, d.name) && names(c, d.service))),
            "docs/simulation.md, section \"States and transitions\": add a row `| {} {} | resource | until ready | then |`",
            d.service,
            d.name
        );
    }
}

#[test]
fn descriptors_are_unique_and_consistent() {
    let mut seen = std::collections::BTreeSet::new();
    for d in Call::DESCRIPTORS {
        assert!(seen.insert(d.name), "{} declared twice", d.name);
        assert!(
            d.mutates,
            "{}: every Call mutates (reads are queries)",
            d.name
        );
        assert!(!d.summary.is_empty(), "{}: a summary for the docs", d.name);
        assert_eq!(Call::descriptor_named(d.name).map(|x| x.name), Some(d.name));
        if let Some(kind) = d.creates.kind() {
            assert_eq!(
                kind.service(),
                d.service,
                "{} creates {} owned by another service",
                d.name,
                kind.noun()
            );
        }
    }
}

#[test]
fn every_resource_kind_has_a_row_and_a_not_found_code_in_the_docs() {
    let simulation = doc("simulation.md");
    for kind in ResourceKind::ALL {
        assert!(
            simulation.contains(&format!("`{}`", kind.not_found_code())),
            "docs/simulation.md, \"Rejections\": name the not-found code `{}` of {}",
            kind.not_found_code(),
            kind.a_noun()
        );
    }
}

#[test]
fn every_inventory_diagnostic_code_is_in_docs_errors() {
    let errors = doc("errors.md");
    let source = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/inventory/load.rs"),
    )
    .unwrap_or_default();
    let codes: Vec<&str> = source
        .split("code(")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|code| code.starts_with("ripcord::"))
        .collect();
    assert!(!codes.is_empty(), "no diagnostic codes found in load.rs");
    for code in codes {
        assert!(
            errors.contains(&format!("`{code}`")),
            "docs/errors.md, section \"Inventory\": add a row for `{code}`"
        );
    }
}

#[test]
fn every_operation_has_its_iam_row_in_docs_live() {
    let rows = table_rows(&doc("live.md"), "IAM policy");
    for d in Call::DESCRIPTORS {
        let found = rows_naming(&rows, d);
        assert_eq!(
            found.len(),
            1,
            "docs/live.md, section \"IAM policy\": add exactly one row `| {} | `{}:...` (resources) |`",
            d.name,
            d.service
        );
        let actions = found[0].get(1).map(String::as_str).unwrap_or_default();
        assert!(
            actions.contains(&format!("`{}:", d.service)),
            "docs/live.md IAM row of {}: name its `{}:` action",
            d.name,
            d.service
        );
    }
    assert_eq!(
        rows.len(),
        Call::DESCRIPTORS.len(),
        "docs/live.md IAM table: one row per operation, no others"
    );
}

/// docs/live.md's quota table has one row per bucket of `ripcord_core::quota`, with its rate,
/// burst, source and every operation that draws from it.
#[test]
fn docs_live_quota_table_agrees_with_the_buckets() {
    use ripcord_core::quota::{Source, BUCKETS, OPERATIONS};
    let rows = table_rows(&doc("live.md"), "Quotas and pacing");
    let number = |value: f64| {
        if value.fract() == 0.0 {
            format!("{value:.0}")
        } else {
            format!("{value}")
        }
    };
    for bucket in BUCKETS {
        let name = format!("`{}`", bucket.name);
        let found: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == name).collect();
        assert_eq!(
            found.len(),
            1,
            "docs/live.md, \"Quotas and pacing\": one row `| {name} | scope | operations | rate | burst | source |`"
        );
        let row = found[0];
        assert_eq!(row[3], number(bucket.rate.rate), "rate of {name}");
        assert_eq!(row[4], bucket.rate.burst.to_string(), "burst of {name}");
        match bucket.source {
            Source::Documented(url) => assert!(row[5].contains(url), "{name}: cite {url}"),
            Source::Undocumented(_) => assert!(
                row[5].starts_with("not documented"),
                "{name}: say that AWS documents no number"
            ),
        }
        for (_, operation, _) in OPERATIONS.iter().filter(|(_, _, b)| *b == bucket.name) {
            // RDS's row says "every RDS request" rather than listing fifteen.
            if bucket.name != "rds" {
                assert!(names(&row[2], operation), "{name}: name {operation}");
            }
        }
    }
    assert_eq!(
        rows.len(),
        BUCKETS.len(),
        "docs/live.md quota table: one row per bucket"
    );
}

#[test]
fn every_operation_is_in_docs_step_functions_with_its_task_resource() {
    let rows = table_rows(&doc("step-functions.md"), "What each call sends");
    for d in Call::DESCRIPTORS {
        let found = rows_naming(&rows, d);
        assert!(
            !found.is_empty(),
            "docs/step-functions.md, section \"What each call sends\": add a row (| {} | `resource` | parameters |)",
            d.name
        );
        // SNS Publish is the one optimized integration; the others are AWS SDK integrations.
        let resource = if d.service == "sns" {
            "arn:aws:states:::sns:publish".to_string()
        } else {
            ripcord_core::asl::sdk_resource(d.service, d.name)
        };
        assert!(
            found.iter().any(|row| row
                .get(1)
                .is_some_and(|cell| cell.trim_matches('`') == resource)),
            "docs/step-functions.md: the row of {} should name {resource}",
            d.name
        );
    }
}

/// Every operation says in docs/inverse.md how `plan --inverse` undoes it.
#[test]
fn every_operation_is_in_docs_inverse() {
    let rows = table_rows(&doc("inverse.md"), "How each call is undone");
    for d in Call::DESCRIPTORS {
        let found = rows_naming(&rows, d);
        assert!(
            found.iter().any(|row| row.len() > 1 && !row[1].is_empty()),
            "docs/inverse.md, section \"How each call is undone\": add a row (| {} | how |)",
            d.name
        );
    }
    assert_eq!(
        rows.len(),
        Call::DESCRIPTORS.len(),
        "docs/inverse.md: one row per operation"
    );
}

/// Every attribute a stale-plan guard compares is in docs/step-functions.md, with where it is
/// read; and the table lists no other.
#[test]
fn every_guarded_attribute_is_in_docs_step_functions() {
    let rows = table_rows(&doc("step-functions.md"), "Stale-plan guards");
    let guarded = ripcord_core::asl::guard::guarded_fields();
    for (kind, field, at) in &guarded {
        assert!(
            rows.iter().any(|row| row.len() > 2
                && row[0] == kind.noun()
                && row[1].trim_matches('`') == *field
                && row[2].trim_matches('`') == at),
            "docs/step-functions.md, section \"Stale-plan guards\": add a row (| {} | `{field}` | `{at}` |)",
            kind.noun()
        );
    }
    assert_eq!(
        rows.len(),
        guarded.len(),
        "docs/step-functions.md: one row per guarded attribute"
    );
}
