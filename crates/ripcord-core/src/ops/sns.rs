//! SNS operations: notifications.

use super::regional;
use crate::asl::task::SfnTask;
use crate::asl::SfnContext;
use crate::effect::{Effect, Guarantee};
use crate::iam::{Action, Permission, Scope};
use crate::inverse::{Before, Inverse};
use crate::operation::{Creates, Descriptor, Idempotency, Operation};
use crate::target::Target;
use serde::{Deserialize, Serialize};

/// sns Publish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Publish {
    pub region: String,
    pub topic: String,
    pub subject: String,
    pub message: String,
}

impl Operation for Publish {
    const DESCRIPTOR: Descriptor = regional(
        "sns",
        "Publish",
        Idempotency::None,
        Guarantee::AtMostOnce,
        Creates::Nothing,
        "publish a notification to a topic",
    );

    fn effect(&self) -> Effect {
        Effect::Unobservable {
            why: "SNS keeps no record of what was published to a standard topic",
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let topic = if self.topic.starts_with("arn:") {
            self.topic.clone()
        } else {
            scope.arn("sns", &self.region, &self.topic)
        };
        vec![Permission::on(Action::of(&Self::DESCRIPTOR), [topic])]
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        // SNS Publish has an optimized integration; it takes the topic's ARN (resolved).
        let mut p = serde_json::Map::new();
        p.insert("TopicArn".into(), ctx.resolved_or(&self.topic).into());
        p.insert("Subject".into(), self.subject.clone().into());
        p.insert("Message".into(), self.message.clone().into());
        SfnTask::optimized("arn:aws:states:::sns:publish", p)
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::Irreversible(format!(
            "a notification to {} cannot be taken back; send a correction if need be",
            self.topic
        ))
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::Topic {
            name: self.topic.clone(),
            region: self.region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![("Subject", self.subject.clone())]
    }
}
