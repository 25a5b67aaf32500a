//! How the REPL shows things: the next step as `plan` shows it, source excerpts, variables,
//! the session's record.

use crate::world::Done;
use ripcord_core::render::{steps_text, TextStyle};
use ripcord_core::{BackendError, Intent, Origin, Outcome, Plan, PlanItem, RunbookInfo, StepKind};
use ripcord_interp::debug::Var;
use ripcord_interp::PendingStep;

/// The pending step rendered like a line of `plan`, with the dry-run's before -> after, or
/// the dry-run's refusal under it.
pub fn pending_step(
    pending: &PendingStep,
    number: u32,
    at_secs: u64,
    dry_run: &Result<Outcome, BackendError>,
    behind: Option<&str>,
    color: bool,
) -> String {
    let outcome = dry_run.as_ref().cloned().unwrap_or_default();
    let mut plan = Plan::new(
        RunbookInfo {
            path: String::new(),
            sha256: String::new(),
            meta: Default::default(),
        },
        None,
    );
    plan.items
        .push(PlanItem::Step(pending.to_step(number, at_secs, &outcome)));
    plan.recount();
    let mut out = steps_text(
        &plan,
        &TextStyle {
            color,
            summary_only: false,
        },
    );
    if let (Err(err), Some(why)) = (dry_run, behind) {
        // A mirror that lost track of AWS would predict failures of correct calls.
        out.push_str(&format!(
            "      ? no prediction: the simulated mirror is behind AWS ({why}); it answers {}: {}\n",
            err.code, err.message
        ));
    } else if let Err(err) = dry_run {
        out.push_str(&format!(
            "      ✗ the dry-run says this fails: {}: {}\n",
            err.code, err.message
        ));
        if let Some(help) = &err.help {
            out.push_str(&format!("        help: {help}\n"));
        }
    }
    out
}

/// Lines `around` either side of `line` of `text`, numbered, the line itself marked.
pub fn excerpt(text: &str, line: u32, around: u32, color: bool) -> String {
    let first = line.saturating_sub(around).max(1);
    let last = line + around;
    let width = last.to_string().len();
    let mut out = String::new();
    for (i, content) in text.lines().enumerate() {
        let n = i as u32 + 1;
        if n < first || n > last {
            continue;
        }
        if n == line {
            let row = format!("→ {n:>width$} │ {content}");
            if color {
                let bold = anstyle::Style::new().bold();
                out.push_str(&format!("{bold}{row}{bold:#}\n"));
            } else {
                out.push_str(&row);
                out.push('\n');
            }
        } else {
            out.push_str(&format!("  {n:>width$} │ {content}\n"));
        }
    }
    out
}

/// `file:line:column`, and the runbook line that called into a library.
pub fn location(origin: &Origin) -> String {
    let mut text = format!("{}:{}:{}", origin.file, origin.line, origin.column);
    if let Some(via) = &origin.via {
        text.push_str(&format!(" (called from {}:{})", via.file, via.line));
    }
    text
}

pub fn vars(vars: &[Var]) -> String {
    if vars.is_empty() {
        return "  (no variables in scope)\n".to_string();
    }
    let width = vars
        .iter()
        .map(|v| v.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for var in vars {
        out.push_str(&format!(
            "  {}{:width$} = {}\n",
            if var.constant { "const " } else { "" },
            var.name,
            var.value
        ));
    }
    out
}

/// One line for a step the session carried out.
pub fn done_line(n: usize, done: &Done) -> String {
    let label = label(&done.pending.kind);
    let status = if done.skipped {
        "skipped (not sent)".to_string()
    } else if let Some(error) = &done.error {
        format!("failed: {error}")
    } else if done.outcome.is_some() {
        "done".to_string()
    } else {
        "sent, no answer yet".to_string()
    };
    format!(
        "  {n:>3}  {label:<60}  {status}  ({})\n",
        location(&done.pending.origin)
    )
}

/// What a step does, in a few words (a note: its text).
pub fn label(kind: &StepKind) -> String {
    match (Intent::of(kind), kind) {
        (Some(intent), _) => intent.label(),
        (None, StepKind::Note { text }) => format!("print \"{text}\""),
        (None, _) => String::new(),
    }
}

pub const HELP_TAIL: &str =
    "Anything else is Rhai, evaluated in the runbook's scope: inspect a resource
(describe(db_cluster(\"dr-aurora-cluster\", \"us-west-2\"))), change a variable (x = 3), or call a
primitive by hand (in live mode it asks first, and is journaled). Ctrl-C clears the line; during a
live wait it cancels the wait, not the session. Ctrl-D or `quit` ends the session.
A command word alone is the command: to print a variable named like one (`n`, `s`, `plan`),
type `n;` or `(n)`.
";
