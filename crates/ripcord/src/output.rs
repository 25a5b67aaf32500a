//! Terminal concerns: colour, the fancy diagnostic handler, writing results.

use crate::cli::ColorChoice;

/// Colour on stdout: `always`, or `auto` as clap decides for its own help (anstream): on a
/// terminal that supports it, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE forces it.
pub fn color_for_stdout(choice: ColorChoice) -> bool {
    decide(choice, &std::io::stdout())
}

/// The same for stderr (diagnostics, progress, logs).
pub fn color_for_stderr(choice: ColorChoice) -> bool {
    decide(choice, &std::io::stderr())
}

fn decide(choice: ColorChoice, stream: &impl anstream::stream::RawStream) -> bool {
    let choice = match choice {
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
        ColorChoice::Auto => anstream::ColorChoice::Auto,
    };
    // anstream reads the global choice (set here, where the flag is known) with the
    // environment and whether `stream` is a terminal.
    choice.write_global();
    anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never
}

/// miette's graphical handler for diagnostics on stderr; colour follows the same rule.
pub fn install_diagnostic_handler(choice: ColorChoice) {
    let color = color_for_stderr(choice);
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

/// Writes `text` to `path`; on failure says so on stderr (exit 3, the input-file code).
pub fn write_file(path: &std::path::Path, text: &str) -> Result<(), crate::exit::Exit> {
    std::fs::write(path, text).map_err(|err| {
        eprintln!("error: cannot write {}: {err}", path.display());
        crate::exit::Exit::BadInput
    })
}

/// `text` to the `-o` file when given, else to standard output.
pub fn emit(path: Option<&std::path::Path>, text: &str) -> Result<(), crate::exit::Exit> {
    match path {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(path) => write_file(path, text),
    }
}
