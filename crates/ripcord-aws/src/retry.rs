//! `Retry`: a request being sent again, told to the operator as it happens, so that a silent
//! minute of throttling or lost answers is never a mystery.

use aws_runtime::retries::classifiers::{THROTTLING_ERRORS, TRANSIENT_ERRORS};
use std::fmt;
use std::sync::Arc;

/// One more attempt of a request, about to be sent after a failed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    /// The AWS service (`ec2`, `route53`, ...).
    pub service: String,
    /// The API operation (`DescribeAutoScalingGroups`).
    pub operation: String,
    /// The region the request goes to; empty for a global endpoint (Route 53, S3 bucket
    /// configuration).
    pub region: String,
    /// Why the last attempt failed: `throttled (Throttling)`, `no answer (timed out)`,
    /// `HTTP 503`.
    pub reason: String,
    /// The attempt about to be sent (2 for the first retry).
    pub attempt: u32,
    /// How many attempts the request may have in all.
    pub of: u32,
}

impl fmt::Display for Retry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.service, self.operation)?;
        if !self.region.is_empty() {
            write!(f, " in {}", self.region)?;
        }
        write!(
            f,
            ": {}, attempt {} of {}",
            self.reason, self.attempt, self.of
        )
    }
}

/// Who is told of each retry (the CLI's progress display); called from the SDK's tasks, so
/// it must not block.
pub type RetryObserver = Arc<dyn Fn(&Retry) + Send + Sync>;

/// Why an answer with `status` and `body` failed, in the operator's words; `None` for a
/// success or a refusal (4xx other than throttling), which the SDK does not retry.
pub(crate) fn answer_failure(status: u16, body: &[u8]) -> Option<String> {
    let code = error_code(body);
    match code {
        // The SDK's own lists: what it retries as throttling, and as transient.
        Some(code) if THROTTLING_ERRORS.contains(&code.as_str()) => {
            Some(format!("throttled ({code})"))
        }
        Some(code) if TRANSIENT_ERRORS.contains(&code.as_str()) => Some(code),
        _ if status == 429 => Some("throttled (HTTP 429)".to_string()),
        _ if status >= 500 => Some(match code {
            Some(code) => format!("HTTP {status} ({code})"),
            None => format!("HTTP {status}"),
        }),
        _ => None,
    }
}

/// The error code of an AWS error body: `<Code>` in the XML protocols, `__type` (after any
/// `#`) in the JSON ones.
fn error_code(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    if let Some(start) = text.find("<Code>") {
        let rest = &text[start + "<Code>".len()..];
        return rest
            .find("</Code>")
            .map(|end| rest[..end].trim().to_string());
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let code = value
        .get("__type")
        .or_else(|| value.get("code"))?
        .as_str()?;
    Some(code.rsplit('#').next().unwrap_or(code).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_is_named_by_its_code() {
        let xml = b"<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>";
        assert_eq!(
            answer_failure(400, xml).as_deref(),
            Some("throttled (Throttling)")
        );
        let ec2 = b"<Response><Errors><Error><Code>RequestLimitExceeded</Code></Error></Errors></Response>";
        assert_eq!(
            answer_failure(503, ec2).as_deref(),
            Some("throttled (RequestLimitExceeded)")
        );
        let json =
            br#"{"__type":"com.amazonaws.dynamodb#ThrottlingException","message":"slow down"}"#;
        assert_eq!(
            answer_failure(400, json).as_deref(),
            Some("throttled (ThrottlingException)")
        );
    }

    #[test]
    fn server_errors_are_named_by_status_and_refusals_are_not_retries() {
        assert_eq!(answer_failure(503, b"").as_deref(), Some("HTTP 503"));
        let xml = b"<Error><Code>InternalError</Code></Error>";
        assert_eq!(
            answer_failure(500, xml).as_deref(),
            Some("HTTP 500 (InternalError)")
        );
        let refused = b"<Error><Code>ValidationError</Code></Error>";
        assert_eq!(answer_failure(400, refused), None);
        assert_eq!(answer_failure(200, b"<ok/>"), None);
    }

    #[test]
    fn a_retry_reads_as_one_line() {
        let retry = Retry {
            service: "autoscaling".into(),
            operation: "DescribeAutoScalingGroups".into(),
            region: "us-west-2".into(),
            reason: "throttled (Throttling)".into(),
            attempt: 3,
            of: 12,
        };
        assert_eq!(
            retry.to_string(),
            "autoscaling DescribeAutoScalingGroups in us-west-2: throttled (Throttling), attempt 3 of 12"
        );
    }
}
