//! The text rendering of a plan: what `ripcord plan` prints on a terminal, aligned and compact.
//!
//! Every string that comes from the runbook or the world (names, messages, notes) goes through
//! [`clean`], so a plan never carries an escape sequence of its own: with `color: false` the
//! output holds no ESC byte at all, and with `color: true` only the renderer's own.

use super::{
    branch_secs, counts_sentences, details, estimate, kind_word, operation_label, origin_label,
    region_label, resolved_id, service_label, short_digest, target_label, target_name, verdict,
    warning_count, Detail, Verdict, NONE,
};
use crate::duration::format_duration;
use crate::{ParallelGroup, Plan, PlanItem, Step, StepKind};
use anstyle::{AnsiColor, Style};
use std::fmt::Write as _;

/// How to render a plan as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextStyle {
    /// ANSI colors. The caller decides (the CLI: only on a TTY and when `NO_COLOR` is unset);
    /// without it the output holds no escape byte.
    pub color: bool,
    /// Only the header, one line per operation with its count, and the totals: one screen
    /// even for a plan of thousands of steps.
    pub summary_only: bool,
}

/// Renders a plan for a terminal: a header, one aligned line per step with its details
/// underneath, parallel groups boxed, and the estimate against the RTO.
pub fn text(plan: &Plan, style: &TextStyle) -> String {
    let painter = Painter { color: style.color };
    let mut out = String::new();
    header(&mut out, plan, &painter);
    out.push('\n');
    if style.summary_only {
        summary_body(&mut out, plan, &painter);
    } else {
        steps_body(&mut out, plan, &painter);
    }
    failure_line(&mut out, plan, &painter);
    out.push('\n');
    totals(&mut out, plan, &painter, style.summary_only);
    out
}

/// Renders only the step lines of a plan (no header, no totals), aligned as in `text`: the
/// REPL shows the next step, and the rest of a plan, this way.
pub fn steps_text(plan: &Plan, style: &TextStyle) -> String {
    let painter = Painter { color: style.color };
    let mut out = String::new();
    steps_body(&mut out, plan, &painter);
    failure_line(&mut out, plan, &painter);
    out
}

/// Widest target column; a longer target overflows its own line rather than widening all.
const TARGET_WIDTH_CAP: usize = 48;

/// Indentation of every step line.
const INDENT: &str = "  ";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paint {
    Plain,
    Bold,
    Dim,
    Red,
    BoldRed,
    Green,
    Yellow,
    BoldMagenta,
}

struct Painter {
    color: bool,
}

impl Paint {
    fn style(self) -> Style {
        match self {
            Paint::Plain => Style::new(),
            Paint::Bold => Style::new().bold(),
            Paint::Dim => Style::new().dimmed(),
            Paint::Red => AnsiColor::Red.on_default(),
            Paint::BoldRed => AnsiColor::Red.on_default().bold(),
            Paint::Green => AnsiColor::Green.on_default(),
            Paint::Yellow => AnsiColor::Yellow.on_default(),
            Paint::BoldMagenta => AnsiColor::Magenta.on_default().bold(),
        }
    }
}

impl Painter {
    fn paint(&self, paint: Paint, text: &str) -> String {
        let style = paint.style();
        if !self.color || text.is_empty() || style == Style::new() {
            return text.to_string();
        }
        format!("{style}{text}{style:#}")
    }
}

/// Makes data safe to print: control characters (ESC above all) and bidirectional overrides
/// are shown escaped (`\n`, `\u{1b}`), never interpreted by the terminal.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_control() || matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out
}

/// A multi-line text (a note, a failure message) as cleaned lines.
fn clean_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|line| clean(line.strip_suffix('\r').unwrap_or(line)))
        .collect()
}

/// Display width, counted in characters (good enough for names and messages).
fn width(text: &str) -> usize {
    text.chars().count()
}

fn spaces(n: usize) -> String {
    " ".repeat(n)
}

/// One cell of an aligned line.
struct Cell<'a> {
    text: &'a str,
    width: usize,
    right: bool,
    paint: Paint,
}

