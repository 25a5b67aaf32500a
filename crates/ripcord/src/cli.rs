//! Command-line arguments (clap): one struct per subcommand.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The "Examples:" section of a command's `--help`, one command line per argument (a test
/// parses each one, so they stay valid).
macro_rules! examples {
    ($($line:literal),+ $(,)?) => {
        concat!("Examples:", $("\n  ", $line),+)
    };
}

/// Disaster-recovery runbooks on AWS: check them, dry-run them, run them.
#[derive(Debug, Parser)]
#[command(name = "ripcord", version, about, long_about = None)]
pub struct Cli {
    /// When to colour output: auto colours only on a terminal and when NO_COLOR is unset.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Log ripcord's and the AWS SDK's events on stderr at this level and above (debug shows
    /// every request the SDK makes; secrets are never printed). Without it, RIPCORD_LOG is
    /// read: a level, or target=level pairs (ripcord=debug,aws_smithy_runtime=trace).
    #[arg(long, value_enum, global = true, value_name = "LEVEL")]
    pub log_level: Option<LogLevel>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse a runbook and run the static checks; nothing is executed.
    #[command(after_help = examples!(
        "ripcord check runbooks/ecommerce/failover.rhai",
        "ripcord check runbooks/ stdlib/ --format github    # annotations in a pull request",
    ))]
    Check(CheckArgs),
    /// Dry-run a runbook against a simulated world and print every AWS call it would make.
    #[command(after_help = examples!(
        "ripcord plan runbooks/ecommerce/failover.rhai",
        "ripcord plan runbooks/ecommerce/failover.rhai --down us-east-1    # as it runs in that outage",
        "ripcord plan runbooks/ecommerce/failover.rhai -i captured.json -f json -o reviewed.json",
        "ripcord plan runbooks/ecommerce/failover.rhai --compare base.json -f markdown",
        "ripcord plan --inverse 20261124T031500Z-ecommerce-failover    # the plan that undoes a run",
    ))]
    Plan(PlanArgs),
    /// Run a runbook against AWS: capture, plan, confirm, execute, report.
    #[command(after_help = examples!(
        "ripcord apply runbooks/ecommerce/failover.rhai --profile dr-admin",
        "ripcord apply --plan reviewed.json    # exactly the reviewed plan, or refuse (exit 9)",
        "ripcord apply --resume 20261124T030000Z-ecommerce-failover    # after a killed run",
        "ripcord apply --plan reviewed.json --engine step-functions --region us-west-2    # run it inside AWS",
    ))]
    Apply(ApplyArgs),
    /// Read-only snapshot of live state as an inventory, usable by `plan --inventory`.
    #[command(after_help = examples!(
        "ripcord capture --regions us-east-1,us-west-2 -o captured.json",
    ))]
    Capture(CaptureArgs),
    /// Print the least-privilege IAM policy (JSON) that `apply` of a runbook needs.
    #[command(after_help = examples!(
        "ripcord iam-policy runbooks/ecommerce/failover.rhai",
        "ripcord iam-policy runbooks/ecommerce/failover.rhai -i captured.json > policy.json",
    ))]
    IamPolicy(IamPolicyArgs),
    /// Compile a saved plan for another engine: an AWS Step Functions state machine (Amazon
    /// States Language) and the IAM policy of its execution role (docs/step-functions.md).
    #[command(after_help = examples!(
        "ripcord export reviewed.json --engine step-functions    # the state machine on standard output",
        "ripcord export reviewed.json --engine step-functions -o failover.asl.json    # and failover.asl.iam.json",
        "ripcord export reviewed.json --engine step-functions --approval-topic arn:aws:sns:us-west-2:123456789012:dr-approvals",
    ))]
    Export(ExportArgs),
    /// Create or update the AWS Step Functions state machine of a reviewed plan
    /// (docs/step-functions.md); `apply --plan PLAN --engine step-functions` runs it.
    #[command(after_help = examples!(
        "ripcord deploy reviewed.json --engine step-functions --region us-west-2 --role-arn arn:aws:iam::123456789012:role/ripcord-failover",
        "ripcord deploy reviewed.json --engine step-functions --region us-west-2 --role-arn arn:aws:iam::123456789012:role/ripcord-failover --approval-topic arn:aws:sns:us-west-2:123456789012:dr-approvals",
        "ripcord deploy reviewed.json --engine step-functions --region us-west-2 --create-role ripcord-failover    # the role, with the plan's policy",
    ))]
    Deploy(DeployArgs),
    /// Answer the approval gate a run on Step Functions waits at (approve, or --decline).
    #[command(after_help = examples!(
        "ripcord approve 20261124T030000Z-ecommerce-failover",
        "ripcord approve 20261124T030000Z-ecommerce-failover --decline --reason drill-only",
    ))]
    Approve(ApproveArgs),
    /// A DR drill: the failover, a verification, the failback, each an `apply`, and the
    /// evidence report of the whole exercise (Markdown and HTML).
    #[command(after_help = examples!(
        "ripcord drill runbooks/ecommerce/failover.rhai --failback runbooks/ecommerce/failback.rhai",
        "ripcord drill runbooks/ecommerce/failover.rhai --failback runbooks/ecommerce/failback.rhai --verify checks.rhai --report-dir evidence/",
        "ripcord drill --resume 20261124T030000Z-drill-failover    # after an interruption or a failed phase",
    ))]
    Drill(DrillArgs),
    /// Journals of past runs.
    #[command(after_help = examples!(
        "ripcord runs list",
        "ripcord runs show 20261124T030000Z-ecommerce-failover",
        "ripcord runs report 20261124T030000Z-ecommerce-failover -o evidence.md    # for a ticket or a PR",
        "ripcord runs report 20261124T030000Z-ecommerce-failover --format html -o evidence.html",
    ))]
    Runs(RunsArgs),
    /// Step through a runbook one DR call at a time (dry-run, or --live), or type Rhai.
    #[command(after_help = examples!(
        "ripcord repl runbooks/ecommerce/failover.rhai",
        "ripcord repl runbooks/ecommerce/failover.rhai --live --profile dr-admin",
        "ripcord repl runbooks/ecommerce/failover.rhai --live --resume 20261124T030000Z-ecommerce-failover    # after the SSH session dropped",
        "ripcord repl    # an empty session: call primitives by hand",
    ))]
    Repl(ReplArgs),
    /// Print the shell completion script (e.g. `ripcord completions bash >
    /// ~/.local/share/bash-completion/completions/ripcord`).
    #[command(after_help = examples!(
        "ripcord completions bash > ~/.local/share/bash-completion/completions/ripcord",
        "ripcord completions zsh > ~/.zfunc/_ripcord",
    ))]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `ripcord man | man -l -`.
    #[command(after_help = examples!("ripcord man | man -l -"))]
    Man,
    /// Print the JSON Schema of a file format, for editors that validate YAML and JSON.
    #[command(after_help = examples!(
        "ripcord schema inventory -o inventory.schema.json",
    ))]
    Schema(SchemaArgs),
    /// Write Rhai definition files (.d.rhai) of every primitive, for the Rhai language server.
    #[command(after_help = examples!(
        "ripcord definitions -o .rhai/definitions",
        "ripcord definitions > ripcord.d.rhai    # all in one file",
    ))]
    Definitions(DefinitionsArgs),
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The format to describe.
    #[arg(value_enum)]
    pub schema: SchemaKind,
    /// Write the schema to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

