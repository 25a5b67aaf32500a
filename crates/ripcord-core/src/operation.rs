//! The operation descriptor: everything both backends and every renderer must agree on about
//! one AWS operation, declared once per operation type (`crate::ops`).

use crate::asl::{SfnContext, SfnTask};
use crate::effect::{Effect, Guarantee};
use crate::iam::{Permission, Scope};
use crate::target::{ResourceKind, Target};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

/// One mutating AWS API operation, as a type. Every operation in [`crate::Call`] implements
/// it; the backends implement their own per-operation trait for every such type (reached
/// through [`crate::for_call!`]), so a forgotten implementation is a compile error.
pub trait Operation: Debug + Clone + PartialEq + Serialize + DeserializeOwned {
    /// The facts that do not depend on the arguments.
    const DESCRIPTOR: Descriptor;

    /// The region the request is sent to; `None` for Route 53 and S3 bucket configuration,
    /// whose API is global (the backend picks the partition's endpoint or the bucket's region).
    fn region(&self) -> Option<&str>;

    /// The resource the call acts on, for the plan's target column and for the REPL.
    fn target(&self) -> Target;

    /// The arguments a reviewer needs to read the call, beyond its operation, region and
    /// target. Labels are the parameter names of the plan's JSON, so the two read alike.
    fn key_arguments(&self) -> Vec<(&'static str, String)>;

    /// The identifier of what the call creates when the runbook chose it (RDS identifiers,
    /// which AWS stores in lower case), known before the call is sent. `None` otherwise.
    fn given_id(&self) -> Option<String> {
        None
    }

    /// What its success looks like in AWS's state: the check that settles a request whose
    /// answer was lost (`crate::Effect`). Its guarantee must be the descriptor's (a test holds
    /// them together).
    fn effect(&self) -> Effect;

    /// The IAM permissions its request needs (`ripcord iam-policy`): its action on the ARNs
    /// of what it changes or creates, where AWS supports resource-level permissions (`*`
    /// otherwise), the actions the request depends on (a role it passes, tags it sets), and
    /// the reads the live backend sends to resolve its names.
    fn iam(&self, scope: &Scope) -> Vec<Permission>;

    /// How a Step Functions Task sends its request (`ripcord export`): the service
    /// integration and the parameters, with ids the plan resolved from names (`ctx.resolved`,
    /// the step's [`crate::Step::resolved`]) and ARNs built from the plan's account where the
    /// API takes ids or ARNs. Required, so an operation without a mapping does not compile.
    fn step_functions(&self, ctx: &SfnContext) -> SfnTask;

    /// The Tasks the call is exported as, one per request ([`Operation::request_count`]), in
    /// the order they are sent: the one of [`Operation::step_functions`], but for a batch AWS
    /// takes in parts.
    fn step_functions_requests(&self, ctx: &SfnContext) -> Vec<SfnTask> {
        vec![self.step_functions(ctx)]
    }

    /// How the call is undone, from what the world held before the run (`before`): the calls
    /// that put back what it changed, or why none can. Required, so a new operation says
    /// what its inverse is (`ripcord plan --inverse RUN_ID`).
    fn inverse(&self, before: crate::inverse::Before<'_>) -> crate::inverse::Inverse;

    /// How many HTTP requests the call is sent as: one, but for a batch AWS takes in parts
    /// (a Route 53 change batch above its per-request limits). Each draws a token of the
    /// operation's quota bucket, in the live run and in the dry-run's estimate alike.
    fn request_count(&self) -> usize {
        1
    }

    /// Where the operation's control plane runs: the region it is sent to for regional
    /// services; us-east-1 for Route 53's (AWS Fault Isolation Boundaries, "Global services").
    fn control_plane(&self) -> ControlPlane {
        match (Self::DESCRIPTOR.control, self.region()) {
            (Control::Regional, Some(region)) => ControlPlane::Region(region.to_string()),
            (Control::Regional, None) => ControlPlane::ResourceRegion,
            (Control::GlobalInUsEast1, _) => ControlPlane::Region(GLOBAL_CONTROL_REGION.into()),
        }
    }
}

/// The region where the control planes of AWS's global services (Route 53, IAM) run.
pub const GLOBAL_CONTROL_REGION: &str = "us-east-1";

/// The argument-independent facts of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor {
    /// The AWS service, as in IAM action prefixes (`ec2`, `rds`, `route53`, ...).
    pub service: &'static str,
    /// The AWS API operation name (`CreateDBSnapshot`), also the plan's `operation` tag.
    pub name: &'static str,
    /// Whether the call changes AWS (every [`crate::Call`] does; reads are queries).
    pub mutates: bool,
    /// What a second attempt does after the first one took effect.
    pub idempotency: Idempotency,
    /// What a step of it promises when its answer is lost (`docs/live.md`, "Lost answers"):
    /// [`Operation::effect`]'s kind of check.
    pub guarantee: Guarantee,
    /// What the call creates, and who picks its identifier.
    pub creates: Creates,
    /// Where its control plane runs.
    pub control: Control,
    /// One line for the documentation tables (`docs/live.md`, `docs/simulation.md`).
    pub summary: &'static str,
}

/// What a second attempt of a request does after the first one already took effect (the
/// SDK retries requests whose answer it did not get). `docs/live.md` explains each class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// The request sets absolute values: a second attempt leaves the same state.
    Natural,
    /// The request carries an idempotency token derived from the run and step: AWS answers
    /// a second attempt with the first one's result.
    ClientToken,
    /// The runbook names what is created: a second attempt is refused as already existing,
    /// so nothing is made twice, but the step reports that refusal.
    UniqueName,
    /// The request moves a resource between states: a second attempt is refused because the
    /// resource already moved.
    StateTransition,
    /// Nothing stops a second attempt from taking effect again (a second snapshot, a second
    /// notification).
    None,
}

impl Idempotency {
    /// The word the documentation tables use.
    pub fn as_str(self) -> &'static str {
        match self {
            Idempotency::Natural => "natural",
            Idempotency::ClientToken => "client token",
            Idempotency::UniqueName => "unique name",
            Idempotency::StateTransition => "state transition",
            Idempotency::None => "none",
        }
    }
}

/// What a call creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Creates {
    /// Nothing new: it changes an existing resource.
    Nothing,
    /// A resource whose id AWS picks (a snapshot id, a volume id, a change id).
    NewId(ResourceKind),
    /// A resource named by the runbook ([`Operation::given_id`]).
    GivenId(ResourceKind),
}

impl Creates {
    /// The kind of what is created, if anything.
    pub fn kind(self) -> Option<ResourceKind> {
        match self {
            Creates::Nothing => None,
            Creates::NewId(kind) | Creates::GivenId(kind) => Some(kind),
        }
    }
}

/// Where an operation's control plane runs, as declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// In the region the request is sent to (or, for S3 bucket configuration, the bucket's).
    Regional,
    /// In us-east-1, whatever the resource's region (Route 53's change and health-check APIs).
    GlobalInUsEast1,
}

/// Where one call's control plane runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlPlane {
    /// In this region.
    Region(String),
    /// In the region of the resource it changes, which only the world knows (an S3 bucket).
    ResourceRegion,
}
