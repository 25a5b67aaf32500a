//! Command-line arguments (clap): one struct per subcommand.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Disaster-recovery runbooks on AWS: check them, dry-run them, run them.
#[derive(Debug, Parser)]
#[command(name = "ripcord", version, about, long_about = None)]
pub struct Cli {
    /// When to colour output: auto colours only on a terminal and when NO_COLOR is unset.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse a runbook and run the static checks; nothing is executed.
    Check(CheckArgs),
    /// Dry-run a runbook against a simulated world and print every AWS call it would make.
    Plan(PlanArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The runbook (.rhai).
    pub runbook: PathBuf,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The runbook (.rhai).
    pub runbook: PathBuf,

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
