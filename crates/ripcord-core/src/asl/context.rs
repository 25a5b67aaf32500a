//! What an operation's Step Functions mapping knows beyond its own arguments: the names the
//! plan resolved, and the account (the live backend builds ARNs from STS; the export from the
//! plan).

/// The plan's facts about one call, for [`crate::Operation::step_functions`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SfnContext<'a> {
    /// The id or ARN the dry-run resolved the call's target to (`Step::resolved`).
    pub resolved: Option<&'a str>,
    /// The account the plan was made for, when it names one.
    pub account: Option<&'a str>,
}

impl SfnContext<'_> {
    /// The resolved id, else `name`.
    pub fn resolved_or<'n>(&'n self, name: &'n str) -> &'n str {
        self.resolved.unwrap_or(name)
    }

    /// `name` as an RDS ARN (`arn:aws:rds:REGION:ACCOUNT:KIND:NAME`) where the API needs one;
    /// unchanged when it already is one or the account is unknown (AWS then says which).
    pub fn rds_arn(&self, region: &str, kind: &str, name: &str) -> String {
        match self.account {
            Some(account) if !name.starts_with("arn:") => {
                crate::arn::arn("rds", region, account, &format!("{kind}:{name}"))
            }
            _ => name.to_string(),
        }
    }
}
