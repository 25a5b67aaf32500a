//! The timeline picture of the HTML report: inline SVG written as text, one row per step with
//! its measured bar and the plan's estimate under it, parallel stretches shaded, failed steps
//! marked, the RTO as a vertical line.
//!
//! Elements carry classes and `data-` attributes (`class="bar step"`, `data-step`,
//! `data-lane`, `data-start-ms`, `data-duration-ms`, `class="rto"`, `data-rto-secs`) so that
//! tests and tools can read the picture's structure.

use super::format::{compact, html, millis};
use super::step::{end_ms, StepResult};
use super::{EstimateSummary, EvidenceReport};
use std::fmt::Write as _;

const WIDTH: f64 = 960.0;
/// Room on the left for the steps' labels.
const GUTTER: f64 = 300.0;
const RIGHT: f64 = 24.0;
/// Room above the rows for the tick labels and the RTO's label.
const TOP: f64 = 40.0;
const ROW: f64 = 26.0;
const BAR_Y: f64 = 4.0;
const BAR_H: f64 = 11.0;
const ESTIMATE_Y: f64 = 17.0;
const ESTIMATE_H: f64 = 5.0;
/// The narrowest bar drawn: a step of a few milliseconds on a 15-minute axis stays visible
/// (its `data-duration-ms` keeps the measured value).
const MIN_BAR: f64 = 1.5;
/// Longest step label in the gutter, in characters (the bar's tooltip has all of it).
const LABEL_CHARS: usize = 44;
/// Tick spacings, milliseconds: the first that gives at most ten ticks is used.
const TICKS_MS: [u64; 22] = [
    100,
    200,
    500,
    1_000,
    2_000,
    5_000,
    10_000,
    15_000,
    30_000,
    60_000,
    120_000,
    300_000,
    600_000,
    900_000,
    1_800_000,
    3_600_000,
    7_200_000,
    14_400_000,
    21_600_000,
    43_200_000,
    86_400_000,
    172_800_000,
];

/// The picture's horizontal scale: milliseconds from the run's start to x.
struct Scale {
    span_ms: f64,
}

impl Scale {
    fn x(&self, ms: u64) -> f64 {
        GUTTER + (ms as f64) * (WIDTH - GUTTER - RIGHT) / self.span_ms
    }

    fn width(&self, ms: u64) -> f64 {
        ((ms as f64) * (WIDTH - GUTTER - RIGHT) / self.span_ms).max(MIN_BAR)
    }
}

