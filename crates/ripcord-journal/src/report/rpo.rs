//! The recovery point a run achieved: the replication lag of each database it cut over, as
//! last read before the cutover.

use super::step::{since, ReportStep};
use crate::record::{Entry, Observation, Record};
use ripcord_core::{Intent, Inventory, Query, ResourceKind, Target};

/// Where a lag was read.
#[derive(Debug, Clone, PartialEq)]
pub enum LagSource {
    /// A query answer the runbook read during the run (`replica_lag`, a describe), journaled
    /// at `at`.
    Observed { at: String, offset_ms: u64 },
    /// The capture the run planned against (`inventory.json`), taken at `captured_at`.
    Captured { captured_at: String },
}

/// The replication lag of one database at its cutover: how much the standby was behind, so
/// how many seconds of writes the cutover may have left behind.
#[derive(Debug, Clone, PartialEq)]
pub struct LagReading {
    pub target: Target,
    /// The step that cut it over: the run's first mutating call on it.
    pub cutover_seq: u64,
    pub cutover_label: String,
    /// Seconds; `None` when a reading exists but reported no lag value.
    pub lag_secs: Option<i64>,
    /// `None`: the lag was never read, neither during the run nor at capture.
    pub source: Option<LagSource>,
}

impl LagReading {
    /// `DB cluster dr-aurora-cluster (us-west-2)`.
    pub fn resource(&self) -> String {
        super::resource_label(&self.target)
    }

    /// Where and when it was read, in words.
    pub fn source_text(&self) -> String {
        match &self.source {
            Some(LagSource::Observed { at, offset_ms }) => format!(
                "read by the runbook at {} ({at})",
                super::format::offset(*offset_ms)
            ),
            Some(LagSource::Captured { captured_at }) => {
                format!("at capture ({captured_at}, inventory.json)")
            }
            None => "never read".to_string(),
        }
    }
}

/// The lag field a resource of this kind carries (`docs/inventory.md`).
fn lag_field(kind: ResourceKind) -> Option<&'static str> {
    match kind {
        ResourceKind::DbCluster => Some("replication_lag_secs"),
        ResourceKind::DbInstance => Some("replica_lag_secs"),
        _ => None,
    }
}

/// Whether `intent` is a mutating call on `target`: its target, or a key argument that names
/// it (FailoverGlobalCluster's TargetDbCluster, by identifier or ARN).
fn acts_on(intent: &Intent, target: &Target) -> bool {
    let Intent::Call { call } = intent else {
        return false;
    };
    if call.target() == *target {
        return true;
    }
    let name = target.name();
    call.region() == target.region()
        && call
            .key_arguments()
            .iter()
            .any(|(_, v)| v == name || v.strip_suffix(name).is_some_and(|rest| rest.ends_with(':')))
}

/// The lag at cutover of every database the run cut over: the last reading before its first
/// mutating call, from the journal's query answers, else from the capture.
pub(crate) fn lag_at_cutover(
    records: &[Record],
    steps: &[ReportStep],
    inventory: Option<&Inventory>,
    start: Option<jiff::Timestamp>,
) -> Vec<LagReading> {
    // The databases: every one the runbook read a lag of, and every one a call targets.
    let mut databases: Vec<Target> = Vec::new();
    for record in records {
        if let Entry::Observed(Observation::Answer {
            query: Query::Describe { target },
            ..
        }) = &record.entry
        {
            if lag_field(target.kind()).is_some() && !databases.contains(target) {
                databases.push(target.clone());
            }
        }
    }
    for step in steps.iter().filter(|s| s.counts()) {
        if let Intent::Call { call } = &step.intent {
            let target = call.target();
            if lag_field(target.kind()).is_some() && !databases.contains(&target) {
                databases.push(target);
            }
        }
    }
    let mut readings = Vec::new();
    for target in databases {
        let Some(field) = lag_field(target.kind()) else {
            continue;
        };
        let Some(cutover) = steps
            .iter()
            .filter(|s| s.counts())
            .find(|s| acts_on(&s.intent, &target))
        else {
            continue;
        };
        // The journal is in write order: the answers before the cutover's intent record.
        let before = records
            .iter()
            .take_while(|r| !matches!(&r.entry, Entry::Intent { seq, .. } if *seq == cutover.seq))
            .filter_map(|r| match &r.entry {
                Entry::Observed(Observation::Answer {
                    query: Query::Describe { target: read },
                    answer,
                }) if *read == target => Some((r, answer)),
                _ => None,
            })
            .filter_map(|(r, answer)| {
                let answer = answer.as_ref()?;
                Some((r, answer.get(field).and_then(|v| v.as_i64())))
            })
            .last();
        let (lag_secs, source) = match before {
            Some((record, lag)) => (
                lag,
                Some(LagSource::Observed {
                    at: record.at.clone(),
                    offset_ms: since(start, &record.at),
                }),
            ),
            None => match inventory.and_then(|inv| captured_lag(inv, &target)) {
                Some((lag, captured_at)) => (lag, Some(LagSource::Captured { captured_at })),
                None => (None, None),
            },
        };
        readings.push(LagReading {
            target,
            cutover_seq: cutover.seq,
            cutover_label: cutover.label(),
            lag_secs,
            source,
        });
    }
    readings
}

/// The lag the capture recorded for `target`, with the capture's time; `None` when the
/// capture does not hold the database.
fn captured_lag(inventory: &Inventory, target: &Target) -> Option<(Option<i64>, String)> {
    let region = inventory.regions.get(target.region()?)?;
    let lag = match target.kind() {
        ResourceKind::DbCluster => {
            region
                .db_clusters
                .iter()
                .find(|c| c.id == target.name())?
                .replication_lag_secs
        }
        ResourceKind::DbInstance => {
            region
                .db_instances
                .iter()
                .find(|i| i.id == target.name())?
                .replica_lag_secs
        }
        _ => return None,
    };
    Some((lag, inventory.captured_at.to_string()))
}