impl<'a> Cell<'a> {
    fn left(text: &'a str, width: usize, paint: Paint) -> Cell<'a> {
        Cell {
            text,
            width,
            right: false,
            paint,
        }
    }

    fn right(text: &'a str, width: usize, paint: Paint) -> Cell<'a> {
        Cell {
            text,
            width,
            right: true,
            paint,
        }
    }
}

/// Cells separated by two spaces, padded to their widths, without trailing whitespace.
fn join(painter: &Painter, cells: &[Cell]) -> String {
    let Some(last) = cells.iter().rposition(|cell| !cell.text.is_empty()) else {
        return String::new();
    };
    let mut line = String::new();
    for (i, cell) in cells[..=last].iter().enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        let pad = cell.width.saturating_sub(width(cell.text));
        if cell.right {
            line.push_str(&spaces(pad));
            line.push_str(&painter.paint(cell.paint, cell.text));
        } else {
            line.push_str(&painter.paint(cell.paint, cell.text));
            if i < last {
                line.push_str(&spaces(pad));
            }
        }
    }
    line
}

fn header(out: &mut String, plan: &Plan, painter: &Painter) {
    let runbook = &plan.runbook;
    let path = clean(&runbook.path);
    let mut facts = Vec::new();
    let title = match &runbook.meta.name {
        Some(name) => {
            facts.push(path);
            format!("Plan for {}", clean(name))
        }
        None => format!("Plan for {path}"),
    };
    let digest = clean(&short_digest(&runbook.sha256));
    if !digest.is_empty() {
        facts.push(format!("sha256 {digest}"));
    }
    let _ = write!(out, "{}", painter.paint(Paint::Bold, &title));
    if facts.is_empty() {
        out.push('\n');
    } else {
        let _ = writeln!(out, "  ({})", facts.join(", "));
    }
    if let Some(inventory) = &plan.inventory {
        let mut facts = Vec::new();
        if let Some(account) = &inventory.account {
            facts.push(format!("account {}", clean(account)));
        }
        facts.push(format!("captured {}", clean(&inventory.captured_at)));
        let _ = writeln!(
            out,
            "Against inventory {}  ({})",
            clean(&inventory.path),
            facts.join(", ")
        );
        for entry in &inventory.unreachable {
            let line = format!(
                "! Unreachable: {}: {}",
                clean(&entry.what()),
                clean(&entry.reason)
            );
            let _ = writeln!(out, "{}", painter.paint(Paint::Yellow, &line));
        }
    }
}

/// What one step line shows, cleaned.
struct Row {
    index: String,
    service: String,
    operation: String,
    region: String,
    target: String,
    estimate: String,
    origin: String,
    /// A resolved id too long to sit beside the name within [`TARGET_WIDTH_CAP`]: it goes to
    /// an `id` detail line instead.
    id_line: Option<String>,
}

impl Row {
    fn of(step: &Step) -> Row {
        let estimate = match step.kind {
            StepKind::Approval { .. } if step.duration_secs == 0 => String::new(),
            _ => estimate(step.duration_secs),
        };
        let mut target = clean(&target_label(step));
        let mut id_line = None;
        if let Some(id) = resolved_id(step) {
            if width(&target) > TARGET_WIDTH_CAP {
                target = clean(&target_name(step));
                id_line = Some(id.to_string());
            }
        }
        Row {
            index: step.index.to_string(),
            service: clean(service_label(step)),
            operation: clean(&operation_label(step)),
            region: clean(&region_label(step)),
            target,
            estimate,
            origin: clean(&origin_label(&step.origin)),
            id_line,
        }
    }
}

/// Column widths, computed from every step of the plan.
struct Layout {
    index: usize,
    service: usize,
    operation: usize,
    region: usize,
    target: usize,
    estimate: usize,
    /// Whether top-level lines leave room for the `│ ` of parallel groups.
    gutter: bool,
}

impl Layout {
    fn of(plan: &Plan) -> Layout {
        let mut layout = Layout {
            index: 0,
            service: 0,
            operation: 0,
            region: 0,
            target: 0,
            estimate: 0,
            gutter: plan
                .items
                .iter()
                .any(|item| matches!(item, PlanItem::Parallel(_))),
        };
        for step in plan.steps() {
            if matches!(step.kind, StepKind::Note { .. }) {
                continue;
            }
            let row = Row::of(step);
            layout.index = layout.index.max(width(&row.index));
            layout.service = layout.service.max(width(&row.service));
            layout.estimate = layout.estimate.max(width(&row.estimate));
            // An approval's message spans the operation, region and target columns.
            if !matches!(step.kind, StepKind::Approval { .. }) {
                layout.operation = layout.operation.max(width(&row.operation));
                layout.region = layout.region.max(width(&row.region));
                layout.target = layout.target.max(width(&row.target).min(TARGET_WIDTH_CAP));
            }
        }
        layout
    }

    /// The start of a top-level line.
    fn top_prefix(&self) -> String {
        if self.gutter {
            format!("{INDENT}  ")
        } else {
            INDENT.to_string()
        }
    }