/// The formats `ripcord schema` describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// The inventory (`plan --inventory`, `capture`): docs/inventory.md.
    Inventory,
}

#[derive(Debug, Args)]
pub struct DefinitionsArgs {
    /// Write one file per module into this directory (created if missing) instead of all of
    /// them, as one file, to standard output.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// How to reach AWS (the standard credential chain; these override it).
#[derive(Debug, Clone, Args)]
pub struct LiveArgs {
    /// Named profile from the AWS config/credentials files.
    #[arg(long)]
    pub profile: Option<String>,
    /// Preferred region for account-wide requests (STS, S3 bucket lookups, global-cluster
    /// reads). Default: AWS_REGION, AWS_DEFAULT_REGION or the profile's region; when it does
    /// not answer, the runbook's regions in order (docs/live.md).
    #[arg(long)]
    pub region: Option<String>,
    /// Send every request to this endpoint (LocalStack, moto); AWS_ENDPOINT_URL works too.
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// How long each part of the capture (a service of a region, Route 53, S3) and the STS
    /// probe of a region may take before it counts as not answering (e.g. 30s, 2m).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_timeout)]
    pub read_timeout: std::time::Duration,
    /// How long one attempt of any request may take before the SDK retries it (e.g. 60s).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_timeout)]
    pub request_timeout: std::time::Duration,
}

/// An account's AWS request quotas (`plan`, `apply`, `repl`): the dry-run estimates parallel
/// groups by them and the live backend paces its requests by them.
#[derive(Debug, Clone, Args)]
pub struct QuotaArgs {
    /// AWS request quotas of the account where they differ from AWS's defaults (raised
    /// quotas): YAML, `BUCKET: {rate: N, burst: N}` per token bucket, e.g. `route53: {rate:
    /// 10, burst: 50}` (docs/live.md, "Quotas and pacing", lists the buckets).
    #[arg(long, value_name = "FILE")]
    pub quotas: Option<PathBuf>,
}

/// A timeout flag: a duration as runbooks write them (`30s`, `2m`), at least a second.
fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    match ripcord_core::duration::parse_duration(text)? {
        0 => Err("a timeout of 0 would give up at once; give at least 1s".to_string()),
        secs => Ok(std::time::Duration::from_secs(secs)),
    }
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The runbook (.rhai). With --resume or --plan, the run's or the plan's own (it may be
    /// left out).
    #[arg(required_unless_present_any = ["resume", "plan"])]
    pub runbook: Option<PathBuf>,
    /// Run exactly this reviewed plan (`ripcord plan RUNBOOK -f json -o FILE`): refused
    /// (exit 9) when the runbook's text changed, or when the dry-run against the live state
    /// now differs from it in any step, argument or state a step found (the difference is
    /// shown, value by value).
    #[arg(long, value_name = "REVIEWED_PLAN", conflicts_with = "resume")]
    pub plan: Option<PathBuf>,
    /// Continue run RUN_ID (killed, interrupted, cancelled or failed) from its journal: steps
    /// with a journaled result are not sent again, one sent without a result is settled
    /// from AWS's state, then the run goes on live.
    #[arg(long, value_name = "RUN_ID")]
    pub resume: Option<String>,
    /// With --resume: go on although the live state changed since the run's plan where the
    /// remaining steps rely on it (the difference is shown; on a terminal you are asked).
    #[arg(long, requires = "resume")]
    pub accept_drift: bool,
    #[command(flatten)]
    pub live: LiveArgs,
    #[command(flatten)]
    pub quotas: QuotaArgs,
    /// Regions to capture when the runbook declares none (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Do not ask before executing (needed without a terminal). approve() still stops.
    #[arg(long)]
    pub yes: bool,
    /// Approve every approve() gate of the runbook without asking (the journal records who
    /// ran it). Not the confirmation before the run: that is --yes.
    #[arg(long)]
    pub approve_gates: bool,
    /// The old name of --approve-gates, refused with an explanation: to Terraform users it
    /// means only skipping the confirmation (ripcord's --yes).
    #[arg(long, hide = true)]
    pub auto_approve: bool,
    /// Where run journals go [default: $RIPCORD_RUNS_DIR or .ripcord/runs].
    #[arg(long)]
    pub runs_dir: Option<PathBuf>,
    /// Run the reviewed plan on this engine instead of from this machine: its state machine
    /// (`ripcord deploy`; one per region, in order, for a plan in several) is started and
    /// followed; Ctrl-C stops following, not the execution.
    #[arg(long, value_enum, requires = "plan", conflicts_with = "approve_gates")]
    pub engine: Option<Engine>,
    /// With --engine step-functions: the SNS topic (ARN) approvals publish their task token
    /// to, when the state machine was deployed without one (a stage in another region
    /// publishes to the topic of that name in its region).
    #[arg(long, value_name = "ARN", requires = "engine")]
    pub approval_topic: Option<String>,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The reviewed plan (`ripcord plan RUNBOOK -f json -o PLAN.json`).
    pub plan: PathBuf,
    /// The engine to deploy to.
    #[arg(long, value_enum)]
    pub engine: Engine,
    /// The execution role's ARN (the policy `ripcord export -o` writes, and Step Functions'
    /// trust policy).
    #[arg(
        long,
        value_name = "ARN",
        required_unless_present = "create_role",
        conflicts_with = "create_role"
    )]
    pub role_arn: Option<String>,
    /// Create the execution role NAME (trusting Step Functions) when missing, and put the
    /// plan's policy on it as its inline policy `ripcord-step-functions` (replacing an older
    /// one); its ARN is used.
    #[arg(long, value_name = "NAME")]
    pub create_role: Option<String>,
    /// The state machine's name [default: ripcord- and the runbook's name].
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub asl: AslArgs,
    /// AWS options; --region is where the state machine is deployed: by default the region
    /// the plan's steps go to (a plan in several is deployed as a state machine per region).
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The run (`apply --engine step-functions` printed it; `ripcord runs list`).
    pub run_id: String,
    /// Decline instead: the execution fails at the gate.
    #[arg(long)]
    pub decline: bool,
    /// Why, recorded with the answer.
    #[arg(long)]
    pub reason: Option<String>,
    /// Which gate, when several wait at once (parallel branches): its step number.
    #[arg(long)]
    pub step: Option<u32>,
    /// Where run journals are [default: $RIPCORD_RUNS_DIR or .ripcord/runs].
    #[arg(long)]
    pub runs_dir: Option<PathBuf>,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Args)]
