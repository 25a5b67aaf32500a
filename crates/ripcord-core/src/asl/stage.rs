//! `Stage`: one region's share of a plan that sends steps to several regions. An AWS SDK Task
//! calls its service in its state machine's region only, so such a plan is exported as stages
//! run one after the other, each deployed in its region and started, when the one before it
//! succeeded, with the state it left (docs/step-functions.md, "Plans in several regions").

use super::exported::Exported;

/// Consecutive items of the plan sent to one region (items that name no region, an approval
/// or a Route 53 change, join the stage they follow; a parallel group whose branches go to
/// different regions is split into one share per region, each in its own stage, in order).
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// `None` only for a plan none of whose steps names a region: it runs where it is deployed.
    pub region: Option<String>,
    pub exported: Exported,
}

/// The suffix of stage `k` (1-based) on the state machine name of a plan in several stages:
/// `-stage-2`. A plan in one stage has none.
pub fn stage_suffix(k: usize) -> String {
    format!("-stage-{k}")
}

/// The SNS topic of `topic`'s name in `region`: SNS publishes to a topic of its own region,
/// so each stage's approval gates publish to the topic of that name in the stage's region.
/// A name that is not a topic ARN is kept.
pub fn topic_in(topic: &str, region: &str) -> String {
    // arn:PARTITION:sns:REGION:ACCOUNT:NAME
    let mut fields: Vec<&str> = topic.split(':').collect();
    if fields.len() == 6 && fields[2] == "sns" {
        fields[3] = region;
        return fields.join(":");
    }
    topic.to_string()
}
