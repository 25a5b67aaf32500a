//! The `ripcord` command line: parses arguments and hands each command to its module.

mod apply;
mod approve;
mod capture;
mod check;
mod cli;
mod definitions;
mod deploy;
mod drill;
mod drill_record;
mod execution_file;
mod exit;
mod export;
mod follow;
mod generated;
mod guard;
mod iam_policy;
mod inventory_path;
mod inverse;
mod live;
mod logging;
mod outage;
mod output;
mod plan;
mod prepare;
mod progress;
mod quotas;
mod repl;
mod report;
mod resume;
mod reviewed;
mod run_lock;
mod runs;
mod runs_dir;
mod schema;
mod sfn_apply;
mod signals;
mod world_file;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    output::install_diagnostic_handler(cli.color);
    if let Err(message) = logging::install(cli.log_level, output::color_for_stderr(cli.color)) {
        eprintln!("error: {message}");
        std::process::exit(exit::Exit::Usage as i32);
    }
    let code = match &cli.command {
        cli::Command::Check(args) => check::run(args),
        cli::Command::Plan(args) => plan::run(args, cli.color),
        cli::Command::Apply(args) => apply::run(args, cli.color),
        cli::Command::Capture(args) => capture::run(args),
        cli::Command::IamPolicy(args) => iam_policy::run(args),
        cli::Command::Export(args) => export::run(args),
        cli::Command::Deploy(args) => deploy::run(args),
        cli::Command::Approve(args) => approve::run(args),
        cli::Command::Drill(args) => drill::run(args, cli.color),
        cli::Command::Runs(args) => runs::run(args),
        cli::Command::Repl(args) => repl::run(args, cli.color),
        cli::Command::Completions(args) => generated::completions(args.shell),
        cli::Command::Man => generated::man(),
        cli::Command::Schema(args) => schema::run(args),
        cli::Command::Definitions(args) => definitions::run(args),
    };
    std::process::exit(code as i32);
}