/// The timeline of the run as an `<svg>` element.
pub fn timeline_svg(report: &EvidenceReport) -> String {
    let rto_ms = report.rto_secs.map(|s| s.saturating_mul(1000));
    let estimate_end_ms = report
        .steps
        .iter()
        .filter_map(|s| s.planned.as_ref())
        .map(|p| (p.at_secs + p.duration_secs).saturating_mul(1000))
        .chain(match &report.estimate {
            EstimateSummary::Available { total_secs, .. } => Some(total_secs.saturating_mul(1000)),
            EstimateSummary::Unavailable(_) => None,
        })
        .max()
        .unwrap_or(0);
    let longest = report
        .total_ms
        .max(rto_ms.unwrap_or(0))
        .max(estimate_end_ms)
        .max(1_000);
    // A little room after the last mark, for its label.
    let scale = Scale {
        span_ms: longest as f64 * 1.04,
    };
    let rows = report.steps.len().max(1) as f64;
    // Below the rows: room for the RTO's label.
    let height = TOP + rows * ROW + 18.0;
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="Timeline of run {}" data-span-ms="{:.0}">"#,
        html(&report.run_id),
        scale.span_ms
    );
    let _ = writeln!(
        out,
        "<title>Timeline of run {}</title>",
        html(&report.run_id)
    );
    let _ = writeln!(out, "<style>{STYLE}</style>");
    axis(&mut out, &scale, longest, height);
    parallel_bands(&mut out, report);
    for (row, step) in report.steps.iter().enumerate() {
        let y = TOP + row as f64 * ROW;
        let label = format!("{} {}", step.seq, step.label());
        let short: String = if label.chars().count() > LABEL_CHARS {
            let mut cut: String = label.chars().take(LABEL_CHARS - 1).collect();
            cut.push('…');
            cut
        } else {
            label.clone()
        };
        let _ = writeln!(out, r#"<g class="row" data-step="{}">"#, step.seq);
        let _ = writeln!(
            out,
            r#"<text class="label" x="{:.1}" y="{:.1}">{}</text>"#,
            GUTTER - 8.0,
            y + BAR_Y + BAR_H - 1.0,
            html(&short)
        );
        let state = match &step.result {
            StepResult::Ok => "ok",
            StepResult::Failed { .. } => "failed",
            StepResult::Skipped => "skipped",
            StepResult::Superseded(_) => "superseded",
            StepResult::InFlight { .. } => "in-flight",
        };
        let drawn_ms = end_ms(step, report.total_ms) - step.start_ms;
        let _ = writeln!(
            out,
            r#"<rect class="bar step {} {state} lane-{}" data-step="{}" data-lane="{}" data-start-ms="{}" data-duration-ms="{}" x="{:.3}" y="{:.1}" width="{:.3}" height="{BAR_H}"><title>{}: {} at {}, {}</title></rect>"#,
            step.kind(),
            step.lane % 6,
            step.seq,
            step.lane,
            step.start_ms,
            step.duration_ms.unwrap_or(drawn_ms),
            scale.x(step.start_ms),
            y + BAR_Y,
            scale.width(drawn_ms),
            html(&label),
            html(&step.result_text()),
            html(&super::format::offset(step.start_ms)),
            html(&step.duration_text()),
        );
        if step.failed() {
            let _ = writeln!(
                out,
                r#"<text class="fail-mark" data-step="{}" x="{:.3}" y="{:.1}">✕ {}</text>"#,
                step.seq,
                scale.x(step.start_ms) + scale.width(drawn_ms) + 3.0,
                y + BAR_Y + BAR_H - 1.0,
                html(match &step.result {
                    StepResult::Failed { code, .. } => code,
                    _ => "",
                })
            );
        }
        if let Some(planned) = &step.planned {
            let start = planned.at_secs.saturating_mul(1000);
            let duration = planned.duration_secs.saturating_mul(1000);
            let _ = writeln!(
                out,
                r#"<rect class="bar estimate" data-step="{}" data-plan-step="{}" data-start-ms="{start}" data-duration-ms="{duration}" x="{:.3}" y="{:.1}" width="{:.3}" height="{ESTIMATE_H}"><title>plan step {}: ~{} at +{}</title></rect>"#,
                step.seq,
                planned.index,
                scale.x(start),
                y + ESTIMATE_Y,
                scale.width(duration),
                planned.index,
                ripcord_core::duration::format_duration(planned.duration_secs),
                ripcord_core::duration::format_duration(planned.at_secs),
            );
        }
        let _ = writeln!(out, "</g>");
    }
    let bottom = TOP + rows * ROW;
    if report.ended_at.is_some() {
        let x = scale.x(report.total_ms);
        let _ = writeln!(
            out,
            r#"<line class="run-end" data-ms="{}" x1="{x:.3}" x2="{x:.3}" y1="{:.1}" y2="{bottom:.1}"><title>run end, +{}</title></line>"#,
            report.total_ms,
            TOP - 4.0,
            html(&millis(report.total_ms))
        );
    }
    if let Some(rto) = report.rto_secs {
        let x = scale.x(rto.saturating_mul(1000));
        let _ = writeln!(
            out,
            r#"<line class="rto" data-rto-secs="{rto}" x1="{x:.3}" x2="{x:.3}" y1="{:.1}" y2="{:.1}"/>"#,
            TOP - 4.0,
            bottom + 4.0
        );
        // Under the rows, where no tick label is.
        let _ = writeln!(
            out,
            r#"<text class="rto-label" x="{:.3}" y="{:.1}">RTO {}</text>"#,
            x - 4.0,
            bottom + 14.0,
            compact(rto)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// The time axis: a baseline and a labelled tick every nice interval.
fn axis(out: &mut String, scale: &Scale, longest: u64, height: f64) {
    let step = TICKS_MS
        .iter()
        .copied()
        .find(|step| longest / step <= 10)
        .unwrap_or(TICKS_MS[TICKS_MS.len() - 1]);
    let _ = writeln!(out, r#"<g class="axis">"#);
    let _ = writeln!(
        out,
        r#"<line class="axis-line" x1="{GUTTER}" x2="{:.3}" y1="{:.1}" y2="{:.1}"/>"#,
        WIDTH - RIGHT,
        TOP - 4.0,
        TOP - 4.0
    );
    let mut at = 0;
    while at <= longest {
        let x = scale.x(at);
        let label = if at % 1000 == 0 {
            compact(at / 1000)
        } else {
            format!("{:.1}s", at as f64 / 1000.0)
        };
        let _ = writeln!(
            out,
            r#"<g class="tick" data-ms="{at}"><line x1="{x:.3}" x2="{x:.3}" y1="{:.1}" y2="{:.1}"/><text x="{x:.3}" y="{:.1}">{label}</text></g>"#,
            TOP - 8.0,
            height - 12.0,
            TOP - 26.0
        );
        at += step;
    }
    let _ = writeln!(out, "</g>");
}

/// A shaded band behind each stretch of rows whose steps overlapped in time: the parallel
/// branches, as far as the times tell (the journal records no groups).
fn parallel_bands(out: &mut String, report: &EvidenceReport) {
    let steps = &report.steps;
    let mut i = 0;
    while i < steps.len() {
        let mut end = end_ms(&steps[i], report.total_ms);
        let mut j = i + 1;
        while j < steps.len() && steps[j].start_ms < end {
            end = end.max(end_ms(&steps[j], report.total_ms));
            j += 1;
        }
        if steps[i..j].iter().any(|s| !s.overlaps.is_empty()) && j - i > 1 {
            let seqs: Vec<String> = steps[i..j].iter().map(|s| s.seq.to_string()).collect();
            let lanes = steps[i..j].iter().map(|s| s.lane).max().unwrap_or(0) + 1;
            let y = TOP + i as f64 * ROW;
            let _ = writeln!(
                out,
                r#"<g class="parallel" data-steps="{}" data-lanes="{lanes}"><rect class="band" x="4" y="{y:.1}" width="{:.1}" height="{:.1}"/><text class="band-label" transform="translate(13 {:.1}) rotate(-90)">{}<title>steps {} overlapped in time: parallel branches on {lanes} lanes, inferred from the times</title></text></g>"#,
                seqs.join(" "),
                WIDTH - 8.0,
                (j - i) as f64 * ROW,
                y + (j - i) as f64 * ROW / 2.0,
                // Rotated, the label has the band's height: the short word in a small band.
                if j - i >= 4 {
                    "parallel (inferred)"
                } else {
                    "parallel"
                },
                seqs.join(", "),
            );
        }
        i = j;
    }
}

/// The picture's own style, so that it reads the same outside the page.
const STYLE: &str = "\
.timeline{font:11px system-ui,sans-serif;background:#fff}\
.timeline .label{text-anchor:end;fill:#222}\
.timeline .axis-line,.timeline .tick line{stroke:#ccc;stroke-width:1}\
.timeline .tick text{text-anchor:middle;fill:#555}\
.timeline .band{fill:#eef3fb}\
.timeline .band-label{fill:#5872a0;font-size:10px;text-anchor:middle}\
.timeline .bar.step{fill:#2f6fb5}\
.timeline .bar.step.lane-1{fill:#2f9e6e}\
.timeline .bar.step.lane-2{fill:#b5832f}\
.timeline .bar.step.lane-3{fill:#7a4fb5}\
.timeline .bar.step.lane-4{fill:#2f9eb5}\
.timeline .bar.step.lane-5{fill:#b54f8a}\
.timeline .bar.step.failed{fill:#c62828}\
.timeline .bar.step.skipped,.timeline .bar.step.superseded{fill:#fff;stroke:#888;stroke-dasharray:2 2}\
.timeline .bar.step.in-flight{fill:#fbe3b0;stroke:#c07a00;stroke-dasharray:3 2}\
.timeline .bar.estimate{fill:#9bb7d9;fill-opacity:.55;stroke:#6f8fb8;stroke-width:.5}\
.timeline .fail-mark{fill:#c62828;font-weight:bold}\
.timeline .rto{stroke:#c62828;stroke-width:1.5;stroke-dasharray:6 3}\
.timeline .rto-label{fill:#c62828;text-anchor:end;font-weight:bold}\
.timeline .run-end{stroke:#222;stroke-width:1}";
