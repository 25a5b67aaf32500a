//! Turning SDK errors into `BackendError`s: AWS's own code and message, never a Debug dump.

use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use ripcord_core::{BackendError, ErrorKind, Target};

pub(crate) use ripcord_core::Op;

/// Reading an SDK error of an operation: AWS's own code and message, redacted.
pub(crate) trait FromSdk {
    /// Any SDK error of this operation.
    fn sdk<E>(self, err: SdkError<E, HttpResponse>) -> BackendError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static;
}

impl FromSdk for Op {
    fn sdk<E>(self, err: SdkError<E, HttpResponse>) -> BackendError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        from_sdk(self, err)
    }
}

/// The not-found error for a resource ripcord looked up itself (by Name tag, by domain name)
/// and did not find: the code AWS uses for that kind, the simulation's wording.
pub(crate) fn missing(op: Op, target: &Target) -> BackendError {
    op.not_found(target.kind().not_found_code(), target.not_found_message())
}

/// Several resources share a Name tag: ripcord cannot pick one (the simulation's code).
pub(crate) fn ambiguous(op: Op, target: &Target, ids: &[String]) -> BackendError {
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let (message, help) = target.ambiguous_name(&ids);
    op.rejected("AmbiguousName", message).with_help(help)
}

/// Whether AWS's answer means "that does not exist". Auto Scaling reports unknown groups as a
/// `ValidationError` whose message says so.
pub(crate) fn is_not_found(code: &str, message: &str) -> bool {
    code.contains("NotFound")
        || code.starts_with("NoSuch")
        || (code == "ValidationError" && message.to_ascii_lowercase().contains("not found"))
}

fn from_sdk<E>(op: Op, err: SdkError<E, HttpResponse>) -> BackendError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match &err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let status = service.raw().status().as_u16();
            // A success status with an "error" is an answer the SDK could not read (not what
            // the service said): report it as such, with the parser's reason.
            if (200..300).contains(&status) && inner.code().is_none() {
                return op
                    .transport("ResponseError", redact(&chain(&err)))
                    .with_help("the answer could not be read; if the request changed something, check the resource before running the step again");
            }
            // Some S3 answers (HEAD requests) carry no body, hence no code: the HTTP status
            // is all AWS said.
            let code = match inner.code() {
                Some(code) if !code.is_empty() => code.to_string(),
                _ if status == 404 => "NotFound".to_string(),
                _ => format!("Http{status}"),
            };
            let message = match inner.message() {
                Some(message) if !message.is_empty() => message.to_string(),
                _ => format!("{} answered HTTP {status} without a message", op.service),
            };
            // The SDK retried it already: the endpoint is there but does not serve. A 501 is a
            // deliberate answer (an operation the endpoint does not implement), not an outage.
            if is_outage_status(status) && !is_throttling(&code) {
                return not_serving(op, &code, &message, status);
            }
            let kind = if is_not_found(&code, &message) {
                ErrorKind::NotFound
            } else {
                ErrorKind::Rejected
            };
            op.error(kind, &code, redact(&message))
        }
        SdkError::TimeoutError(_) => op
            .error(ErrorKind::Unreachable, "RequestTimeout", redact(&chain(&err)))
            .with_help("AWS did not answer in time (after retries); the request may or may not have been carried out: check the resource before running the step again"),
        SdkError::DispatchFailure(failure) if failure.is_io() || failure.is_timeout() => op
            .error(ErrorKind::Unreachable, "DispatchFailure", redact(&chain(&err)))
            .with_help("no connection to the endpoint (refused, reset or timed out, after retries): the region or service does not answer, or the network path to it is down"),
        // The request was never sent: a credentials or configuration problem, not the
        // endpoint's.
        SdkError::DispatchFailure(_) => with_credentials_help(
            op.transport("DispatchFailure", redact(&chain(&err))),
        ),
        // An error status whose body names no code: the SDKs generated with schemas (ECS)
        // report it as an answer they could not read, where the others give a ServiceError
        // without a code. A 5xx so is the endpoint not serving, as above.
        SdkError::ResponseError(response)
            if is_outage_status(response.raw().status().as_u16()) =>
        {
            let status = response.raw().status().as_u16();
            not_serving(op, &format!("Http{status}"), &chain(&err), status)
        }
        SdkError::ResponseError(_) => op
            .transport("ResponseError", redact(&chain(&err)))
            .with_help("the answer could not be read; the request may have been carried out: check the resource before running the step again"),
        SdkError::ConstructionFailure(_) => with_credentials_help(
            op.transport("ConstructionFailure", redact(&chain(&err))),
        ),
        // `SdkError` is non-exhaustive; a future kind of failure is reported as transport.
        _ => op.transport("SdkError", redact(&chain(&err))),
    }
}

