//! Sending a mutating call so that it takes effect once: ripcord's own retries, with the
//! operation's effect check (`ripcord_core::Effect`) read from AWS whenever an answer is lost.
//!
//! The SDK does not retry mutating requests (`Clients::single_attempt`): a retry after a lost
//! answer is what turns a detached cluster into a failed step ("not a member of global
//! cluster") and one notification into two. Here each attempt ends in one of three ways:
//! answered (success, or a definite refusal), not sent (throttled, no connection: AWS did not
//! carry it out, so it is sent again after a pause), or in doubt (a 5xx, a reset, a timeout,
//! an answer that cannot be read). In doubt, the effect check decides: the effect holds ->
//! the step succeeds, settled, with what was read; it does not hold -> the request is sent
//! again (unless nothing can tell: then it is not, at most once); the check cannot read ->
//! the step fails with the original error and says what is not known.

use crate::context::{Ctx, Stop};
use crate::errors::{is_throttling, Op};
use crate::execute::{client_token, execute};
use crate::query::{describe, find_tagged};
use backon::BackoffBuilder;
use ripcord_core::{BackendError, Call, Effect, ErrorKind, Outcome, Settlement, Verdict};
use serde_json::Value;
use std::time::Duration;

/// Requests sent for one step at most, the first included (as the SDK's standard mode).
pub(crate) const MAX_SENDS: usize = 5;

/// The longest pause between two attempts.
const MAX_PAUSE: Duration = Duration::from_secs(20);

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attempt {
    /// AWS answered (a refusal here: success returns earlier).
    Answered,
    /// AWS did not carry it out: throttled, or no connection was made.
    NotSent,
    /// It may or may not have been carried out.
    InDoubt,
}

fn classify(err: &BackendError) -> Attempt {
    if is_throttling(&err.code) {
        return Attempt::NotSent;
    }
    match err.kind {
        // `reach`: the endpoint is known to be down, nothing was sent.
        ErrorKind::Unreachable
            if matches!(
                err.code.as_str(),
                "RegionUnreachable" | "ControlPlaneUnreachable"
            ) =>
        {
            Attempt::NotSent
        }
        // hyper's words for a connection that could not be opened: the request never left.
        ErrorKind::Unreachable
            if err.code == "DispatchFailure" && err.message.contains("client error (Connect)") =>
        {
            Attempt::NotSent
        }
        ErrorKind::Unreachable => Attempt::InDoubt,
        ErrorKind::Transport if err.code == "ResponseError" => Attempt::InDoubt,
        _ => Attempt::Answered,
    }
}

