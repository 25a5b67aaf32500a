//! The evidence report of a run (`ripcord runs report`): what an auditor, a ticket or a pull
//! request needs to know of a drill or a real failover, read from its journal alone, plus the
//! plan's estimate the caller recomputes.
//!
//! [`EvidenceReport::build`] gathers it (steps in order with times, results and details,
//! lanes of steps that overlapped in time, approvals, the RTO and RPO verdicts, what the run
//! left changed); [`render_markdown`] and [`render_html`] write it, the HTML page with an SVG
//! timeline ([`timeline_svg`]).

mod estimate;
mod format;
mod html;
mod left;
mod markdown;
mod rpo;
mod step;
mod svg;
#[cfg(test)]
mod tests;

pub use estimate::{Estimate, PlannedStep};
pub use html::{html_page, render_html, render_html_section};
pub use left::LeftChange;
pub use markdown::render_markdown;
pub use rpo::{LagReading, LagSource};
pub use step::{ReportStep, StepResult};
pub use svg::timeline_svg;

use crate::reader::Run;
use crate::record::{Entry, RunStatus};
use format::millis;
use ripcord_core::duration::format_duration;
use ripcord_core::{Intent, Inventory, Target};

/// A verdict against an objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    Missed,
    /// The run did not recover (or nothing was measured), so it cannot have met it.
    NotMet,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "missed",
            Verdict::NotMet => "not met",
        }
    }
}

/// A later process that took the run over (`apply --resume`).
#[derive(Debug, Clone, PartialEq)]
pub struct Resumption {
    pub at: String,
    pub offset_ms: u64,
    pub pid: u32,
    pub next_seq: u64,
}

/// The estimate as the report states it.
#[derive(Debug, Clone, PartialEq)]
pub enum EstimateSummary {
    Available {
        total_secs: u64,
        note: Option<String>,
        /// Where the plan stops when it does not complete (an outage it was made in).
        stops: Option<String>,
    },
    Unavailable(String),
}

/// An approval of the run: the question, who answered and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    pub seq: u64,
    pub message: String,
    /// `None` when it was refused, or has no result.
    pub approved_by: Option<String>,
    /// When it was answered (its result's time).
    pub at: Option<String>,
    /// Its result in words (`ok`, `error ripcord::refused: ...`).
    pub result: String,
}

/// Everything the report says of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceReport {
    pub run_id: String,
    /// The runbook's declared name.
    pub name: Option<String>,
    pub mode: String,
    pub runbook_path: String,
    pub runbook_sha256: String,
    pub account: Option<String>,
    /// Who ran it. The journal does not record the operating-system user today, so this is
    /// `None` (the report says "not recorded"); approvals name their approver.
    pub operator: Option<String>,
    pub ripcord_version: String,
    pub inventory_file: String,
    pub inventory_sha256: String,
    /// The run's first record (RFC 3339).
    pub started_at: Option<String>,
    /// Its end record, else its last record.
    pub ended_at: Option<String>,
    pub status: Option<RunStatus>,
    /// For a run without an end record, what the caller knows of it (`in progress`,
    /// `killed`); `None`: the report says it has no end record.
    pub unfinished: Option<String>,
    pub error: Option<String>,
    /// Milliseconds from the first record to the end record (or the last record).
    pub total_ms: u64,
    pub rto_secs: Option<u64>,
    pub rpo_secs: Option<u64>,
    pub steps: Vec<ReportStep>,
    pub resumes: Vec<Resumption>,
    pub estimate: EstimateSummary,
    /// Planned steps no journaled step matched (not started, or another path taken).
    pub not_started: Vec<String>,
    pub lags: Vec<LagReading>,
    pub left: Vec<LeftChange>,
    /// Why `inventory.json` could not be read, if it could not.
    pub inventory_problem: Option<String>,
}

/// `DB cluster dr-aurora-cluster (us-west-2)`.
pub(crate) fn resource_label(target: &Target) -> String {
    match target.region() {
        Some(region) => format!("{} {target} ({region})", target.kind().noun()),
        None => format!("{} {target}", target.kind().noun()),
    }
}

