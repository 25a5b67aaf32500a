//! Auto Scaling operations.

use super::regional;
use crate::asl::task::{fields_of, SfnTask};
use crate::asl::SfnContext;
use crate::effect::{Effect, Guarantee};
use crate::iam::{Action, Permission, Scope};
use crate::inverse::{int, Before, Inverse};
use crate::operation::{Creates, Descriptor, Idempotency, Operation};
use crate::target::Target;
use serde::{Deserialize, Serialize};

/// autoscaling UpdateAutoScalingGroup; absent sizes are left unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateAutoScalingGroup {
    pub region: String,
    pub auto_scaling_group_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_size: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_capacity: Option<i64>,
}

impl Operation for UpdateAutoScalingGroup {
    const DESCRIPTOR: Descriptor = regional(
        "autoscaling",
        "UpdateAutoScalingGroup",
        Idempotency::Natural,
        Guarantee::ExactlyOnce,
        Creates::Nothing,
        "set an Auto Scaling group's sizes",
    );

    fn effect(&self) -> Effect {
        let sizes = [
            ("min_size", self.min_size),
            ("max_size", self.max_size),
            ("desired_capacity", self.desired_capacity),
        ];
        Effect::Describes {
            target: self.target(),
            fields: sizes
                .into_iter()
                .filter_map(|(field, size)| Some((field, size?.into())))
                .collect(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let group = format!(
            "autoScalingGroup:*:autoScalingGroupName/{}",
            self.auto_scaling_group_name
        );
        vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [scope.arn("autoscaling", &self.region, &group)],
        )]
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        SfnTask::sdk(&Self::DESCRIPTOR, fields_of(self, &[]))
    }

    fn inverse(&self, before: Before<'_>) -> Inverse {
        let Some(found) = before(&self.target()) else {
            return Inverse::Irreversible(format!(
                "Auto Scaling group {} was not in the world before the run",
                self.auto_scaling_group_name
            ));
        };
        let back = |set: Option<i64>, field: &str| set.and(int(&found, field));
        Inverse::Calls(vec![UpdateAutoScalingGroup {
            region: self.region.clone(),
            auto_scaling_group_name: self.auto_scaling_group_name.clone(),
            min_size: back(self.min_size, "min_size"),
            max_size: back(self.max_size, "max_size"),
            desired_capacity: back(self.desired_capacity, "desired_capacity"),
        }
        .into()])
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::Asg {
            name: self.auto_scaling_group_name.clone(),
            region: self.region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        [
            ("MinSize", self.min_size),
            ("MaxSize", self.max_size),
            ("DesiredCapacity", self.desired_capacity),
        ]
        .into_iter()
        .filter_map(|(label, size)| size.map(|size| (label, size.to_string())))
        .collect()
    }
}
