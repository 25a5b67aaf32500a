//! The effect check: what a mutating call's success looks like in AWS's own state, declared
//! once per operation ([`crate::Operation::effect`]), so that a request whose answer was lost
//! is settled by reading AWS instead of being sent again blindly or reported as failed.

use crate::target::{ResourceKind, Target};
use serde_json::Value;

/// The tag the live backend puts on what a call without an idempotency token creates (EC2
/// CreateSnapshot and CopySnapshot, in the request's TagSpecifications, so the tag exists from
/// the first moment the resource does). Its value is the request's token, unique to the run
/// and step, so the effect check finds what an earlier attempt made instead of making another.
pub const REQUEST_TAG: &str = "ripcord:request";

/// What a call's success looks like in AWS's state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// `target` exists and its description (the inventory's shape, `docs/inventory.md`) has
    /// every field in `fields` with that value. An empty list: it exists (what the call
    /// creates under the runbook's identifier).
    Describes {
        target: Target,
        fields: Vec<(&'static str, Value)>,
    },
    /// A `kind` in `region` carrying [`REQUEST_TAG`] with the request's token exists.
    Tagged { kind: ResourceKind, region: String },
    /// `cluster` is (`member: true`) or is no longer (`false`) a member of `global`.
    Membership {
        global: String,
        cluster: String,
        member: bool,
    },
    /// The DynamoDB table `table` has (`present: true`) or no longer has (`false`) a replica
    /// in `replica_region`, whatever its status: a replica CREATING has been asked for, one
    /// DELETING is on its way out.
    Replica {
        table: Target,
        replica_region: String,
        present: bool,
    },
    /// `target` no longer exists, or is being deleted (its status `deleting`): what a
    /// deletion asked for.
    Gone { target: Target },
    /// `cluster` is the writer of `global`; a failover or switchover in progress (the
    /// global cluster's status) counts as started.
    Writer { global: String, cluster: String },
    /// `target`'s status is one of `states`, or its field `moves` differs from what it was
    /// before the call (a forced failover moves the instance to another zone): the call
    /// starts something transient (a reboot), which is over by the time one reads; when
    /// neither shows, the call is sent again, so a plain reboot may happen twice.
    Transient {
        target: Target,
        states: &'static [&'static str],
        moves: Option<&'static str>,
    },
    /// Sending the request again is the check: it carries an idempotency token, or sets
    /// absolute values and its answer is needed (a change id a later wait follows).
    Resend { why: &'static str },
    /// Nothing AWS lets one read tells whether it took effect: it is not sent again.
    Unobservable { why: &'static str },
}

/// What the effect check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The intended effect holds: the call took effect (the evidence, in words).
    Holds(String),
    /// The call took effect and what it started is still under way (a failover in progress).
    Started(String),
    /// The effect does not hold (why, in words).
    NotHeld(String),
}

/// What a step promises when answers get lost (`docs/live.md`, "Lost answers").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarantee {
    /// Its effect happens once: a lost answer is settled by reading AWS (or by resending a
    /// request AWS recognises as the same one).
    ExactlyOnce,
    /// It is never sent again after a lost answer, because nothing tells whether it worked.
    AtMostOnce,
    /// It is sent again when its effect cannot be seen any more, so it may happen twice.
    AtLeastOnce,
}

impl Guarantee {
    /// The words of the documentation table.
    pub fn as_str(self) -> &'static str {
        match self {
            Guarantee::ExactlyOnce => "exactly once",
            Guarantee::AtMostOnce => "at most once",
            Guarantee::AtLeastOnce => "at least once",
        }
    }
}

impl Effect {
    /// The guarantee this kind of check gives.
    pub fn guarantee(&self) -> Guarantee {
        match self {
            Effect::Unobservable { .. } => Guarantee::AtMostOnce,
            Effect::Transient { .. } => Guarantee::AtLeastOnce,
            _ => Guarantee::ExactlyOnce,
        }
    }