impl EvidenceReport {
    /// Reads the report out of `run` (and its `inventory.json`), beside `estimate`.
    pub fn build(run: &Run, estimate: &Estimate) -> EvidenceReport {
        let header = run.header();
        let start = run
            .records
            .first()
            .and_then(|r| r.at.parse::<jiff::Timestamp>().ok());
        let finished = run.records.iter().rev().find_map(|r| match &r.entry {
            Entry::Finished {
                status,
                error,
                rto_secs,
                ..
            } => Some((r.at.clone(), *status, error.clone(), *rto_secs)),
            _ => None,
        });
        let ended_at = finished
            .as_ref()
            .map(|f| f.0.clone())
            .or_else(|| run.records.last().map(|r| r.at.clone()));
        let total_ms = ended_at
            .as_deref()
            .map(|at| step::since(start, at))
            .unwrap_or(0);

        let mut steps = step::journaled_steps(&run.records, start);
        let taking_part: Vec<Option<&Intent>> = steps
            .iter()
            .map(|s| s.counts().then_some(&s.intent))
            .collect();
        let (planned, not_started) = estimate.match_steps(&taking_part);
        for (step, planned) in steps.iter_mut().zip(planned) {
            step.planned = planned;
        }
        step::assign_lanes(&mut steps, total_ms);

        let inventory_path = header.map(|h| run.dir.join(&h.inventory_file));
        let inventory = inventory_path.as_deref().map(Inventory::load);
        let inventory_problem = match &inventory {
            Some(Err(err)) => Some(err.to_string()),
            None => Some("the journal has no header naming it".to_string()),
            Some(Ok(_)) => None,
        };
        let inventory = inventory
            .and_then(|i| i.ok())
            .map(|(inventory, _)| inventory);
        let lags = rpo::lag_at_cutover(&run.records, &steps, inventory.as_ref(), start);
        let left = left::left_changed(&steps);

        let resumes = run
            .records
            .iter()
            .filter_map(|r| match &r.entry {
                Entry::Resumed { pid, next_seq } => Some(Resumption {
                    at: r.at.clone(),
                    offset_ms: step::since(start, &r.at),
                    pid: *pid,
                    next_seq: *next_seq,
                }),
                _ => None,
            })
            .collect();
        let estimate = match estimate {
            Estimate::Plan { plan, note } => EstimateSummary::Available {
                total_secs: plan.total_secs,
                note: note.clone(),
                stops: plan.failure.as_ref().map(|f| match &f.origin {
                    Some(origin) => format!("{} at {}:{}", f.message, origin.file, origin.line),
                    None => f.message.clone(),
                }),
            },
            Estimate::Unavailable(why) => EstimateSummary::Unavailable(why.clone()),
        };
        let meta = header.map(|h| h.meta.clone()).unwrap_or_default();
        EvidenceReport {
            run_id: header
                .map(|h| h.run_id.clone())
                .or_else(|| {
                    run.dir
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                })
                .unwrap_or_default(),
            name: meta.name.clone(),
            mode: header.map(|h| h.mode.clone()).unwrap_or_default(),
            runbook_path: header.map(|h| h.runbook_path.clone()).unwrap_or_default(),
            runbook_sha256: header.map(|h| h.runbook_sha256.clone()).unwrap_or_default(),
            account: header.and_then(|h| h.account.clone()),
            operator: None,
            ripcord_version: header
                .map(|h| h.ripcord_version.clone())
                .unwrap_or_default(),
            inventory_file: header.map(|h| h.inventory_file.clone()).unwrap_or_default(),
            inventory_sha256: header
                .map(|h| h.inventory_sha256.clone())
                .unwrap_or_default(),
            started_at: run.records.first().map(|r| r.at.clone()),
            ended_at,
            status: run.status(),
            unfinished: None,
            error: finished.as_ref().and_then(|f| f.2.clone()),
            total_ms,
            rto_secs: finished.as_ref().and_then(|f| f.3).or(meta.rto_secs),
            rpo_secs: meta.rpo_secs,
            steps,
            resumes,
            estimate,
            not_started,
            lags,
            left,
            inventory_problem,
        }
    }

    /// The approvals, in order.
    pub fn approvals(&self) -> Vec<Approval> {
        self.steps
            .iter()
            .filter(|s| s.counts())
            .filter_map(|s| match &s.intent {
                Intent::Approval { message } => Some(Approval {
                    seq: s.seq,
                    message: message.clone(),
                    approved_by: s.outcome.as_ref().and_then(|o| o.approved_by.clone()),
                    at: s.result_at.clone(),
                    result: s.result_text(),
                }),
                _ => None,
            })
            .collect()
    }

    /// The status in a word: `completed`, `failed`, ..., or what is known of a run without an
    /// end record.
    pub fn status_text(&self) -> String {
        match (self.status, &self.unfinished) {
            (Some(status), _) => status.as_str().to_string(),
            (None, Some(what)) => format!("no end record: {what}"),
            (None, None) => "no end record (still going on, or its process was killed)".to_string(),
        }
    }

