//! The `ripcord` command line: parses arguments and hands each command to its module.

mod apply;
mod capture;
mod check;
mod cli;
mod exit;
mod generated;
mod guard;
mod inventory_path;
mod live;
mod outage;
mod output;
mod plan;
mod prepare;
mod progress;
mod repl;
mod resume;
mod reviewed;
mod run_lock;
mod runs;
mod runs_dir;
mod signals;
mod world_file;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    output::install_diagnostic_handler(cli.color);
    let code = match &cli.command {
        cli::Command::Check(args) => check::run(args),
        cli::Command::Plan(args) => plan::run(args, cli.color),
        cli::Command::Apply(args) => apply::run(args, cli.color),
        cli::Command::Capture(args) => capture::run(args),
        cli::Command::Runs(args) => runs::run(args),
        cli::Command::Repl(args) => repl::run(args, cli.color),
        cli::Command::Completions(args) => generated::completions(args.shell),
        cli::Command::Man => generated::man(),
    };
    std::process::exit(code as i32);
}
