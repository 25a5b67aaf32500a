//! Terminal concerns: colour, the fancy diagnostic handler, writing results.

use crate::cli::ColorChoice;
use std::io::IsTerminal;

/// Colour on stdout: `always`, or `auto` on a terminal with NO_COLOR unset.
pub fn color_for_stdout(choice: ColorChoice) -> bool {
    decide(choice, std::io::stdout().is_terminal())
}

fn decide(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// miette's graphical handler for diagnostics on stderr; colour follows the same rule.
pub fn install_diagnostic_handler(choice: ColorChoice) {
    let color = decide(choice, std::io::stderr().is_terminal());
    // set_hook fails only when a hook is already installed, which main does once.
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(color)
                .terminal_links(false)
                .context_lines(2)
                .build(),
        )
    }));
}

/// Prints a diagnostic to stderr.
pub fn report(diagnostic: impl miette::Diagnostic + Send + Sync + 'static) {
    eprintln!("{:?}", miette::Report::new(diagnostic));
}
