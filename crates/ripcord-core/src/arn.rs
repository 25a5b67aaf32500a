//! ARNs and partitions, built the same way by the simulation and the live backend.

/// The partition a region belongs to, for ARNs.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// `arn:{partition}:{service}:{region}:{account}:{resource}`.
pub fn arn(service: &str, region: &str, account: &str, resource: &str) -> String {
    format!(
        "arn:{}:{service}:{region}:{account}:{resource}",
        partition(region)
    )
}

/// `Some(id)` when the name a runbook used resolved to a different id or ARN: what a step's
/// outcome reports as `resolved`.
pub fn resolved_id(name: &str, id: &str) -> Option<String> {
    (name != id).then(|| id.to_string())
}

/// Whether `name` has the shape of an AWS region name (`us-east-1`, `us-gov-west-1`):
/// catches `us-west2` and `US-WEST-2` before they become a NotFound much later.
pub fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| !p.is_empty())
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_and_arns() {
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(
            arn("rds", "us-west-2", "123456789012", "cluster:db"),
            "arn:aws:rds:us-west-2:123456789012:cluster:db"
        );
        assert_eq!(resolved_id("vol-1", "vol-1"), None);
        assert_eq!(resolved_id("web", "vol-1").as_deref(), Some("vol-1"));
    }

    #[test]
    fn region_names() {
        assert!(is_region_name("us-east-1"));
        assert!(is_region_name("us-gov-west-1"));
        assert!(!is_region_name("us-west2"));
        assert!(!is_region_name("US-EAST-1"));
        assert!(!is_region_name("useast1"));
    }
}

/// The region and id of an RDS DB instance ARN (`arn:aws:rds:us-east-1:123456789012:db:orders`);
/// `None` for anything else (an identifier).
pub fn parse_rds(arn: &str) -> Option<(String, String)> {
    let mut parts = arn.splitn(7, ':');
    let (prefix, _partition, service, region, _account, kind, id) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (prefix == "arn" && service == "rds" && kind == "db" && !region.is_empty())
        .then(|| (region.to_string(), id.to_string()))
}

#[cfg(test)]
mod parse_tests {
    use super::parse_rds;

    #[test]
    fn rds_instance_arns_give_their_region_and_id() {
        assert_eq!(
            parse_rds("arn:aws:rds:us-east-1:123456789012:db:production-mysql"),
            Some(("us-east-1".into(), "production-mysql".into()))
        );
        assert_eq!(parse_rds("production-mysql"), None);
        assert_eq!(
            parse_rds("arn:aws:rds:us-east-1:123456789012:cluster:c"),
            None
        );
    }
}