    /// What the plan tells a reviewer beforehand about a lost answer, for the steps that do
    /// not take effect exactly once; `None` for the others.
    pub fn lost_answer_note(&self) -> Option<String> {
        match self {
            Effect::Unobservable { why } => Some(format!(
                "if its answer is lost, it is not sent again (at most once): {why}"
            )),
            Effect::Transient {
                target,
                states,
                moves,
            } => Some(format!(
                "if its answer is lost and {} is not {} by then{}, it is sent again (at least once)",
                named(target),
                states.join(" or "),
                moves
                    .map(|field| format!(" and its {field} has not moved"))
                    .unwrap_or_default()
            )),
            _ => None,
        }
    }

    /// The resource to describe (`Query::Describe`) for the check; `None` for a tag search,
    /// a resend or an unobservable effect.
    pub fn read_target(&self) -> Option<Target> {
        match self {
            Effect::Describes { target, .. }
            | Effect::Transient { target, .. }
            | Effect::Replica { table: target, .. }
            | Effect::Gone { target } => Some(target.clone()),
            Effect::Membership { global, .. } | Effect::Writer { global, .. } => {
                Some(Target::GlobalCluster {
                    name: global.clone(),
                })
            }
            Effect::Tagged { .. } | Effect::Resend { .. } | Effect::Unobservable { .. } => None,
        }
    }

    /// Whether the check compares with the state before the call ([`Effect::judge_since`]):
    /// the read target's description is then read before the request is sent.
    pub fn needs_before(&self) -> bool {
        matches!(self, Effect::Transient { moves: Some(_), .. })
    }

    /// [`Effect::judge`], also holding when the field a transient call moves differs from
    /// `before` (the description read before the request was sent).
    pub fn judge_since(&self, before: Option<&Value>, found: Option<&Value>) -> Verdict {
        if let (
            Effect::Transient {
                target,
                moves: Some(field),
                ..
            },
            Some(before),
            Some(now),
        ) = (self, before, found)
        {
            let (then, now) = (before.get(*field), now.get(*field));
            if then.is_some() && now.is_some() && then != now {
                let shown = |v: Option<&Value>| v.map(Value::to_string).unwrap_or_default();
                return Verdict::Holds(format!(
                    "{}: {field} moved from {} to {}",
                    named(target),
                    shown(then),
                    shown(now)
                ));
            }
        }
        self.judge(found)
    }

