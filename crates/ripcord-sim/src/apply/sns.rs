//! SNS: Publish (recorded, never sent), with SNS's limits on subject and message.

use super::{Apply, Cx};
use crate::backend::SimBackend;
use ripcord_core::ops;
use ripcord_core::{BackendError, Outcome, Target};

/// SNS's limit on a message body, bytes.
const MAX_MESSAGE_BYTES: usize = 262_144;

fn publish(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    topic: &str,
    subject: &str,
    message: &str,
) -> Result<Outcome, BackendError> {
    let target = Target::Topic {
        name: topic.to_string(),
        region: region.to_string(),
    };
    let (ri, ti) = sim.world.locate(cx.op, &target, cx.now)?;
    let invalid = |message: &str, help: &str| {
        cx.op
            .rejected("InvalidParameter", format!("Invalid parameter: {message}"))
            .with_help(help.to_string())
    };
    // An empty subject is sent as no subject at all.
    let subject_ok = subject.is_empty()
        || (subject.len() < 100
            && subject
                .chars()
                .all(|c| c.is_ascii() && !c.is_ascii_control())
            && !subject.starts_with(' '));
    if !subject_ok {
        return Err(invalid(
            "Subject",
            "a subject is ASCII, under 100 characters, on one line, and does not start with a space",
        ));
    }
    if message.is_empty() {
        return Err(invalid("Empty message", "give the notification some text"));
    }
    if message.len() > MAX_MESSAGE_BYTES {
        return Err(invalid(
            "Message too long",
            "SNS messages are at most 256 KiB",
        ));
    }
    let name = &sim.world.regions.at(ri).topics.at(ti).name;
    Ok(Outcome {
        resolved: Some(sim.world.arn("sns", region, name)),
        ..Outcome::default()
    })
}

impl Apply for ops::Publish {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        publish(
            sim,
            cx,
            &self.region,
            &self.topic,
            &self.subject,
            &self.message,
        )
    }
}
