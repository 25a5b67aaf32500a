//! `Command`: what a line typed at the prompt asks for — a REPL command, or Rhai to evaluate.

/// Where a breakpoint stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breakpoint {
    /// Before the first statement or call on this line of the runbook.
    Line(u32),
    /// Before every call of this primitive (`promote`, `scale`, ...).
    Primitive(String),
}

impl std::fmt::Display for Breakpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Breakpoint::Line(line) => write!(f, "line {line}"),
            Breakpoint::Primitive(name) => write!(f, "every {name}(...)"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Step,
    Next,
    Continue,
    Skip,
    Break(Breakpoint),
    /// `break` alone: list them.
    ListBreaks,
    /// `delete N`, or `delete` for all.
    Delete(Option<usize>),
    Plan,
    Where,
    Vars,
    Journal,
    Help,
    Quit,
    /// Anything else: Rhai, evaluated in the runbook's scope.
    Eval(String),
    /// Nothing typed.
    Empty,
    /// A command with a bad argument: the message to show.
    Invalid(String),
}

/// Commands and aliases, for `help` and tab completion.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (
        "step",
        "s",
        "run the call shown, stop before the next DR call",
    ),
    ("next", "n", "run to the next statement"),
    (
        "continue",
        "c",
        "run to the next breakpoint, approval or the end",
    ),
    (
        "skip",
        "",
        "do not send the call shown; go on with the dry-run's result (journaled as skipped)",
    ),
    (
        "break",
        "b",
        "break LINE | break PRIMITIVE (e.g. break promote) | break: list",
    ),
    (
        "delete",
        "d",
        "delete N: remove breakpoint N | delete: remove all",
    ),
    (
        "plan",
        "p",
        "the rest of the plan from here (a dry-run of a copy of the current state)",
    ),
    ("where", "w", "the source around the current line"),
    ("vars", "v", "the runbook's variables"),
    ("journal", "j", "what this session has done"),
    ("help", "h", "this list (also ?)"),
    (
        "quit",
        "q",
        "end the session (also Ctrl-D): journal flushed, summary shown",
    ),
];

impl Command {
    /// Parses a line. A line whose first word is a command is that command; the single
    /// letters are only aliases when alone or followed by an argument, so `s` is `step` but
    /// `s = 3` is Rhai.
    pub fn parse(line: &str, primitives: &[&str]) -> Command {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return Command::Empty;
        }
        let (word, rest) = match trimmed.split_once(char::is_whitespace) {
            Some((word, rest)) => (word, rest.trim()),
            None => (trimmed, ""),
        };
        let no_arg = |cmd: Command| if rest.is_empty() { Some(cmd) } else { None };
        let parsed = match word {
            "step" | "s" => no_arg(Command::Step),
            "next" | "n" => no_arg(Command::Next),
            "continue" | "c" => no_arg(Command::Continue),
            "skip" => no_arg(Command::Skip),
            "plan" | "p" => no_arg(Command::Plan),
            "where" | "w" => no_arg(Command::Where),
            "vars" | "v" => no_arg(Command::Vars),
            "journal" | "j" => no_arg(Command::Journal),
            "help" | "h" | "?" => no_arg(Command::Help),
            "quit" | "q" | "exit" => no_arg(Command::Quit),
            "break" | "b" if rest.is_empty() => Some(Command::ListBreaks),
            "break" | "b" if is_word(rest) => Some(breakpoint(rest, primitives)),
            // Rhai's own `break` only stands inside a loop, and typed code is never inside
            // one of the runbook's: `break` with anything after it can only mean this command.
            "break" => Some(Command::Invalid(format!(
                "`break` takes a line number or a DR primitive (`break 48`, `break promote`), not `{rest}`; `break` alone lists the breakpoints"
            ))),
            "delete" | "d" if rest.is_empty() => Some(Command::Delete(None)),
            // `d` followed by anything but a number is code (`d = 3`), as for the other letters.
            "d" if rest.parse::<usize>().is_err() => None,
            "delete" | "d" => Some(match rest.parse::<usize>() {
                Ok(n) if n > 0 => Command::Delete(Some(n)),
                _ => Command::Invalid(format!(
                    "`delete` takes a breakpoint number (see `break`), not `{rest}`"
                )),
            }),
            _ => None,
        };
        parsed.unwrap_or_else(|| Command::Eval(line.to_string()))
    }
}

fn is_word(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn breakpoint(arg: &str, primitives: &[&str]) -> Command {
    if let Ok(line) = arg.parse::<u32>() {
        return if line == 0 {
            Command::Invalid("lines are numbered from 1".to_string())
        } else {
            Command::Break(Breakpoint::Line(line))
        };
    }
    if primitives.contains(&arg) {
        return Command::Break(Breakpoint::Primitive(arg.to_string()));
    }
    let close: Vec<&str> = primitives
        .iter()
        .copied()
        .filter(|p| p.starts_with(&arg[..1.min(arg.len())]))
        .collect();
    Command::Invalid(format!(
        "`{arg}` is neither a line number nor a DR primitive{}",
        if close.is_empty() {
            format!(" (primitives: {})", primitives.join(", "))
        } else {
            format!(" (did you mean {}?)", close.join(", "))
        }
    ))
}
