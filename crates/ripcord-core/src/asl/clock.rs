//! Runtime values in an exported request: a string the dry-run built from the clock (`now()`,
//! `elapsed()` in a message) is sent as a `States.Format` of the execution's own time instead
//! of the dry-run's (docs/step-functions.md, "Runtime values").

use super::guard::format_literal;
use crate::{ClockRead, ClockSource};
use serde_json::{Map, Value};

/// Where the run's start is kept in the state: set by `apply` in the first execution's input,
/// else by the machine's first states from its execution's start.
pub const RUN_STARTED_AT: &str = "$.RunStartedAt.At";

/// `parameters` with each string that quotes what the runbook read from the clock replaced by
/// a `Key.$` `States.Format` of the execution's time: `now()` by the time the state is entered
/// (`$$.State.EnteredTime`), `elapsed()` by "the time from START to NOW". Returns whether an
/// `elapsed()` was replaced (the machine then needs the run's start in its state).
pub fn with_runtime_values(
    parameters: Map<String, Value>,
    clock: &[ClockRead],
) -> (Map<String, Value>, bool) {
    let reads: Vec<&ClockRead> = clock.iter().filter(|r| !r.text.is_empty()).collect();
    let mut out = Map::new();
    let mut elapsed = false;
    for (key, value) in parameters {
        let text = match (&value, key.ends_with(".$")) {
            (Value::String(text), false) => text,
            _ => {
                out.insert(key, value);
                continue;
            }
        };
        match format_of(text, &reads) {
            Some((expression, used_elapsed)) => {
                elapsed |= used_elapsed;
                out.insert(format!("{key}.$"), expression.into());
            }
            None => {
                out.insert(key, value);
            }
        }
    }
    (out, elapsed)
}

/// The `States.Format` expression of `text` with each clock read it quotes (at word
/// boundaries) made an argument; `None` when it quotes none.
fn format_of(text: &str, reads: &[&ClockRead]) -> Option<(String, bool)> {
    let mut template = String::new();
    let mut args: Vec<&str> = Vec::new();
    let mut elapsed = false;
    let mut rest = text;
    // The earliest quote of any read next (the longest of those that start there).
    while let Some((at, read)) = reads
        .iter()
        .filter_map(|r| find_word(rest, &r.text).map(|i| (i, *r)))
        .min_by_key(|(i, r)| (*i, std::cmp::Reverse(r.text.len())))
    {
        template.push_str(&format_literal(&rest[..at]));
        match read.source {
            ClockSource::Now => {
                template.push_str("{}");
                args.push("$$.State.EnteredTime");
            }
            ClockSource::Elapsed => {
                template.push_str("the time from {} to {}");
                args.push(RUN_STARTED_AT);
                args.push("$$.State.EnteredTime");
                elapsed = true;
            }
        }
        rest = &rest[at + read.text.len()..];
    }
    template.push_str(&format_literal(rest));
    if args.is_empty() {
        return None;
    }
    Some((
        format!("States.Format('{template}', {})", args.join(", ")),
        elapsed,
    ))
}

/// The first place `needle` stands in `haystack` as a word of its own (no letter or digit
/// right before or after it: `0s` is not found in `10s`).
fn find_word(haystack: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = haystack[from..].find(needle) {
        let at = from + found;
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return Some(at);
        }
        from = at + needle.chars().next().map_or(1, char::len_utf8);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(source: ClockSource, text: &str) -> ClockRead {
        ClockRead {
            source,
            text: text.to_string(),
            at_secs: 0,
        }
    }

    #[test]
    fn a_quoted_clock_read_becomes_the_executions_time() {
        let clock = [
            read(ClockSource::Now, "2026-12-02T10:00:00Z"),
            read(ClockSource::Elapsed, "2m 03s"),
        ];
        let mut parameters = Map::new();
        parameters.insert("TopicArn".into(), "arn:aws:sns:us-west-2:1:t".into());
        parameters.insert(
            "Message".into(),
            "Done at 2026-12-02T10:00:00Z {ok}. It took 2m 03s, not 12m 03s.".into(),
        );
        let (out, elapsed) = with_runtime_values(parameters, &clock);
        assert!(elapsed);
        assert_eq!(out["TopicArn"], "arn:aws:sns:us-west-2:1:t");
        assert!(out.get("Message").is_none());
        assert_eq!(
            out["Message.$"],
            "States.Format('Done at {} \\{ok\\}. It took the time from {} to {}, not 12m 03s.', $$.State.EnteredTime, $.RunStartedAt.At, $$.State.EnteredTime)"
        );
    }

    #[test]
    fn a_string_that_quotes_no_clock_read_is_kept() {
        let clock = [read(ClockSource::Elapsed, "0s")];
        let mut parameters = Map::new();
        parameters.insert("Message".into(), "scaled in 10s".into());
        let (out, elapsed) = with_runtime_values(parameters.clone(), &clock);
        assert!(!elapsed);
        assert_eq!(out, parameters);
    }
}