pub struct ReplArgs {
    /// The runbook (.rhai); without one, an empty session: type Rhai, call primitives by hand.
    pub runbook: Option<PathBuf>,
    /// Dry-run world (JSON or YAML). Default: the runbook's, as for `plan`.
    #[arg(long, short = 'i', conflicts_with = "live")]
    pub inventory: Option<PathBuf>,
    /// Send the calls to AWS (account guard, capture, journal, as `apply`).
    #[arg(long)]
    pub live: bool,
    #[command(flatten)]
    pub live_args: LiveArgs,
    #[command(flatten)]
    pub quotas: QuotaArgs,
    /// Regions to capture when the runbook declares none (live; comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Live: do not ask before each mutating call (approve() still stops). Explicit on purpose.
    #[arg(long)]
    pub yes: bool,
    /// Where session journals go [default: $RIPCORD_RUNS_DIR or .ripcord/runs].
    #[arg(long)]
    pub runs_dir: Option<PathBuf>,
    /// Command history file [default: .ripcord/repl_history].
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Go on with a live session that was cut off (SSH gone, process killed), in its journal:
    /// the steps it did are given back, not sent again (a request left in doubt is settled from
    /// AWS's state first), and the session pauses at the first step it did not do.
    #[arg(long, value_name = "RUN_ID", requires_all = ["live", "runbook"])]
    pub resume: Option<String>,
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// Regions to capture (comma-separated).
    #[arg(long, required = true, value_delimiter = ',')]
    pub regions: Vec<String>,
    #[command(flatten)]
    pub live: LiveArgs,
    /// Write the inventory here instead of standard output (.json or .yaml).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IamPolicyArgs {
    /// The runbook (.rhai).
    pub runbook: PathBuf,
    /// The account as an inventory (JSON or YAML; a capture gives the real ids) [default: the
    /// one beside the runbook].
    #[arg(long, short = 'i')]
    pub inventory: Option<PathBuf>,
    /// The most characters the policy may have, whitespace not counted (IAM's quota: 6,144
    /// for a managed policy, 10,240 for a role's inline policies together). A larger policy
    /// names its resources by patterns, as few as fit, and says which.
    #[arg(long, value_name = "N", default_value_t = ripcord_core::policy::MANAGED_POLICY_MAX_CHARS)]
    pub max_chars: usize,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The saved plan (`ripcord plan RUNBOOK -f json -o PLAN.json`); the runbook is not run
    /// again: what was reviewed is what is compiled.
    pub plan: PathBuf,
    /// The engine to compile for.
    #[arg(long, value_enum)]
    pub engine: Engine,
    /// Write the state machine to FILE, and the IAM policy its execution role needs beside
    /// it: FILE with `.json` replaced by `.iam.json` (failover.asl.json ->
    /// failover.asl.iam.json; without `.json`, `.iam.json` is appended). Without it the state
    /// machine goes to standard output and the policy is not written.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub asl: AslArgs,
}

