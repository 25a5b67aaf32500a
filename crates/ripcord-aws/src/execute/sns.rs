//! SNS: Publish to a topic by name (the ARN is built from the caller's account).

use super::{request_id, resolved, Execute};
use crate::context::Ctx;
use crate::errors::{FromSdk, Op};
use crate::resolve::topic_arn;
use aws_sdk_sns::operation::RequestId;
use ripcord_core::ops;
use ripcord_core::{BackendError, Outcome};

async fn publish(
    ctx: &Ctx,
    op: Op,
    region: &str,
    topic: &str,
    subject: &str,
    message: &str,
) -> Result<Outcome, BackendError> {
    let arn = topic_arn(ctx, region, topic).await?;
    // An empty subject is sent as none: SNS rejects an empty Subject parameter.
    let subject = (!subject.is_empty()).then(|| subject.to_string());
    let out = ctx
        .mutations
        .sns(region)
        .publish()
        .topic_arn(&arn)
        .set_subject(subject)
        .message(message)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        resolved: resolved(topic, &arn),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

impl Execute for ops::Publish {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        publish(
            ctx,
            op,
            &self.region,
            &self.topic,
            &self.subject,
            &self.message,
        )
        .await
    }
}