/// A 5xx but 501 (a deliberate answer: an operation the endpoint does not implement).
fn is_outage_status(status: u16) -> bool {
    status >= 500 && status != 501
}

/// The SDK retried it already: the endpoint is there but does not serve.
fn not_serving(op: Op, code: &str, message: &str, status: u16) -> BackendError {
    op.error(ErrorKind::Unreachable, code, redact(message))
        .with_help(format!("{} answered HTTP {status} to every attempt: it is not serving (an outage of the service in that region?); the request may or may not have been carried out: check the resource before running the step again", op.service))
}

/// Whether an error code is a throttling answer: the endpoint works and asks the caller to
/// slow down (EC2 and S3 say so with HTTP 503), which is not an outage.
pub(crate) fn is_throttling(code: &str) -> bool {
    // The SDK's own list: what its retry strategy treats as throttling.
    aws_runtime::retries::classifiers::THROTTLING_ERRORS.contains(&code)
}

fn with_credentials_help(err: BackendError) -> BackendError {
    if err.message.to_ascii_lowercase().contains("credential") {
        err.with_help(
            "no usable AWS credentials: pass --profile NAME, set AWS_PROFILE, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (run `aws sts get-caller-identity` to check)",
        )
    } else {
        err
    }
}

/// The error and its sources, `: `-separated, by Display only (Debug output of SDK errors
/// carries request internals no operator needs).
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(next) = source {
        let text = next.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = next.source();
    }
    parts.join(": ")
}

