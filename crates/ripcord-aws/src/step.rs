//! One journaled step (a call, a wait or a check): intent, request(s), outcome, measured time.

use crate::context::{Ctx, Stop};
use crate::errors::Op;
use ripcord_core::{BackendError, Call, CheckSpec, Endpoint, Intent, Journal, Outcome, WaitSpec};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

tokio::task_local! {
    /// The call being sent by this task: the mutating clients' interceptor
    /// (`Clients::single_attempt`) counts each transmission of its request and marks the
    /// first in the journal, just before it leaves.
    pub(crate) static TRANSMITTING: Transmit;
}

/// A call's transmissions: how many requests left, and the journal that hears of the first
/// (`Journal::sending`): a process killed before that sent nothing for the step.
pub(crate) struct Transmit {
    journal: Option<(Arc<dyn Journal>, u64)>,
    sent: AtomicU32,
}

impl Transmit {
    pub(crate) fn mark(&self) {
        if self.sent.fetch_add(1, Ordering::SeqCst) == 0 {
            if let Some((journal, seq)) = &self.journal {
                journal.sending(*seq);
            }
        }
    }

    /// Requests transmitted so far.
    pub(crate) fn sent(&self) -> u32 {
        self.sent.load(Ordering::SeqCst)
    }
}

/// A step the backend carries out and journals.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Call(Call),
    Wait(WaitSpec),
    Check(CheckSpec),
}

impl Step {
    pub(crate) fn op(&self) -> Op {
        match self {
            Step::Call(call) => Op::new(call.service(), call.operation()),
            Step::Wait(wait) => Op::new(wait.target.kind().service(), wait.operation()),
            Step::Check(check) => Op::new(check.service(), check.operation()),
        }
    }

    /// Where the step is sent (`ripcord_core::Endpoint`), for outages.
    fn endpoint(&self) -> Endpoint {
        match self {
            Step::Call(call) => Endpoint::of_call(call),
            Step::Wait(wait) => Endpoint::of_target(&wait.target),
            Step::Check(check) => Endpoint::of_check(check),
        }
    }

    fn intent(&self) -> Intent {
        match self {
            Step::Call(call) => Intent::Call { call: call.clone() },
            Step::Wait(wait) => Intent::Wait { wait: wait.clone() },
            Step::Check(check) => Intent::Check {
                check: check.clone(),
            },
        }
    }

    /// Runs the step: nothing is sent before the journal holds its intent.
    pub(crate) async fn run(
        &self,
        ctx: &Ctx,
        journal: Option<&Arc<dyn Journal>>,
        stop: Stop<'_>,
    ) -> Result<Outcome, BackendError> {
        let op = self.op();
        stop.check(op)?;
        let seq = match journal {
            Some(journal) => Some(journal.intent(&self.intent()).map_err(|message| {
                op.transport(
                    "JournalFailed",
                    format!("the step was not sent: its intent could not be journaled: {message}"),
                )
                .with_help("ripcord never sends a request the journal does not know about; fix the journal's storage and run again")
            })?),
            None => None,
        };
        let started = std::time::Instant::now();
        let endpoint = self.endpoint();
        // What is known not to answer fails at once, as the dry-run said it would, instead of
        // spending the SDK's retries on it; the journal still shows the step and why.
        let result = match ctx.reach(op, &endpoint) {
            Err(err) => Err(err),
            Ok(()) => match self {
                Step::Call(call) => {
                    let seed = ctx.token_seed(seq);
                    let transmit = Transmit {
                        journal: journal.cloned().zip(seq),
                        sent: AtomicU32::new(0),
                    };
                    TRANSMITTING
                        .scope(transmit, crate::settle::send(ctx, call, &seed, stop))
                        .await
                }
                Step::Wait(wait) => crate::wait::wait(ctx, wait, stop).await,
                Step::Check(check) => crate::check::check(ctx, check).await,
            },
        };
        if let (Err(err), Step::Wait(_) | Step::Check(_)) = (&result, self) {
            ctx.note_failed_read(&endpoint, err);
        }
        let elapsed = started.elapsed();
        let result = result.map(|outcome| Outcome {
            // Whole seconds, rounded to the nearest: the plan's resolution.
            duration_secs: (elapsed.as_millis().saturating_add(500) / 1000)
                .try_into()
                .unwrap_or(u64::MAX),
            ..outcome
        });
        if let (Some(journal), Some(seq)) = (journal, seq) {
            let ms = elapsed.as_millis().try_into().unwrap_or(u64::MAX);
            journal.finished(seq, result.as_ref(), ms);
        }
        result
    }

    /// The step with every placeholder id (`pending:N`) that `known` maps replaced by the real
    /// id; `Err(placeholder)` names one that is issued (`issued`) but not known yet.
    pub(crate) fn substitute(
        &self,
        known: &HashMap<String, String>,
        issued: &dyn Fn(&str) -> bool,
    ) -> Result<Step, String> {
        Ok(match self {
            Step::Call(call) => Step::Call(substitute(call, known, issued)?),
            Step::Wait(wait) => Step::Wait(substitute(wait, known, issued)?),
            Step::Check(check) => Step::Check(substitute(check, known, issued)?),
        })
    }
}

/// Replaces placeholder strings anywhere in a serializable value.
pub(crate) fn substitute<T: Serialize + DeserializeOwned + Clone>(
    value: &T,
    known: &HashMap<String, String>,
    issued: &dyn Fn(&str) -> bool,
) -> Result<T, String> {
    // Calls, waits, checks and targets are plain data with string keys: the round trip
    // through JSON cannot fail, and if it did the value is used unchanged.
    let Ok(mut json) = serde_json::to_value(value) else {
        return Ok(value.clone());
    };
    let mut unresolved = None;
    replace_strings(&mut json, &mut |s: &mut String| {
        if let Some(real) = known.get(s.as_str()) {
            *s = real.clone();
        } else if issued(s) && unresolved.is_none() {
            unresolved = Some(s.clone());
        }
    });
    if let Some(placeholder) = unresolved {
        return Err(placeholder);
    }
    Ok(serde_json::from_value(json).unwrap_or_else(|_| value.clone()))
}

fn replace_strings(value: &mut serde_json::Value, f: &mut dyn FnMut(&mut String)) {
    match value {
        serde_json::Value::String(s) => f(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| replace_strings(v, f)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| replace_strings(v, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ripcord_core::{Target, WaitState};

    #[test]
    fn placeholders_are_replaced_where_known() {
        let wait = Step::Wait(WaitSpec {
            target: Target::EbsSnapshot {
                name: "pending:1".into(),
                region: "us-west-2".into(),
            },
            until: WaitState::Completed,
            timeout_secs: 60,
        });
        let known = HashMap::from([("pending:1".to_string(), "snap-0123".to_string())]);
        let issued = |s: &str| s.starts_with("pending:");
        match wait.substitute(&known, &issued) {
            Ok(Step::Wait(spec)) => assert_eq!(spec.target.name(), "snap-0123"),
            other => panic!("unexpected {other:?}"),
        }
        let other = HashMap::from([("pending:2".to_string(), "snap-9".to_string())]);
        assert_eq!(
            wait.substitute(&other, &issued),
            Err("pending:1".to_string())
        );
    }
}
