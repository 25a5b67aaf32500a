//! The Retry rule of every Task: AWS's throttling errors of its service, retried with
//! backoff. Not `States.TaskFailed` or `States.ALL`: those would also resend a request AWS
//! refused on its merits, and a mutation must not be retried blindly (ARCHITECTURE.md).

use super::machine::Retrier;

/// The errors Step Functions reports when the service throttled the request. An AWS SDK
/// integration names an error `Service.ErrorCode` (`Rds.ThrottlingException`); the optimized
/// SNS integration names them `SNS.` and the exception.
pub fn throttling_errors(service: &str) -> Vec<String> {
    let (prefix, codes): (&str, &[&str]) = match service {
        // EC2 throttles with RequestLimitExceeded, not ThrottlingException.
        "ec2" => ("Ec2", &["RequestLimitExceeded"]),
        "rds" => ("Rds", &["ThrottlingException", "Throttling"]),
        "autoscaling" => ("AutoScaling", &["ThrottlingException", "Throttling"]),
        // Route 53 also refuses a change while the previous one of the zone is pending.
        "route53" => (
            "Route53",
            &["ThrottlingException", "PriorRequestNotCompleteException"],
        ),
        "s3" => ("S3", &["SlowDown"]),
        "sns" => ("SNS", &["ThrottledException"]),
        "ecs" => ("Ecs", &["ThrottlingException"]),
        // DynamoDB's control plane throttles with LimitExceededException too.
        "dynamodb" => (
            "DynamoDb",
            &["ThrottlingException", "LimitExceededException"],
        ),
        _ => ("", &["ThrottlingException"]),
    };
    codes
        .iter()
        .map(|code| {
            if prefix.is_empty() {
                format!("*.{code}")
            } else {
                format!("{prefix}.{code}")
            }
        })
        .collect()
}

/// Throttling retried like the live backend's pacing would wait: 2 s, doubling, 6 attempts.
pub fn throttling(service: &str) -> Vec<Retrier> {
    vec![Retrier {
        error_equals: throttling_errors(service),
        interval_seconds: 2,
        max_attempts: 6,
        backoff_rate: 2.0,
    }]
}