/// How a plan is compiled to Amazon States Language (`export` and `deploy` alike: what is
/// deployed is what was exported).
#[derive(Debug, Clone, Args)]
pub struct AslArgs {
    /// The SNS topic (ARN) approvals publish their task token to [default: the
    /// `ApprovalTopicArn` field of each execution's input, which `apply --approval-topic`
    /// gives].
    #[arg(long, value_name = "ARN")]
    pub approval_topic: Option<String>,
    /// Seconds between two polls of a wait (a wait's timeout becomes timeout / N polls).
    #[arg(long, value_name = "SECONDS", default_value_t = ripcord_core::asl::POLL_INTERVAL_SECS, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub poll_interval: u64,
    /// History events one execution may take, as the plan's estimates count them (Step
    /// Functions allows 25,000): a plan expected to take more is exported as parts, run one
    /// after the other by a parent (docs/step-functions.md, "Large plans").
    #[arg(long, value_name = "EVENTS", default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(20..=25_000))]
    pub max_events: u64,
}

impl AslArgs {
    /// The export's options; `region` is where the machine is deployed, when it is.
    pub fn options(&self, region: Option<String>) -> ripcord_core::asl::ExportOptions {
        ripcord_core::asl::ExportOptions {
            approval_topic: self.approval_topic.clone(),
            region,
            poll_interval_secs: self.poll_interval,
            budget: ripcord_core::asl::Budget {
                events: self.max_events,
                ..ripcord_core::asl::Budget::default()
            },
        }
    }
}

