//! `Roles`: the IAM role a deployed state machine runs as, created or brought up to date
//! (`ripcord deploy --create-role NAME`).

use crate::errors::{FromSdk, Op};
use ripcord_core::BackendError;

/// The trust policy of a Step Functions execution role.
const TRUST_STEP_FUNCTIONS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// The name of the inline policy ripcord keeps on the role.
pub const POLICY_NAME: &str = "ripcord-step-functions";

/// IAM (global), through the live backend's runtime and SDK configuration.
pub struct Roles<'b> {
    runtime: &'b tokio::runtime::Runtime,
    client: aws_sdk_iam::Client,
}

/// What `ensure` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnsuredRole {
    pub arn: String,
    pub created: bool,
}

impl<'b> Roles<'b> {
    pub(crate) fn new(
        runtime: &'b tokio::runtime::Runtime,
        base: &aws_config::SdkConfig,
        region: &str,
    ) -> Roles<'b> {
        let config = aws_sdk_iam::config::Builder::from(base)
            .region(aws_sdk_iam::config::Region::new(region.to_string()))
            .build();
        Roles {
            runtime,
            client: aws_sdk_iam::Client::from_conf(config),
        }
    }

    /// The role `name` that Step Functions may assume, created when missing, with `policy`
    /// (a policy document, JSON) as its inline policy [`POLICY_NAME`], replacing an older one.
    pub fn ensure_for_step_functions(
        &self,
        name: &str,
        policy: &str,
    ) -> Result<EnsuredRole, BackendError> {
        let found = self
            .runtime
            .block_on(self.client.get_role().role_name(name).send());
        let (arn, created) = match found {
            Ok(out) => match out.role() {
                Some(role) => (role.arn().to_string(), false),
                None => {
                    return Err(Op::new("iam", "GetRole")
                        .rejected("NoRole", format!("IAM returned no role for {name}")))
                }
            },
            Err(err) => {
                let err = Op::new("iam", "GetRole").sdk(err);
                if err.code != "NoSuchEntity" {
                    return Err(err);
                }
                let out = self
                    .runtime
                    .block_on(
                        self.client
                            .create_role()
                            .role_name(name)
                            .assume_role_policy_document(TRUST_STEP_FUNCTIONS)
                            .description("ripcord: runs a reviewed plan on AWS Step Functions")
                            .send(),
                    )
                    .map_err(|e| Op::new("iam", "CreateRole").sdk(e))?;
                let arn = out.role().map(|r| r.arn().to_string()).unwrap_or_default();
                (arn, true)
            }
        };
        self.runtime
            .block_on(
                self.client
                    .put_role_policy()
                    .role_name(name)
                    .policy_name(POLICY_NAME)
                    .policy_document(policy)
                    .send(),
            )
            .map_err(|e| Op::new("iam", "PutRolePolicy").sdk(e))?;
        Ok(EnsuredRole { arn, created })
    }
}
