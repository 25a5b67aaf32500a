//! The `ripcord` command line: parses arguments and hands each command to its module.

mod check;
mod cli;
mod exit;
mod inventory_path;
mod output;
mod plan;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    output::install_diagnostic_handler(cli.color);
    let code = match &cli.command {
        cli::Command::Check(args) => check::run(args),
        cli::Command::Plan(args) => plan::run(args, cli.color),
    };
    std::process::exit(code as i32);
}
