//! `--log-level` and `RIPCORD_LOG`: tracing events of ripcord and of the AWS SDK on stderr,
//! printed above the progress spinners.

use crate::cli::LogLevel;
use std::io::Write;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

/// The environment variable that sets the filter when `--log-level` is not given: a level
/// (`debug`) or per-target levels (`ripcord=debug,aws_smithy_runtime=trace`).
pub const ENV: &str = "RIPCORD_LOG";

/// Installs the subscriber; without `--log-level` or `RIPCORD_LOG`, nothing is logged (the
/// commands' own lines say what happens). `Err` names a malformed `RIPCORD_LOG`.
pub fn install(level: Option<LogLevel>, color: bool) -> Result<(), String> {
    let filter = match (level, std::env::var(ENV)) {
        (Some(level), _) => for_level(level.filter()),
        (None, Ok(spec)) if !spec.trim().is_empty() => spec.parse::<Targets>().map_err(|err| {
            format!(
                "{ENV}={spec:?} is not a log filter ({err}); give a level (off, error, warn, \
                 info, debug, trace) or target=level pairs, e.g. ripcord=debug,aws_smithy_runtime=trace"
            )
        })?,
        _ => return Ok(()),
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(AboveBars)
        .with_ansi(color)
        .with_target(true);
    // Fails only when a subscriber is already set, which main does once.
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
    Ok(())
}

/// `--log-level L`: ripcord's events and the AWS SDK's (`aws_*` crates) at `L`; the HTTP and
/// TLS crates under them only from warnings up (at debug they print every frame), and the
/// signer at most at debug (its trace events show the request and the credentials' key id;
/// the SDK redacts the secret and the session token, but the key id is no one's business in
/// a log either). RIPCORD_LOG can still ask for any of them.
fn for_level(level: LevelFilter) -> Targets {
    Targets::new()
        .with_default(level.min(LevelFilter::WARN))
        .with_target("ripcord", level)
        .with_target("aws", level)
        .with_target("aws_sigv4", level.min(LevelFilter::DEBUG))
}

/// Writes each event in one piece above the spinners (`crate::progress::say`).
#[derive(Clone, Copy)]
struct AboveBars;

/// One event's text, printed when the formatter drops it.
struct EventBuffer(Vec<u8>);

impl<'a> MakeWriter<'a> for AboveBars {
    type Writer = EventBuffer;

    fn make_writer(&'a self) -> EventBuffer {
        EventBuffer(Vec::new())
    }
}

impl Write for EventBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for EventBuffer {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        crate::progress::say(&redact(text.trim_end_matches('\n')));
    }
}

/// What stands for a credential in a log line.
const REDACTED: &str = "** redacted **";

/// The SDK redacts the secret key and the session token itself but prints the access key id
/// of the identity it resolved (at debug); ripcord's logs show none of the three. Also the
/// values of the credential variables wherever they appear, whoever printed them.
fn redact(line: &str) -> String {
    let mut out = line.to_string();
    for field in ["access_key_id: \"", "session_token: \""] {
        let mut from = 0;
        while let Some(at) = out[from..].find(field) {
            let start = from + at + field.len();
            let Some(len) = out[start..].find('"') else {
                break;
            };
            out.replace_range(start..start + len, REDACTED);
            from = start + REDACTED.len();
        }
    }
    for value in credential_values() {
        out = out.replace(value.as_str(), REDACTED);
    }
    out
}

/// The credential variables' values, read once: every log line is checked against them.
fn credential_values() -> &'static [String] {
    static VALUES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    VALUES.get_or_init(|| {
        [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .filter(|value| value.len() >= 8)
        .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn a_level_covers_ripcord_and_the_sdk_but_not_the_http_crates() {
        let targets = for_level(LevelFilter::DEBUG);
        assert!(targets.would_enable("ripcord_journal::writer", &Level::DEBUG));
        assert!(targets.would_enable("aws_smithy_runtime::client::orchestrator", &Level::DEBUG));
        assert!(targets.would_enable("aws_config", &Level::DEBUG));
        assert!(!targets.would_enable("hyper_util::client", &Level::DEBUG));
        assert!(targets.would_enable("hyper_util::client", &Level::WARN));
        assert!(!targets.would_enable("ripcord", &Level::TRACE));
        let trace = for_level(LevelFilter::TRACE);
        assert!(trace.would_enable("aws_smithy_runtime", &Level::TRACE));
        assert!(!trace.would_enable("aws_sigv4::http_request::sign", &Level::TRACE));
    }

    #[test]
    fn credentials_in_the_sdk_s_debug_output_are_redacted() {
        let line = r#"resolved identity identity=Identity { data: Credentials { provider_name: "EnvironmentVariable", access_key_id: "AKIAEXAMPLE", secret_access_key: "** redacted **" }, access_key_id: "AKIAOTHER" }"#;
        let clean = redact(line);
        assert!(
            !clean.contains("AKIAEXAMPLE") && !clean.contains("AKIAOTHER"),
            "{clean}"
        );
        assert!(clean.contains(r#"access_key_id: "** redacted **", secret_access_key"#));
        assert_eq!(redact("no credentials here"), "no credentials here");
    }

    #[test]
    fn off_logs_nothing() {
        let targets = for_level(LevelFilter::OFF);
        assert!(!targets.would_enable("ripcord", &Level::ERROR));
        assert!(!targets.would_enable("aws_config", &Level::ERROR));
    }
}
