//! The mutating AWS calls a runbook can make: the one list of operations ([`crate::ops`]).

use crate::operation::{Descriptor, Operation};
use crate::ops;
use crate::target::Target;
use serde::{Deserialize, Serialize};

/// Declares [`Call`], its table of descriptors and the [`for_call!`] dispatch macro from one
/// list, so that an operation cannot be in one and missing from another. (`$d` stands for a
/// literal `$` in the generated macro.)
macro_rules! declare_operations {
    ($d:tt $( $(#[$meta:meta])* $variant:ident ),* $(,)?) => {
        /// One mutating AWS API call, with its arguments as the runbook resolved them.
        ///
        /// Resource arguments hold the portable names the runbook used; the backend resolves
        /// them to ids/ARNs when it executes the call and reports that in its
        /// [`crate::Outcome`]. In JSON the operation name is the `operation` tag and the
        /// request's parameters sit beside it (`docs/plan-schema.md`).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "operation")]
        pub enum Call {
            $( $(#[$meta])* $variant(ops::$variant), )*
        }

        impl Call {
            /// Every operation's descriptor, in declaration order.
            pub const DESCRIPTORS: &'static [Descriptor] =
                &[ $( <ops::$variant as Operation>::DESCRIPTOR, )* ];

            /// This call's descriptor.
            pub fn descriptor(&self) -> &'static Descriptor {
                match self {
                    $( Call::$variant(_) => &<ops::$variant as Operation>::DESCRIPTOR, )*
                }
            }
        }

        $(
            impl From<ops::$variant> for Call {
                fn from(op: ops::$variant) -> Call {
                    Call::$variant(op)
                }
            }
        )*

        /// Runs `body` with `op` bound to the call's operation, typed: `for_call!(call, op =>
        /// op.apply(sim))` calls each operation type's own implementation of a backend's
        /// trait, so an operation a backend does not implement is a compile error there.
        #[macro_export]
        macro_rules! for_call {
            ($d call:expr, $d op:ident => $d body:expr) => {
                match $d call {
                    $( $crate::Call::$variant($d op) => $d body, )*
                }
            };
        }
    };
}

declare_operations! { $
    CreateSnapshot,
    CopySnapshot,
    CreateVolume,
    #[serde(rename = "CreateDBSnapshot")]
    CreateDbSnapshot,
    #[serde(rename = "CreateDBClusterSnapshot")]
    CreateDbClusterSnapshot,
    #[serde(rename = "CopyDBSnapshot")]
    CopyDbSnapshot,
    #[serde(rename = "CopyDBClusterSnapshot")]
    CopyDbClusterSnapshot,
    #[serde(rename = "RestoreDBInstanceFromDBSnapshot")]
    RestoreDbInstanceFromDbSnapshot,
    PromoteReadReplica,
    RemoveFromGlobalCluster,
    FailoverGlobalCluster,
    SwitchoverGlobalCluster,
    CreateGlobalCluster,
    DeleteGlobalCluster,
    #[serde(rename = "DeleteDBCluster")]
    DeleteDbCluster,
    #[serde(rename = "CreateDBCluster")]
    CreateDbCluster,
    #[serde(rename = "CreateDBInstance")]
    CreateDbInstance,
    #[serde(rename = "DeleteDBInstance")]
    DeleteDbInstance,
    #[serde(rename = "CreateDBInstanceReadReplica")]
    CreateDbInstanceReadReplica,
    #[serde(rename = "RebootDBInstance")]
    RebootDbInstance,
    UpdateAutoScalingGroup,
    UpdateService,
    UpdateTable,
    ChangeResourceRecordSets,
    UpdateHealthCheck,
    PutBucketReplication,
    Publish,
}

impl Call {
    /// The AWS service the call goes to, as in IAM action prefixes.
    pub fn service(&self) -> &'static str {
        self.descriptor().service
    }

    /// The AWS API operation name (`UpdateAutoScalingGroup`, `CreateDBSnapshot`, ...).
    pub fn operation(&self) -> &'static str {
        self.descriptor().name
    }

    /// The descriptor of the operation named `name` (`CreateDBSnapshot`), if there is one.
    pub fn descriptor_named(name: &str) -> Option<&'static Descriptor> {
        Call::DESCRIPTORS.iter().find(|d| d.name == name)
    }

    /// The region the request is sent to; `None` for Route 53 and S3 bucket configuration,
    /// which are global (the backend picks the partition's global endpoint).
    pub fn region(&self) -> Option<&str> {
        for_call!(self, op => op.region())
    }

    /// The resource the call acts on, for the plan's target column and for locking in the REPL.
    pub fn target(&self) -> Target {
        for_call!(self, op => op.target())
    }

    /// The arguments a reviewer needs to read the call ([`Operation::key_arguments`]).
    pub fn key_arguments(&self) -> Vec<(&'static str, String)> {
        for_call!(self, op => op.key_arguments())
    }

    /// What the call creates under an identifier the runbook chose, known before sending.
    pub fn given_id(&self) -> Option<String> {
        for_call!(self, op => op.given_id())
    }

    /// What its success looks like in AWS's state ([`Operation::effect`]).
    pub fn effect(&self) -> crate::Effect {
        for_call!(self, op => op.effect())
    }

    /// The IAM permissions its request needs ([`Operation::iam`]).
    pub fn iam(&self, scope: &crate::iam::Scope) -> Vec<crate::iam::Permission> {
        for_call!(self, op => op.iam(scope))
    }

    /// Its Step Functions Task integration ([`Operation::step_functions`]).
    pub fn step_functions(&self, ctx: &crate::asl::SfnContext) -> crate::asl::SfnTask {
        for_call!(self, op => op.step_functions(ctx))
    }

    /// Its Tasks, one per request ([`Operation::step_functions_requests`]).
    pub fn step_functions_requests(
        &self,
        ctx: &crate::asl::SfnContext,
    ) -> Vec<crate::asl::SfnTask> {
        for_call!(self, op => op.step_functions_requests(ctx))
    }

    /// How the call is undone ([`Operation::inverse`]).
    pub fn inverse(&self, before: crate::inverse::Before<'_>) -> crate::inverse::Inverse {
        for_call!(self, op => op.inverse(before))
    }

    /// How many requests the call is sent as ([`Operation::request_count`]).
    pub fn request_count(&self) -> usize {
        for_call!(self, op => op.request_count())
    }

    /// Where the call's control plane runs ([`Operation::control_plane`]).
    pub fn control_plane(&self) -> crate::operation::ControlPlane {
        for_call!(self, op => op.control_plane())
    }

    /// The call's arguments as AWS parameter names and values, without the operation tag
    /// and without the region (which has its own column).
    pub fn arguments(&self) -> serde_json::Map<String, serde_json::Value> {
        // Serializing a plain data enum with string keys cannot fail; an empty map would
        // only hide arguments, never invent them.
        let mut map = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        map.remove("operation");
        map.remove("Region");
        map
    }
}