    /// Judges the check from what was read: the description of [`Effect::read_target`]
    /// (or, for [`Effect::Tagged`], the tagged resource found), `None` when there is none.
    /// [`Effect::Resend`] and [`Effect::Unobservable`] read nothing and never hold.
    pub fn judge(&self, found: Option<&Value>) -> Verdict {
        match self {
            Effect::Describes { target, fields } => {
                let Some(found) = found else {
                    return Verdict::NotHeld(format!("{} does not exist", named(target)));
                };
                let mut differ = Vec::new();
                for (field, want) in fields {
                    let have = found.get(*field).unwrap_or(&Value::Null);
                    if have != want {
                        differ.push(format!("{field} is {have}, not {want}"));
                    }
                }
                if differ.is_empty() {
                    Verdict::Holds(holds_text(target, fields))
                } else {
                    Verdict::NotHeld(format!("{}: {}", named(target), differ.join(", ")))
                }
            }
            Effect::Tagged { kind, region } => match found {
                Some(found) => {
                    let id = found.get("id").and_then(Value::as_str).unwrap_or("?");
                    Verdict::Holds(format!(
                        "{} {id} in {region} carries this request's {REQUEST_TAG} tag",
                        kind.noun()
                    ))
                }
                None => Verdict::NotHeld(format!(
                    "no {} in {region} carries this request's {REQUEST_TAG} tag",
                    kind.noun()
                )),
            },
            Effect::Membership {
                global,
                cluster,
                member,
            } => {
                let Some(found) = found else {
                    return match member {
                        false => Verdict::Holds(format!(
                            "global cluster {global} does not exist, so {cluster} is not a member"
                        )),
                        true => Verdict::NotHeld(format!("global cluster {global} does not exist")),
                    };
                };
                let is_member = members(found).iter().any(|(id, _)| same_id(id, cluster));
                match (is_member, member) {
                    (false, false) => Verdict::Holds(format!(
                        "{cluster} is no longer a member of global cluster {global}"
                    )),
                    (true, true) => {
                        Verdict::Holds(format!("{cluster} is a member of global cluster {global}"))
                    }
                    (true, false) => Verdict::NotHeld(format!(
                        "{cluster} is still a member of global cluster {global}"
                    )),
                    (false, true) => Verdict::NotHeld(format!(
                        "{cluster} is not a member of global cluster {global}"
                    )),
                }
            }
            Effect::Replica {
                table,
                replica_region,
                present,
            } => {
                let Some(found) = found else {
                    return Verdict::NotHeld(format!("{} does not exist", named(table)));
                };
                let status = replica_status(found, replica_region);
                match (status, present) {
                    // A replica on its way out is not the one a Create asked for.
                    (Some("DELETING"), true) => Verdict::NotHeld(format!(
                        "the replica of {} in {replica_region} is DELETING",
                        named(table)
                    )),
                    (Some(status), true) => Verdict::Holds(format!(
                        "{} has a replica in {replica_region} ({status})",
                        named(table)
                    )),
                    (None, false) => Verdict::Holds(format!(
                        "{} has no replica in {replica_region}",
                        named(table)
                    )),
                    (Some("DELETING"), false) => Verdict::Started(format!(
                        "the replica of {} in {replica_region} is DELETING",
                        named(table)
                    )),
                    (Some(status), false) => Verdict::NotHeld(format!(
                        "{} still has a replica in {replica_region} ({status})",
                        named(table)
                    )),
                    (None, true) => Verdict::NotHeld(format!(
                        "{} has no replica in {replica_region}",
                        named(table)
                    )),
                }
            }
            Effect::Gone { target } => match found {
                None => Verdict::Holds(format!("{} no longer exists", named(target))),
                Some(found) => match found.get("status").and_then(Value::as_str) {
                    Some("deleting") => Verdict::Started(format!("{} is deleting", named(target))),
                    status => Verdict::NotHeld(format!(
                        "{} still exists ({})",
                        named(target),
                        status.unwrap_or("no status")
                    )),
                },
            },
            Effect::Writer { global, cluster } => {
                let Some(found) = found else {
                    return Verdict::NotHeld(format!("global cluster {global} does not exist"));
                };
                let writer = members(found)
                    .into_iter()
                    .find(|(_, writer)| *writer)
                    .map(|(id, _)| id);
                let status = found.get("status").and_then(Value::as_str).unwrap_or("");
                match writer {
                    Some(id) if same_id(&id, cluster) => Verdict::Holds(format!(
                        "{cluster} is the writer of global cluster {global}"
                    )),
                    _ if matches!(status, "failing-over" | "switching-over") => {
                        Verdict::Started(format!("global cluster {global} is {status}"))
                    }
                    Some(id) => Verdict::NotHeld(format!(
                        "the writer of global cluster {global} is still {id}"
                    )),
                    None => Verdict::NotHeld(format!(
                        "global cluster {global} has no writer ({status})"
                    )),
                }
            }
            Effect::Transient { target, states, .. } => {
                let status = found
                    .and_then(|found| found.get("status"))
                    .and_then(Value::as_str);
                match status {
                    Some(status) if states.contains(&status) => {
                        Verdict::Started(format!("{} is {status}", named(target)))
                    }
                    Some(status) => Verdict::NotHeld(format!("{} is {status}", named(target))),
                    None => Verdict::NotHeld(format!("{} does not exist", named(target))),
                }
            }
            Effect::Resend { why } | Effect::Unobservable { why } => {
                Verdict::NotHeld((*why).to_string())
            }
        }
    }
}

/// A target as the settlement's words name it: `Auto Scaling group web in us-west-2`.
fn named(target: &Target) -> String {
    match target.region() {
        Some(region) => format!("{} {target} in {region}", target.kind().noun()),
        None => format!("{} {target}", target.kind().noun()),
    }
}

fn holds_text(target: &Target, fields: &[(&'static str, Value)]) -> String {
    let target = named(target);
    if fields.is_empty() {
        return format!("{target} exists");
    }
    let fields: Vec<String> = fields
        .iter()
        .map(|(field, value)| format!("{field} {value}"))
        .collect();
    format!("{target} has {}", fields.join(", "))
}

/// The status of a table description's replica in `region` (`docs/inventory.md`, tables).
fn replica_status<'a>(found: &'a Value, region: &str) -> Option<&'a str> {
    found
        .get("replicas")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.get("region").and_then(Value::as_str) == Some(region))
        .map(|r| r.get("status").and_then(Value::as_str).unwrap_or("ACTIVE"))
}

