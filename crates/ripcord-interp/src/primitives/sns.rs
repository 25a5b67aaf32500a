//! SNS: `notify`.

use super::{expect_kind, region_of, Res};
use crate::failure::Failure;
use crate::handle::Handle;
use crate::state::RunState;
use rhai::Dynamic;
use ripcord_core::{ops, Call, Origin, ResourceKind};

/// `notify(topic, subject, message)`.
pub fn notify(st: &mut RunState, origin: Origin, h: &Handle, subject: &str, message: &str) -> Res {
    expect_kind("notify", h, &[ResourceKind::Topic])?;
    if subject.is_empty() || subject.chars().count() > 100 {
        return Err(Failure::invalid(
            "an SNS subject must be 1 to 100 characters",
        ));
    }
    st.execute(
        Call::Publish(ops::Publish {
            region: region_of(h),
            topic: h.0.name().to_string(),
            subject: subject.to_string(),
            message: message.to_string(),
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}
