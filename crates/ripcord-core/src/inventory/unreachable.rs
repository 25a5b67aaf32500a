//! Inventory shape for what did not answer: a region, a service in it, or a global service.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A part of AWS that could not be read when the inventory was made (`ripcord capture`), or
/// that a dry-run is told is down (`ripcord plan --down`). The simulation fails every call,
/// wait, check and query whose endpoint it names, as the live run would (docs/simulation.md,
/// "Outages").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unreachable {
    /// The region whose endpoints did not answer; absent for a global service's control
    /// plane (Route 53), which runs in us-east-1 whatever the resource's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The one service that did not answer (`ec2`, `rds`, `route53`, ...); absent when the
    /// whole region did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Why, for people: the error the capture got, or the `--down` flag.
    pub reason: String,
}

impl Unreachable {
    /// A whole region down.
    pub fn region(region: &str, reason: impl Into<String>) -> Unreachable {
        Unreachable {
            region: Some(region.to_string()),
            service: None,
            reason: reason.into(),
        }
    }

    /// One service of a region down.
    pub fn service_in(region: &str, service: &str, reason: impl Into<String>) -> Unreachable {
        Unreachable {
            region: Some(region.to_string()),
            service: Some(service.to_string()),
            reason: reason.into(),
        }
    }

    /// A global service's control plane down (Route 53's, in us-east-1).
    pub fn control_plane(service: &str, reason: impl Into<String>) -> Unreachable {
        Unreachable {
            region: None,
            service: Some(service.to_string()),
            reason: reason.into(),
        }
    }

    /// What it names, for messages: `us-east-1`, `ec2 in us-east-1`, `Route 53's control plane
    /// (us-east-1)`.
    pub fn what(&self) -> String {
        match (&self.region, &self.service) {
            (Some(region), None) => region.clone(),
            (Some(region), Some(service)) => format!("{service} in {region}"),
            (None, Some(service)) => format!(
                "{}'s control plane ({})",
                crate::endpoint::service_name(service),
                crate::GLOBAL_CONTROL_REGION
            ),
            (None, None) => "AWS".to_string(),
        }
    }
}