    /// Where details and notes start, after the prefix: under the service column.
    fn detail_indent(&self) -> String {
        spaces(self.index + 2)
    }
}

fn steps_body(out: &mut String, plan: &Plan, painter: &Painter) {
    if plan.items.is_empty() {
        let _ = writeln!(out, "{INDENT}(no steps)");
        return;
    }
    let layout = Layout::of(plan);
    let top = layout.top_prefix();
    let bar = format!("{INDENT}{} ", painter.paint(Paint::Dim, "│"));
    for item in &plan.items {
        match item {
            PlanItem::Step(step) => step_lines(out, step, &top, &layout, painter),
            PlanItem::Parallel(group) => group_lines(out, group, &bar, &layout, painter),
        }
    }
}

fn group_lines(
    out: &mut String,
    group: &ParallelGroup,
    bar: &str,
    layout: &Layout,
    painter: &Painter,
) {
    let branches = group.branches.len();
    let _ = writeln!(
        out,
        "{INDENT}{}",
        painter.paint(
            Paint::Dim,
            &format!(
                "┌ parallel: {} {}, {}",
                branches,
                if branches == 1 { "branch" } else { "branches" },
                estimate(group.duration_secs)
            )
        )
    );
    // Why the group takes longer than its branches: the quotas that pace its calls.
    for note in &group.notes {
        let _ = writeln!(
            out,
            "{bar}{}",
            painter.paint(Paint::Dim, &format!("· {note}"))
        );
    }
    for (number, branch) in group.branches.iter().enumerate() {
        let _ = writeln!(
            out,
            "{INDENT}{}",
            painter.paint(
                Paint::Dim,
                &format!(
                    "├ branch {}, {}",
                    number + 1,
                    estimate(branch_secs(group.at_secs, branch))
                )
            )
        );
        for step in branch {
            step_lines(out, step, bar, layout, painter);
        }
    }
    let _ = writeln!(out, "{INDENT}{}", painter.paint(Paint::Dim, "└"));
}

/// A step's line, its details and its warnings; a note's dim line.
fn step_lines(out: &mut String, step: &Step, prefix: &str, layout: &Layout, painter: &Painter) {
    let indent = layout.detail_indent();
    if let StepKind::Note { text } = &step.kind {
        // A `warn` note is a warning: marked `!` like a step's, as the summary counts it.
        let (mark, paint) = if step.warnings.is_empty() {
            ("· ", Paint::Dim)
        } else {
            ("! ", Paint::Yellow)
        };
        for (i, line) in clean_lines(text).iter().enumerate() {
            let lead = if i == 0 { mark } else { "  " };
            let line = format!("{lead}{line}");
            let _ = writeln!(
                out,
                "{prefix}{indent}{}",
                painter.paint(paint, line.trim_end())
            );
        }
        return;
    }

    let row = Row::of(step);
    let line = match step.kind {
        StepKind::Approval { .. } => {
            let span = layout.operation + layout.region + layout.target + 4;
            join(
                painter,
                &[
                    Cell::right(&row.index, layout.index, Paint::Plain),
                    Cell::left(&row.service, layout.service, Paint::BoldMagenta),
                    Cell::left(&row.operation, span, Paint::BoldMagenta),
                    Cell::right(&row.estimate, layout.estimate, Paint::Plain),
                    Cell::left(&row.origin, 0, Paint::Dim),
                ],
            )
        }
        _ => {
            let operation_paint = if step.is_mutating() {
                Paint::Bold
            } else {
                Paint::Plain
            };
            join(
                painter,
                &[
                    Cell::right(&row.index, layout.index, Paint::Plain),
                    Cell::left(&row.service, layout.service, Paint::Plain),
                    Cell::left(&row.operation, layout.operation, operation_paint),
                    Cell::left(&row.region, layout.region, Paint::Plain),
                    Cell::left(&row.target, layout.target, Paint::Plain),
                    Cell::right(&row.estimate, layout.estimate, Paint::Plain),
                    Cell::left(&row.origin, 0, Paint::Dim),
                ],
            )
        }
    };
    let _ = writeln!(out, "{prefix}{line}");

    let mut details = details(step);
    if let Some(id) = row.id_line {
        details.push(Detail::value("id", id));
    }
    let label_width = details
        .iter()
        .map(|detail| width(&clean(detail.label())))
        .max()
        .unwrap_or(0);
    for detail in &details {
        let label = clean(detail.label());
        let value = match detail {
            Detail::Value { value, .. } => clean(value),
            Detail::Change { before, after, .. } => {
                let before = match before {
                    Some(before) => clean(before),
                    None => painter.paint(Paint::Dim, NONE),
                };
                let after = match after {
                    Some(after) => painter.paint(Paint::Green, &clean(after)),
                    None => painter.paint(Paint::Red, NONE),
                };
                format!("{before} {} {after}", painter.paint(Paint::Dim, "->"))
            }
        };
        let pad = spaces(label_width - width(&label));
        let _ = writeln!(
            out,
            "{prefix}{indent}  {}{pad}  {value}",
            painter.paint(Paint::Dim, &label)
        );
    }
    for warning in &step.warnings {
        let _ = writeln!(
            out,
            "{prefix}{indent}  {}",
            painter.paint(Paint::Yellow, &format!("! {}", clean(warning)))
        );
    }
    for note in &step.notes {
        let _ = writeln!(
            out,
            "{prefix}{indent}  {}",
            painter.paint(Paint::Dim, &format!("i {}", clean(note)))
        );
    }
}

/// One line per kind, service and operation, with counts, in the order they first occur.
fn summary_body(out: &mut String, plan: &Plan, painter: &Painter) {
    let mut groups: Vec<((&str, String, String), u64)> = Vec::new();
    for step in plan.steps() {
        if matches!(step.kind, StepKind::Note { .. }) {
            continue;
        }
        let operation = match step.kind {
            StepKind::Approval { .. } => String::new(),
            _ => clean(&operation_label(step)),
        };
        let key = (kind_word(step), clean(service_label(step)), operation);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, count)) => *count += 1,
            None => groups.push((key, 1)),
        }
    }
    if groups.is_empty() {
        let _ = writeln!(out, "{INDENT}(no steps)");
        return;
    }
    let counts: Vec<String> = groups.iter().map(|(_, n)| format!("×{n}")).collect();
    let service_width = groups.iter().map(|((_, s, _), _)| width(s)).max();
    let operation_width = groups.iter().map(|((_, _, o), _)| width(o)).max();
    let count_width = counts.iter().map(|c| width(c)).max();
    for (((kind, service, operation), _), count) in groups.iter().zip(&counts) {
        let paint = match *kind {
            "call" => Paint::Bold,
            "approval" => Paint::BoldMagenta,
            _ => Paint::Plain,
        };
        let line = join(
            painter,
            &[
                Cell::left(service, service_width.unwrap_or(0), Paint::Plain),
                Cell::left(operation, operation_width.unwrap_or(0), paint),
                Cell::right(count, count_width.unwrap_or(0), Paint::Plain),
            ],
        );
        let _ = writeln!(out, "{INDENT}{line}");
    }
}

