//! Where a request is answered, and whether an outage stops it: one answer for both backends.
//!
//! A dry-run told that a region is down (`plan --down`, or an inventory whose capture could
//! not read it) must fail exactly the steps and queries the live run will not get answered.
//! Which endpoint a step needs is a fact of its operation's descriptor (`Control`) or of its
//! resource kind (`Reads`); which endpoints are down is the inventory's `unreachable` list.

use crate::call::Call;
use crate::error::{BackendError, ErrorKind};
use crate::inventory::Unreachable;
use crate::operation::{Control, GLOBAL_CONTROL_REGION};
use crate::step::{CheckSpec, StepKind};
use crate::target::{Reads, Target};

/// The endpoint a request is sent to, as far as an outage is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// The regional endpoint of `service` in `region`.
    Regional {
        service: &'static str,
        region: String,
    },
    /// S3's bucket APIs, answered in the bucket's own region (which only the world knows).
    Bucket { bucket: String },
    /// A global service's control plane, which runs in us-east-1 whatever the resource's
    /// region (Route 53: record and health-check changes, and its read APIs too).
    ControlPlane { service: &'static str },
    /// Account-wide reads (global clusters): sent to a region that answers.
    AnyRegion { service: &'static str },
}

impl Endpoint {
    /// Where a mutating call is sent: its descriptor's control plane.
    pub fn of_call(call: &Call) -> Endpoint {
        let descriptor = call.descriptor();
        match (descriptor.control, call.region()) {
            (Control::GlobalInUsEast1, _) => Endpoint::ControlPlane {
                service: descriptor.service,
            },
            (Control::Regional, Some(region)) => Endpoint::Regional {
                service: descriptor.service,
                region: region.to_string(),
            },
            (Control::Regional, None) => Endpoint::of_target(&call.target()),
        }
    }

    /// Where a read of `target` (a describe, a wait's polls) is answered: its kind's `reads`.
    pub fn of_target(target: &Target) -> Endpoint {
        let kind = target.kind();
        let service = kind.service();
        match (kind.info().reads, target.region()) {
            (Reads::InRegion, Some(region)) => Endpoint::Regional {
                service,
                region: region.to_string(),
            },
            (Reads::InBucketRegion, _) => Endpoint::Bucket {
                bucket: target.name().to_string(),
            },
            (Reads::ControlPlane, _) => Endpoint::ControlPlane { service },
            // A regional kind always has a region; without one, any region will do.
            (Reads::InRegion | Reads::AnyRegion, _) => Endpoint::AnyRegion { service },
        }
    }

    /// Where a step is sent; `None` for steps that reach no AWS endpoint (approvals, notes).
    pub fn of_step(kind: &StepKind) -> Option<Endpoint> {
        match kind {
            StepKind::Call { call } => Some(Endpoint::of_call(call)),
            StepKind::Wait { wait } => Some(Endpoint::of_target(&wait.target)),
            StepKind::Check { check } => Some(Endpoint::of_check(check)),
            StepKind::Approval { .. } | StepKind::Note { .. } => None,
        }
    }

    /// Where a readiness check reads.
    pub fn of_check(check: &CheckSpec) -> Endpoint {
        Endpoint::of_target(&check.target())
    }

    /// The plan's note on a step that needs a global control plane in us-east-1: a reviewer
    /// sees the dependency before the day, and the alternative that does not have it.
    pub fn control_plane_note(&self) -> Option<String> {
        match self {
            Endpoint::ControlPlane { service } => Some(format!(
                "needs {}'s control plane in {GLOBAL_CONTROL_REGION}, which an outage there can take down; the data-plane alternative needs no call: records with failover or weighted routing whose health check fails by itself",
                service_name(service)
            )),
            _ => None,
        }
    }
}

/// The name people use for a service in a sentence.
pub(crate) fn service_name(service: &str) -> &str {
    match service {
        "route53" => "Route 53",
        other => other,
    }
}

/// What is down: the entries of an inventory's `unreachable` list.
#[derive(Debug, Clone, Copy)]
pub struct Outage<'a> {
    pub entries: &'a [Unreachable],
}

impl<'a> Outage<'a> {
    pub fn new(entries: &'a [Unreachable]) -> Outage<'a> {
        Outage { entries }
    }

    /// The entry that makes `region` (as a whole) unreachable, if any.
    pub fn region_down(&self, region: &str) -> Option<&'a Unreachable> {
        self.entries
            .iter()
            .find(|e| e.region.as_deref() == Some(region) && e.service.is_none())
    }