/// Removes anything shaped like an AWS access key id or secret key from a message.
///
/// SDK messages do not carry secrets today; a credential provider's failure (an external
/// `credential_process`, a malformed profile) could echo its input, and error messages end up
/// in journals and CI logs, so every message is filtered on the way out.
pub(crate) fn redact(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if is_secret_like(token) {
            out.push_str("[redacted]");
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in message.chars() {
        if c.is_ascii_alphanumeric() || c == '/' || c == '+' {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

fn is_secret_like(token: &str) -> bool {
    let key_id = token.len() == 20
        && (token.starts_with("AKIA") || token.starts_with("ASIA"))
        && token
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    // Secret keys are 40 characters of base64; session tokens are longer. Both mix cases and
    // digits, which paths and words in messages rarely do over that length.
    let secret = token.len() >= 40
        && token.chars().any(|c| c.is_ascii_lowercase())
        && token.chars().any(|c| c.is_ascii_uppercase())
        && token.chars().any(|c| c.is_ascii_digit());
    key_id || secret
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_codes() {
        assert!(is_not_found("InvalidVolume.NotFound", ""));
        assert!(is_not_found("DBClusterNotFoundFault", ""));
        assert!(is_not_found("NoSuchHostedZone", ""));
        assert!(is_not_found(
            "ValidationError",
            "AutoScalingGroup name not found - null"
        ));
        assert!(!is_not_found(
            "ValidationError",
            "Max bound, 3, must be ..."
        ));
        assert!(!is_not_found("InvalidDBInstanceState", ""));
        // DynamoDB and ECS: the codes of their kinds' rows in `ResourceKind::info`, and the
        // cluster an ECS service is looked up in.
        assert!(is_not_found("ResourceNotFoundException", ""));
        assert!(is_not_found("ServiceNotFoundException", ""));
        assert!(is_not_found("ClusterNotFoundException", ""));
        assert!(!is_not_found("ServiceNotActiveException", ""));
        assert!(!is_not_found("ValidationException", "Table not found"));
        for kind in [
            ripcord_core::ResourceKind::Table,
            ripcord_core::ResourceKind::EcsService,
        ] {
            assert!(is_not_found(kind.not_found_code(), ""), "{kind}");
        }
        // DynamoDB's control plane throttles with LimitExceededException: not sent, retried.
        assert!(is_throttling("LimitExceededException"));
        assert!(is_throttling("ThrottlingException"));
    }

    type VolumesError = aws_sdk_ec2::operation::describe_volumes::DescribeVolumesError;

    fn answered(status: u16, code: &str) -> SdkError<VolumesError, HttpResponse> {
        let meta = aws_sdk_ec2::error::ErrorMetadata::builder()
            .code(code)
            .message("the answer")
            .build();
        let status = status.try_into().expect("a valid status");
        SdkError::service_error(
            VolumesError::generic(meta),
            HttpResponse::new(status, "".into()),
        )
    }

    fn classify(err: SdkError<VolumesError, HttpResponse>) -> (ErrorKind, String) {
        let err = from_sdk(Op::new("ec2", "DescribeVolumes"), err);
        (err.kind, err.code)
    }

    #[test]
    fn what_does_not_answer_is_unreachable() {
        use aws_sdk_ec2::error::ConnectorError;
        let unreachable = |code: &str| (ErrorKind::Unreachable, code.to_string());
        assert_eq!(
            classify(SdkError::timeout_error("no answer")),
            unreachable("RequestTimeout")
        );
        assert_eq!(
            classify(SdkError::dispatch_failure(ConnectorError::io(
                "connection refused".into()
            ))),
            unreachable("DispatchFailure")
        );
        assert_eq!(
            classify(SdkError::dispatch_failure(ConnectorError::timeout(
                "connect timed out".into()
            ))),
            unreachable("DispatchFailure")
        );
        assert_eq!(
            classify(answered(503, "ServiceUnavailable")),
            unreachable("ServiceUnavailable")
        );
        assert_eq!(
            classify(answered(500, "InternalError")),
            unreachable("InternalError")
        );
        let help = from_sdk(
            Op::new("ec2", "DescribeVolumes"),
            answered(503, "ServiceUnavailable"),
        )
        .help
        .unwrap_or_default();
        assert!(help.contains("HTTP 503"), "{help}");
    }

    #[test]
    fn what_answers_or_was_never_sent_is_not_unreachable() {
        use aws_sdk_ec2::error::ConnectorError;
        // A request that could not be built or sent (credentials, a bad request) is the
        // caller's problem, not the endpoint's.
        assert_eq!(
            classify(SdkError::dispatch_failure(ConnectorError::user(
                "no credentials".into()
            ))),
            (ErrorKind::Transport, "DispatchFailure".to_string())
        );
        assert_eq!(
            classify(SdkError::construction_failure("bad input")),
            (ErrorKind::Transport, "ConstructionFailure".to_string())
        );
        // Throttling arrives as 503 from EC2 and S3: the endpoint works.
        assert_eq!(
            classify(answered(503, "RequestLimitExceeded")),
            (ErrorKind::Rejected, "RequestLimitExceeded".to_string())
        );
        assert_eq!(
            classify(answered(503, "SlowDown")),
            (ErrorKind::Rejected, "SlowDown".to_string())
        );
        assert_eq!(
            classify(answered(501, "NotImplemented")),
            (ErrorKind::Rejected, "NotImplemented".to_string())
        );
        assert_eq!(
            classify(answered(403, "UnauthorizedOperation")),
            (ErrorKind::Rejected, "UnauthorizedOperation".to_string())
        );
        assert_eq!(
            classify(answered(400, "InvalidVolume.NotFound")),
            (ErrorKind::NotFound, "InvalidVolume.NotFound".to_string())
        );
    }

    /// ECS's SDK (generated with schemas) reports an error status without a code in its body
    /// as a response error: a 5xx so is still the endpoint not serving.
    #[test]
    fn a_5xx_without_a_code_is_unreachable_whichever_way_the_sdk_reports_it() {
        type ListClustersError = aws_sdk_ecs::operation::list_clusters::ListClustersError;
        let response = |status: u16| -> SdkError<ListClustersError, HttpResponse> {
            SdkError::response_error(
                "unhandled error",
                HttpResponse::new(status.try_into().expect("a valid status"), "".into()),
            )
        };
        let op = Op::new("ecs", "ListClusters");
        let err = from_sdk(op, response(503));
        assert_eq!(
            (err.kind, err.code.as_str()),
            (ErrorKind::Unreachable, "Http503")
        );
        assert!(err.help.unwrap_or_default().contains("HTTP 503"));
        // An answer that could not be read otherwise (a 200, a 501) stays one.
        for status in [200, 501] {
            let err = from_sdk(op, response(status));
            assert_eq!(
                (err.kind, err.code.as_str()),
                (ErrorKind::Transport, "ResponseError"),
                "{status}"
            );
        }
    }

    #[test]
    fn secrets_are_redacted() {
        let text = "bad line: aws_access_key_id=AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY end";
        let clean = redact(text);
        assert_eq!(
            clean,
            "bad line: aws_access_key_id=[redacted] secret [redacted] end"
        );
        let arn = "arn:aws:rds:us-west-2:123456789012:cluster:dr-aurora-cluster not found";
        assert_eq!(redact(arn), arn);
    }
}