/// The engines `ripcord export`, `deploy` and `apply --engine` know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// AWS Step Functions (Standard workflows): Amazon States Language.
    StepFunctions,
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    /// Where run journals are [default: $RIPCORD_RUNS_DIR or .ripcord/runs].
    #[arg(long, global = true)]
    pub runs_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: RunsCommand,
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// The failover runbook (.rhai).
    #[arg(required_unless_present = "resume")]
    pub failover: Option<PathBuf>,
    /// The runbook that brings everything back after it (run last).
    #[arg(long, value_name = "RUNBOOK", required_unless_present = "resume")]
    pub failback: Option<PathBuf>,
    /// A runbook of checks and queries run between the two: the drill stops if it fails.
    #[arg(long, value_name = "RUNBOOK")]
    pub verify: Option<PathBuf>,
    /// Where the evidence goes [default: RUNS_DIR/drills/DRILL_ID].
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Go on with an interrupted or failed drill where it stopped: the phase it stopped in
    /// is `apply --resume`d (or run, if it journaled nothing), then the phases after it.
    #[arg(long, value_name = "DRILL_ID", conflicts_with_all = ["failover", "failback", "verify", "report_dir"])]
    pub resume: Option<String>,
    #[command(flatten)]
    pub live: LiveArgs,
    #[command(flatten)]
    pub quotas: QuotaArgs,
    /// Do not ask before each phase's run (each still stops at its approvals).
    #[arg(long)]
    pub yes: bool,
    /// Approve every `approve(...)` of every phase without asking: for unattended drills in
    /// a test account.
    #[arg(long)]
    pub approve_gates: bool,
    /// Where run journals go [default: $RIPCORD_RUNS_DIR or .ripcord/runs].
    #[arg(long)]
    pub runs_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// One line per run: id, start, runbook, mode, status, steps.
    List,
    /// The per-step timeline of a run.
    Show {
        /// The run id (from `ripcord runs list`).
        run_id: String,
    },
    /// The evidence report of a run (docs/report.md): every step with its times, result and
    /// changes, the approvals, the recovery time against the RTO and the plan's estimate, the
    /// replication lag at cutover against the RPO, what was left changed.
    Report {
        /// The run id (from `ripcord runs list`).
        run_id: String,
        /// markdown: plain tables for a pull request or a ticket; html: one self-contained
        /// page with a timeline picture (inline SVG).
        #[arg(long, short = 'f', value_enum, default_value_t = ReportFormat::Markdown)]
        format: ReportFormat,
        /// Write the report to this file instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// The formats of `ripcord runs report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Html,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Runbooks and modules (.rhai), and directories searched for them (recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// text: diagnostics on stderr, one line per file on stdout; json: one document on
    /// stdout; github: workflow commands (annotations on the file and line in a pull request).
    #[arg(long, short = 'f', value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Exit 8 when there are warnings (and no errors).
    #[arg(long)]
    pub fail_on_warnings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Github,
}

