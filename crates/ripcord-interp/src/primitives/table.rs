//! `Primitive`: the one table of every function ripcord adds to Rhai.
//!
//! Everything that needs to know the primitives reads [`PRIMITIVES`]: where the REPL pauses
//! ([`Primitive::is_step`]), the static checker's arities, did-you-mean and tab completion.
//! `register.rs` registers the functions; its tests check that it registers exactly this
//! table, and `tests/tidy.rs` that docs/reference.md and docs/repl.md describe it.

/// Where a primitive belongs: the service whose calls it makes (its code is in
/// `primitives/<group>.rs`), or what else it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `runbook(#{...})`, the declaration.
    Runbook,
    /// Handle constructors: pure, they reach no backend.
    Handles,
    /// `snapshot` and `copy_snapshot`: EBS or RDS, by the handle's kind.
    Snapshots,
    Ec2,
    Rds,
    Aurora,
    AutoScaling,
    DynamoDb,
    Route53,
    S3,
    Sns,
    /// `wait` (for AWS) and `approve` (for a person).
    Waits,
    /// `parallel([...])`: groups the steps of its closures.
    Parallel,
    /// Reads of the world; never a step.
    Queries,
    /// The backend's clock and durations.
    Time,
    /// Notes in the plan.
    Output,
    /// Registered only to be refused with a better message than "unknown function".
    Refused,
}

impl Group {
    /// True for the groups whose primitives make a step (a call, a wait, a check or an
    /// approval): the REPL pauses before each call of them.
    pub const fn is_step(self) -> bool {
        matches!(
            self,
            Group::Snapshots
                | Group::Ec2
                | Group::Rds
                | Group::Aurora
                | Group::AutoScaling
                | Group::DynamoDb
                | Group::Route53
                | Group::S3
                | Group::Sns
                | Group::Waits
        )
    }

    /// The AWS services its primitives send calls to, as `ripcord_core::Call` names them.
    pub const fn services(self) -> &'static [&'static str] {
        match self {
            Group::Snapshots => &["ec2", "rds"],
            Group::Ec2 => &["ec2"],
            Group::Rds | Group::Aurora => &["rds"],
            // `scale` of an ECS service sends ecs UpdateService.
            Group::AutoScaling => &["autoscaling", "ecs"],
            Group::DynamoDb => &["dynamodb"],
            Group::Route53 => &["route53"],
            Group::S3 => &["s3"],
            Group::Sns => &["sns"],
            _ => &[],
        }
    }
}

/// One function a runbook can call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Primitive {
    /// The name runbooks call it by.
    pub name: &'static str,
    /// The numbers of arguments its overloads take.
    pub arities: &'static [usize],
    pub group: Group,
    /// What it does, in one line.
    pub doc: &'static str,
}

impl Primitive {
    /// True when calling it makes a step: the REPL pauses before it.
    pub const fn is_step(&self) -> bool {
        self.group.is_step()
    }

    /// True when it takes `arity` arguments.
    pub fn takes(&self, arity: usize) -> bool {
        self.arities.contains(&arity)
    }

    /// True when it is offered to people (completion, did-you-mean): all but the refused.
    pub fn offered(&self) -> bool {
        self.group != Group::Refused
    }
}

const fn p(
    name: &'static str,
    arities: &'static [usize],
    group: Group,
    doc: &'static str,
) -> Primitive {
    Primitive {
        name,
        arities,
        group,
        doc,
    }
}

use Group::*;