    /// The measured recovery time against the RTO: the verdict (none without an RTO) and the
    /// sentence.
    pub fn rto_verdict(&self) -> (Option<Verdict>, String) {
        let measured = millis(self.total_ms);
        match (self.status, self.rto_secs) {
            (Some(RunStatus::Completed), Some(rto)) => {
                let rto_ms = rto.saturating_mul(1000);
                if self.total_ms <= rto_ms {
                    (
                        Some(Verdict::Met),
                        format!(
                            "Recovered in {measured} against an RTO of {}: met, {} to spare.",
                            format_duration(rto),
                            millis(rto_ms - self.total_ms)
                        ),
                    )
                } else {
                    (
                        Some(Verdict::Missed),
                        format!(
                            "Recovered in {measured} against an RTO of {}: missed by {}.",
                            format_duration(rto),
                            millis(self.total_ms - rto_ms)
                        ),
                    )
                }
            }
            (Some(RunStatus::Completed), None) => (
                None,
                format!("Recovered in {measured}; the runbook declares no RTO."),
            ),
            (Some(status), rto) => (
                rto.map(|_| Verdict::NotMet),
                format!(
                    "The run ended {} after {measured}: not recovered{}.",
                    status.as_str(),
                    rto.map(|rto| format!(", so this run did not meet the RTO of {}", format_duration(rto)))
                        .unwrap_or_default()
                ),
            ),
            (None, rto) => (
                rto.map(|_| Verdict::NotMet),
                format!(
                    "No end record after {measured} ({}): not recovered as far as the journal shows{}.",
                    self.unfinished.as_deref().unwrap_or("still going on, or its process was killed"),
                    rto.map(|rto| format!(", so the RTO of {} is not shown met", format_duration(rto)))
                        .unwrap_or_default()
                ),
            ),
        }
    }

    /// The measured time against the plan's estimate, in a sentence.
    pub fn estimate_sentence(&self) -> String {
        match &self.estimate {
            EstimateSummary::Unavailable(why) => {
                format!("The plan's estimate is unavailable: {why}.")
            }
            EstimateSummary::Available {
                total_secs,
                note,
                stops,
            } => {
                let estimate_ms = total_secs.saturating_mul(1000);
                let mut text = format!(
                    "The plan estimated {} (recomputed: {} at the journaled SHA-256, planned against the run's {})",
                    format_duration(*total_secs),
                    self.runbook_path,
                    self.inventory_file
                );
                if let Some(note) = note {
                    text.push_str("; ");
                    text.push_str(note);
                }
                text.push('.');
                if let Some(stops) = stops {
                    text.push_str(&format!(
                        " The plan stops before its end ({stops}): the estimate covers the steps before that point."
                    ));
                }
                let measured = millis(self.total_ms);
                let compared = if self.total_ms <= estimate_ms {
                    format!("{} under the estimate", millis(estimate_ms - self.total_ms))
                } else {
                    format!("{} over the estimate", millis(self.total_ms - estimate_ms))
                };
                text.push_str(&format!(" Measured {measured}: {compared}."));
                text
            }
        }
    }

    /// The achieved RPO against the runbook's: the verdict (none without an RPO or a
    /// measurement) and the sentence.
    pub fn rpo_verdict(&self) -> (Option<Verdict>, String) {
        let worst = self.lags.iter().filter_map(|l| l.lag_secs).max();
        let Some(worst) = worst else {
            let why = if self.lags.is_empty() {
                "the run cut over no database whose replication lag can be read"
            } else {
                "no replication lag was read before the cutover, neither during the run nor at capture"
            };
            return (
                None,
                format!(
                    "Achieved RPO: not measured ({why}){}.",
                    self.rpo_secs
                        .map(|rpo| format!("; the runbook's RPO is {}", format_duration(rpo)))
                        .unwrap_or_default()
                ),
            );
        };
        let lag = format_duration(u64::try_from(worst).unwrap_or(0));
        let achieved = format!(
            "Achieved RPO: {lag} (the largest replication lag read before a cutover: up to {lag} of writes may not have reached the standby)"
        );
        match self.rpo_secs {
            None => (None, format!("{achieved}; the runbook declares no RPO.")),
            Some(rpo) if worst <= i64::try_from(rpo).unwrap_or(i64::MAX) => (
                Some(Verdict::Met),
                format!(
                    "{achieved} against an RPO of {}: met.",
                    format_duration(rpo)
                ),
            ),
            Some(rpo) => (
                Some(Verdict::Missed),
                format!(
                    "{achieved} against an RPO of {}: missed by {}.",
                    format_duration(rpo),
                    format_duration(u64::try_from(worst).unwrap_or(0).saturating_sub(rpo))
                ),
            ),
        }
    }

    /// Whether any steps overlapped in time (ran in parallel).
    pub fn has_parallel(&self) -> bool {
        self.steps.iter().any(|s| !s.overlaps.is_empty())
    }
}