#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// The runbook (.rhai).
    #[arg(required_unless_present = "inverse", conflicts_with = "inverse")]
    pub runbook: Option<PathBuf>,

    /// Instead of a runbook, the run RUN_ID undone: the inverse of each of its steps (sizes,
    /// flags, records and replicas put back to what the world held before it; what no call
    /// undoes listed as warnings), written beside its journal as inverse.rhai and planned
    /// against the world the run left. Nothing is sent; review it, then apply it.
    #[arg(long, value_name = "RUN_ID")]
    pub inverse: Option<String>,

    /// Where the journal of --inverse's run is [default: $RIPCORD_RUNS_DIR, else .ripcord/runs].
    #[arg(long, requires = "inverse")]
    pub runs_dir: Option<PathBuf>,

    /// The simulated world (JSON or YAML). Default: NAME.inventory.yaml beside the runbook
    /// (for NAME.rhai), else inventory.yaml in the runbook's folder.
    #[arg(long, short = 'i')]
    pub inventory: Option<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the plan to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,

    /// One screen: header, counts per operation, total against the RTO (text format).
    #[arg(long)]
    pub summary: bool,

    /// Also write the simulated world as it is after the run, as an inventory (JSON).
    #[arg(long, value_name = "FILE")]
    pub end_state: Option<PathBuf>,

    /// Instead of the plan, what changed since this saved plan (`plan -f json -o FILE` of the
    /// base branch): steps added, removed and changed, value by value, and the estimate
    /// against the RTO before and after (in --format).
    #[arg(long, value_name = "BASE_PLAN")]
    pub compare: Option<PathBuf>,

    /// Exit 8 when the plan has warnings (and no worse outcome): a CI gate.
    #[arg(long)]
    pub fail_on_warnings: bool,

    #[command(flatten)]
    pub outage: OutageArgs,

    #[command(flatten)]
    pub quotas: QuotaArgs,
}

/// A dry-run of an outage (docs/simulation.md, "Outages").
#[derive(Debug, Clone, Args)]
pub struct OutageArgs {
    /// Plan as if these regions did not answer (comma-separated): every call, wait, check and
    /// query sent there fails as it would live. us-east-1 takes Route 53's control plane
    /// with it unless --global-up.
    #[arg(long, value_delimiter = ',', value_name = "REGION")]
    pub down: Vec<String>,
    /// With --down us-east-1: the global control planes that run there (Route 53's) still
    /// answer.
    #[arg(long, requires = "down")]
    pub global_up: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn filter(self) -> tracing_subscriber::filter::LevelFilter {
        use tracing_subscriber::filter::LevelFilter;
        match self {
            LogLevel::Off => LevelFilter::OFF,
            LogLevel::Error => LevelFilter::ERROR,
            LogLevel::Warn => LevelFilter::WARN,
            LogLevel::Info => LevelFilter::INFO,
            LogLevel::Debug => LevelFilter::DEBUG,
            LogLevel::Trace => LevelFilter::TRACE,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::{CommandFactory, Parser};

    /// Every command's `--help` ends with examples, and every example parses: a new command
    /// without examples, or a renamed flag left in one, fails here.
    #[test]
    fn every_command_has_examples_that_parse() {
        let cli = Cli::command();
        let mut checked = 0;
        for command in cli.get_subcommands() {
            let name = command.get_name();
            let help = command
                .get_after_help()
                .unwrap_or_else(|| panic!("`ripcord {name} --help` has no examples"))
                .to_string();
            let mut lines = help.lines();
            assert_eq!(lines.next(), Some("Examples:"), "ripcord {name}");
            for line in lines {
                // The shell's part (a comment, a redirection, a pipe) is not ripcord's.
                let words: Vec<&str> = line
                    .split_whitespace()
                    .take_while(|word| !matches!(*word, "#" | ">" | "|"))
                    .collect();
                assert_eq!(words.get(1), Some(&name), "example of {name}: {line}");
                if let Err(err) = Cli::try_parse_from(&words) {
                    panic!("example `{line}` does not parse:\n{err}");
                }
                checked += 1;
            }
        }
        assert!(checked >= cli.get_subcommands().count());
    }
}