    /// The entry that stops a request to `endpoint`, if any. `bucket_region` answers where a
    /// bucket is (`None`: unknown, then only a down region could matter and none is known);
    /// `regions` are the regions an account-wide read could be sent to.
    pub fn blocking<'r>(
        &self,
        endpoint: &Endpoint,
        bucket_region: impl Fn(&str) -> Option<String>,
        regions: impl IntoIterator<Item = &'r str>,
    ) -> Option<&'a Unreachable> {
        let regional = |service: &str, region: &str| {
            self.entries.iter().find(|e| {
                e.region.as_deref() == Some(region)
                    && e.service.as_deref().is_none_or(|s| s == service)
            })
        };
        match endpoint {
            Endpoint::Regional { service, region } => regional(service, region),
            Endpoint::Bucket { bucket } => bucket_region(bucket).and_then(|r| regional("s3", &r)),
            Endpoint::ControlPlane { service } => self
                .entries
                .iter()
                .find(|e| e.region.is_none() && e.service.as_deref() == Some(*service)),
            Endpoint::AnyRegion { .. } => {
                // Only when no region answers is an account-wide read lost: the first
                // region's entry then speaks for all.
                let mut first = None;
                for region in regions {
                    let down = self.region_down(region)?;
                    first.get_or_insert(down);
                }
                first
            }
        }
    }

    /// The `unreachable` entries of `plan --down REGIONS`: each region down as a whole and,
    /// when one of them is us-east-1 and `global_up` is not set, Route 53's control plane
    /// with it (docs/simulation.md argues the default).
    pub fn from_flags(down: &[String], global_up: bool) -> Vec<Unreachable> {
        let mut entries: Vec<Unreachable> = down
            .iter()
            .map(|region| {
                Unreachable::region(region, format!("down for this plan (--down {region})"))
            })
            .collect();
        if !global_up && down.iter().any(|r| r == GLOBAL_CONTROL_REGION) {
            entries.push(Unreachable::control_plane(
                "route53",
                format!("{GLOBAL_CONTROL_REGION} is down for this plan (--down {GLOBAL_CONTROL_REGION} without --global-up)"),
            ));
        }
        entries
    }
}

/// The error of a request an outage stops, the same words in both backends: the operation,
/// what does not answer and why, and how a runbook can go on without it.
pub fn unreachable_error(service: &str, operation: &str, entry: &Unreachable) -> BackendError {
    let (code, help) = match (&entry.region, &entry.service) {
        (None, Some(service)) => (
            "ControlPlaneUnreachable",
            format!(
                "{}'s control plane runs in {GLOBAL_CONTROL_REGION}. Its data plane keeps answering DNS and running health checks: records with failover or weighted routing whose health check fails by itself move traffic without any call (docs/simulation.md, \"Outages\"). If the control plane does answer, say so with --global-up",
                service_name(service)
            ),
        ),
        (Some(region), _) => (
            "RegionUnreachable",
            format!(
                "a runbook can go on without it: test reachable(\"{region}\") first, or catch the error (err.code == \"ripcord::unreachable\")"
            ),
        ),
        (None, None) => ("Unreachable", String::new()),
    };
    let mut err = BackendError::new(
        ErrorKind::Unreachable,
        service,
        operation,
        code,
        format!("{} does not answer: {}", entry.what(), entry.reason),
    );
    if !help.is_empty() {
        err = err.with_help(help);
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions() -> Vec<&'static str> {
        vec!["us-east-1", "us-west-2"]
    }

    #[test]
    fn a_down_region_stops_its_services_and_nothing_else() {
        let entries = Outage::from_flags(&["us-east-1".to_string()], true);
        let outage = Outage::new(&entries);
        let in_region = |region: &str| Endpoint::Regional {
            service: "ec2",
            region: region.to_string(),
        };
        assert!(outage
            .blocking(&in_region("us-east-1"), |_| None, regions())
            .is_some());
        assert!(outage
            .blocking(&in_region("us-west-2"), |_| None, regions())
            .is_none());
        let route53 = Endpoint::ControlPlane { service: "route53" };
        assert!(outage.blocking(&route53, |_| None, regions()).is_none());
        let bucket = Endpoint::Bucket {
            bucket: "b".to_string(),
        };
        assert!(outage
            .blocking(&bucket, |_| Some("us-east-1".to_string()), regions())
            .is_some());
        let any = Endpoint::AnyRegion { service: "rds" };
        assert!(outage.blocking(&any, |_| None, regions()).is_none());
    }

    #[test]
    fn us_east_1_takes_route53_control_plane_unless_told_otherwise() {
        let entries = Outage::from_flags(&["us-east-1".to_string()], false);
        let outage = Outage::new(&entries);
        let route53 = Endpoint::ControlPlane { service: "route53" };
        let entry = outage
            .blocking(&route53, |_| None, regions())
            .expect("route53 is down with us-east-1");
        let err = unreachable_error("route53", "UpdateHealthCheck", entry);
        assert_eq!(err.kind, ErrorKind::Unreachable);
        assert_eq!(err.code, "ControlPlaneUnreachable");
        assert!(err
            .message
            .starts_with("Route 53's control plane (us-east-1) does not answer"));
    }

    #[test]
    fn account_wide_reads_need_every_region_down() {
        let entries = Outage::from_flags(&["us-east-1".to_string(), "us-west-2".to_string()], true);
        let outage = Outage::new(&entries);
        let any = Endpoint::AnyRegion { service: "rds" };
        let entry = outage
            .blocking(&any, |_| None, regions())
            .expect("all down");
        assert_eq!(entry.region.as_deref(), Some("us-east-1"));
        assert!(outage.blocking(&any, |_| None, Vec::new()).is_none());
    }

    #[test]
    fn a_service_entry_stops_only_that_service() {
        let entries = vec![Unreachable::service_in("us-east-1", "s3", "503")];
        let outage = Outage::new(&entries);
        let s3 = Endpoint::Bucket {
            bucket: "b".to_string(),
        };
        assert!(outage
            .blocking(&s3, |_| Some("us-east-1".to_string()), regions())
            .is_some());
        let ec2 = Endpoint::Regional {
            service: "ec2",
            region: "us-east-1".to_string(),
        };
        assert!(outage.blocking(&ec2, |_| None, regions()).is_none());
        assert!(outage.region_down("us-east-1").is_none());
    }
}