/// Sends `call` until it is answered or settled (see the module's documentation).
pub(crate) async fn send(
    ctx: &Ctx,
    call: &Call,
    token_seed: &str,
    stop: Stop<'_>,
) -> Result<Outcome, BackendError> {
    let op = Op::new(call.service(), call.operation());
    let effect = call.effect();
    let mut pauses = backon::ExponentialBuilder::default()
        .with_min_delay(ctx.retry_backoff)
        .with_max_delay(MAX_PAUSE)
        .with_max_times(MAX_SENDS - 1)
        .with_jitter()
        .build();
    // What a check comparing with the state before the call needs (a forced failover's
    // zone); without it the check judges the state alone.
    let before = match (effect.needs_before(), effect.read_target()) {
        (true, Some(target)) => describe(ctx, &target).await.ok().flatten(),
        _ => None,
    };
    let mut sent = 0u32;
    // The first error that left the outcome in doubt.
    let mut doubt: Option<BackendError> = None;
    loop {
        stop.check(op)?;
        // A token of the call's AWS bucket, for each attempt: a group's branches queue here
        // instead of being throttled (`crate::pace`); Ctrl-C or a failed branch still stops
        // a long queue.
        stop.until(
            op,
            ctx.pace(call.service(), call.operation(), call.region()),
        )
        .await?;
        sent += 1;
        tracing::debug!(
            service = call.service(),
            operation = call.operation(),
            target = %call.target(),
            attempt = sent,
            "sending"
        );
        let transmitted = transmissions();
        let err = match execute(ctx, call, token_seed).await {
            Ok(outcome) => return Ok(answered(outcome, doubt.as_ref(), sent)),
            Err(err) => err,
        };
        // A lookup that failed before the request left (the SDK retried it already) is the
        // step's answer: nothing was sent, and asking again now would only repeat it.
        if transmissions() == transmitted && doubt.is_none() {
            return Err(err);
        }
        match classify(&err) {
            Attempt::NotSent => {
                if let Some(pause) = pauses.next() {
                    let reason = if is_throttling(&err.code) {
                        format!("throttled ({})", err.code)
                    } else {
                        format!("not sent ({})", err.code)
                    };
                    tell_retry(ctx, call, reason, sent);
                    stop.sleep(op, pause).await?;
                    continue;
                }
                // Out of attempts: an earlier one may still have worked.
                if doubt.is_none() {
                    return Err(err);
                }
            }
            // A definite answer to a request nothing was in doubt about stands (the dry-run's
            // rejections); after a lost answer it may mean "already done" and is checked.
            Attempt::Answered if doubt.is_none() => return Err(err),
            Attempt::Answered => {}
            Attempt::InDoubt => {
                doubt.get_or_insert(err.clone());
            }
        }
        let lost = doubt.clone().unwrap_or_else(|| err.clone());
        tracing::info!(
            operation = call.operation(),
            error = %lost.code,
            "answer in doubt: reading the effect check"
        );
        let (verdict, found) = match check(ctx, call, &effect, token_seed, before.as_ref()).await {
            Ok(read) => read,
            Err(read_err) => return Err(unsettled(lost, &err, sent, &read_err)),
        };
        match verdict {
            Verdict::Holds(evidence) | Verdict::Started(evidence) => {
                let evidence = format!("AWS shows {evidence}");
                return Ok(settled(call, &effect, found, &lost, sent, evidence));
            }
            Verdict::NotHeld(why) => {
                if let Effect::Unobservable { .. } = effect {
                    return Ok(unverified(&lost, sent, why));
                }
                match pauses.next() {
                    Some(pause) => {
                        let reason = format!("answer lost ({}), not done: {why}", lost.code);
                        tell_retry(ctx, call, reason, sent);
                        stop.sleep(op, pause).await?
                    }
                    None => return Err(not_held(lost, &err, sent, &why)),
                }
            }
        }
    }
}

/// Tells the operator that `call` is sent again after `sent` attempts, the last failing for
/// `reason`.
fn tell_retry(ctx: &Ctx, call: &Call, reason: String, sent: u32) {
    ctx.clients.retrying(&crate::Retry {
        service: call.service().to_string(),
        operation: call.operation().to_string(),
        region: call.region().unwrap_or_default().to_string(),
        reason,
        attempt: sent + 1,
        of: MAX_SENDS as u32,
    });
}

/// What an earlier process of the run sent without journaling the answer turned out to be
/// (`apply --resume`).
pub(crate) enum Journaled {
    /// Its effect holds: the step is done.
    Done(Outcome),
    /// It did not take effect: send it again, as a new step.
    NotDone(String),
}

/// Settles a call an earlier process journaled as sent without a result, under the token it
/// was sent with (`token_seed`): the effect check, read from AWS.
pub(crate) async fn journaled(
    ctx: &Ctx,
    call: &Call,
    token_seed: &str,
) -> Result<Journaled, BackendError> {
    let effect = call.effect();
    let (verdict, found) = check(ctx, call, &effect, token_seed, None).await?;
    Ok(match verdict {
        Verdict::Holds(evidence) | Verdict::Started(evidence) => Journaled::Done(Outcome {
            creates: created(call, &effect, found.as_ref()),
            settled: Some(Settlement::journaled(format!("AWS shows {evidence}"), true)),
            ..Outcome::default()
        }),
        Verdict::NotHeld(why) if matches!(effect, Effect::Unobservable { .. }) => {
            Journaled::Done(Outcome {
                warnings: vec![Settlement::journaled_warning(&why)],
                settled: Some(Settlement::journaled(why, false)),
                ..Outcome::default()
            })
        }
        Verdict::NotHeld(why) => Journaled::NotDone(why),
    })
}

/// Requests of the current step transmitted so far (`crate::step::TRANSMITTING`); 0 outside
/// a step.
fn transmissions() -> u32 {
    crate::step::TRANSMITTING
        .try_with(|t| t.sent())
        .unwrap_or(0)
}

/// Reads what the effect check needs and judges it (against `before`, the state before the
/// call, when the check needs one).
async fn check(
    ctx: &Ctx,
    call: &Call,
    effect: &Effect,
    token_seed: &str,
    before: Option<&Value>,
) -> Result<(Verdict, Option<Value>), BackendError> {
    let found = match effect {
        Effect::Tagged { kind, region } => {
            find_tagged(ctx, *kind, region, &client_token(call, token_seed)).await?
        }
        other => match other.read_target() {
            Some(target) => describe(ctx, &target).await?,
            None => None,
        },
    };
    Ok((effect.judge_since(before, found.as_ref()), found))
}

