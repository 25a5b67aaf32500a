//! The Retry rules of every Task: AWS's throttling errors and server errors (5xx) of its
//! service, retried with backoff, as the live backend's SDK retries them. Not
//! `States.TaskFailed` or `States.ALL`: those would also resend a request AWS refused on its
//! merits, and a mutation must not be retried blindly (ARCHITECTURE.md).

use super::machine::Retrier;

/// Step Functions' name for error `code` of `service` in a Task: an AWS SDK integration names
/// it `Service.Code`, always with the `Exception` suffix, even where the API's own code has
/// none (AWS's guide: `S3.BucketAlreadyExistsException`); the optimized SNS integration names
/// them `SNS.` and the exception too.
fn error_name(service: &str, code: &str) -> String {
    let prefix = match service {
        "ec2" => "Ec2",
        "rds" => "Rds",
        "autoscaling" => "AutoScaling",
        "route53" => "Route53",
        "s3" => "S3",
        "sns" => "SNS",
        "ecs" => "Ecs",
        "dynamodb" => "DynamoDb",
        _ => "*",
    };
    match code.strip_suffix("Exception") {
        Some(_) => format!("{prefix}.{code}"),
        None => format!("{prefix}.{code}Exception"),
    }
}

/// The errors Step Functions reports when the service throttled the request.
pub fn throttling_errors(service: &str) -> Vec<String> {
    let codes: &[&str] = match service {
        // EC2 throttles with RequestLimitExceeded, not ThrottlingException.
        "ec2" => &["RequestLimitExceeded"],
        "rds" | "autoscaling" => &["ThrottlingException", "Throttling"],
        // Route 53 also refuses a change while the previous one of the zone is pending.
        "route53" => &["ThrottlingException", "PriorRequestNotCompleteException"],
        "s3" => &["SlowDown"],
        "sns" => &["ThrottledException"],
        "ecs" => &["ThrottlingException"],
        // DynamoDB's control plane throttles with LimitExceededException too.
        "dynamodb" => &["ThrottlingException", "LimitExceededException"],
        _ => &["ThrottlingException"],
    };
    let mut names: Vec<String> = codes.iter().map(|c| error_name(service, c)).collect();
    names.dedup();
    names
}

/// The errors Step Functions reports when the service failed the request on its side (HTTP
/// 5xx: the codes the services' API references give for them).
pub fn server_errors(service: &str) -> Vec<String> {
    let codes: &[&str] = match service {
        "ec2" => &["InternalError", "Unavailable", "ServiceUnavailable"],
        "s3" => &["InternalError", "ServiceUnavailable"],
        "ecs" => &["ServerException"],
        "dynamodb" => &["InternalServerError"],
        "sns" => &["InternalErrorException"],
        "route53" | "rds" | "autoscaling" => &["InternalFailure", "ServiceUnavailable"],
        _ => &["InternalFailure", "ServiceUnavailable"],
    };
    codes.iter().map(|c| error_name(service, c)).collect()
}

/// The Retry rules of a Task of `service`: throttling retried like the live backend's pacing
/// would wait (2 s, doubling, 6 attempts); a server error, whose request may have been carried
/// out, only when `resend` (a read, or a mutation a second attempt of which leaves the same
/// state, [`second_attempt_is_harmless`]), as the SDK's standard mode retries it (1 s,
/// doubling, 3 attempts). The live backend settles a mutation's lost answer by reading AWS
/// before it sends again (docs/live.md, "Lost answers"); an execution has no such check, so a
/// mutation that is not harmless to repeat fails at its step, to be resumed.
pub fn retries(service: &str, resend: bool) -> Vec<Retrier> {
    let mut out = vec![Retrier {
        error_equals: throttling_errors(service),
        interval_seconds: 2,
        max_attempts: 6,
        backoff_rate: 2.0,
    }];
    if resend {
        out.push(Retrier {
            error_equals: server_errors(service),
            interval_seconds: 1,
            max_attempts: 3,
            backoff_rate: 2.0,
        });
    }
    out
}

/// Whether sending a mutation of this kind twice leaves the same state as once: it sets
/// absolute values (`Idempotency::Natural`, the operation's descriptor).
pub fn second_attempt_is_harmless(idempotency: crate::Idempotency) -> bool {
    matches!(idempotency, crate::Idempotency::Natural)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_always_end_in_exception() {
        assert_eq!(
            throttling_errors("ec2"),
            ["Ec2.RequestLimitExceededException"]
        );
        assert_eq!(throttling_errors("rds"), ["Rds.ThrottlingException"]);
        assert_eq!(throttling_errors("s3"), ["S3.SlowDownException"]);
        assert!(server_errors("autoscaling")
            .contains(&"AutoScaling.ServiceUnavailableException".to_string()));
        for service in [
            "ec2",
            "rds",
            "autoscaling",
            "route53",
            "s3",
            "sns",
            "ecs",
            "dynamodb",
        ] {
            for name in throttling_errors(service)
                .iter()
                .chain(&server_errors(service))
            {
                assert!(name.ends_with("Exception"), "{name}");
                assert!(!name.starts_with("States."), "{name}");
            }
        }
    }
}
