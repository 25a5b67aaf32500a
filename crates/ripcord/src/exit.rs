//! Exit codes, documented in the README: scripts and CI branch on them.

/// How a `ripcord` command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked (warnings may have been printed).
    Ok = 0,
    /// The runbook is wrong or was rejected: a diagnostic says where.
    RunbookFailed = 1,
    /// A bad command line: clap's own errors, and a flag ripcord renamed.
    Usage = 2,
    /// An input file is missing or malformed (runbook unreadable, inventory invalid).
    BadInput = 3,
    /// A safety rule refused: account guard, no confirmation possible, approval refused.
    Refused = 4,
    /// The operator cancelled the run (Ctrl-C).
    Cancelled = 5,
    /// AWS could not be reached or answered with an error outside a runbook step.
    Aws = 6,
    /// `plan`: the plan completes, but its estimated total exceeds the runbook's RTO.
    RtoExceeded = 7,
    /// `plan` or `check` with `--fail-on-warnings`: there are warnings (and nothing worse).
    Warnings = 8,
    /// `apply --plan`: the reviewed plan is stale (the runbook, or what it would do, changed).
    StalePlan = 9,
}