fn label(err: &BackendError) -> String {
    format!("{}: {}", err.code, err.message)
}

/// A success; when an earlier answer was lost, the step says so.
fn answered(outcome: Outcome, doubt: Option<&BackendError>, sent: u32) -> Outcome {
    let Some(lost) = doubt else {
        return outcome;
    };
    Outcome {
        settled: Some(Settlement {
            lost: label(lost),
            sent,
            evidence: format!("sent again, answered on attempt {sent}"),
            verified: true,
        }),
        ..outcome
    }
}

/// What a settled call created: the resource its tag search found, else the identifier the
/// runbook gave (`None` for a call that creates nothing).
fn created(call: &Call, effect: &Effect, found: Option<&Value>) -> Option<String> {
    match effect {
        Effect::Tagged { .. } => found
            .and_then(|f| f.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => call.given_id(),
    }
}

/// The effect holds: the step succeeded, as read from AWS.
fn settled(
    call: &Call,
    effect: &Effect,
    found: Option<Value>,
    lost: &BackendError,
    sent: u32,
    evidence: String,
) -> Outcome {
    Outcome {
        creates: created(call, effect, found.as_ref()),
        settled: Some(Settlement {
            lost: label(lost),
            sent,
            evidence,
            verified: true,
        }),
        ..Outcome::default()
    }
}

/// An answer lost where nothing can tell whether the request worked: not sent again.
fn unverified(lost: &BackendError, sent: u32, why: String) -> Outcome {
    let warning = format!(
        "the answer was lost ({}); it is not sent again, because {why}: it may not have taken effect, check by hand",
        label(lost)
    );
    Outcome {
        warnings: vec![warning],
        settled: Some(Settlement {
            lost: label(lost),
            sent,
            evidence: why,
            verified: false,
        }),
        ..Outcome::default()
    }
}

/// The effect did not hold after every attempt.
fn not_held(lost: BackendError, last: &BackendError, sent: u32, why: &str) -> BackendError {
    let help = format!(
        "sent {sent} times; the answer to one was lost ({}), the last answer was {}; AWS's state says the effect does not hold: {why}. Nothing else was changed by this step; run it again when the service answers",
        label(&lost),
        label(last)
    );
    BackendError {
        help: Some(help),
        ..last.clone()
    }
}

/// The answer was lost and AWS's state could not be read to settle it.
fn unsettled(
    lost: BackendError,
    last: &BackendError,
    sent: u32,
    read_err: &BackendError,
) -> BackendError {
    let help = format!(
        "sent {sent} times, the outcome is not known: the answer was lost ({}) and reading AWS to settle it failed ({} {}: {}); check the resource before running the step again",
        label(last),
        read_err.service,
        read_err.operation,
        label(read_err)
    );
    BackendError {
        help: Some(help),
        ..lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(kind: ErrorKind, code: &str, message: &str) -> BackendError {
        BackendError::new(kind, "rds", "RemoveFromGlobalCluster", code, message)
    }

    #[test]
    fn attempts_are_classified_by_what_aws_may_have_done() {
        use Attempt::*;
        let cases = [
            (
                err(ErrorKind::Rejected, "Throttling", "Rate exceeded"),
                NotSent,
            ),
            (
                err(ErrorKind::Unreachable, "RegionUnreachable", "down"),
                NotSent,
            ),
            (
                err(
                    ErrorKind::Unreachable,
                    "DispatchFailure",
                    "io error: client error (Connect): refused",
                ),
                NotSent,
            ),
            (
                err(
                    ErrorKind::Unreachable,
                    "DispatchFailure",
                    "connection reset",
                ),
                InDoubt,
            ),
            (
                err(ErrorKind::Unreachable, "Http503", "no message"),
                InDoubt,
            ),
            (
                err(ErrorKind::Unreachable, "RequestTimeout", "timed out"),
                InDoubt,
            ),
            (
                err(ErrorKind::Transport, "ResponseError", "unreadable"),
                InDoubt,
            ),
            (
                err(
                    ErrorKind::Rejected,
                    "InvalidDBClusterStateFault",
                    "not a member",
                ),
                Answered,
            ),
            (
                err(ErrorKind::NotFound, "DBClusterNotFoundFault", "gone"),
                Answered,
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(classify(&error), expected, "{error}");
        }
    }
}