/// Every function ripcord registers, in docs/reference.md's order.
#[rustfmt::skip]
pub const PRIMITIVES: &[Primitive] = &[
    p("runbook", &[1], Runbook, "declares the runbook: name, description, RTO, RPO, accounts, regions"),

    p("asg", &[2], Handles, "an Auto Scaling group, by name and region"),
    p("ecs_service", &[3], Handles, "an ECS service, by cluster, service name and region"),
    p("table", &[2], Handles, "a DynamoDB table, by name and region (a global table has one per replica region)"),
    p("volume", &[2], Handles, "an EBS volume, by Name tag or id and region"),
    p("ebs_snapshot", &[2], Handles, "an EBS snapshot, by Name tag or id and region"),
    p("db_instance", &[2], Handles, "an RDS DB instance, by identifier and region"),
    p("db_cluster", &[2], Handles, "an Aurora DB cluster, by identifier and region"),
    p("db_snapshot", &[2], Handles, "an RDS DB snapshot, by identifier and region"),
    p("db_cluster_snapshot", &[2], Handles, "an Aurora DB cluster snapshot, by identifier and region"),
    p("aurora_global", &[1], Handles, "an Aurora global database, by identifier"),
    p("zone", &[1], Handles, "a Route 53 hosted zone, by domain name"),
    p("record", &[3, 4], Handles, "a record set of a zone, by name, type and set identifier"),
    p("health_check", &[1], Handles, "a Route 53 health check, by Name tag or id"),
    p("dns_change", &[1], Handles, "a Route 53 change, by id (flip_dns and flip_dns_batch return one)"),
    p("topic", &[2], Handles, "an SNS topic, by name and region"),
    p("bucket", &[1], Handles, "an S3 bucket, by name"),

    p("snapshot", &[1, 2], Snapshots, "snapshots a volume, DB instance or DB cluster"),
    p("copy_snapshot", &[2, 3], Snapshots, "copies a snapshot to another region"),
    p("restore_volume", &[2, 3], Ec2, "creates a volume from an EBS snapshot in an availability zone"),
    p("restore_db", &[2, 3], Rds, "restores a DB instance from a DB snapshot"),
    p("promote", &[1, 2], Rds, "promotes a read replica, or detaches a cluster from its global database"),
    p("failover_global", &[2, 3], Aurora, "moves a global database's writer to a secondary cluster after an outage"),
    p("switchover_global", &[2], Aurora, "moves a global database's writer to a secondary cluster, without data loss"),
    p("create_global", &[2], Aurora, "makes a global database whose writer is an existing cluster"),
    p("delete_global", &[2], Aurora, "deletes a global database with no member left, sent to a region"),
    p("delete_cluster", &[2], Aurora, "deletes a DB cluster after a final snapshot, behind an earlier approve"),
    p("create_secondary", &[2], Aurora, "creates a cluster as a secondary of a global database"),
    p("add_instance", &[2, 3], Aurora, "adds an instance to an Aurora cluster (a new secondary's reader or writer)"),
    p("delete_instance", &[1, 2], Rds, "deletes a DB instance after a final snapshot (a replica or an Aurora cluster's without), behind an earlier approve"),
    p("create_replica", &[2, 3], Rds, "creates a read replica of a DB instance, across regions too"),
    p("force_failover", &[1], Rds, "reboots a Multi-AZ DB instance with failover"),
    p("scale", &[2], AutoScaling, "sets an Auto Scaling group's min, max and desired capacity, or an ECS service's desired count"),
    p("add_replica", &[2], DynamoDb, "adds a replica of a DynamoDB global table in another region"),
    p("remove_replica", &[2], DynamoDb, "removes a global table's replica in a region"),
    p("require_replica", &[2], DynamoDb, "stops the run unless the table has an ACTIVE replica in a region"),
    p("flip_dns", &[2], Route53, "upserts a record set: values with a TTL, or an alias"),
    p("flip_dns_batch", &[1], Route53, "upserts record sets of one zone in one atomic change batch"),
    p("set_weight", &[2], Route53, "sets a weighted record set's weight (0 to 255), keeping its values"),
    p("disable_health_check", &[1], Route53, "disables a health check (Route 53 then reports it healthy)"),
    p("enable_health_check", &[1], Route53, "enables a health check"),
    p("invert_health_check", &[1, 2], Route53, "inverts a health check (or undoes it), forcing DNS failover"),
    p("enable_replication", &[3], S3, "replicates a bucket into another bucket"),
    p("require_replication", &[2], S3, "stops the run unless the bucket replicates into a region"),
    p("notify", &[3], Sns, "publishes a message to an SNS topic"),
    p("wait", &[2, 3], Waits, "waits until a resource reaches a state, or the timeout"),
    p("approve", &[1], Waits, "waits for a person to approve going on"),
    p("parallel", &[1], Parallel, "runs closures as concurrent branches"),

    p("exists", &[1], Queries, "whether the resource exists"),
    p("describe", &[1], Queries, "the resource as an object map, or ()"),
    p("desired", &[1], Queries, "an Auto Scaling group's desired capacity, or an ECS service's desired count"),
    p("min_size", &[1], Queries, "an Auto Scaling group's minimum size"),
    p("max_size", &[1], Queries, "an Auto Scaling group's maximum size"),
    p("in_service", &[1], Queries, "an Auto Scaling group's instances in service"),
    p("running", &[1], Queries, "an ECS service's running tasks"),
    p("replicas", &[1], Queries, "a DynamoDB table's replicas in other regions: #{region, status} each"),
    p("streams", &[1], Queries, "whether a DynamoDB table's stream is on"),
    p("weight", &[1], Queries, "a weighted record set's weight, or ()"),
    p("status", &[1], Queries, "the status of a DB resource, EBS resource, global cluster, DynamoDB table or change"),
    p("az", &[1], Queries, "a DB instance's availability zone"),
    p("multi_az", &[1], Queries, "whether a DB instance is Multi-AZ"),
    p("is_replica", &[1], Queries, "whether a DB instance is a read replica"),
    p("replica_lag", &[1], Queries, "a replica's or secondary cluster's lag in seconds, or ()"),
    p("latest_snapshot", &[1], Queries, "the newest snapshot of a volume, DB instance or DB cluster, or ()"),
    p("snapshot_age", &[1], Queries, "seconds since the newest snapshot, or ()"),
    p("writer", &[1], Queries, "the writer cluster of a global database, or ()"),
    p("disabled", &[1], Queries, "whether a health check is disabled"),
    p("inverted", &[1], Queries, "whether a health check is inverted"),
    p("replication", &[1], Queries, "a bucket's replication configuration, or ()"),
    p("reachable", &[1], Queries, "whether a region answers (false while it is down)"),

    p("now", &[0], Time, "the backend's time, RFC 3339"),
    p("elapsed", &[0], Time, "seconds since the run started, on the backend's clock"),
    p("duration", &[1], Time, "a duration string as seconds"),
    p("fmt_duration", &[1], Time, "seconds as a duration string"),
    p("print", &[1], Output, "a note in the plan"),
    p("debug", &[1], Output, "a note in the plan, with strings quoted"),
    p("warn", &[1], Output, "a warning in the plan and the run's report; the run goes on"),

    p("sleep", &[1], Refused, "refused: use wait or approve"),
];

