//! ECS operations: services.

use super::regional;
use crate::asl::task::{fields_of, SfnTask};
use crate::asl::SfnContext;
use crate::effect::{Effect, Guarantee};
use crate::iam::{Action, Permission, Scope};
use crate::inverse::{int, Before, Inverse};
use crate::operation::{Creates, Descriptor, Idempotency, Operation};
use crate::target::Target;
use serde::{Deserialize, Serialize};

/// ecs UpdateService of its desired count (the number of tasks the scheduler keeps running).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateService {
    pub region: String,
    pub cluster: String,
    pub service: String,
    pub desired_count: i64,
}

impl Operation for UpdateService {
    const DESCRIPTOR: Descriptor = regional(
        "ecs",
        "UpdateService",
        Idempotency::Natural,
        Guarantee::ExactlyOnce,
        Creates::Nothing,
        "set an ECS service's desired count",
    );

    fn effect(&self) -> Effect {
        Effect::Describes {
            target: self.target(),
            fields: vec![("desired_count", self.desired_count.into())],
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let service = format!("service/{}/{}", self.cluster, self.service);
        vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [scope.arn("ecs", &self.region, &service)],
        )]
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        SfnTask::sdk(&Self::DESCRIPTOR, fields_of(self, &[]))
    }

    fn inverse(&self, before: Before<'_>) -> Inverse {
        match before(&self.target()).and_then(|found| int(&found, "desired_count")) {
            Some(desired_count) => Inverse::Calls(vec![UpdateService {
                desired_count,
                ..self.clone()
            }
            .into()]),
            None => Inverse::Irreversible(format!(
                "ECS service {}/{} was not in the world before the run",
                self.cluster, self.service
            )),
        }
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::EcsService {
            cluster: self.cluster.clone(),
            name: self.service.clone(),
            region: self.region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![("DesiredCount", self.desired_count.to_string())]
    }
}