/// A global cluster description's members: (cluster id, writer).
fn members(found: &Value) -> Vec<(String, bool)> {
    found
        .get("members")
        .and_then(Value::as_array)
        .map(|members| {
            members
                .iter()
                .filter_map(|m| {
                    let id = m.get("cluster")?.as_str()?.to_string();
                    let writer = m.get("writer").and_then(Value::as_bool).unwrap_or(false);
                    Some((id, writer))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether two cluster references name the same cluster: identifiers are compared without
/// case (RDS stores them in lower case) and an ARN by its last part.
fn same_id(a: &str, b: &str) -> bool {
    let last = |s: &str| s.rsplit(':').next().unwrap_or(s).to_ascii_lowercase();
    last(a) == last(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn asg() -> Target {
        Target::Asg {
            name: "web".into(),
            region: "us-west-2".into(),
        }
    }

    #[test]
    fn fields_hold_only_when_every_one_matches() {
        let effect = Effect::Describes {
            target: asg(),
            fields: vec![("min_size", json!(2)), ("desired_capacity", json!(4))],
        };
        let found = json!({"name": "web", "min_size": 2, "desired_capacity": 4});
        assert!(matches!(effect.judge(Some(&found)), Verdict::Holds(_)));
        let partly = json!({"name": "web", "min_size": 2, "desired_capacity": 1});
        assert_eq!(
            effect.judge(Some(&partly)),
            Verdict::NotHeld(format!(
                "{} web in us-west-2: desired_capacity is 1, not 4",
                ResourceKind::Asg.noun()
            ))
        );
        assert!(matches!(effect.judge(None), Verdict::NotHeld(_)));
    }

    #[test]
    fn membership_and_writer_read_ids_and_arns_alike() {
        let found = json!({"id": "g", "status": "available", "members": [
            {"cluster": "primary", "region": "us-east-1", "writer": true},
            {"cluster": "dr", "region": "us-west-2"}]});
        let gone = Effect::Membership {
            global: "g".into(),
            cluster: "arn:aws:rds:us-west-2:1:cluster:dr".into(),
            member: false,
        };
        assert!(matches!(gone.judge(Some(&found)), Verdict::NotHeld(_)));
        let detached = json!({"id": "g", "members": [{"cluster": "primary", "region": "us-east-1", "writer": true}]});
        assert!(matches!(gone.judge(Some(&detached)), Verdict::Holds(_)));
        let writer = Effect::Writer {
            global: "g".into(),
            cluster: "DR".into(),
        };
        assert!(matches!(writer.judge(Some(&found)), Verdict::NotHeld(_)));
        let moving = json!({"id": "g", "status": "failing-over", "members": found["members"]});
        assert!(matches!(writer.judge(Some(&moving)), Verdict::Started(_)));
    }

    #[test]
    fn a_forced_failover_holds_when_the_zone_moved() {
        let effect = Effect::Transient {
            target: asg(),
            states: &["rebooting"],
            moves: Some("availability_zone"),
        };
        let before = json!({"status": "available", "availability_zone": "us-east-1a"});
        let moved = json!({"status": "available", "availability_zone": "us-east-1b"});
        assert!(effect.needs_before());
        assert!(matches!(
            effect.judge_since(Some(&before), Some(&moved)),
            Verdict::Holds(_)
        ));
        assert!(matches!(
            effect.judge_since(Some(&before), Some(&before)),
            Verdict::NotHeld(_)
        ));
    }

    #[test]
    fn unobservable_and_resend_never_hold_and_say_their_guarantee() {
        let publish = Effect::Unobservable { why: "no read" };
        assert_eq!(publish.judge(None), Verdict::NotHeld("no read".into()));
        assert_eq!(publish.guarantee(), Guarantee::AtMostOnce);
        let reboot = Effect::Transient {
            target: asg(),
            states: &["rebooting"],
            moves: None,
        };
        assert_eq!(reboot.guarantee(), Guarantee::AtLeastOnce);
        assert_eq!(
            Effect::Resend { why: "token" }.guarantee(),
            Guarantee::ExactlyOnce
        );
    }
}