/// The table's entry for `name`.
pub fn find(name: &str) -> Option<&'static Primitive> {
    PRIMITIVES.iter().find(|p| p.name == name)
}

/// The names of the primitives that make a step, in the table's order: the calls the REPL
/// pauses before.
pub fn step_primitives() -> Vec<&'static str> {
    PRIMITIVES
        .iter()
        .filter(|p| p.is_step())
        .map(|p| p.name)
        .collect()
}

/// True when a call of `name` makes a step.
pub fn is_step(name: &str) -> bool {
    find(name).is_some_and(Primitive::is_step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ripcord_core::{Call, ResourceKind};
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_and_arities_sorted() {
        let mut seen = BTreeSet::new();
        for p in PRIMITIVES {
            assert!(seen.insert(p.name), "`{}` is in the table twice", p.name);
            assert!(
                !p.arities.is_empty() && p.arities.windows(2).all(|w| w[0] < w[1]),
                "`{}`: list its arities once each, ascending",
                p.name
            );
            assert!(!p.doc.is_empty(), "`{}` needs a doc line", p.name);
        }
    }

    #[test]
    fn handle_constructors_are_core_resource_kinds() {
        let handles: BTreeSet<&str> = PRIMITIVES
            .iter()
            .filter(|p| p.group == Group::Handles)
            .map(|p| p.name)
            .collect();
        let kinds: BTreeSet<&str> = ResourceKind::ALL.iter().map(|k| k.constructor()).collect();
        assert_eq!(handles, kinds, "one handle constructor per ResourceKind");
    }

    #[test]
    fn services_are_those_of_calls() {
        let services: BTreeSet<&str> = Call::DESCRIPTORS.iter().map(|d| d.service).collect();
        for p in PRIMITIVES {
            for service in p.group.services() {
                assert!(
                    services.contains(service),
                    "`{}`: no AWS call is in service {service}",
                    p.name
                );
            }
        }
    }
}
