//! Text helpers shared by the report's renderers: durations, offsets, escaping.

use ripcord_core::duration::format_duration;

/// A measured duration: `0.0s`, `12.3s` under a minute (live steps are short and tenths
/// matter), then as plans write it (`3m 02s`).
pub(crate) fn millis(ms: u64) -> String {
    if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        format_duration((ms + 500) / 1000)
    }
}

/// A start offset from the run's start: `+0.3s`, `+3m 02s`.
pub(crate) fn offset(ms: u64) -> String {
    format!("+{}", millis(ms))
}

/// Seconds for a label where room is short, zero parts left out: `15m`, `1h 30m`, `45s`.
pub(crate) fn compact(secs: u64) -> String {
    if secs == 0 {
        return "0s".to_string();
    }
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 {
        parts.push(format!("{m}m"));
    }
    if s > 0 {
        parts.push(format!("{s}s"));
    }
    parts.join(" ")
}

/// A value of a change, `(none)` when the attribute does not exist on that side.
pub(crate) fn value(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("(none)")
}

/// Escapes a text for a Markdown paragraph or table cell: `|` and Markdown punctuation get a
/// backslash, `<` and `&` become entities (no HTML can open), a newline becomes `<br>`, an
/// `@` cannot mention anyone, and control and bidirectional characters are shown escaped.
pub(crate) fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\n' => out.push_str("<br>"),
            '\r' => {}
            '\t' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '|' | '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '@' | '$' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            c if hidden(c) => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a text for HTML content or a double-quoted attribute value.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(ch),
            c if hidden(c) => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// Characters that would hide or reorder text: controls and bidirectional overrides.
fn hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_the_plan_writes_them() {
        assert_eq!(millis(37), "0.0s");
        assert_eq!(millis(12_340), "12.3s");
        assert_eq!(millis(182_400), "3m 02s");
        assert_eq!(offset(260), "+0.3s");
        assert_eq!(compact(900), "15m");
        assert_eq!(compact(5_430), "1h 30m 30s");
        assert_eq!(compact(45), "45s");
    }

    #[test]
    fn escaping_opens_no_markup() {
        assert_eq!(md("a|b <i> @team"), "a\\|b &lt;i> \\@team");
        assert_eq!(md("x\ny"), "x<br>y");
        assert_eq!(html("<script>\"&'"), "&lt;script&gt;&quot;&amp;&#39;");
        assert_eq!(html("\u{202e}"), "\\u{202e}");
    }
}
