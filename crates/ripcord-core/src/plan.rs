//! The plan: the ordered record of every step a run makes, as stable, versioned data.

use crate::step::{Step, StepKind};
use serde::{Deserialize, Serialize};

/// The version of the plan's JSON schema (`docs/plan-schema.md`); bumped on any breaking change.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// What a runbook declares about itself through `runbook(#{...})`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RunbookMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Recovery time objective, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto_secs: Option<u64>,
    /// Recovery point objective, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo_secs: Option<u64>,
    /// AWS account ids the runbook may run against (the live account guard).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    /// Regions the runbook may touch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
}

/// The runbook a plan was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookInfo {
    pub path: String,
    /// SHA-256 of the runbook source, hex.
    pub sha256: String,
    #[serde(flatten)]
    pub meta: RunbookMeta,
}

/// The inventory (simulated world) a dry-run planned against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryInfo {
    pub path: String,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// When the state was captured; the dry-run's virtual clock starts here.
    pub captured_at: String,
    /// What the plan was made without: regions, services and control planes that did not
    /// answer the capture, or that `plan --down` took down (the inventory's `unreachable`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<crate::inventory::Unreachable>,
}

/// A top-level entry of the plan: a step, or a parallel group of branches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "item", rename_all = "snake_case")]
// Nearly every item is a step; boxing them would cost an allocation each for nothing.
#[allow(clippy::large_enum_variant)]
pub enum PlanItem {
    Step(Step),
    Parallel(ParallelGroup),
}

/// Steps that may run concurrently: each branch is sequential, branches overlap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParallelGroup {
    pub at_secs: u64,
    /// The longest branch, or longer when AWS's request quotas pace its calls (`notes`).
    pub duration_secs: u64,
    pub branches: Vec<Vec<Step>>,
    /// Why the group takes longer than its longest branch: the request quotas that pace its
    /// calls (`ripcord_core::quota`), one note per bucket.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Why a run stopped before the end of the runbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFailure {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<crate::step::Origin>,
}

/// Counts for the one-screen summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PlanCounts {
    pub steps: u32,
    pub calls: u32,
    pub waits: u32,
    pub checks: u32,
    pub approvals: u32,
    pub parallel_groups: u32,
}

/// The plan of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub schema_version: u32,
    pub runbook: RunbookInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<InventoryInfo>,
    pub items: Vec<PlanItem>,
    pub counts: PlanCounts,
    /// Estimated (dry-run) or measured (live) seconds from start to end.
    pub total_secs: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<PlanFailure>,
    /// What the runbook read from the clock, in order: text a message may quote that reads
    /// differently when the plan runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clock: Vec<crate::ClockRead>,
}

impl Plan {
    pub fn new(runbook: RunbookInfo, inventory: Option<InventoryInfo>) -> Plan {
        Plan {
            schema_version: PLAN_SCHEMA_VERSION,
            runbook,
            inventory,
            items: Vec::new(),
            counts: PlanCounts::default(),
            total_secs: 0,
            failure: None,
            clock: Vec::new(),
        }
    }

    /// Every step in order, parallel branches flattened branch by branch.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.items
            .iter()
            .flat_map(|item| -> Box<dyn Iterator<Item = &Step>> {
                match item {
                    PlanItem::Step(step) => Box::new(std::iter::once(step)),
                    PlanItem::Parallel(group) => Box::new(group.branches.iter().flatten()),
                }
            })
    }

    /// By how many seconds the estimated total exceeds the runbook's RTO: `None` within it,
    /// without one, or when the plan stops on a failure (which is worse).
    pub fn rto_exceeded_by(&self) -> Option<u64> {
        match (&self.failure, self.runbook.meta.rto_secs) {
            (None, Some(rto)) if self.total_secs > rto => Some(self.total_secs - rto),
            _ => None,
        }
    }

    /// The warnings of every step.
    pub fn warning_count(&self) -> usize {
        self.steps().map(|step| step.warnings.len()).sum()
    }

    /// Recomputes `counts` from the items.
    pub fn recount(&mut self) {
        let mut counts = PlanCounts::default();
        for item in &self.items {
            if matches!(item, PlanItem::Parallel(_)) {
                counts.parallel_groups += 1;
            }
        }
        for step in self.steps() {
            match step.kind {
                StepKind::Note { .. } => continue,
                StepKind::Call { .. } => counts.calls += 1,
                StepKind::Wait { .. } => counts.waits += 1,
                StepKind::Check { .. } => counts.checks += 1,
                StepKind::Approval { .. } => counts.approvals += 1,
            }
            counts.steps += 1;
        }
        self.counts = counts;
    }
}