fn failure_line(out: &mut String, plan: &Plan, painter: &Painter) {
    let Some(failure) = &plan.failure else {
        return;
    };
    let mut lines = clean_lines(&failure.message);
    if let Some(origin) = &failure.origin {
        if let Some(last) = lines.last_mut() {
            let _ = write!(last, " at {}", clean(&origin_label(origin)));
        }
    }
    for (i, line) in lines.iter().enumerate() {
        let text = if i == 0 {
            format!("✗ stopped: {line}")
        } else {
            format!("  {line}")
        };
        let _ = writeln!(
            out,
            "{INDENT}{}",
            painter.paint(Paint::BoldRed, text.trim_end())
        );
    }
}

fn totals(out: &mut String, plan: &Plan, painter: &Painter, summary_only: bool) {
    let total = format_duration(plan.total_secs);
    match verdict(plan) {
        Verdict::Within { rto, spare } => {
            let _ = writeln!(
                out,
                "Estimated total {total} against RTO {}: {}",
                format_duration(rto),
                painter.paint(
                    Paint::Green,
                    &format!(
                        "within the objective ({} to spare).",
                        format_duration(spare)
                    )
                )
            );
        }
        Verdict::Exceeds { rto, by } => {
            let _ = writeln!(
                out,
                "Estimated total {total} against RTO {}: {}",
                format_duration(rto),
                painter.paint(
                    Paint::BoldRed,
                    &format!("exceeds the objective by {}.", format_duration(by))
                )
            );
        }
        Verdict::NoObjective => {
            let _ = writeln!(out, "Estimated total {total} (no RTO objective declared).");
        }
        Verdict::Stopped { rto } => {
            let consequence = match rto {
                Some(rto) => format!(
                    "the run stops there, so it does not meet the RTO of {}.",
                    format_duration(rto)
                ),
                None => "the run stops there.".to_string(),
            };
            let _ = writeln!(
                out,
                "Estimated time until the failure {total}: {}",
                painter.paint(Paint::BoldRed, &consequence)
            );
        }
    }
    for sentence in counts_sentences(plan) {
        let _ = writeln!(out, "{INDENT}{sentence}");
    }
    let warnings = warning_count(plan);
    if warnings > 0 {
        let text = match (warnings, summary_only) {
            (1, false) => "! 1 warning: see the step marked ! above.".to_string(),
            (n, false) => format!("! {n} warnings: see the steps marked ! above."),
            (1, true) => "! 1 warning, shown in the full plan.".to_string(),
            (n, true) => format!("! {n} warnings, shown in the full plan."),
        };
        let _ = writeln!(out, "{INDENT}{}", painter.paint(Paint::Yellow, &text));
    }
}
